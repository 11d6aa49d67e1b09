/**
 * Benchmark runner: `npm run bench -- [name ...] [--json]` (all benchmarks when no name is
 * given). Prints a table, or with `--json` one JSON array of
 * `{ name, value, unit, baseline, ratio }` on stdout (progress goes to stderr).
 *
 * To add a benchmark, write `bench/<name>.ts` exporting `run: Effect<ReadonlyArray<Result>, …>`
 * (see `bench/measurement.ts`) and register it below.
 */
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Console, Effect } from "effect"
import * as Containers from "./containers.js"
import * as Hash from "./hash.js"
import * as Lifecycle from "./lifecycle.js"
import * as Postgres from "./postgres.js"
import * as Startup from "./startup.js"
import { BenchError, table } from "./measurement.js"

const benchmarks = {
  containers: Containers.run,
  hash: Hash.run,
  lifecycle: Lifecycle.run,
  postgres: Postgres.run,
  startup: Startup.run
} as const

const isBenchmark = (name: string): name is keyof typeof benchmarks => Object.hasOwn(benchmarks, name)

const program = Effect.gen(function* () {
  const args = process.argv.slice(2)
  const json = args.includes("--json")
  const names = args.filter((arg) => !arg.startsWith("--"))
  const selected = names.length === 0 ? Object.keys(benchmarks) : names
  const results = []
  for (const name of selected) {
    if (!isBenchmark(name)) {
      return yield* new BenchError({
        reason: `unknown benchmark ${name}; known: ${Object.keys(benchmarks).join(", ")}`
      })
    }
    results.push(...(yield* benchmarks[name]))
  }
  yield* Console.log(json ? JSON.stringify(results.map((result) => result.measurement)) : table(results))
})

program.pipe(Effect.provide(NodeContext.layer), NodeRuntime.runMain)
