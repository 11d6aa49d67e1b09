/**
 * `ociman hash [DIR] [--instructions FILE|-]`: the content tag a content-addressed build would
 * get (64 hex characters), without building. Needs no container runtime: `--backend` is accepted,
 * like on every command, so a script can pass the same flags everywhere, and is not used.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { lazyAction } from "../lazy.js"
import { jsonOption } from "../options.js"
import { definitionOptions, directoryArg } from "./buildOptions.js"

export const hashConfig = {
  directory: directoryArg,
  ...definitionOptions,
  // the same tag on every runtime: accepted for uniformity, never probed
  backend: Options.choice("backend", ["docker", "podman"]).pipe(
    Options.withDescription("Accepted like on every command; hashing needs no runtime, so it is not used"),
    Options.optional
  ),
  json: jsonOption
}

/** What `ociman hash`'s command line parses to. */
export type HashInput = Command.Command.ParseConfig<typeof hashConfig>

export const hash = Command.make(
  "hash",
  hashConfig,
  lazyAction(() => import("../actions/hash.js"))
).pipe(
  Command.withDescription(
    "Print the content tag (64 hex) of a build context or of Dockerfile instructions, as content-addressed builds use it; --json adds the files and bytes hashed"
  )
)
