/**
 * Deadlines: every operation on a runtime ends, with a typed `OperationTimedOut`, once its deadline
 * has passed, whatever the engine does (a frozen daemon accepts a connection and never answers).
 * The defaults below hold unless the layer (`ContainerRuntime.layer({ deadlines })`) or the call
 * (its `timeout` option) gives another.
 *
 * The deadline is applied above the seam, so every transport gets the same bound: interrupting a
 * CLI call kills its process (SIGTERM, then SIGKILL), and that cleanup runs in the background
 * (`Effect.disconnect`): the caller gets its error at the deadline, not after the kill's grace.
 * The bounded operation is interruptible even inside a finalizer, where everything else is not.
 */
import { Cause, Duration, Effect, Option, Predicate, Stream } from "effect"
import { OperationTimedOut } from "../CliError.js"
import type { Service } from "../ContainerRuntime.js"
import { onClockOf } from "./clock.js"

/**
 * The deadline of each kind of operation.
 * @since 0.1.0
 * @category models
 */
export interface Deadlines {
  /** Inspect, exists, list, a logs snapshot, labels, ports, a healthcheck, an image's inspect. */
  readonly query: Duration.DurationInput
  /** Creating and starting a container (`start`'s run, before any wait; a pull is not counted). */
  readonly start: Duration.DurationInput
  /** A command run inside a container, or a container run in the foreground. */
  readonly exec: Duration.DurationInput
  /** Removing a container or an image; a stop gets its grace period on top. */
  readonly remove: Duration.DurationInput
  /** Waiting for a container to exit. */
  readonly wait: Duration.DurationInput
  /** Committing a container to an image. */
  readonly commit: Duration.DurationInput
  /** Building an image. */
  readonly build: Duration.DurationInput
  /** Pulling an image (a missing image pulled by `start` too). */
  readonly pull: Duration.DurationInput
  /** Pushing an image. */
  readonly push: Duration.DurationInput
  /** Logging in to or out of a registry; tagging an image. */
  readonly registry: Duration.DurationInput
  /** Creating, removing or looking up a network. */
  readonly network: Duration.DurationInput
  /** Creating, removing or looking up a volume. */
  readonly volume: Duration.DurationInput
  /** One sweep of leaked resources (`Sweeper.sweep`, the automatic sweep). */
  readonly sweep: Duration.DurationInput
}

/** What each operation gets when neither the layer nor the call says otherwise. */
export const defaultDeadlines: Deadlines = {
  query: "30 seconds",
  start: "60 seconds",
  exec: "10 minutes",
  remove: "30 seconds",
  wait: "1 hour",
  commit: "5 minutes",
  build: "30 minutes",
  pull: "10 minutes",
  push: "10 minutes",
  registry: "30 seconds",
  network: "30 seconds",
  volume: "30 seconds",
  sweep: "2 minutes"
}

/** The deadline of `kind` on this runtime: the call's, else the layer's, else the default. */
export const deadlineOf = (
  runtime: Pick<Service, "deadlines">,
  kind: keyof Deadlines,
  perCall?: Duration.DurationInput | undefined
): Duration.Duration => Duration.decode(perCall ?? runtime.deadlines?.[kind] ?? defaultDeadlines[kind])

/**
 * Bounds `effect` by the deadline of `kind`: past it, `effect` is interrupted (in the background)
 * and the caller gets `OperationTimedOut` naming the operation and its target. An infinite deadline
 * bounds nothing. Real runtimes keep the live clock; the in-memory one the caller's.
 */
export const bounded =
  (
    runtime: Pick<Service, "deadlines" | "capabilities">,
    kind: keyof Deadlines,
    operation: string,
    target: string | undefined,
    perCall?: Duration.DurationInput | undefined
  ) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | OperationTimedOut, R> => {
    const deadline = deadlineOf(runtime, kind, perCall)
    if (!Duration.isFinite(deadline)) return effect
    return effect.pipe(
      timeoutInBackground(
        deadline,
        () => new OperationTimedOut({ operation, target, timeoutMillis: Duration.toMillis(deadline) })
      ),
      onClockOf(runtime.capabilities)
    )
  }

/** {@link bounded} for a stream: it ends with `OperationTimedOut` once the deadline has passed. */
export const boundedStream =
  (
    runtime: Pick<Service, "deadlines" | "capabilities">,
    kind: keyof Deadlines,
    operation: string,
    target: string | undefined,
    perCall?: Duration.DurationInput | undefined
  ) =>
  <A, E, R>(stream: Stream.Stream<A, E, R>): Stream.Stream<A, E | OperationTimedOut, R> =>
    stream.pipe(Stream.interruptWhen(bounded(runtime, kind, operation, target, perCall)(Effect.never)))

/**
 * Fails with `onTimeout()` once `duration` has passed, interrupting `effect` in the background:
 * the caller gets its error at the deadline, not after the interruption's cleanup (a process kill
 * and its grace). Interruptible even where the caller is not (a release runs in a finalizer): the
 * effect, so the timeout can stop it, and the wait for it, so the timeout can end that wait. The
 * one timeout mechanism of the library's deadlines and of the process core's own timeout.
 */
export const timeoutInBackground =
  <E2>(duration: Duration.DurationInput, onTimeout: () => E2) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | E2, R> =>
    effect.pipe(
      Effect.interruptible,
      Effect.disconnect,
      Effect.interruptible,
      Effect.timeoutFail({ duration, onTimeout })
    )

/** Failures after which the engine may still carry the request out: it never answered. */
const UNANSWERED: ReadonlySet<string> = new Set([
  "OperationTimedOut",
  "CommandTimedOut",
  "EngineRequestTimedOut",
  "EngineUnreachable"
])

/** An operation that failed because the engine did not answer in time, or was interrupted: it may still be carried out. */
export const unanswered = (cause: Cause.Cause<unknown>): boolean =>
  Cause.isInterruptedOnly(cause) ||
  Option.exists(
    Cause.failureOption(cause),
    (error) => Predicate.hasProperty(error, "_tag") && typeof error._tag === "string" && UNANSWERED.has(error._tag)
  )
