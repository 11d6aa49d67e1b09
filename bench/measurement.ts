/**
 * What every benchmark reports, how `bench/run.ts` prints it, and the helpers the benchmarks
 * share (timing, medians, running a command to completion).
 */
import { Command } from "@effect/platform"
import type { CommandExecutor } from "@effect/platform/CommandExecutor"
import type { PlatformError } from "@effect/platform/Error"
import { Data, Duration, Effect, Stream } from "effect"

/**
 * One result row. `value` is the library's number and `baseline` the reference tool's, in
 * `unit`. `ratio` is always oriented so that higher is better for the library: library speed
 * over baseline speed for times and throughputs, baseline over library for memory.
 */
export interface Measurement {
  readonly name: string
  readonly value: number
  readonly unit: string
  readonly baseline: number
  readonly ratio: number
}

/** A row plus what only the table shows: the goal and whether it was met. */
export interface Result {
  readonly measurement: Measurement
  readonly goal: string
  readonly met: boolean
  readonly note?: string | undefined
}

export class BenchError extends Data.TaggedError("BenchError")<{ readonly reason: string }> {
  override get message(): string {
    return this.reason
  }
}

export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((left, right) => left - right)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2
}

/** The value at quantile `q` (0 to 1) of `values`, linearly interpolated between neighbouring ranks. */
export const quantile = (values: ReadonlyArray<number>, q: number): number => {
  const sorted = [...values].sort((left, right) => left - right)
  const position = (sorted.length - 1) * q
  const below = sorted[Math.floor(position)] ?? Number.NaN
  const above = sorted[Math.ceil(position)] ?? Number.NaN
  return below + (above - below) * (position - Math.floor(position))
}

/** The interquartile range of `values` as `a–b` (p25–p75), for a result's note. */
export const spread = (values: ReadonlyArray<number>): string =>
  `${format(quantile(values, 0.25))}–${format(quantile(values, 0.75))}`

/** Runs `effect` and returns its value with the wall-clock seconds it took. */
export const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.timed(effect), ([duration, value]) => ({ seconds: Duration.toMillis(duration) / 1000, value }))

const collect = (stream: Stream.Stream<Uint8Array, PlatformError>) =>
  stream.pipe(
    Stream.decodeText(),
    Stream.runFold("", (text, chunk) => text + chunk)
  )

/** Runs a command to completion, draining stdout and stderr together; a non-zero exit fails. */
export const runCommand = (
  command: Command.Command
): Effect.Effect<string, BenchError | PlatformError, CommandExecutor> =>
  Effect.scoped(
    Effect.gen(function* () {
      const child = yield* Command.start(command)
      const [stdout, stderr, exitCode] = yield* Effect.all(
        [collect(child.stdout), collect(child.stderr), child.exitCode],
        {
          concurrency: "unbounded"
        }
      )
      if (exitCode !== 0) {
        return yield* new BenchError({
          reason: `${Command.flatten(command)
            .map((c) => [c.command, ...c.args].join(" "))
            .join(" | ")} exited with ${exitCode}: ${stderr.trim()}`
        })
      }
      return stdout
    })
  )

/** A number with three significant figures or so, as the table prints it. */
export const format = (value: number): string =>
  value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)

/** A plain-text table, one row per result. */
export const table = (results: ReadonlyArray<Result>): string => {
  const header = ["benchmark", "library", "baseline", "ratio", "goal", "", "note"]
  const rows = results.map(({ measurement: m, goal, met, note }) => [
    m.name,
    `${format(m.value)} ${m.unit}`,
    `${format(m.baseline)} ${m.unit}`,
    `${m.ratio.toFixed(2)}x`,
    goal,
    met ? "ok" : "MISSED",
    note ?? ""
  ])
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd()
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n")
}
