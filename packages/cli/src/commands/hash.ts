/**
 * `ociman hash [DIR] [--instructions FILE|-]`: the content tag a content-addressed build would
 * get (64 hex characters), without building. Needs no container runtime: `--backend` is accepted,
 * like on every command, so a script can pass the same flags everywhere, and is not used.
 */
import { Command, Options } from "@effect/cli"
import { NodeContext } from "@effect/platform-node"
import { Console, Effect } from "effect"
import { Image } from "ociman"
import { jsonOption } from "../shared.js"
import { definitionOptions, directoryArg, hashProgress, toDefinition } from "./definition.js"

/** The JSON document `ociman hash --json` prints. */
export const hashJson = (hash: Image.ContentTag) => ({ tag: hash.tag, files: hash.files, bytes: hash.bytes })

export const hash = Command.make(
  "hash",
  {
    directory: directoryArg,
    ...definitionOptions,
    // the same tag on every runtime: accepted for uniformity, never probed
    backend: Options.choice("backend", ["docker", "podman"]).pipe(
      Options.withDescription("Accepted like on every command; hashing needs no runtime, so it is not used"),
      Options.optional
    ),
    json: jsonOption
  },
  ({ backend: _backend, json, ...input }) =>
    Effect.gen(function* () {
      // The name is irrelevant to the tag; the definition needs one.
      const def = yield* toDefinition(input, { name: "ociman/hash" })
      const progress = hashProgress()
      const result = yield* Image.contentHash(def, { onProgress: progress.onProgress }).pipe(
        Effect.ensuring(progress.done)
      )
      yield* Console.log(json ? JSON.stringify(hashJson(result)) : result.tag)
    }).pipe(Effect.provide(NodeContext.layer))
).pipe(
  Command.withDescription(
    "Print the content tag (64 hex) of a build context or of Dockerfile instructions, as content-addressed builds use it"
  )
)
