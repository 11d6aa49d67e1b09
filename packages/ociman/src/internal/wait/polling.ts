/**
 * Polling a strategy until it passes: each leaf on its own schedule, `all` concurrently, `any` as a
 * race; after each failed attempt, one inspect tells a container that stopped (whose state is
 * final) from one that is just not ready yet.
 */
import { Effect, Option, Ref } from "effect"
import type { Container } from "../../Container.js"
import type { ContainerNotFound } from "../../ContainerError.js"
import type * as ContainerInspect from "../../ContainerInspect.js"
import type { Strategy } from "../../Wait.js"
import { ContainerExitedBeforeReady } from "../../WaitError.js"
import { attempt, type Context, type Fatal, type Leaf, type NotReady, STOPPED } from "./checks.js"
import type { LogLine } from "../../ContainerRuntime.js"

/** What a poll fails with: a container that vanished is reported as `ContainerExitedBeforeReady`. */
export type PollFailure = NotReady | Exclude<Fatal, ContainerNotFound>

/** How many log lines the errors carry. */
const LAST_LOG_LINES = 50

/** The container's last log lines, for an error (none if they cannot be read). */
export const lastLogsOf = (container: Container): Effect.Effect<ReadonlyArray<LogLine>> =>
  container.logs.pipe(
    Effect.map((lines) => lines.slice(-LAST_LOG_LINES)),
    Effect.orElseSucceed((): ReadonlyArray<LogLine> => [])
  )

/**
 * `Option.some(exitCode)` when the container has stopped (`undefined`: it is gone). A runtime that
 * does not answer counts as "still running": the deadline bounds that.
 */
const stopped = (
  container: Container
): Effect.Effect<Option.Option<number | undefined>, ContainerInspect.InvalidInspect> =>
  container.inspect.pipe(
    Effect.map((info) =>
      STOPPED.has(info.state.status) ? Option.some<number | undefined>(info.state.exitCode) : Option.none()
    ),
    Effect.catchAll((error) =>
      error._tag === "InvalidInspect"
        ? Effect.fail(error)
        : Effect.succeed(error._tag === "ContainerNotFound" ? Option.some(undefined) : Option.none())
    )
  )

const exitedBeforeReady = (context: Context, exitCode: number | undefined) =>
  Effect.flatMap(
    exitCode === undefined ? Effect.succeed([]) : lastLogsOf(context.container),
    (lastLogs) =>
      new ContainerExitedBeforeReady({
        container: context.container.id,
        strategy: context.description,
        exitCode,
        lastLogs
      })
  )

/**
 * Polls one leaf on its own schedule until it passes. After each failed attempt, one inspect: if
 * the container has stopped, its state is final, so one last attempt decides (a "done" line
 * printed just before exiting still counts), then `ContainerExitedBeforeReady`.
 */
export const pollLeaf = (context: Context, strategy: Leaf, path: string): Effect.Effect<void, PollFailure> => {
  const record = (reason: string | undefined) =>
    Ref.update(context.states, (states) => new Map(states).set(path, reason))
  const gone = (exitCode: number | undefined) => Effect.flatMap(exitedBeforeReady(context, exitCode), Effect.fail)
  const once: Effect.Effect<void, PollFailure> = attempt(context, strategy, record).pipe(
    // a container removed meanwhile (e.g. `--rm` after it exited) is gone, whichever call noticed
    Effect.catchTag("ContainerNotFound", () => gone(undefined)),
    Effect.catchTag("NotReady", (error) =>
      record(error.reason).pipe(
        Effect.zipRight(stopped(context.container)),
        Effect.flatMap(
          Option.match({
            onNone: (): Effect.Effect<void, PollFailure> => Effect.fail(error),
            onSome: (exitCode): Effect.Effect<void, PollFailure> =>
              attempt(context, strategy, record).pipe(
                Effect.catchTag("ContainerNotFound", () => gone(exitCode)),
                Effect.catchTag("NotReady", () => gone(exitCode))
              )
          })
        )
      )
    ),
    Effect.tapError((error) => (error._tag === "NotReady" ? Effect.void : record(error.message)))
  )
  return once.pipe(
    Effect.retry({ schedule: context.schedule, while: (error) => error._tag === "NotReady" }),
    Effect.zipRight(record(undefined))
  )
}

/** All: every child concurrently, failing fast. Any: a race, the losers interrupted. */
export const poll = (context: Context, strategy: Strategy, path: string): Effect.Effect<void, PollFailure> => {
  switch (strategy._tag) {
    case "All":
      return Effect.forEach(strategy.strategies, (child, i) => poll(context, child, `${path}.${i}`), {
        concurrency: "unbounded",
        discard: true
      })
    case "Any":
      return Effect.raceAll(strategy.strategies.map((child, i) => poll(context, child, `${path}.${i}`)))
    default:
      return pollLeaf(context, strategy, path)
  }
}
