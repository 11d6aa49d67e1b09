/**
 * Child process of `bench/hash.ts`: hashes one directory with the library, alone in its process,
 * and prints `{ seconds, files, bytes, tag, maxRssKiB }` as one JSON line. With `--idle` it
 * loads the same modules and hashes nothing, which gives the baseline peak RSS.
 *
 *   node --import tsx bench/hashChild.ts <directory> | --idle
 */
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Console, Effect } from "effect"
import * as ContentHash from "../packages/ociman/src/ContentHash.js"
import { BenchError, timed } from "./measurement.js"

const target = process.argv[2]

const program = Effect.gen(function* () {
  if (target === undefined) return yield* new BenchError({ reason: "usage: hashChild.ts <directory> | --idle" })
  const { seconds, value } =
    target === "--idle"
      ? { seconds: 0, value: { tag: "", files: 0, symlinks: 0, bytes: 0 } }
      : yield* timed(ContentHash.directory(target))
  // `maxRSS` is the peak resident set of this process, in KiB.
  yield* Console.log(JSON.stringify({ seconds, ...value, maxRssKiB: process.resourceUsage().maxRSS }))
})

program.pipe(Effect.provide(NodeContext.layer), NodeRuntime.runMain)
