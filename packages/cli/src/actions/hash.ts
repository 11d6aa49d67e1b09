/**
 * What `ociman hash` does (see `commands/hash.ts`).
 */
import { Console, Effect } from "effect"
// The module itself, not the barrel: a bundle keeps every function of a namespace re-exported from
// `ociman`, and Image's build and pull would bring the whole runtime into a command that needs none.
import * as Image from "ociman/Image"
import type { HashInput } from "../commands/hash.js"
import { filesLayer } from "../platform.js"
import { hashProgress, toDefinition } from "./definition.js"

/** The JSON document `ociman hash --json` prints. */
export const hashJson = (hash: Image.ContentTag) => ({ tag: hash.tag, files: hash.files, bytes: hash.bytes })

export const action = ({ backend: _backend, json, ...input }: HashInput) =>
  Effect.gen(function* () {
    // The name is irrelevant to the tag; the definition needs one.
    const def = yield* toDefinition(input, { name: "ociman/hash" })
    const progress = hashProgress()
    const result = yield* Image.contentHash(def, { onProgress: progress.onProgress }).pipe(
      Effect.ensuring(progress.done)
    )
    yield* Console.log(json ? JSON.stringify(hashJson(result)) : result.tag)
  }).pipe(Effect.provide(filesLayer))
