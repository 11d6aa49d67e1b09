/**
 * `ociman build [DIR] [--instructions FILE|-] (--name NAME | --tag REF)`: builds an image and
 * prints its reference. With `--name` the tag is the content hash; `--if-absent` builds only when
 * that image is not there yet.
 */
import { Command, Options } from "@effect/cli"
import { NodeContext } from "@effect/platform-node"
import { Console, Effect, Option } from "effect"
import { BuildDefinition, ContainerRuntime, ImageReference } from "ociman"
import { Image } from "ociman"
import { backendOption, jsonOption, runtimeLayer } from "../shared.js"
import { definitionOptions, directoryArg, hashProgress, interactive, toDefinition, UsageError } from "./definition.js"

const nameOption = Options.text("name").pipe(
  Options.withDescription("Tag the image NAME:<content hash> (a content-addressed build)"),
  Options.optional
)
const tagOption = Options.text("tag").pipe(
  Options.withAlias("t"),
  Options.withDescription("Tag the image with this fixed reference"),
  Options.optional
)
const noCacheOption = Options.boolean("no-cache").pipe(Options.withDescription("Do not use the layer cache"))
const pullOption = Options.boolean("pull").pipe(
  Options.withDescription("Always try to pull a newer version of the base images")
)
const ifAbsentOption = Options.boolean("if-absent").pipe(
  Options.withDescription("Build only if the target image is not present yet (one hash, one presence check)")
)

/** The JSON document `ociman build --json` prints. */
export const buildJson = (reference: string, built: boolean) => ({ reference, built })

const targetOf = (
  name: Option.Option<string>,
  tag: Option.Option<string>
): Effect.Effect<BuildDefinition.TargetInput, UsageError> => {
  if (Option.isSome(name) && Option.isNone(tag)) return Effect.succeed({ name: name.value })
  if (Option.isSome(tag) && Option.isNone(name)) return Effect.succeed({ reference: tag.value })
  return Effect.fail(
    new UsageError({ detail: "give exactly one of --name NAME (content-addressed tag) or --tag REF (fixed tag)" })
  )
}

/** Build output on a terminal only, dimmed so the printed reference stands out. */
const showOutput = (output: ContainerRuntime.BuildOutput) =>
  Effect.sync(() => process.stderr.write(`\u001b[2m${output.line}\u001b[0m\n`))

export const build = Command.make(
  "build",
  {
    directory: directoryArg,
    ...definitionOptions,
    name: nameOption,
    tag: tagOption,
    noCache: noCacheOption,
    pull: pullOption,
    ifAbsent: ifAbsentOption,
    backend: backendOption,
    json: jsonOption
  },
  ({ backend, ifAbsent, json, name, noCache, pull, tag, ...input }) =>
    Effect.gen(function* () {
      const target = yield* targetOf(name, tag)
      let def = yield* toDefinition(input, target)
      if (noCache) def = BuildDefinition.noCache(def)
      if (pull) def = BuildDefinition.pullBase(def)
      const progress = hashProgress()
      const prepared = yield* Image.prepare(def, { onProgress: progress.onProgress }).pipe(
        Effect.ensuring(progress.done)
      )
      const runtime = yield* ContainerRuntime.ContainerRuntime
      const present = ifAbsent ? yield* runtime.images.exists(prepared.reference) : false
      if (!present) yield* Image.build(prepared, { onOutput: interactive() ? showOutput : undefined })
      const reference = ImageReference.format(prepared.reference)
      yield* Console.log(json ? JSON.stringify(buildJson(reference, !present)) : reference)
    }).pipe(Effect.provide(runtimeLayer(backend)), Effect.provide(NodeContext.layer))
).pipe(
  Command.withDescription(
    "Build an image from a directory or from Dockerfile instructions and print its reference (NAME:<content hash> with --name)"
  )
)
