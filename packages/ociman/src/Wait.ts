/**
 * Readiness: when is a started container ready to use? A `Strategy` is a value describing a
 * check (a log line, a TCP port reachable from this host, a command that succeeds inside, the
 * image's HEALTHCHECK, an HTTP status), and strategies compose with `all` and `any`.
 *
 * `forContainer` follows the log for a log-line check (ready the moment the line is written) and
 * polls every other check with a backoff schedule (50 ms doubling, capped at 1 s), under ONE
 * deadline shared by every sub-strategy. It is interruptible (an interrupt cancels the checks in
 * flight: CLI calls are killed, sockets and requests aborted). After each failed attempt it asks
 * the runtime whether the container still runs, so a container that exits before it is ready fails
 * the wait at once with its exit code and last log lines (`ContainerExitedBeforeReady`) instead of
 * waiting for the deadline (`WaitTimedOut`).
 *
 * `Container.start(definition, { waitFor, timeout })` applies a strategy as part of the start (by
 * default `auto`; `none` opts out): the one budget covers running the container and waiting, and a
 * container that fails to become ready is removed before the error is returned.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Container, ContainerDefinition as Def, Port, Wait } from "ociman"
 *
 * const program = Effect.gen(function* () {
 *   const web = yield* Container.start(
 *     Def.make("localhost/ociman-test/busybox:1").pipe(
 *       Def.command(["httpd", "-f", "-p", "8080"]),
 *       Def.publish(Port.tcp(8080))
 *     ),
 *     { waitFor: Wait.http({ port: Port.tcp(8080), path: "/", status: 404 }), timeout: "30 seconds" }
 *   )
 *   return yield* web.hostPort(Port.tcp(8080))
 * }).pipe(
 *   Effect.scoped,
 *   Effect.catchTag("ContainerExitedBeforeReady", (e) => Effect.logError(e.lastLogs))
 * )
 * ```
 *
 * @since 0.1.0
 */
import type { HttpMethod } from "@effect/platform/HttpMethod"
import { Clock, Data, Duration, Effect, type Redacted, Ref, Schedule } from "effect"
import type { Container } from "./Container.js"
import * as Port from "./Port.js"
import { InvalidWaitStrategy, type WaitError, WaitTimedOut } from "./WaitError.js"
import type { Context } from "./internal/wait/checks.js"
import { onRuntimeClock } from "./internal/wait/clock.js"
import { lastLogsOf, poll } from "./internal/wait/polling.js"

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

/**
 * Waits until `times` log lines match `pattern` (the log is followed from its first line).
 * @since 0.1.0
 * @category models
 */
export interface LogLineStrategy {
  readonly _tag: "LogLine"
  readonly pattern: RegExp
  readonly times: number
  /** Which stream to read; `undefined` means both. */
  readonly stream: "stdout" | "stderr" | undefined
}

/**
 * Waits until a TCP connection from this host to the published port holds.
 * @since 0.1.0
 * @category models
 */
export interface TcpStrategy {
  readonly _tag: "Tcp"
  readonly port: Port.ContainerPort
}

/**
 * Options of a command check: how the command runs inside the container.
 * @since 0.1.0
 * @category models
 */
export interface CommandOptions {
  readonly env?: Readonly<Record<string, string | Redacted.Redacted<string>>> | undefined
  readonly user?: string | undefined
  readonly workdir?: string | undefined
}

/**
 * Waits until a command run inside the container exits 0.
 * @since 0.1.0
 * @category models
 */
export interface CommandStrategy {
  readonly _tag: "Command"
  readonly command: ReadonlyArray<string>
  readonly options: CommandOptions
}

/**
 * Waits until the container's HEALTHCHECK reports `healthy`.
 * @since 0.1.0
 * @category models
 */
export interface HealthyStrategy {
  readonly _tag: "Healthy"
}

/**
 * Waits until an HTTP request from this host to the published port answers with `status`.
 * @since 0.1.0
 * @category models
 */
export interface HttpStrategy {
  readonly _tag: "Http"
  readonly port: Port.ContainerPort
  readonly path: string
  readonly status: number
  readonly method: HttpMethod
  readonly headers: Readonly<Record<string, string>>
}

/**
 * Waits until the container has exited with `exitCode`: for one-shot containers (a migration, a
 * seeding job) started with `Container.start`.
 * @since 0.1.0
 * @category models
 */
export interface ExitedStrategy {
  readonly _tag: "Exited"
  readonly exitCode: number
}

/**
 * Waits until every TCP port the container publishes answers from this host.
 * @since 0.1.0
 * @category models
 */
export interface PublishedPortsStrategy {
  readonly _tag: "PublishedPorts"
}

/**
 * Waits for the container's HEALTHCHECK when it has one, else for every published TCP port.
 * @since 0.1.0
 * @category models
 */
export interface AutoStrategy {
  readonly _tag: "Auto"
}

/**
 * Ready at once: nothing is checked (the opt-out of `Container.start`'s default wait).
 * @since 0.1.0
 * @category models
 */
export interface NoneStrategy {
  readonly _tag: "None"
}

/**
 * Ready when every strategy is (a strategy that passed once is not checked again).
 * @since 0.1.0
 * @category models
 */
export interface AllStrategy {
  readonly _tag: "All"
  readonly strategies: ReadonlyArray<Strategy>
}

/**
 * Ready as soon as one strategy is (the checks still running are interrupted).
 * @since 0.1.0
 * @category models
 */
export interface AnyStrategy {
  readonly _tag: "Any"
  readonly strategies: ReadonlyArray<Strategy>
}

/**
 * A readiness check, as data: build it with the constructors of this module, run it with
 * `forContainer` or `Container.start(definition, { waitFor })`.
 * @since 0.1.0
 * @category models
 */
export type Strategy =
  | LogLineStrategy
  | TcpStrategy
  | CommandStrategy
  | HealthyStrategy
  | HttpStrategy
  | ExitedStrategy
  | PublishedPortsStrategy
  | AutoStrategy
  | NoneStrategy
  | AllStrategy
  | AnyStrategy

/** A copy without the `g`/`y` flags: `test` on those is stateful (`lastIndex`) across calls. */
const stateless = (pattern: RegExp | string): RegExp =>
  typeof pattern === "string"
    ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    : new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ""))

/**
 * Ready once `times` (default 1) log lines match: a `RegExp`, or a string matched literally
 * anywhere in the line. The wait follows the log from its first line (one `logs --follow` for the
 * whole wait), so it is ready as soon as the line is written and never counts a line twice;
 * `stream` restricts the check to stdout or stderr.
 *
 * @example
 * ```ts
 * import { Wait } from "ociman"
 *
 * // PostgreSQL prints this twice: once for the init server, once for the real one
 * const pg = Wait.logLine(/database system is ready to accept connections/, { times: 2 })
 * const nginx = Wait.logLine("start worker processes", { stream: "stderr" })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const logLine = (
  pattern: RegExp | string,
  options: { readonly times?: number | undefined; readonly stream?: "stdout" | "stderr" | undefined } = {}
): Strategy =>
  Data.struct({ _tag: "LogLine", pattern: stateless(pattern), times: options.times ?? 1, stream: options.stream })

/**
 * Ready once a TCP connection from this host to the port's published host port is accepted and
 * holds: Docker's userland proxy accepts connections even while nothing listens in the container
 * and closes them at once, so a connection closed within 150 ms without any data does not count.
 * The port must be published (`ContainerDefinition.publish`).
 *
 * @example
 * ```ts
 * import { Port, Wait } from "ociman"
 *
 * const redis = Wait.tcp(Port.tcp(6379))
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const tcp = (port: Port.ContainerPort): Strategy => Data.struct({ _tag: "Tcp", port })

/**
 * Ready once `command` (argv, no shell) run inside the container exits 0.
 *
 * @example
 * ```ts
 * import { Wait } from "ociman"
 *
 * const pg = Wait.command(["pg_isready", "-h", "127.0.0.1"], { user: "postgres" })
 * const file = Wait.command(["test", "-f", "/tmp/ready"])
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const command = (command: ReadonlyArray<string>, options: CommandOptions = {}): Strategy =>
  Data.struct({ _tag: "Command", command, options })

/**
 * Ready once the container's HEALTHCHECK (from the image, or the definition's
 * `ContainerDefinition.healthcheck`) reports `healthy`. A container without a health check fails the
 * wait at once with `HealthcheckMissing`. An `unhealthy` status is not final (the next passing
 * check makes it healthy again), so the wait goes on until its deadline.
 *
 * On Podman, health checks run on a systemd timer; without systemd (containers, CI machines) they
 * never run by themselves. So on Podman each round also runs `podman healthcheck run <id>`, which
 * executes the check once and records its result, with or without systemd.
 *
 * @example
 * ```ts
 * import { ContainerDefinition as Def, Wait } from "ociman"
 *
 * const def = Def.make("localhost/ociman-test/busybox:1").pipe(
 *   Def.healthcheck({ command: ["test", "-f", "/tmp/ready"], interval: "1 second" })
 * )
 * const ready = Wait.healthy
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const healthy: Strategy = Data.struct({ _tag: "Healthy" })

/**
 * Ready once an HTTP request from this host to the port's published host port answers with
 * `status` (default 200). Defaults: `path` "/", `method` "GET". Plain HTTP only.
 *
 * The request goes through `@effect/platform`'s `HttpClient` with its fetch implementation
 * (`FetchHttpClient`), which needs only the global `fetch` (Node ≥ 18, Bun, Deno), not
 * `@effect/platform-node`.
 *
 * @example
 * ```ts
 * import { Port, Wait } from "ociman"
 *
 * const api = Wait.http({ port: Port.tcp(8080), path: "/health" })
 * const head = Wait.http({ port: Port.tcp(8080), path: "/", method: "HEAD", status: 204 })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const http = (options: {
  readonly port: Port.ContainerPort
  readonly path?: string | undefined
  readonly status?: number | undefined
  readonly method?: HttpMethod | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
}): Strategy =>
  Data.struct({
    _tag: "Http",
    port: options.port,
    path: options.path ?? "/",
    status: options.status ?? 200,
    method: options.method ?? "GET",
    headers: options.headers ?? {}
  })

/**
 * Ready once the container has exited with `exitCode` (default 0): for one-shot containers. One
 * that exits with another code fails the wait at once with `ContainerExitedBeforeReady`, carrying
 * that code and the last log lines; one that was removed meanwhile (`--rm`) has no code to check.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Container, ContainerDefinition as Def, Wait } from "ociman"
 *
 * const migrated = Effect.scoped(
 *   Container.start(Def.make("localhost/ociman-test/busybox:1").pipe(Def.command(["sh", "-c", "echo migrated"])), {
 *     waitFor: Wait.exited(0)
 *   })
 * )
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const exited = (exitCode = 0): Strategy => Data.struct({ _tag: "Exited", exitCode })

/**
 * Ready once every TCP port the container publishes answers from this host (a connection is
 * accepted on its host port). A container that publishes none is ready at once; UDP ports are not
 * checked (nothing tells from outside that a UDP service listens).
 *
 * @example
 * ```ts
 * import { Port, Wait } from "ociman"
 *
 * const ready = Wait.publishedPorts // Def.publish(Port.tcp(5432), Port.tcp(8080)): both answer
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const publishedPorts: Strategy = Data.struct({ _tag: "PublishedPorts" })

/**
 * The image's HEALTHCHECK (or the definition's) when the container has one, else
 * {@link publishedPorts}: what `Container.start` waits for when it is given no `waitFor` (as
 * testcontainers does by default). Each attempt starts with one inspect, which decides: a container
 * already healthy, or running and publishing no TCP port, is ready with that one call.
 *
 * @example
 * ```ts
 * import { Container, ContainerDefinition as Def, Port, Wait } from "ociman"
 *
 * const web = Container.start(
 *   Def.make("localhost/ociman-test/busybox:1").pipe(Def.command(["httpd", "-f", "-p", "80"]), Def.publish(Port.tcp(80))),
 *   { waitFor: Wait.auto }
 * )
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const auto: Strategy = Data.struct({ _tag: "Auto" })

/**
 * Ready at once, without a call to the runtime: the opt-out of `Container.start`'s default wait
 * ({@link auto}), for a container whose readiness the caller checks itself, or one that is not
 * meant to answer (a port published on a `sleep`; `ociman run`, which waits for nothing, as
 * `docker run` does). Inside `any`, it makes the whole wait ready at once.
 *
 * @example
 * ```ts
 * import { Container, ContainerDefinition as Def, Port, Wait } from "ociman"
 *
 * // the port is published for later: nothing listens on it yet
 * const idle = Container.start(
 *   Def.make("localhost/ociman-test/busybox:1").pipe(Def.command(["sleep", "60"]), Def.publish(Port.tcp(80))),
 *   { waitFor: Wait.none }
 * )
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const none: Strategy = Data.struct({ _tag: "None" })

/** `all` and `any` take an array (as `Effect.all` does) or the strategies as arguments. */
const strategiesOf = (args: ReadonlyArray<Strategy | ReadonlyArray<Strategy>>): ReadonlyArray<Strategy> => args.flat()

/**
 * Ready when every strategy is. The strategies are checked concurrently each round, and one that
 * passed is not checked again. `all()` is ready at once.
 *
 * @example
 * ```ts
 * import { Port, Wait } from "ociman"
 *
 * const ready = Wait.all(Wait.logLine(/listening/), Wait.tcp(Port.tcp(5432)))
 * const same = Wait.all([Wait.logLine(/listening/), Wait.tcp(Port.tcp(5432))]) // an array, as Effect.all takes
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const all: {
  (strategies: ReadonlyArray<Strategy>): Strategy
  (...strategies: ReadonlyArray<Strategy>): Strategy
} = (...args: ReadonlyArray<Strategy | ReadonlyArray<Strategy>>): Strategy =>
  Data.struct({ _tag: "All", strategies: strategiesOf(args) })

/**
 * Ready as soon as one strategy is; the others' checks in flight are interrupted. `any()` with no
 * strategy is rejected by `forContainer` (`InvalidWaitStrategy`): it could never be ready.
 *
 * @example
 * ```ts
 * import { Port, Wait } from "ociman"
 *
 * const ready = Wait.any(Wait.healthy, Wait.tcp(Port.tcp(8080)))
 * const same = Wait.any([Wait.healthy, Wait.tcp(Port.tcp(8080))])
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const any: {
  (strategies: ReadonlyArray<Strategy>): Strategy
  (...strategies: ReadonlyArray<Strategy>): Strategy
} = (...args: ReadonlyArray<Strategy | ReadonlyArray<Strategy>>): Strategy =>
  Data.struct({ _tag: "Any", strategies: strategiesOf(args) })

const portText = (port: Port.ContainerPort): string => Port.key(port)

/**
 * A short human description of a strategy, as shown in errors and spans.
 *
 * @example
 * ```ts
 * import { Port, Wait } from "ociman"
 *
 * Wait.describe(Wait.all(Wait.logLine(/ready/), Wait.tcp(Port.tcp(80)))) // "all(log line /ready/, tcp 80/tcp)"
 * ```
 * @since 0.1.0
 * @category getters
 */
export const describe = (strategy: Strategy): string => {
  switch (strategy._tag) {
    case "LogLine": {
      const times = strategy.times === 1 ? "" : ` ×${strategy.times}`
      const stream = strategy.stream === undefined ? "" : ` on ${strategy.stream}`
      return `log line ${String(strategy.pattern)}${times}${stream}`
    }
    case "Tcp":
      return `tcp ${portText(strategy.port)}`
    case "Command":
      return `command ${strategy.command.join(" ")}`
    case "Healthy":
      return "healthy"
    case "Exited":
      return `exited with code ${strategy.exitCode}`
    case "PublishedPorts":
      return "every published tcp port"
    case "Auto":
      return "the healthcheck, else every published tcp port"
    case "None":
      return "nothing"
    case "Http":
      return `http ${strategy.method} ${portText(strategy.port)}${strategy.path} → ${strategy.status}`
    case "All":
      return `all(${strategy.strategies.map(describe).join(", ")})`
    case "Any":
      return `any(${strategy.strategies.map(describe).join(", ")})`
  }
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

const isTcpPort = (port: Port.ContainerPort): boolean =>
  Number.isInteger(port.port) && port.port >= 1 && port.port <= 65_535

const problem = (strategy: Strategy): string | undefined => {
  switch (strategy._tag) {
    case "LogLine":
      return Number.isInteger(strategy.times) && strategy.times >= 1
        ? undefined
        : `times must be an integer of at least 1 (got ${strategy.times})`
    case "Tcp":
    case "Http": {
      if (strategy.port.protocol !== "tcp") {
        return `only TCP ports can be checked from the host (got ${portText(strategy.port)})`
      }
      if (!isTcpPort(strategy.port)) return `the port must be from 1 to 65535 (got ${portText(strategy.port)})`
      if (strategy._tag === "Tcp") return undefined
      if (!strategy.path.startsWith("/")) return `the path must start with "/" (got ${JSON.stringify(strategy.path)})`
      return Number.isInteger(strategy.status) && strategy.status >= 100 && strategy.status <= 599
        ? undefined
        : `status must be an HTTP status from 100 to 599 (got ${strategy.status})`
    }
    case "Command":
      return strategy.command.length === 0 ? "the command is empty" : undefined
    case "Exited":
      return Number.isInteger(strategy.exitCode) && strategy.exitCode >= 0 && strategy.exitCode <= 255
        ? undefined
        : `the exit code must be an integer from 0 to 255 (got ${strategy.exitCode})`
    case "Healthy":
    case "PublishedPorts":
    case "Auto":
    case "None":
    case "All":
      return undefined
    case "Any":
      return strategy.strategies.length === 0 ? "any() without strategies can never be ready" : undefined
  }
}

const validate = (strategy: Strategy): Effect.Effect<void, InvalidWaitStrategy> => {
  const reason = problem(strategy)
  if (reason !== undefined) return Effect.fail(new InvalidWaitStrategy({ strategy: describe(strategy), reason }))
  return strategy._tag === "All" || strategy._tag === "Any"
    ? Effect.forEach(strategy.strategies, validate, { discard: true })
    : Effect.void
}

// ---------------------------------------------------------------------------------------------
// Running a wait
// ---------------------------------------------------------------------------------------------

/** Why the strategy is not ready, from the leaves' last states; `undefined` when it is. */
const pendingReason = (
  strategy: Strategy,
  path: string,
  states: ReadonlyMap<string, string | undefined>
): string | undefined => {
  switch (strategy._tag) {
    case "All": {
      const pending = strategy.strategies.flatMap((child, i) => pendingReason(child, `${path}.${i}`, states) ?? [])
      return pending.length === 0 ? undefined : pending.join("; ")
    }
    case "Any": {
      const reasons = strategy.strategies.map((child, i) => pendingReason(child, `${path}.${i}`, states))
      return reasons.some((reason) => reason === undefined) ? undefined : reasons.join(" | ")
    }
    default:
      return states.has(path) ? states.get(path) : `${describe(strategy)}: no check finished yet`
  }
}

/**
 * The default polling schedule: 50 ms, doubling, capped at 1 s.
 * @since 0.1.0
 * @category constants
 */
export const defaultSchedule: Schedule.Schedule<unknown> = Schedule.union(
  Schedule.exponential("50 millis"),
  Schedule.spaced("1 second")
)

/**
 * The default deadline of a wait: 60 s.
 * @since 0.1.0
 * @category constants
 */
export const defaultTimeout: Duration.Duration = Duration.seconds(60)

/**
 * Options of {@link forContainer}.
 * @since 0.1.0
 * @category models
 */
export interface ForContainerOptions {
  /** The one deadline over every sub-strategy. Default 60 s. */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * When the budget began, in `Clock` milliseconds (default: now). `Container.start` passes the
   * time before it ran the container, so one budget covers the run and the wait.
   */
  readonly startedAt?: number | undefined
  /** The delays between a check's attempts. Default {@link defaultSchedule}. */
  readonly schedule?: Schedule.Schedule<unknown> | undefined
  /** How long one attempt (an exec, a request, a connect) may take before it counts as not ready. Default 5 s. */
  readonly attemptTimeout?: Duration.DurationInput | undefined
}

const DEFAULT_ATTEMPT_TIMEOUT = Duration.seconds(5)

/**
 * Waits until `strategy` passes for `container`, under one deadline.
 *
 * Each check runs on its own (so one slow check does not hold up the others; in `any`, the first
 * to pass interrupts the rest): a log line by following the log, the others by polling with the
 * backoff schedule. After each failed attempt (for a log line: once the follow ends) it inspects
 * the container once:
 * - ready: succeeds;
 * - the container stopped first: `ContainerExitedBeforeReady` with its exit code and last 50 log
 *   lines, at once (a container removed meanwhile has no exit code);
 * - the deadline passes: `WaitTimedOut` with why each pending check was not ready, and the last
 *   log lines;
 * - a strategy that can never pass: `InvalidWaitStrategy`, `HealthcheckMissing` or
 *   `PortNotPublished`, at once (inside `any`, only when no other strategy passes).
 *
 * The deadline and the polls keep the runtime's time: on Docker and Podman the live clock, even
 * under `@effect/vitest`'s `TestClock` (no `excludeTestServices` needed); on the in-memory runtime
 * the ambient clock, so a unit test drives them with `TestClock.adjust`.
 *
 * The deadline is strict: with no budget left, no check runs. Interrupting the wait cancels the
 * checks in flight (CLI calls are killed, sockets and requests aborted).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Container, ContainerDefinition as Def, Wait } from "ociman"
 *
 * const program = Effect.gen(function* () {
 *   const c = yield* Container.start(
 *     Def.make("localhost/ociman-test/busybox:1").pipe(Def.command(["sh", "-c", "sleep 1; echo ready; sleep 60"]))
 *   )
 *   yield* Wait.forContainer(c, Wait.logLine(/^ready$/), { timeout: "10 seconds" })
 * }).pipe(Effect.scoped)
 * ```
 * @since 0.1.0
 * @category effects
 */
export const forContainer = (
  container: Container,
  strategy: Strategy,
  options: ForContainerOptions = {}
): Effect.Effect<void, WaitError> =>
  Effect.gen(function* () {
    yield* validate(strategy)
    const now = yield* Clock.currentTimeMillis
    const startedAt = options.startedAt ?? now
    const budget = Duration.toMillis(Duration.decode(options.timeout ?? defaultTimeout))
    const remaining = Math.max(0, budget - (now - startedAt))
    const context: Context = {
      container,
      description: describe(strategy),
      schedule: options.schedule ?? defaultSchedule,
      attemptTimeout: Duration.decode(options.attemptTimeout ?? DEFAULT_ATTEMPT_TIMEOUT),
      states: yield* Ref.make<ReadonlyMap<string, string | undefined>>(new Map())
    }
    const ready = yield* poll(context, strategy, "0").pipe(
      Effect.as(true),
      // a finite schedule that gives up counts as a deadline too
      Effect.catchTag("NotReady", () => Effect.succeed(false)),
      Effect.timeoutTo({ duration: remaining, onSuccess: (ok) => ok, onTimeout: () => false })
    )
    if (ready) return
    const end = yield* Clock.currentTimeMillis
    const states = yield* Ref.get(context.states)
    return yield* new WaitTimedOut({
      container: container.id,
      strategy: context.description,
      elapsedMillis: end - startedAt,
      lastError: pendingReason(strategy, "0", states) ?? "no check finished before the deadline",
      lastLogs: yield* lastLogsOf(container)
    })
  }).pipe(
    // on Docker and Podman the live clock, whatever clock a test provides; in memory the ambient one
    onRuntimeClock,
    Effect.withSpan("ociman.Wait.forContainer", { attributes: { strategy: describe(strategy) } })
  )
