/**
 * `StartOptions.onLog`: a container's log followed into a function while the start waits and the
 * scope is open, and, when the start fails, handed over in full before the failure comes.
 */
import { Cause, Effect, Fiber, Ref, Stream } from "effect"
import type { Container } from "../Container.js"
import type { LogLine } from "../ContainerRuntime.js"

/** A log follow to fork, and what to do with its fiber when the start fails. */
export interface LogFollower {
  /** Follows the log into `onLog` until the container stops (or the fiber is interrupted); never fails. */
  readonly follow: Effect.Effect<void>
  /**
   * Stops the follow and gives `onLog` the lines it has not had yet, read from a snapshot of the
   * log: the lines still in flight when the wait gave up are not lost.
   */
  readonly handOver: (fiber: Fiber.RuntimeFiber<void>) => Effect.Effect<void>
}

/** A line given to `onLog`: a defect in the caller's function is logged, never the start's. */
const deliver = (container: Container, onLog: (line: LogLine) => Effect.Effect<void>, line: LogLine) =>
  onLog(line).pipe(
    Effect.catchAllCause((cause) =>
      Cause.isInterruptedOnly(cause)
        ? Effect.failCause(cause)
        : Effect.logWarning(`ociman: onLog failed on a line of ${container.id}: ${Cause.pretty(cause)}`)
    )
  )

/** Lines delivered, per output: the follow merges two pipes as they come, a snapshot orders them by time. */
interface Delivered {
  readonly stdout: number
  readonly stderr: number
}

/** The snapshot's lines past those delivered: per output, in the snapshot's order. */
const undelivered = (lines: ReadonlyArray<LogLine>, delivered: Delivered): ReadonlyArray<LogLine> => {
  const seen = { stdout: 0, stderr: 0 }
  return lines.filter((line) => {
    seen[line.stream] += 1
    return seen[line.stream] > delivered[line.stream]
  })
}

export const makeLogFollower = (
  container: Container,
  onLog: (line: LogLine) => Effect.Effect<void>
): Effect.Effect<LogFollower> =>
  Effect.map(Ref.make<Delivered>({ stdout: 0, stderr: 0 }), (delivered) => ({
    follow: container.streamLogs({ follow: true }).pipe(
      Stream.runForEach((line) =>
        Effect.zipRight(
          deliver(container, onLog, line),
          Ref.update(delivered, (counts) => ({ ...counts, [line.stream]: counts[line.stream] + 1 }))
        )
      ),
      Effect.catchAll((error) =>
        Effect.logWarning(`ociman: could not follow the log of ${container.id}: ${error.message}`)
      )
    ),
    handOver: (fiber) =>
      Effect.gen(function* () {
        yield* Fiber.interrupt(fiber)
        const counts = yield* Ref.get(delivered)
        const lines = yield* container.logs.pipe(Effect.orElseSucceed((): ReadonlyArray<LogLine> => []))
        yield* Effect.forEach(undelivered(lines, counts), (line) => deliver(container, onLog, line), { discard: true })
      })
  }))
