/**
 * One attempt of each kind of readiness check (see `Wait.ts` for the strategies): read the logs,
 * connect to a port, exec a command, read the health status, send an HTTP request. An attempt
 * that does not pass fails with `NotReady` (the poller retries it); one that never can, with a
 * `Fatal` error.
 */
import { Data, Duration, Effect, Option, type Ref, type Schedule, Stream } from "effect"
import type { Container } from "../../Container.js"
import type { ContainerNotFound, PortNotPublished } from "../../ContainerError.js"
import type * as ContainerInspect from "../../ContainerInspect.js"
import type * as EnvVar from "../../EnvVar.js"
import * as Port from "../../Port.js"
import type {
  AllStrategy,
  AnyStrategy,
  CommandStrategy,
  ExitedStrategy,
  HttpStrategy,
  LogLineStrategy,
  Strategy,
  TcpStrategy
} from "../../Wait.js"
import type { LogLine, PortProbeOutcome } from "../../ContainerRuntime.js"
import type { ContainerExitedBeforeReady, HealthcheckMissing } from "../../WaitError.js"
import { tail } from "../healthcheck.js"

/** One attempt of a check did not pass (retried until the deadline). */
export class NotReady extends Data.TaggedError("NotReady")<{ readonly reason: string }> {}

/** Failures that end a check at once: retrying cannot fix them. */
export type Fatal =
  | ContainerExitedBeforeReady
  | HealthcheckMissing
  | PortNotPublished
  | ContainerNotFound
  | ContainerInspect.InvalidInspect
  | EnvVar.InvalidEnvVar

/** What every check of one wait shares. */
export interface Context {
  readonly container: Container
  readonly description: string
  readonly schedule: Schedule.Schedule<unknown>
  readonly attemptTimeout: Duration.Duration
  /** Per leaf (by path in the strategy tree): `undefined` once ready, else why not yet. */
  readonly states: Ref.Ref<ReadonlyMap<string, string | undefined>>
}

const notReady = (reason: string) => new NotReady({ reason })

const FATAL_TAGS: ReadonlySet<string> = new Set([
  "ContainerExitedBeforeReady",
  "HealthcheckMissing",
  "PortNotPublished",
  "ContainerNotFound",
  "InvalidInspect",
  "InvalidEnvVar"
])

/** Transient failures (a CLI hiccup) are "not ready yet": the deadline bounds them. */
const retryable = <A, E extends { readonly _tag: string; readonly message: string }>(effect: Effect.Effect<A, E>) =>
  Effect.catchIf(
    effect,
    (error): error is Exclude<E, Fatal> => !FATAL_TAGS.has(error._tag),
    (error) => Effect.fail(notReady(error.message))
  )

/**
 * A follow that runs this long starts watching for the container's exit (most lines come sooner,
 * and cost no watch); after the exit, it may still deliver lines for as long again.
 */
const FOLLOW_EXIT_WATCH = Duration.seconds(2)

/**
 * Completes a moment after the container exits; never when its wait fails. Podman's API service
 * can keep a follow open after the container has exited (a race in its log reader, seen under
 * load): the follow then ends here as if the engine had closed it, and the poller sees the exit.
 */
const exitedThenGrace = (container: Container) =>
  Effect.sleep(FOLLOW_EXIT_WATCH).pipe(
    Effect.zipRight(container.wait),
    Effect.matchEffect({ onFailure: () => Effect.never, onSuccess: () => Effect.sleep(FOLLOW_EXIT_WATCH) })
  )

/**
 * Follows the log (all of it, then lines as they are written) until `times` lines match: ready the
 * moment the line is written, with one CLI process for the whole wait. The follow ends when the
 * container stops; then the count so far is why it is not ready (the poller tells a stopped
 * container from a follow cut short, and starts over, counting from the first line again). A
 * follow the engine keeps open past the container's exit ends shortly after it (`exitedThenGrace`).
 */
const checkLogLine = (context: Context, strategy: LogLineStrategy, progress: Progress) => {
  const matches = (line: LogLine) =>
    (strategy.stream === undefined || line.stream === strategy.stream) && strategy.pattern.test(line.text)
  const counted = (seen: number) => `${seen} of ${strategy.times} log lines match ${String(strategy.pattern)}`
  return context.container.streamLogs({ follow: true }).pipe(
    Stream.interruptWhen(exitedThenGrace(context.container)),
    Stream.filter(matches),
    Stream.scan(0, (seen) => seen + 1),
    Stream.tap((seen) => progress(counted(seen))),
    Stream.takeUntil((seen) => seen >= strategy.times),
    Stream.runLast,
    retryable,
    Effect.flatMap((last) => {
      const seen = Option.getOrElse(last, () => 0)
      return seen >= strategy.times ? Effect.void : Effect.fail(notReady(counted(seen)))
    })
  )
}

/** A probe's outcome as a check's: reached (with the wanted status, for HTTP), else not ready. */
const reached = (outcome: PortProbeOutcome, wanted: number | undefined, method = ""): Effect.Effect<void, NotReady> => {
  if (outcome._tag === "Unreachable") return Effect.fail(notReady(outcome.reason))
  if (wanted === undefined || outcome.status === wanted) return Effect.void
  return Effect.fail(notReady(`${method} ${outcome.target} answered ${outcome.status ?? "nothing"}, not ${wanted}`))
}

const checkTcp = (context: Context, strategy: TcpStrategy) =>
  Effect.flatMap(retryable(context.container.probePort({ _tag: "Tcp", port: strategy.port })), (outcome) =>
    reached(outcome, undefined)
  )

const checkCommand = (context: Context, strategy: CommandStrategy) =>
  Effect.flatMap(retryable(context.container.exec(strategy.command, strategy.options)), (result) => {
    if (result.exitCode === 0) return Effect.void
    const output = tail(result.stderr === "" ? result.stdout : result.stderr)
    return Effect.fail(
      notReady(
        `${strategy.command.join(" ")} exited with ${result.exitCode ?? "a signal"}${output === "" ? "" : `: ${output}`}`
      )
    )
  })

const checkHealthy = (context: Context) =>
  Effect.flatMap(retryable(context.container.healthcheck), (outcome) =>
    outcome._tag === "Healthy" ? Effect.void : Effect.fail(notReady(outcome.reason))
  )

const checkHttp = (context: Context, strategy: HttpStrategy) => {
  const { port, method, path, headers, status } = strategy
  return Effect.flatMap(
    retryable(context.container.probePort({ _tag: "Http", port, method, path, headers })),
    (outcome) => reached(outcome, status, method)
  )
}

/**
 * States of a container that has stopped for good. Not `running: false` alone: podman reports a
 * paused container as not running, and a restarting one comes back by itself.
 */
export const STOPPED: ReadonlySet<string> = new Set(["exited", "dead", "stopped", "removing"])

const checkExited = (context: Context, strategy: ExitedStrategy) =>
  Effect.flatMap(retryable(context.container.inspect), ({ state }) =>
    !STOPPED.has(state.status)
      ? Effect.fail(notReady(`the container is ${state.status}, not exited`))
      : state.exitCode === strategy.exitCode
        ? Effect.void
        : Effect.fail(notReady(`the container exited with code ${state.exitCode}, not ${strategy.exitCode}`))
  )

const PORT_KEY = /^([0-9]+)\/tcp$/

/**
 * Every TCP port the inspected container publishes answers. A stopped container publishes nothing
 * any more (Docker drops its bindings): not ready.
 */
const portsAnswer = (context: Context, { ports, state }: ContainerInspect.ContainerInspect) => {
  if (!state.running) return Effect.fail(notReady(`the container is ${state.status}`))
  const published = Array.from(ports.entries()).flatMap(([key, bindings]) => {
    const match = PORT_KEY.exec(key)
    return match === null || bindings.length === 0 ? [] : [Port.tcp(Number(match[1]))]
  })
  return Effect.forEach(published, (port) => checkTcp(context, { _tag: "Tcp", port }), {
    concurrency: "unbounded",
    discard: true
  })
}

const checkPublishedPorts = (context: Context) =>
  Effect.flatMap(retryable(context.container.inspect), (info) => portsAnswer(context, info))

/**
 * The healthcheck when the container has one, else every published TCP port: one inspect decides,
 * and is the whole attempt for a container already healthy or publishing no TCP port. Only a
 * health status not yet healthy asks the runtime's health check (Podman runs it then).
 */
const checkAuto = (context: Context) =>
  Effect.flatMap(retryable(context.container.inspect), (info) =>
    info.state.health === undefined
      ? portsAnswer(context, info)
      : info.state.health.status === "healthy"
        ? Effect.void
        : // a health check the inspect shows but the engine says is not there: the ports decide
          checkHealthy(context).pipe(Effect.catchTag("HealthcheckMissing", () => portsAnswer(context, info)))
  )

/** A strategy that checks something itself (not `all` / `any`). */
export type Leaf = Exclude<Strategy, AllStrategy | AnyStrategy>

/** Says why a check is not ready yet while its attempt still runs (a log follow counting lines). */
export type Progress = (reason: string) => Effect.Effect<void>

const bounded = (context: Context, check: Effect.Effect<void, NotReady | Fatal>) =>
  check.pipe(
    Effect.timeoutFail({
      duration: context.attemptTimeout,
      onTimeout: () => notReady(`no answer within ${Duration.format(context.attemptTimeout)}`)
    })
  )

/**
 * One attempt of a leaf check, bounded by `attemptTimeout`; a log follow is bounded by the wait's
 * deadline alone (it is meant to last until the line is written).
 */
export const attempt = (
  context: Context,
  strategy: Leaf,
  progress: Progress
): Effect.Effect<void, NotReady | Fatal> => {
  switch (strategy._tag) {
    case "LogLine":
      return checkLogLine(context, strategy, progress)
    case "Tcp":
      return bounded(context, checkTcp(context, strategy))
    case "Command":
      return bounded(context, checkCommand(context, strategy))
    case "Healthy":
      return bounded(context, checkHealthy(context))
    case "Http":
      return bounded(context, checkHttp(context, strategy))
    case "Exited":
      return bounded(context, checkExited(context, strategy))
    case "PublishedPorts":
      return bounded(context, checkPublishedPorts(context))
    case "Auto":
      return bounded(context, checkAuto(context))
    case "None":
      return Effect.void
  }
}
