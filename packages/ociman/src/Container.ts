/**
 * Running containers: in the foreground (`run`), scoped (`start`: removed when the scope closes,
 * whatever happens), or detached and unscoped (`startDetached`, ociman's `run_detached`). A
 * started container is a `Container` handle: exec, inspect, ports, labels, logs, stop, remove,
 * commit, wait.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Container, ContainerDefinition as Def, Port } from "ociman"
 *
 * const program = Effect.gen(function* () {
 *   const web = yield* Container.start(
 *     Def.make("localhost/ociman-test/busybox:1").pipe(
 *       Def.command(["httpd", "-f", "-p", "80"]),
 *       Def.publish(Port.tcp(80))
 *     )
 *   )
 *   const { host, port } = yield* web.hostPort(Port.tcp(80))
 *   const { stdout } = yield* web.exec(["echo", "hello"])
 *   return { host, port, stdout }
 * }).pipe(Effect.scoped) // the container is stopped and removed here
 * ```
 *
 * @since 0.1.0
 */
import { Clock, Duration, Effect, Either, ExecutionStrategy, Exit, type Redacted, Scope, Stream } from "effect"
import type { CliError, UnexpectedOutput } from "./CliError.js"
import type { ContainerDefinition } from "./ContainerDefinition.js"
import type { ContainerExitedNonZero, ContainerNotFound, ImageNotFound, PortNotPublished } from "./ContainerError.js"
import type * as ContainerInspect from "./ContainerInspect.js"
import {
  ContainerRuntime,
  type ExecError,
  type ExecResult,
  type ExecSpec,
  type HealthcheckOutcome,
  type ListedContainer,
  type LogLine,
  type LogStreamOptions,
  type PortProbe,
  type PortProbeOutcome,
  type StartError
} from "./ContainerRuntime.js"
import type { PullFailed } from "./ImageError.js"
import * as ContainerName from "./ContainerName.js"
import * as ImageReference from "./ImageReference.js"
import * as EnvVar from "./EnvVar.js"
import type * as Label from "./Label.js"
import type * as Port from "./Port.js"
import { validate } from "./internal/containerSpec.js"
import * as hostPorts from "./internal/hostPorts.js"
import type { HostPort } from "./internal/hostPorts.js"
import type { HealthcheckMissing, WaitError } from "./WaitError.js"
import { exitedNonZero } from "./internal/execResult.js"
import * as reuse from "./internal/reuse.js"
import { type Lifecycle, ownershipLabels } from "./internal/session.js"
import { onRuntimeClock } from "./internal/wait/clock.js"
import * as Wait from "./Wait.js"

/**
 * Options of an exec.
 * @since 0.1.0
 * @category models
 */
export interface ExecOptions {
  readonly env?: Readonly<Record<string, string | Redacted.Redacted<string>>> | undefined
  readonly user?: string | undefined
  readonly workdir?: string | undefined
  /** Bytes for the command's stdin (implies `--interactive`). */
  readonly stdin?: Uint8Array | string | undefined
  readonly tty?: boolean | undefined
  readonly interactive?: boolean | undefined
  readonly timeout?: Duration.DurationInput | undefined
}

export type { HostPort } from "./internal/hostPorts.js"

/**
 * A running (or stopped) container.
 * @since 0.1.0
 * @category models
 */
export interface Container {
  readonly id: string
  /** The name, with Docker's leading `/` stripped. */
  readonly name: Effect.Effect<string, ContainerNotFound | CliError | ContainerInspect.InvalidInspect>
  /** Runs a command inside; any exit code is a result (see `execSuccess`). */
  readonly exec: (command: ReadonlyArray<string>, options?: ExecOptions) => Effect.Effect<ExecResult, ExecError>
  /** Runs a command inside; a non-zero exit is a `ContainerExitedNonZero` error. */
  readonly execSuccess: (
    command: ReadonlyArray<string>,
    options?: ExecOptions
  ) => Effect.Effect<ExecResult, ContainerExitedNonZero | ExecError>
  readonly inspect: Effect.Effect<
    ContainerInspect.ContainerInspect,
    ContainerNotFound | CliError | ContainerInspect.InvalidInspect
  >
  readonly labels: Effect.Effect<
    ReadonlyMap<string, string>,
    ContainerNotFound | CliError | ContainerInspect.InvalidInspect
  >
  /** The first host binding of a published port, and the host address to connect to. */
  readonly hostPort: (
    port: Port.ContainerPort
  ) => Effect.Effect<HostPort, PortNotPublished | ContainerNotFound | CliError | ContainerInspect.InvalidInspect>
  /**
   * Checks a published port from this host once: a TCP connection the container keeps open, or
   * an HTTP request and its status (what `Wait.tcp` and `Wait.http` poll). The in-memory runtime
   * answers it itself.
   */
  readonly probePort: (
    probe: PortProbe
  ) => Effect.Effect<
    PortProbeOutcome,
    PortNotPublished | ContainerNotFound | CliError | ContainerInspect.InvalidInspect
  >
  /**
   * The container's health now (what `Wait.healthy` polls): Docker's last check, or on Podman,
   * which runs checks only when asked (no systemd timers), one check run now.
   */
  readonly healthcheck: Effect.Effect<
    HealthcheckOutcome,
    HealthcheckMissing | ContainerNotFound | CliError | ContainerInspect.InvalidInspect
  >
  /** Every host binding of a published port (IPv4 and IPv6). */
  readonly hostPorts: (
    port: Port.ContainerPort
  ) => Effect.Effect<ReadonlyArray<HostPort>, ContainerNotFound | CliError | ContainerInspect.InvalidInspect>
  /** A snapshot of the logs, stdout and stderr lines merged in the order they were written. */
  readonly logs: Effect.Effect<ReadonlyArray<LogLine>, ContainerNotFound | CliError>
  /**
   * The logs as a stream of lines, each tagged stdout or stderr; with `follow`, new lines arrive as
   * the container writes them and the stream ends when it exits. Each output keeps its own order;
   * between the two, lines come in the order they arrive (use `logs` for a time-ordered snapshot).
   * Interrupting the stream stops the `logs` process.
   *
   * @example
   * ```ts
   * import { Console, Effect, Stream } from "effect"
   * import { Container, ContainerDefinition as Def } from "ociman"
   *
   * const program = Effect.scoped(
   *   Effect.gen(function* () {
   *     const c = yield* Container.start(
   *       Def.make("localhost/ociman-test/busybox:1").pipe(Def.command(["sh", "-c", "echo one; sleep 1; echo two"]))
   *     )
   *     yield* c.streamLogs({ follow: true }).pipe(Stream.runForEach((line) => Console.log(line.stream, line.text)))
   *   })
   * )
   * ```
   */
  readonly streamLogs: (options?: LogStreamOptions) => Stream.Stream<LogLine, ContainerNotFound | CliError>
  /**
   * Runs a command inside and streams its output lines as they are written (stdout and stderr
   * drained concurrently). The stream ends when the command exits 0; any other exit fails it with
   * `ContainerExitedNonZero`, carrying the exit code and the last lines of each output.
   * Interrupting the stream kills the `exec` process.
   *
   * @example
   * ```ts
   * import { Console, Effect, Stream } from "effect"
   * import type { Container } from "ociman"
   *
   * const tailed = (c: Container.Container) =>
   *   c.streamExec(["sh", "-c", "for i in 1 2 3; do echo step $i; sleep 1; done"]).pipe(
   *     Stream.runForEach((line) => Console.log(line.text))
   *   )
   * ```
   */
  readonly streamExec: (
    command: ReadonlyArray<string>,
    options?: ExecOptions
  ) => Stream.Stream<LogLine, ContainerExitedNonZero | ExecError>
  /** Stops (SIGTERM, then SIGKILL after `timeout`, default 10 s). */
  readonly stop: (options?: {
    readonly timeout?: Duration.DurationInput
  }) => Effect.Effect<void, ContainerNotFound | CliError>
  /**
   * Removes the container (`force`: a running one too, killed at once) and, unless `volumes` is
   * `false`, its anonymous volumes (from the image's `VOLUME` or an anonymous `Mount.volume`):
   * nobody else can name them, so they would only pile up. Named volumes are never removed.
   */
  readonly remove: (options?: {
    readonly force?: boolean
    readonly volumes?: boolean
  }) => Effect.Effect<void, ContainerNotFound | CliError>
  /** Waits until the container exits and returns its exit code. */
  readonly wait: Effect.Effect<number, ContainerNotFound | CliError | UnexpectedOutput>
  /**
   * Saves the container's file system as an image (`pause`, the default: freeze it while
   * committing, where the runtime can; rootless Podman on cgroup v1 cannot, and commits unpaused).
   */
  readonly commit: (
    reference: string,
    options?: { readonly pause?: boolean }
  ) => Effect.Effect<void, ContainerNotFound | CliError>
}

const DEFAULT_STOP_TIMEOUT = Duration.seconds(10)

const toBytes = (input: Uint8Array | string | undefined): Uint8Array | undefined =>
  typeof input === "string" ? new TextEncoder().encode(input) : input

const execSpec = (command: ReadonlyArray<string>, options: ExecOptions) =>
  Either.map(EnvVar.make(options.env ?? {}), (env): ExecSpec => ({
    command,
    env,
    user: options.user,
    workdir: options.workdir,
    stdin: toBytes(options.stdin),
    tty: options.tty ?? false,
    interactive: options.interactive ?? false
  }))

/**
 * How long a scoped container's release may take: the stop's grace period, then a forced removal.
 * @since 0.1.0
 * @category models
 */
export interface StartOptions {
  /** Grace period of the stop on release before the runtime kills the container. Default 5 s. */
  readonly stopTimeout?: Duration.DurationInput | undefined
  /**
   * Readiness: `start` succeeds only once this strategy passes (see `Wait.forContainer`). A
   * container that exits first, misses the deadline, or whose wait is interrupted is removed
   * before `start` fails.
   */
  readonly waitFor?: Wait.Strategy | undefined
  /**
   * With `waitFor`: one budget for the whole start, running the container and waiting for it.
   * Default 60 s (`Wait.defaultTimeout`). The run itself is not cut short (it is the acquisition);
   * its time, and a pull's, count against the wait.
   */
  readonly timeout?: Duration.DurationInput | undefined
  /** With `waitFor`: the delays between a check's attempts (see `Wait.ForContainerOptions`). */
  readonly schedule?: Wait.ForContainerOptions["schedule"]
  /** With `waitFor`: how long one attempt may take (see `Wait.ForContainerOptions`). Default 5 s. */
  readonly attemptTimeout?: Wait.ForContainerOptions["attemptTimeout"]
  /**
   * Reuse one container for this definition across scopes, processes and runs (see `start`): it
   * is not released with the scope, and `OCIMAN_REUSE=0` turns this off. Default `false`.
   */
  readonly reuse?: boolean | undefined
}
/**
 * A handle for a container id, on the runtime in context.
 * @since 0.1.0
 * @category effects
 */
export const handle = (id: string): Effect.Effect<Container, never, ContainerRuntime> =>
  Effect.map(ContainerRuntime, (runtime): Container => {
    const ops = runtime.containers
    const inspect = ops.inspect(id)
    const bindings = (port: Port.ContainerPort) =>
      Effect.map(inspect, (info) => hostPorts.bindingsOf(info, port, runtime.backend.endpoint))
    const exec = (command: ReadonlyArray<string>, options: ExecOptions = {}) =>
      Effect.flatMap(execSpec(command, options), (spec) => ops.exec(id, spec, { timeout: options.timeout }))
    return {
      id,
      name: Effect.map(inspect, (info) => info.name),
      exec,
      execSuccess: (command, options) =>
        Effect.filterOrFail(exec(command, options), (result) => result.exitCode === 0, exitedNonZero),
      inspect,
      labels: Effect.map(inspect, (info) => info.labels),
      hostPort: (port) =>
        Effect.flatMap(inspect, (info) => hostPorts.firstBindingOf(id, info, port, runtime.backend.endpoint)),
      hostPorts: bindings,
      healthcheck: ops.healthcheck(id),
      probePort: (probe) => ops.probePort(id, probe),
      logs: ops.logs(id),
      streamLogs: (options = {}) => ops.streamLogs(id, options),
      streamExec: (command, options = {}) =>
        Stream.unwrap(
          Effect.map(execSpec(command, options), (spec) => ops.streamExec(id, spec, { timeout: options.timeout }))
        ),
      stop: (options = {}) =>
        ops.stop(id, {
          timeoutSeconds: Math.ceil(Duration.toSeconds(Duration.decode(options.timeout ?? DEFAULT_STOP_TIMEOUT)))
        }),
      remove: (options = {}) => ops.remove(id, { force: options.force ?? false, volumes: options.volumes ?? true }),
      wait: ops.wait(id),
      commit: (reference, options = {}) => ops.commit(id, reference, { pause: options.pause ?? true })
    }
  })

const checked = (definition: ContainerDefinition, extraLabels: ReadonlyArray<readonly [string, string]>) =>
  Either.match(validate(definition, extraLabels), { onLeft: Effect.fail, onRight: Effect.succeed })

/**
 * Runs a container in the foreground and returns its exit code and output. A non-zero exit is a
 * `ContainerExitedNonZero` error carrying both outputs.
 *
 * It carries the ownership labels too: with `withRemove` as a scoped container (if this process
 * dies mid-run, the container it leaves running is swept), without it as a detached one (kept
 * after it exits on purpose, as ociman does; only `sweep({ includeDetached: true })` takes it).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Container, ContainerDefinition as Def } from "ociman"
 *
 * const hello = Container.run(Def.make("localhost/ociman-test/busybox:1").pipe(Def.command(["echo", "hi"])))
 * // Effect<ExecResult, …, ContainerRuntime>: stdout "hi\n"
 * ```
 * @since 0.1.0
 * @category effects
 */
export const run = (
  definition: ContainerDefinition,
  options: { readonly stdin?: Uint8Array | string | undefined; readonly timeout?: Duration.DurationInput } = {}
): Effect.Effect<ExecResult, StartError | ContainerExitedNonZero, ContainerRuntime> =>
  Effect.gen(function* () {
    const runtime = yield* ContainerRuntime
    const spec = yield* checked(definition, ownershipLabels(new Date(), definition.remove ? "scoped" : "detached"))
    const outcome = yield* runtime.containers.runForeground(spec, {
      stdin: toBytes(options.stdin),
      timeout: options.timeout
    })
    return outcome.exitCode === 0 ? outcome : yield* exitedNonZero(outcome)
  }).pipe(Effect.withSpan("ociman.Container.run"))

/**
 * Runs a container detached with the ownership labels: `scoped` for `start` (the sweep removes it
 * once its process is gone), `detached` for `startDetached` (the caller's, kept by default sweeps).
 */
const runOwned = (
  definition: ContainerDefinition,
  lifecycle: Lifecycle,
  pullPolicy: ContainerDefinition["pullPolicy"]
): Effect.Effect<Container, StartError, ContainerRuntime> =>
  Effect.gen(function* () {
    const runtime = yield* ContainerRuntime
    const spec = yield* checked(definition, ownershipLabels(new Date(), lifecycle))
    const { id } = yield* runtime.containers.runDetached({ ...spec, pullPolicy })
    return yield* handle(id)
  })

/**
 * The one running container for this definition on the engine (see `internal/reuse.ts`): found by
 * its key, or created under the name the key reserves (or the definition's own name).
 */
const runReused = (
  definition: ContainerDefinition,
  pullPolicy: ContainerDefinition["pullPolicy"]
): Effect.Effect<Container, StartError, ContainerRuntime> =>
  Effect.gen(function* () {
    const runtime = yield* ContainerRuntime
    const key = reuse.definitionKey(yield* checked(definition, []))
    const labels = [...ownershipLabels(new Date(), reuse.REUSED_LIFECYCLE), ...reuse.reuseLabels(key)]
    const spec = yield* checked(definition, labels)
    const name = spec.name ?? (yield* ContainerName.make(reuse.reuseName(key)))
    const id = yield* reuse.acquire(runtime, key, { ...spec, name }, (named) =>
      Effect.map(runtime.containers.runDetached({ ...named, pullPolicy }), (run) => run.id)
    )
    return yield* handle(id)
  })

/**
 * Runs with `--pull never` first, and pulls only when the image is missing, before running again:
 * the pull is not part of `start`'s acquisition, which cannot be interrupted, so Ctrl-C or a timeout
 * during a long first pull cancels it at once. An explicit pull policy other than `missing` is left
 * to the runtime's run.
 */
const pullingFirst = <A, E, R>(
  definition: ContainerDefinition,
  run: (pullPolicy: ContainerDefinition["pullPolicy"]) => Effect.Effect<A, E | ImageNotFound, R>
): Effect.Effect<A, E | ImageNotFound | PullFailed | CliError, R | ContainerRuntime> => {
  if (definition.pullPolicy !== undefined && definition.pullPolicy !== "missing") return run(definition.pullPolicy)
  const image = ImageReference.fromInput(definition.image)
  return run("never").pipe(
    Effect.catchTag("ImageNotFound", (missing) =>
      Either.isLeft(image)
        ? Effect.fail(missing)
        : Effect.flatMap(ContainerRuntime, (runtime) => Stream.runDrain(runtime.images.pull(image.right))).pipe(
            Effect.zipRight(run("never"))
          )
    )
  )
}

/**
 * Starts a container detached and returns its handle; the caller manages its lifecycle (ociman's
 * `run_detached`). It outlives the scope and the process that started it: it carries the ownership
 * labels and `ociman.lifecycle=detached`, so the automatic sweep and a default `Sweeper.sweep()`
 * leave it alone even once that process has exited; `Sweeper.sweep({ includeDetached: true })`
 * (`ociman prune --include-detached`) removes it then.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Container, ContainerDefinition as Def } from "ociman"
 *
 * const program = Effect.gen(function* () {
 *   const c = yield* Container.startDetached(Def.make("localhost/ociman-test/busybox:1").pipe(Def.command(["sleep", "60"])))
 *   yield* c.stop()
 *   yield* c.commit("localhost/snapshot:1", { pause: false })
 *   yield* c.remove()
 * })
 * ```
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { Container, ContainerDefinition as Def, Sweeper } from "ociman"
 *
 * // a service left running for later processes: no sweep removes it while it is only detached
 * const startService = Effect.flatMap(
 *   Container.startDetached(Def.make("localhost/ociman-test/busybox:1").pipe(Def.command(["sleep", "3600"]))),
 *   (c) => Console.log(`started ${c.id}`)
 * )
 * // later, from any process: remove detached containers whose starting process has exited
 * const cleanUp = Sweeper.sweep({ includeDetached: true })
 * ```
 * @since 0.1.0
 * @category effects
 */
export const startDetached = (
  definition: ContainerDefinition,
  options: { readonly reuse?: boolean | undefined } = {}
): Effect.Effect<Container, StartError, ContainerRuntime> =>
  Effect.flatMap(options.reuse === true ? reuse.enabledByEnvironment : Effect.succeed(false), (reused) =>
    pullingFirst(definition, (pullPolicy) =>
      reused ? runReused(definition, pullPolicy) : runOwned(definition, "detached", pullPolicy)
    )
  ).pipe(Effect.withSpan("ociman.Container.startDetached", { attributes: { reuse: options.reuse ?? false } }))

const DEFAULT_RELEASE_STOP = Duration.seconds(5)

/**
 * Starts a container that is stopped and removed when the scope closes: after success, failure,
 * interruption, a timeout, or SIGINT/SIGTERM of a program run with `NodeRuntime.runMain`.
 * Release stops with a bounded grace period, then force-removes.
 *
 * A missing image is pulled first, before the run (unless the pull policy is `always` or
 * `never`): the run is `run --pull never`, and an interrupt during the pull cancels it at once.
 * A pull that fails is `PullFailed`.
 *
 * With `waitFor`, it returns once the container is ready (see `StartOptions`).
 *
 * With `reuse: true`, one container serves every start of the same definition, in this process, in
 * others at the same time, and in later runs: it is keyed by a hash of the definition (the
 * `ociman.reuse` label), created under a name derived from that key (the engine's one create per
 * name decides who creates it: N processes at once end up with one container) and it survives the
 * scope and the process. A changed definition gets its own container. No automatic sweep removes
 * it: `Sweeper.listReused` / `Sweeper.removeReused` (`ociman ps --reuse`, `ociman prune --reuse`)
 * do. `OCIMAN_REUSE=0` turns reuse off (an ordinary scoped container is started).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Container, ContainerDefinition as Def, Wait } from "ociman"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function* () {
 *     const c = yield* Container.start(
 *       Def.make("localhost/ociman-test/busybox:1").pipe(Def.command(["sh", "-c", "echo up; sleep 60"])),
 *       { waitFor: Wait.logLine("up"), timeout: "30 seconds" }
 *     )
 *     return (yield* c.exec(["echo", "inside"])).stdout
 *   })
 * )
 * ```
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Container, ContainerDefinition as Def, Port, Wait } from "ociman"
 *
 * // the first run starts it; every later start of this definition, from any process, uses it
 * const shared = Effect.scoped(
 *   Container.start(
 *     Def.make("localhost/ociman-test/busybox:1").pipe(
 *       Def.publish(Port.tcp(80)),
 *       Def.command(["httpd", "-f", "-p", "80", "-h", "/"])
 *     ),
 *     { reuse: true, waitFor: Wait.tcp(Port.tcp(80)) }
 *   )
 * )
 * ```
 * @since 0.1.0
 * @category effects
 */
export const start = (
  definition: ContainerDefinition,
  options: StartOptions = {}
): Effect.Effect<Container, StartError | WaitError, ContainerRuntime | Scope.Scope> => {
  if (options.reuse === true) {
    return Effect.flatMap(reuse.enabledByEnvironment, (enabled) =>
      enabled ? startReused(definition, options) : start(definition, { ...options, reuse: false })
    )
  }
  const release = (container: Container) =>
    container.stop({ timeout: options.stopTimeout ?? DEFAULT_RELEASE_STOP }).pipe(
      Effect.ignore,
      // Whatever the stop did, the container must go: force-remove kills and removes.
      Effect.zipRight(container.remove({ force: true }).pipe(Effect.catchTag("ContainerNotFound", () => Effect.void))),
      Effect.tapError((error) =>
        Effect.logWarning(`ociman: could not remove container ${container.id}: ${error.message}`)
      ),
      Effect.ignore
    )
  // the run is the acquisition; a pull it needs happens outside it (see pullingFirst)
  const acquired = pullingFirst(definition, (pullPolicy) =>
    Effect.acquireRelease(runOwned(definition, "scoped", pullPolicy), release)
  )
  const waitFor = options.waitFor
  if (waitFor === undefined) return acquired.pipe(Effect.withSpan("ociman.Container.start"))
  // acquireRelease runs no release when acquisition fails, and its acquisition is uninterruptible:
  // so the wait runs after it, interruptible, and a child scope holding the release is closed at
  // once when the wait fails or is interrupted (the caller's scope may live much longer).
  return Effect.uninterruptibleMask((restore) =>
    Effect.gen(function* () {
      const startedAt = yield* Clock.currentTimeMillis
      const scope = yield* Scope.fork(yield* Effect.scope, ExecutionStrategy.sequential)
      // interruptible until the run: a pull can be cancelled (acquireRelease keeps the run itself whole)
      const container = yield* restore(Scope.extend(acquired, scope))
      const { timeout, schedule, attemptTimeout } = options
      yield* restore(Wait.forContainer(container, waitFor, { timeout, startedAt, schedule, attemptTimeout })).pipe(
        Effect.onError((cause) => Scope.close(scope, Exit.failCause(cause)))
      )
      return container
    })
  ).pipe(onRuntimeClock, Effect.withSpan("ociman.Container.start"))
}

/**
 * `start` with `reuse`: the container is not released with the scope. A reused container that is
 * not ready in time stays (the next start waits for it again; one that exited is replaced).
 */
const startReused = (
  definition: ContainerDefinition,
  options: StartOptions
): Effect.Effect<Container, StartError | WaitError, ContainerRuntime> =>
  Effect.gen(function* () {
    const startedAt = yield* Clock.currentTimeMillis
    const container = yield* pullingFirst(definition, (pullPolicy) => runReused(definition, pullPolicy))
    const { waitFor, timeout, schedule, attemptTimeout } = options
    if (waitFor !== undefined) {
      yield* Wait.forContainer(container, waitFor, { timeout, startedAt, schedule, attemptTimeout })
    }
    return container
  }).pipe(onRuntimeClock, Effect.withSpan("ociman.Container.start", { attributes: { reuse: true } }))

/**
 * Whether a container with this id (or name) exists; "absent" is never confused with a failure.
 * @example
 * ```ts
 * import { Container } from "ociman"
 * const present = Container.exists("0".repeat(64)) // Effect<false>
 * ```
 * @since 0.1.0
 * @category effects
 */
export const exists = (container: string): Effect.Effect<boolean, CliError | UnexpectedOutput, ContainerRuntime> =>
  Effect.flatMap(ContainerRuntime, (runtime) => runtime.containers.exists(container))

/**
 * Containers (running or not) whose labels match every filter.
 * @example
 * ```ts
 * import { Effect, Either } from "effect"
 * import { Container, Label } from "ociman"
 * const key = Either.getOrThrow(Label.key("com.example.role"))
 * const dbs = Container.list([Label.keyOnly(key)])
 * ```
 * @since 0.1.0
 * @category effects
 */
export const list = (
  filters: ReadonlyArray<Label.Filter>
): Effect.Effect<ReadonlyArray<ListedContainer>, CliError | UnexpectedOutput, ContainerRuntime> =>
  Effect.flatMap(ContainerRuntime, (runtime) => runtime.containers.list(filters))
