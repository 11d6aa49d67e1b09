/**
 * One attempt of each kind of readiness check (see `Wait.ts` for the strategies): read the logs,
 * connect to a port, exec a command, read the health status, send an HTTP request. An attempt
 * that does not pass fails with `NotReady` (the poller retries it); one that never can, with a
 * `Fatal` error.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Data, Duration, Effect, Option, type Ref, type Schedule, Stream } from "effect"
import { connect } from "node:net"
import type { Container, HostPort, LogLine } from "../Container.js"
import type { ContainerNotFound, PortNotPublished } from "../ContainerError.js"
import type * as ContainerInspect from "../ContainerInspect.js"
import type { Service } from "../ContainerRuntime.js"
import type * as EnvVar from "../EnvVar.js"
import type {
  AllStrategy,
  AnyStrategy,
  CommandStrategy,
  HttpStrategy,
  LogLineStrategy,
  Strategy,
  TcpStrategy
} from "../Wait.js"
import { type ContainerExitedBeforeReady, HealthcheckMissing } from "../WaitError.js"
import { decodeText } from "./process.js"

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
  readonly runtime: Option.Option<Service>
  readonly http: HttpClient.HttpClient
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
 * Follows the log (all of it, then lines as they are written) until `times` lines match: ready the
 * moment the line is written, with one CLI process for the whole wait. The follow ends when the
 * container stops; then the count so far is why it is not ready (the poller tells a stopped
 * container from a follow cut short, and starts over, counting from the first line again).
 */
const checkLogLine = (context: Context, strategy: LogLineStrategy, progress: Progress) => {
  const matches = (line: LogLine) =>
    (strategy.stream === undefined || line.stream === strategy.stream) && strategy.pattern.test(line.text)
  const counted = (seen: number) => `${seen} of ${strategy.times} log lines match ${String(strategy.pattern)}`
  return context.container.streamLogs({ follow: true }).pipe(
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

/** How long an accepted connection must stay open (or send data) to count (see `tcp`). */
const TCP_SETTLE_MILLIS = 150

const hostText = (host: string): string => (host.includes(":") ? `[${host}]` : host)

// @effect/platform's Socket module has no TCP client in its interfaces (only WebSocket and
// TransformStream; TCP lives in @effect/platform-node's NodeSocket), so this uses node:net, which
// Bun and Deno provide too.
const tcpConnect = ({ host, port }: HostPort): Effect.Effect<void, NotReady> =>
  Effect.async<void, NotReady>((resume) => {
    const target = `${hostText(host)}:${port}`
    let settle: ReturnType<typeof setTimeout> | undefined
    const socket = connect({ host, port })
    const done = (outcome: Effect.Effect<void, NotReady>) => {
      if (settle !== undefined) clearTimeout(settle)
      socket.removeAllListeners()
      socket.on("error", () => {})
      socket.destroy()
      resume(outcome)
    }
    socket.on("connect", () => {
      settle = setTimeout(() => done(Effect.void), TCP_SETTLE_MILLIS)
    })
    socket.on("data", () => done(Effect.void))
    socket.on("end", () =>
      done(
        Effect.fail(
          notReady(
            `${target} accepted the connection and closed it at once (Docker's userland proxy does this while nothing listens in the container)`
          )
        )
      )
    )
    socket.on("error", (error) => done(Effect.fail(notReady(`cannot connect to ${target}: ${error.message}`))))
    return Effect.sync(() => {
      if (settle !== undefined) clearTimeout(settle)
      socket.removeAllListeners()
      socket.on("error", () => {})
      socket.destroy()
    })
  })

const checkTcp = (context: Context, strategy: TcpStrategy) =>
  Effect.flatMap(retryable(context.container.hostPort(strategy.port)), tcpConnect)

const tail = (text: string, max = 300): string => {
  const trimmed = text.trim()
  return trimmed.length <= max ? trimmed : `…${trimmed.slice(-max)}`
}

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

const healthSummary = (health: ContainerInspect.Health): string => {
  const last = health.log.at(-1)
  if (last === undefined) return `health is ${health.status} (no check has run yet)`
  const output = tail(last.output)
  return `health is ${health.status} (last check exited ${last.exitCode}${output === "" ? "" : `: ${output}`})`
}

/** Podman without systemd never runs health checks by itself: run one (exit 0 = healthy). */
const podmanHealthcheck = (context: Context, health: ContainerInspect.Health) =>
  Option.match(
    Option.filter(context.runtime, (runtime) => runtime.backend.kind === "podman"),
    {
      onNone: () => Effect.fail(notReady(healthSummary(health))),
      onSome: (runtime) =>
        Effect.flatMap(
          retryable(runtime.cli(["healthcheck", "run", context.container.id])),
          (result): Effect.Effect<void, NotReady | HealthcheckMissing> => {
            if (result.exitCode === 0) return Effect.void
            const stderr = decodeText(result.stderr)
            if (/no defined healthcheck/i.test(stderr)) {
              return Effect.fail(new HealthcheckMissing({ container: context.container.id }))
            }
            const said = tail(stderr === "" ? decodeText(result.stdout) : stderr)
            return Effect.fail(notReady(`podman healthcheck run exited with ${result.exitCode ?? "a signal"}: ${said}`))
          }
        )
    }
  )

const checkHealthy = (context: Context) =>
  Effect.flatMap(retryable(context.container.inspect), (info) => {
    const health = info.state.health
    if (health === undefined) return Effect.fail(new HealthcheckMissing({ container: context.container.id }))
    return health.status === "healthy" ? Effect.void : podmanHealthcheck(context, health)
  })

const checkHttp = (context: Context, strategy: HttpStrategy) =>
  Effect.flatMap(retryable(context.container.hostPort(strategy.port)), ({ host, port }) => {
    const url = `http://${hostText(host)}:${port}${strategy.path}`
    const request = HttpClientRequest.make(strategy.method)(url).pipe(HttpClientRequest.setHeaders(strategy.headers))
    // withScope: closing the scope aborts the request, so an unread body does not hold the socket
    return HttpClient.withScope(context.http)
      .execute(request)
      .pipe(
        Effect.scoped,
        Effect.mapError((error) => notReady(`${strategy.method} ${url}: ${error.message}`)),
        Effect.flatMap((response) =>
          response.status === strategy.status
            ? Effect.void
            : Effect.fail(notReady(`${strategy.method} ${url} answered ${response.status}, not ${strategy.status}`))
        )
      )
  })

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
  }
}
