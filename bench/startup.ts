/**
 * Start-up benchmark: how long the `ociman` command takes to answer, against a bare `node -e 0`
 * start in the same run (and, for `info`, plus the runtime's own `version` call, which `info` cannot
 * be faster than). Runs the built bin (`npm run build`, which `npm run bench` does first).
 *
 * - `ociman --help` and `ociman hash <a one-file directory>`: goal ≤ 4× `node -e 0`.
 * - `ociman info --json --backend <kind>` on each runtime present: goal ≤ 4× `node -e 0` + `<kind> version`.
 *
 * The library's probe runs `<kind> version` and `<kind> info` (for rootless mode) at once, so the
 * note also gives `<kind> info`'s own time.
 *
 * Rounds interleave every command (node, ociman …, the runtime's version, …) so drift on this
 * noisy machine hits all alike; medians are reported. Each time includes spawning the process and
 * draining its output, the same for the baseline.
 */
import { FileSystem, Path } from "@effect/platform"
import { Console, Effect, Either } from "effect"
import { ContainerRuntime } from "ociman"
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { BenchError, median, type Result } from "./measurement.js"

const ROUNDS = 15
const GOAL = 4

const bin = fileURLToPath(new URL("../packages/cli/bin/ociman.js", import.meta.url))
const bundle = fileURLToPath(new URL("../packages/cli/dist/bundle/ociman.mjs", import.meta.url))

/** A command line: the executable and its arguments. */
type Argv = readonly [string, ...ReadonlyArray<string>]

/**
 * Milliseconds of one run of `argv`, output piped and drained, exit 0 required. Spawned directly
 * (`spawnSync`), so the harness adds about a millisecond, not the tens an Effect `Command` adds on
 * this machine, which would flatter every ratio.
 */
const millis = ([executable, ...args]: Argv) =>
  Effect.suspend(() => {
    const started = performance.now()
    const result = spawnSync(executable, args, { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 })
    const elapsed = performance.now() - started
    return result.status === 0
      ? Effect.succeed(elapsed)
      : Effect.fail(
          new BenchError({
            reason: `${[executable, ...args].join(" ")} exited with ${result.status ?? result.signal}: ${String(result.stderr).trim()}`
          })
        )
  })

const node = (...args: ReadonlyArray<string>): Argv => [process.execPath, ...args]
const ociman = (...args: ReadonlyArray<string>): Argv => node(bin, ...args)

/** The runtimes that answer here (a missing one is skipped and said so). */
const presentRuntimes = Effect.filter(["docker", "podman"] as const, (kind) =>
  Effect.either(ContainerRuntime.resolve({ backend: kind })).pipe(
    Effect.tap((resolved) =>
      Either.isLeft(resolved) ? Console.error(`startup: skipping ${kind}: ${resolved.left.message}`) : Effect.void
    ),
    Effect.map(Either.isRight)
  )
)

const ms = (value: number) => `${value.toFixed(0)} ms`

export const run = Effect.scoped(
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    if (!(yield* fs.exists(bundle))) {
      return yield* new BenchError({ reason: `${bundle} is missing: run npm run build first` })
    }
    const context = yield* fs.makeTempDirectoryScoped({ prefix: "ociman-bench-startup-" })
    yield* fs.writeFileString(path.join(context, "Dockerfile"), "FROM scratch\n")
    const kinds = yield* presentRuntimes

    const commands: ReadonlyArray<readonly [string, Argv]> = [
      ["node", node("-e", "0")],
      ["help", ociman("--help")],
      ["hash", ociman("hash", context)],
      ...kinds.flatMap((kind) => [
        [`version ${kind}`, [kind, "version"]] as const,
        // what the library's probe runs next to `version` (for rootless mode): shown, not the goal
        [`runtime info ${kind}`, [kind, "info"]] as const,
        [`info ${kind}`, ociman("info", "--json", "--backend", kind)] as const
      ])
    ]
    const samples = new Map<string, Array<number>>(commands.map(([name]) => [name, []]))
    // one warm-up of each, not measured (page cache, first exec of the binaries)
    for (const [, command] of commands) yield* millis(command)
    for (let round = 1; round <= ROUNDS; round += 1) {
      yield* Console.error(`startup: round ${round}/${ROUNDS}`)
      for (const [name, command] of commands) samples.get(name)?.push(yield* millis(command))
    }
    const medianOf = (name: string) => median(samples.get(name) ?? [])
    const bare = medianOf("node")

    const againstNode = (name: string, label: string): Result => {
      const value = medianOf(name)
      return {
        measurement: { name: label, value, unit: "ms", baseline: bare, ratio: bare / value },
        goal: `≤ ${GOAL}x node -e 0 (ratio ≥ ${(1 / GOAL).toFixed(2)})`,
        met: value <= GOAL * bare,
        note: `median of ${ROUNDS}; node -e 0 ${ms(bare)}, ${(value / bare).toFixed(1)}x`
      }
    }
    const info = (kind: string): Result => {
      const value = medianOf(`info ${kind}`)
      const version = medianOf(`version ${kind}`)
      const baseline = bare + version
      return {
        measurement: { name: `ociman info --json (${kind})`, value, unit: "ms", baseline, ratio: baseline / value },
        goal: `≤ ${GOAL}x node -e 0 + ${kind} version`,
        met: value <= GOAL * bare + version,
        note: `median of ${ROUNDS}; baseline node -e 0 ${ms(bare)} + ${kind} version ${ms(version)}; limit ${ms(GOAL * bare + version)}; ${kind} info ${ms(medianOf(`runtime info ${kind}`))}`
      }
    }
    return [
      againstNode("help", "ociman --help"),
      againstNode("hash", "ociman hash (one-file directory)"),
      ...kinds.map(info)
    ]
  })
)
