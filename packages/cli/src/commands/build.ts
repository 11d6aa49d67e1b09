/**
 * `ociman build [DIR] [--instructions FILE|-] (--name NAME | --tag REF)`: builds an image and
 * prints its reference. With `--name` the tag is the content hash; `--if-absent` builds only when
 * that image is not there yet.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { lazyAction } from "../lazy.js"
import { backendOption, jsonOption } from "../options.js"
import { definitionOptions, directoryArg } from "./buildOptions.js"

export const buildConfig = {
  directory: directoryArg,
  ...definitionOptions,
  name: Options.text("name").pipe(
    Options.withDescription("Tag the image NAME:<content hash> (a content-addressed build)"),
    Options.optional
  ),
  tag: Options.text("tag").pipe(
    Options.withAlias("t"),
    Options.withDescription("Tag the image with this fixed reference"),
    Options.optional
  ),
  noCache: Options.boolean("no-cache").pipe(Options.withDescription("Do not use the layer cache")),
  pull: Options.boolean("pull").pipe(Options.withDescription("Always try to pull a newer version of the base images")),
  ifAbsent: Options.boolean("if-absent").pipe(
    Options.withDescription("Build only if the target image is not present yet (one hash, one presence check)")
  ),
  backend: backendOption,
  json: jsonOption
}

/** What `ociman build`'s command line parses to. */
export type BuildInput = Command.Command.ParseConfig<typeof buildConfig>

export const build = Command.make(
  "build",
  buildConfig,
  lazyAction(() => import("../actions/build.js"))
).pipe(
  Command.withDescription(
    "Build an image from a directory or from Dockerfile instructions and print its reference (NAME:<content hash> with --name); --json: the reference and whether it was built"
  )
)
