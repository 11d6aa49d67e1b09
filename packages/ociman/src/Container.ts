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
 * }).pipe(Effect.scoped) // the container is removed here
 * ```
 *
 * @since 0.1.0
 */
import { Clock, Duration, Effect, Either, ExecutionStrategy, Exit, type Redacted, Ref, Scope, Stream } from "effect"
import type { CliError, UnexpectedOutput } from "./CliError.js"
import { type ContainerDefinition, InvalidContainerDefinition } from "./ContainerDefinition.js"
import type { ContainerExitedNonZero, ContainerNotFound, ImageNotFound, PortNotPublished } from "./ContainerError.js"
import type {
  HostFileFailed,
  HostPathNotFound,
  InvalidArchive,
  NotARegularFile,
  PathNotFound
} from "./ContainerError.js"
import { fileMethods } from "./internal/containerFiles.js"
import type {
  ContainerNotPaused,
  ContainerNotRunning,
  ContainerPaused,
  InvalidSignal,
  PauseUnsupported
} from "./ContainerError.js"
import type * as ContainerInspect from "./ContainerInspect.js"
import type {
  ExecError,
  ExecResult,
  ExecSpec,
  HealthcheckOutcome,
  ListedContainer,
  LogLine,
  LogStreamOptions,
  PortProbe,
  PortProbeOutcome,
  StartError,
  ContainerProcess,
  ContainerStats,
  ObservationError
} from "./ContainerRuntime.js"
import { ContainerRuntime } from "./internal/runtimeTag.js"
import type { PullFailed } from "./ImageError.js"
import * as ContainerName from "./ContainerName.js"
import * as ImageReference from "./ImageReference.js"
import * as EnvVar from "./EnvVar.js"
import type * as Label from "./Label.js"
import type * as Port from "./Port.js"
import { validateRun } from "./internal/containerSpec.js"
import { exposingHostPorts } from "./internal/hostPortForwarding.js"
import { parseSignal } from "./internal/signal.js"
import { bounded, boundedStream, deadlineOf, type Deadlines, unanswered } from "./internal/deadline.js"
import * as hostPorts from "./internal/hostPorts.js"
import type { HostPort } from "./internal/hostPorts.js"
import type { HealthcheckMissing, WaitError } from "./WaitError.js"
import { exitedNonZero } from "./internal/execResult.js"
import * as reuse from "./internal/reuse.js"
import { makeLogFollower } from "./internal/logFollower.js"
import { labelFilter } from "./internal/labelFilter.js"
import { type Lifecycle, ownershipLabels, START_LABEL } from "./internal/session.js"
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
  /** Kill the command after this long (default: the runtime's `exec` deadline, 10 min): `CommandTimedOut`. */
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
  // --- files (issue #17): in and out of the container, running or stopped ---
  /**
   * Writes `content` (text as UTF-8, or exact bytes) to `path` in the container, with `mode`
   * (default `0o644`), owned by root; an existing file is replaced. The directory must exist
   * (`PathNotFound` otherwise: create it with `execSuccess(["mkdir", "-p", dir])`). A relative path
   * starts at the container's root. Works on a stopped container too. Bounded by `timeout`, else
   * the runtime's `exec` deadline (10 min).
   *
   * @example
   * ```ts
   * import type { Container } from "ociman"
   *
   * const configure = (c: Container.Container) =>
   *   c.writeFile("/etc/app.conf", "debug = true\n", { mode: 0o600 })
   * ```
   */
  readonly writeFile: (
    path: string,
    content: string | Uint8Array,
    options?: {
      readonly mode?: number | undefined
      readonly timeout?: Duration.DurationInput | undefined
    }
  ) => Effect.Effect<void, ContainerNotFound | PathNotFound | CliError>
  /**
   * The exact bytes of the regular file at `path` in the container (`PathNotFound` if it is not
   * there, `NotARegularFile` for a directory or a symbolic link, which is not followed). The file
   * is read whole into memory: for large files or trees use `copyFrom`. Works on a stopped
   * container too.
   *
   * @example
   * ```ts
   * import type { Container } from "ociman"
   *
   * const dump = (c: Container.Container) => c.readFile("/var/lib/app/dump.bin") // Uint8Array
   * ```
   */
  readonly readFile: (
    path: string,
    options?: { readonly timeout?: Duration.DurationInput | undefined }
  ) => Effect.Effect<Uint8Array, ContainerNotFound | PathNotFound | NotARegularFile | InvalidArchive | CliError>
  /**
   * `readFile`, decoded as UTF-8 (invalid sequences become U+FFFD).
   *
   * @example
   * ```ts
   * import type { Container } from "ociman"
   *
   * const hostname = (c: Container.Container) => c.readFileString("/etc/hostname")
   * ```
   */
  readonly readFileString: (
    path: string,
    options?: { readonly timeout?: Duration.DurationInput | undefined }
  ) => Effect.Effect<string, ContainerNotFound | PathNotFound | NotARegularFile | InvalidArchive | CliError>
  /**
   * Copies a file or a directory tree of this machine to `containerPath`, which then IS the copy:
   * `copyTo("./conf", "/etc/app")` makes `/etc/app` the `conf` directory, never `/etc/app/conf`
   * (like `docker cp ./conf/. c:/etc/app`; an existing directory there is merged into, an existing
   * file replaced). Its parent directory must exist (`PathNotFound`). Modes, file contents and
   * mtimes are kept, owners become root; symbolic links are copied as links (not followed); a
   * device file, FIFO or socket fails the copy (`HostFileFailed`). A missing source is
   * `HostPathNotFound` before the runtime is asked anything. Both engines, both transports and
   * the in-memory runtime behave the same (the tree travels as a tar archive). Bounded by
   * `timeout`, else the runtime's `exec` deadline.
   *
   * @example
   * ```ts
   * import type { Container } from "ociman"
   *
   * const seed = (c: Container.Container) => c.copyTo("./fixtures/sql", "/docker-entrypoint-initdb.d")
   * ```
   */
  readonly copyTo: (
    hostPath: string,
    containerPath: string,
    options?: { readonly timeout?: Duration.DurationInput | undefined }
  ) => Effect.Effect<void, HostPathNotFound | HostFileFailed | ContainerNotFound | PathNotFound | CliError>
  /**
   * Copies a file or a directory tree of the container to `hostPath`, which then IS the copy (the
   * same rule as `copyTo`): its parent must exist on this machine (`HostPathNotFound` before the
   * runtime is asked), an existing directory there is merged into, an existing file replaced.
   * Modes and file mtimes are kept, symbolic links copied as links; device files, FIFOs and
   * sockets are left out. Works on a stopped container too.
   *
   * @example
   * ```ts
   * import type { Container } from "ociman"
   *
   * const collect = (c: Container.Container) => c.copyFrom("/app/reports", "./reports")
   * ```
   */
  readonly copyFrom: (
    containerPath: string,
    hostPath: string,
    options?: { readonly timeout?: Duration.DurationInput | undefined }
  ) => Effect.Effect<
    void,
    HostPathNotFound | HostFileFailed | ContainerNotFound | PathNotFound | InvalidArchive | CliError
  >
  /**
   * Stops (SIGTERM, then SIGKILL after `timeout`, default 10 s). Its deadline is that grace period
   * plus the runtime's `remove` deadline.
   */
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
    /** Deadline of this removal (default: the runtime's `remove` deadline, 30 s). */
    readonly timeout?: Duration.DurationInput
  }) => Effect.Effect<void, ContainerNotFound | CliError>
  /**
   * Waits until the container exits and returns its exit code; bounded by the runtime's `wait`
   * deadline (default 1 hour; wrap it in `Effect.timeout` for a shorter one).
   */
  readonly wait: Effect.Effect<number, ContainerNotFound | CliError | UnexpectedOutput>
  /**
   * Saves the container's file system as an image (`pause`, the default: freeze it while
   * committing, where the runtime can; rootless Podman on cgroup v1 cannot, and commits unpaused).
   */
  readonly commit: (
    reference: string,
    options?: {
      readonly pause?: boolean
      /** Deadline of this commit (default: the runtime's `commit` deadline, 5 min). */
      readonly timeout?: Duration.DurationInput
    }
  ) => Effect.Effect<void, ContainerNotFound | CliError>
  // --- lifecycle (issue #17): restart, pause, unpause, kill ---
  /**
   * Stops the container (SIGTERM, then SIGKILL after `timeout`, default 10 s) and starts it again:
   * the same id, its main process started anew (a new `state.startedAt`; its logs keep the earlier
   * run's lines). A stopped container is started. A paused one: Docker restarts it, Podman refuses
   * (`ContainerPaused`). Its deadline is that grace period plus the runtime's `start` deadline.
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { Container, ContainerDefinition as Def } from "ociman"
   *
   * const program = Effect.scoped(
   *   Effect.gen(function* () {
   *     const c = yield* Container.start(Def.make("localhost/ociman-test/busybox:1").pipe(Def.command(["sleep", "60"])))
   *     yield* c.restart({ timeout: "2 seconds" })
   *     return (yield* c.inspect).state.startedAt
   *   })
   * )
   * ```
   */
  readonly restart: (options?: {
    readonly timeout?: Duration.DurationInput
  }) => Effect.Effect<void, ContainerNotFound | ContainerPaused | CliError>
  /**
   * Freezes every process of the container (the cgroup freezer): `state.status` is `"paused"`
   * until `unpause`, and an exec fails with `ContainerPaused`. Pausing a paused container is
   * `ContainerPaused`, a stopped one `ContainerNotRunning`; an engine that cannot freeze it
   * (rootless Podman on cgroup v1) `PauseUnsupported`. Bounded by the runtime's `remove` deadline.
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import type { Container } from "ociman"
   *
   * // freeze a service while a test checks how its clients cope, then thaw it
   * const frozenWhile = <A, E, R>(c: Container.Container, check: Effect.Effect<A, E, R>) =>
   *   Effect.acquireUseRelease(c.pause(), () => check, () => Effect.ignore(c.unpause()))
   * ```
   */
  readonly pause: () => Effect.Effect<
    void,
    ContainerNotFound | ContainerPaused | ContainerNotRunning | PauseUnsupported | CliError
  >
  /**
   * Thaws a paused container: its processes go on where they were. A container that is not paused
   * (running or stopped) is `ContainerNotPaused`. Bounded by the runtime's `remove` deadline.
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import type { Container } from "ociman"
   *
   * const pingAfterThaw = (c: Container.Container) => Effect.zipRight(c.unpause(), c.execSuccess(["true"]))
   * ```
   */
  readonly unpause: () => Effect.Effect<void, ContainerNotFound | ContainerNotPaused | PauseUnsupported | CliError>
  /**
   * Sends a signal to the container's main process (default `SIGKILL`: it ends at once, and `wait`
   * returns 137). `signal` is a Linux signal's name with or without `SIG`, in any case, or its number
   * from 1 to 64 (`"SIGUSR1"`, `"usr1"`, `"10"`); anything else is `InvalidSignal`, before anything
   * is sent. What another signal does is the process's business: a handler runs, or its default
   * action (a PID 1 without a handler ignores all but SIGKILL). A container that is not running is
   * `ContainerNotRunning` (a paused one gets the signal when it is thawed, SIGKILL at once).
   * Bounded by the runtime's `remove` deadline.
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import type { Container } from "ociman"
   *
   * // ask the service to reload its configuration, or end it for good
   * const reload = (c: Container.Container) => c.kill("SIGHUP")
   * const killed = (c: Container.Container) => Effect.zipRight(c.kill(), c.wait) // 137
   * ```
   */
  readonly kill: (
    signal?: string
  ) => Effect.Effect<void, InvalidSignal | ContainerNotFound | ContainerNotRunning | CliError>
  // --- observation (issue #17): top, stats ---
  /**
   * The processes running in the container (`container top`): each one's pid and user as the
   * engine's host sees them, and its command line. Execs still running are listed too (the
   * in-memory runtime lists the main process alone, as pid 1). A stopped container is
   * `ContainerNotRunning`. Bounded by the runtime's `query` deadline.
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import type { Container } from "ociman"
   *
   * const sleeping = (c: Container.Container) =>
   *   Effect.map(c.top, (processes) => processes.filter((p) => p.command.startsWith("sleep")))
   * ```
   */
  readonly top: Effect.Effect<ReadonlyArray<ContainerProcess>, ObservationError>
  /**
   * One sample of the container's resource use (`container stats --no-stream`): memory in use
   * and its limit in bytes, CPU as a fraction of one CPU, processes, network and block I/O in bytes
   * (`undefined` where the engine gives none; see `ContainerRuntime.ContainerStats`). A stopped
   * container is `ContainerNotRunning`. Docker takes about a second to answer (it measures CPU
   * over two samples). The in-memory runtime answers a fixed sample. Bounded by the runtime's
   * `query` deadline.
   *
   * @example
   * ```ts
   * import { Console, Effect } from "effect"
   * import { Container, ContainerDefinition as Def } from "ociman"
   *
   * const program = Effect.gen(function* () {
   *   const definition = Def.make("busybox:1").pipe(Def.command(["sleep", "60"]), Def.memory(64 * 1024 * 1024))
   *   const c = yield* Container.start(definition)
   *   const { memoryUsage, memoryLimit, cpu } = yield* c.stats
   *   yield* Console.log(`${memoryUsage} of ${memoryLimit} bytes, ${(cpu * 100).toFixed(2)}% CPU`)
   * })
   * ```
   */
  readonly stats: Effect.Effect<ContainerStats, ObservationError>
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
 * Options of `start`: its budget, readiness, reuse, and how the container is released.
 * @since 0.1.0
 * @category models
 */
export interface StartOptions {
  /**
   * Release with a graceful stop first: SIGTERM (or the image's stop signal), this grace period,
   * then the forced removal. Without it (the default) the release is one forced removal: the
   * container is killed and removed in one call, as testcontainers does, so a PID 1 that ignores
   * SIGTERM costs nothing.
   */
  readonly stopTimeout?: Duration.DurationInput | undefined
  /**
   * Readiness: `start` succeeds only once this strategy passes (see `Wait.forContainer`). A
   * container that exits first, misses the deadline, or whose wait is interrupted is removed
   * before `start` fails.
   *
   * Default `Wait.auto`: the health check when the container has one (the image's or the
   * definition's), else every TCP port it publishes answering from this host. A definition that
   * publishes no TCP port and has no health check of its own costs one inspect: a container without
   * either is ready then, whatever its state (a one-shot container may have exited already).
   * `Wait.none` waits for nothing.
   */
  readonly waitFor?: Wait.Strategy | undefined
  /**
   * One budget for the whole start: a pull it needs, the run, and the wait. Past it,
   * `start` fails with `OperationTimedOut` (or the wait's `WaitTimedOut`), within the budget, even
   * when the engine does not answer; a container the engine creates after all is removed when the
   * scope closes. Without it: the runtime's `start` deadline for the run (60 s), its `pull`
   * deadline for a pull, and `Wait.defaultTimeout` (60 s, counted from the start) for the wait.
   */
  readonly timeout?: Duration.DurationInput | undefined
  /** The wait's delays between a check's attempts (see `Wait.ForContainerOptions`). */
  readonly schedule?: Wait.ForContainerOptions["schedule"]
  /** How long one attempt of the wait may take (see `Wait.ForContainerOptions`). Default 5 s. */
  readonly attemptTimeout?: Wait.ForContainerOptions["attemptTimeout"]
  /**
   * Reuse one container for this definition across scopes, processes and runs (see `start`): it
   * is not released with the scope, and `OCIMAN_REUSE=0` turns this off. Default `false`.
   */
  readonly reuse?: boolean | undefined
  /**
   * Called with each line the container writes, from its first, while it runs and the scope is
   * open (a followed log, started as soon as the container is): watch a slow start, or keep a
   * server's output in the test's log. The lines of a start that fails to become ready have all
   * reached it before `start` fails. The follow ends when the container stops (a `restart` does
   * not resume it); with `reuse`, the lines of the container's earlier runs come first. A log that
   * cannot be followed, or a failure of the function, is logged as a warning.
   */
  readonly onLog?: ((line: LogLine) => Effect.Effect<void>) | undefined
}

/**
 * A handle for a container id, on the runtime in context.
 * @since 0.1.0
 * @category effects
 */
export const handle = (id: string): Effect.Effect<Container, never, ContainerRuntime> =>
  Effect.map(ContainerRuntime, (runtime): Container => {
    const ops = runtime.containers
    /** Bounds one operation on this container by its deadline (the call's, the layer's, or the default). */
    const within = (kind: keyof Deadlines, operation: string, perCall?: Duration.DurationInput) =>
      bounded(runtime, kind, `container.${operation}`, id, perCall)
    const inspect = ops.inspect(id).pipe(within("query", "inspect"))
    const bindings = (port: Port.ContainerPort) =>
      Effect.map(inspect, (info) => hostPorts.bindingsOf(info, port, runtime.backend.endpoint))
    // an exec's deadline is the process's own timeout: its error names the argv that ran
    const execTimeout = (options: ExecOptions) => options.timeout ?? deadlineOf(runtime, "exec")
    const exec = (command: ReadonlyArray<string>, options: ExecOptions = {}) =>
      Effect.flatMap(execSpec(command, options), (spec) => ops.exec(id, spec, { timeout: execTimeout(options) }))
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
      healthcheck: ops.healthcheck(id).pipe(within("query", "healthcheck")),
      probePort: (probe) => ops.probePort(id, probe).pipe(within("query", "probePort")),
      ...fileMethods(ops, id, (operation, perCall) => within("exec", operation, perCall)),
      logs: ops.logs(id).pipe(within("query", "logs")),
      streamLogs: (options = {}) =>
        // a followed stream lasts as long as the container writes: only a snapshot has a deadline
        options.follow === true
          ? ops.streamLogs(id, options)
          : ops.streamLogs(id, options).pipe(boundedStream(runtime, "query", "container.logs", id)),
      streamExec: (command, options = {}) =>
        Stream.unwrap(
          Effect.map(execSpec(command, options), (spec) => ops.streamExec(id, spec, { timeout: execTimeout(options) }))
        ),
      stop: (options = {}) => {
        const grace = Duration.decode(options.timeout ?? DEFAULT_STOP_TIMEOUT)
        return ops
          .stop(id, { timeoutSeconds: Math.ceil(Duration.toSeconds(grace)) })
          .pipe(within("remove", "stop", Duration.sum(grace, deadlineOf(runtime, "remove"))))
      },
      remove: (options = {}) =>
        ops
          .remove(id, { force: options.force ?? false, volumes: options.volumes ?? true })
          .pipe(within("remove", "remove", options.timeout)),
      wait: ops.wait(id).pipe(within("wait", "wait")),
      commit: (reference, options = {}) =>
        ops.commit(id, reference, { pause: options.pause ?? true }).pipe(within("commit", "commit", options.timeout)),
      // lifecycle (issue #17)
      restart: (options = {}) => {
        const grace = Duration.decode(options.timeout ?? DEFAULT_STOP_TIMEOUT)
        return ops
          .restart(id, { timeoutSeconds: Math.ceil(Duration.toSeconds(grace)) })
          .pipe(within("start", "restart", Duration.sum(grace, deadlineOf(runtime, "start"))))
      },
      pause: () => ops.pause(id).pipe(within("remove", "pause")),
      unpause: () => ops.unpause(id).pipe(within("remove", "unpause")),
      // the signal is checked before anything is sent
      kill: (signal = "SIGKILL") =>
        Effect.flatMap(parseSignal(signal), (checked) =>
          ops.kill(id, checked.canonical).pipe(within("remove", "kill"))
        ),
      // observation (issue #17)
      top: ops.top(id).pipe(within("query", "top")),
      stats: ops.stats(id).pipe(within("query", "stats"))
    }
  })

// validated, and the definition's files read (`ContainerDefinition.files`)
const checked = (definition: ContainerDefinition, extraLabels: ReadonlyArray<readonly [string, string]>) =>
  validateRun(definition, extraLabels)

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
  definition.exposedHostPorts.length > 0
    ? Effect.scoped(Effect.flatMap(withHostPorts(definition), (served) => run(served, options)))
    : runServed(definition, options)

const runServed = (
  definition: ContainerDefinition,
  options: { readonly stdin?: Uint8Array | string | undefined; readonly timeout?: Duration.DurationInput }
): Effect.Effect<ExecResult, StartError | ContainerExitedNonZero, ContainerRuntime> =>
  Effect.gen(function* () {
    const runtime = yield* ContainerRuntime
    // the nonce finds the container again if the run is cut short (the killed CLI leaves it running)
    const nonce = globalThis.crypto.randomUUID()
    const lifecycle = definition.remove ? "scoped" : "detached"
    const spec = yield* checked(definition, [...ownershipLabels(new Date(), lifecycle), [START_LABEL, nonce]])
    const outcome = yield* runtime.containers
      .runForeground(spec, {
        stdin: toBytes(options.stdin),
        timeout: options.timeout ?? deadlineOf(runtime, "exec")
      })
      .pipe(
        Effect.onError((cause) =>
          unanswered(cause) ? removeByNonce(nonce, { _tag: "Unknown" }, undefined) : Effect.void
        )
      )
    return outcome.exitCode === 0 ? outcome : yield* exitedNonZero(outcome)
  }).pipe(Effect.withSpan("ociman.Container.run"))

/**
 * Runs a container detached with the ownership labels: `scoped` for `start` (the sweep removes it
 * once its process is gone), `detached` for `startDetached` (the caller's, kept by default sweeps).
 */
const runOwned = (
  definition: ContainerDefinition,
  lifecycle: Lifecycle,
  pullPolicy: ContainerDefinition["pullPolicy"],
  options: {
    readonly extraLabels?: ReadonlyArray<readonly [string, string]>
    readonly timeout?: Duration.DurationInput | undefined
  }
): Effect.Effect<Container, StartError, ContainerRuntime> =>
  Effect.gen(function* () {
    const runtime = yield* ContainerRuntime
    const spec = yield* checked(definition, [...ownershipLabels(new Date(), lifecycle), ...(options.extraLabels ?? [])])
    const { id } = yield* runtime.containers
      .runDetached({ ...spec, pullPolicy })
      .pipe(bounded(runtime, "start", "container.start", ImageReference.format(spec.image), options.timeout))
    return yield* handle(id)
  })

/**
 * `startDetached`'s run: nothing releases a detached container, so a run cut short (timed out,
 * interrupted) removes at once what it may have created, found by its nonce.
 */
const runDetachedOwned = (
  definition: ContainerDefinition,
  pullPolicy: ContainerDefinition["pullPolicy"],
  options: { readonly timeout?: Duration.DurationInput | undefined }
): Effect.Effect<Container, StartError, ContainerRuntime> => {
  const nonce = globalThis.crypto.randomUUID()
  return runOwned(definition, "detached", pullPolicy, {
    extraLabels: [[START_LABEL, nonce]],
    timeout: options.timeout
  }).pipe(
    Effect.onError((cause) => (unanswered(cause) ? removeByNonce(nonce, { _tag: "Unknown" }, undefined) : Effect.void))
  )
}

/**
 * The one running container for this definition on the engine (see `internal/reuse.ts`): found by
 * its key, or created under the name the key reserves (or the definition's own name).
 */
const runReused = (
  definition: ContainerDefinition,
  pullPolicy: ContainerDefinition["pullPolicy"],
  timeout: Duration.DurationInput | undefined
): Effect.Effect<Container, StartError, ContainerRuntime> =>
  Effect.gen(function* () {
    const runtime = yield* ContainerRuntime
    const key = reuse.definitionKey(yield* checked(definition, []))
    const labels = [...ownershipLabels(new Date(), reuse.REUSED_LIFECYCLE), ...reuse.reuseLabels(key)]
    const spec = yield* checked(definition, labels)
    const name = spec.name ?? (yield* ContainerName.make(reuse.reuseName(key)))
    const id = yield* reuse
      .acquire(runtime, key, { ...spec, name }, (named) =>
        Effect.map(runtime.containers.runDetached({ ...named, pullPolicy }), (run) => run.id)
      )
      .pipe(bounded(runtime, "start", "container.start", ImageReference.format(spec.image), timeout))
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
        : Effect.flatMap(ContainerRuntime, (runtime) =>
            Stream.runDrain(runtime.images.pull(image.right)).pipe(
              bounded(runtime, "pull", "image.pull", ImageReference.format(image.right))
            )
          ).pipe(Effect.zipRight(run("never")))
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
 * It waits for nothing (unlike `start`, whose default is `Wait.auto`): it returns once the engine
 * has started the container, as `docker run -d` does, since no scope would remove a container that
 * failed to become ready. Wait for it yourself with `Wait.forContainer(c, Wait.auto)` (or any
 * strategy), and remove it if that fails.
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
  options: {
    readonly reuse?: boolean | undefined
    /** Deadline of the run (default: the runtime's `start` deadline, 60 s); a pull has its own. */
    readonly timeout?: Duration.DurationInput | undefined
  } = {}
): Effect.Effect<Container, StartError, ContainerRuntime> =>
  definition.exposedHostPorts.length > 0
    ? Effect.fail(
        new InvalidContainerDefinition({
          field: "exposedHostPorts",
          input: definition.exposedHostPorts.join(","),
          reason: "HostPortsNeedScope"
        })
      )
    : Effect.flatMap(options.reuse === true ? reuse.enabledByEnvironment : Effect.succeed(false), (reused) =>
        pullingFirst(definition, (pullPolicy) =>
          reused
            ? runReused(definition, pullPolicy, options.timeout)
            : runDetachedOwned(definition, pullPolicy, options)
        )
      ).pipe(Effect.withSpan("ociman.Container.startDetached", { attributes: { reuse: options.reuse ?? false } }))

/**
 * Starts a container that is removed when the scope closes: after success, failure, interruption,
 * a timeout, or SIGINT/SIGTERM of a program run with `NodeRuntime.runMain`. The release is one
 * forced removal (a graceful stop first only with `stopTimeout`).
 *
 * Every step has a deadline and can be interrupted, the run included: an engine that never
 * answers gives `OperationTimedOut`, not a hang. Each start labels its container with a nonce
 * before the run, so a container that a timed-out or interrupted run created after all is found
 * and removed when the scope closes.
 *
 * A missing image is pulled first, before the run (unless the pull policy is `always` or
 * `never`): the run is `run --pull never`, and an interrupt during the pull cancels it at once.
 * A pull that fails is `PullFailed`.
 *
 * It returns once the container is ready: by `waitFor`, by default `Wait.auto` (its health check,
 * else its published TCP ports; see `StartOptions`); `Wait.none` returns at once.
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
  // the forwarders are the caller's: they outlive the container, which its own scope removes first
  if (definition.exposedHostPorts.length > 0) {
    // in a scope of their own within the caller's: closed at once when the start fails
    return Effect.flatMap(Scope.Scope, (scope) =>
      Effect.flatMap(Scope.fork(scope, ExecutionStrategy.sequential), (forwarding) =>
        withHostPorts(definition).pipe(
          Scope.extend(forwarding),
          Effect.flatMap((served) => start(served, options)),
          Effect.onError(() => Scope.close(forwarding, Exit.void))
        )
      )
    )
  }
  if (options.reuse === true) {
    return Effect.flatMap(reuse.enabledByEnvironment, (enabled) =>
      enabled ? startReused(definition, options) : start(definition, { ...options, reuse: false })
    )
  }
  return Effect.uninterruptibleMask((restore) =>
    Effect.gen(function* () {
      const runtime = yield* ContainerRuntime
      const startedAt = yield* Clock.currentTimeMillis
      // The release is in place before the run: whatever the run does (even time out while the engine
      // goes on to create the container), closing the scope removes what carries this start's nonce.
      const nonce = globalThis.crypto.randomUUID()
      const started = yield* Ref.make<RunOutcome>({ _tag: "Unknown" })
      const scope = yield* Scope.fork(yield* Effect.scope, ExecutionStrategy.sequential)
      yield* Scope.addFinalizer(
        scope,
        releaseStarted(nonce, started, options.stopTimeout).pipe(Effect.provideService(ContainerRuntime, runtime))
      )
      const run = pullingFirst(definition, (pullPolicy) =>
        runOwned(definition, "scoped", pullPolicy, { extraLabels: [[START_LABEL, nonce]], timeout: options.timeout })
      )
      // interruptible: a pull, or a run the engine does not answer, can be cancelled
      const container = yield* restore(
        options.timeout === undefined
          ? run
          : run.pipe(bounded(runtime, "start", "container.start", imageName(definition), options.timeout))
      ).pipe(
        Effect.tap((container) => Ref.set(started, { _tag: "Started", id: container.id })),
        // an engine that answered had its say: clean up now. One that did not may still be creating
        // the container: the cleanup waits for the caller's scope, not to hang this failure on it.
        Effect.onError((cause) =>
          unanswered(cause)
            ? Effect.void
            : Effect.zipRight(Ref.set(started, { _tag: "Refused" }), Scope.close(scope, Exit.failCause(cause)))
        )
      )
      const { onLog } = options
      // forked into the container's scope after its release: interrupted before the removal (and
      // interruptible, which a fiber forked in this uninterruptible region would not be)
      const follower = onLog === undefined ? undefined : yield* makeLogFollower(container, onLog)
      const following = follower === undefined ? undefined : yield* Effect.forkIn(restore(follower.follow), scope)
      // the wait runs interruptible, and its failure releases the container at once (the caller's
      // scope may live much longer); the follower first hands over the lines the container wrote
      yield* restore(readiness(container, definition, options, startedAt)).pipe(
        Effect.onError((cause) =>
          Effect.zipRight(
            follower === undefined || following === undefined ? Effect.void : follower.handOver(following),
            Scope.close(scope, Exit.failCause(cause))
          )
        )
      )
      return container
    })
  ).pipe(onRuntimeClock, Effect.withSpan("ociman.Container.start"))
}

/** The definition publishes a TCP port (a UDP one cannot be checked from the host). */
const publishesTcp = (definition: ContainerDefinition): boolean =>
  definition.publish.some(
    (published) => ("containerPort" in published ? published.containerPort : published).protocol === "tcp"
  )

/** The inspected container publishes a TCP port (raw flags may publish what the definition does not). */
const inspectedTcp = (info: ContainerInspect.ContainerInspect): boolean =>
  Array.from(info.ports).some(([key, bindings]) => key.endsWith("/tcp") && bindings.length > 0)

/**
 * What `start` waits for: `waitFor`, else `Wait.auto` (`Wait.none` waits for nothing). A definition
 * that publishes no TCP port and has no health check of its own costs one inspect (the image may
 * have a HEALTHCHECK, raw flags may publish a port): with neither, the container is ready whatever
 * its state, so a one-shot container that has already exited starts as it did without a wait.
 */
const readiness = (
  container: Container,
  definition: ContainerDefinition,
  options: StartOptions,
  startedAt: number
): Effect.Effect<void, WaitError> => {
  const { waitFor, timeout, schedule, attemptTimeout } = options
  const wait = (strategy: Wait.Strategy) =>
    Wait.forContainer(container, strategy, { timeout, startedAt, schedule, attemptTimeout })
  if (waitFor !== undefined) return wait(waitFor)
  if (definition.healthcheck !== undefined || publishesTcp(definition)) return wait(Wait.auto)
  return Effect.flatMap(Clock.currentTimeMillis, (now) => {
    // within the start's one budget, as the wait would be
    const left = Math.max(0, Duration.toMillis(Duration.decode(timeout ?? Wait.defaultTimeout)) - (now - startedAt))
    return Effect.matchEffect(Effect.timeout(container.inspect, left), {
      // a one-shot `withRemove` container may be gone already: it ran, and had nothing to wait for;
      // otherwise the wait tells a container that is gone from a passing failure, under the same deadline
      onFailure: (error) => (error._tag === "ContainerNotFound" && definition.remove ? Effect.void : wait(Wait.auto)),
      onSuccess: (info) => (info.state.health === undefined && !inspectedTcp(info) ? Effect.void : wait(Wait.auto))
    })
  })
}

/** The definition with its exposed host ports served until the scope closes (`internal/hostPortForwarding.ts`). */
const withHostPorts = (definition: ContainerDefinition) =>
  Effect.flatMap(ContainerRuntime, (runtime) =>
    exposingHostPorts(runtime, definition, (probe) => Effect.map(runServed(probe, {}), (result) => result.stdout))
  )

/** The image as the definition names it, for messages. */
const imageName = (definition: ContainerDefinition): string =>
  typeof definition.image === "string" ? definition.image : ImageReference.format(definition.image)

/**
 * What a start's run came to: it told the container's id, the engine refused it (it answered:
 * whatever it created is there now), or nobody knows (timed out, interrupted: the engine may still
 * be creating it, the killed CLI may have sent the request).
 */
type RunOutcome =
  { readonly _tag: "Started"; readonly id: string } | { readonly _tag: "Refused" } | { readonly _tag: "Unknown" }

/** After a run of unknown outcome, how long the release waits before looking for a late container again. */
const LATE_CREATE_GRACE = Duration.seconds(1)

/**
 * Releases a scoped container: by default one forced removal (SIGKILL, then removal with its
 * anonymous volumes), as testcontainers does; with `stopTimeout`, a graceful stop first. A run
 * that never told its id is looked up by its nonce label; when its outcome is unknown, once more
 * a moment later, for a create the engine carried out after the first look.
 */
const releaseStarted = (
  nonce: string,
  started: Ref.Ref<RunOutcome>,
  stopTimeout: Duration.DurationInput | undefined
): Effect.Effect<void, never, ContainerRuntime> =>
  Effect.flatMap(Ref.get(started), (outcome) =>
    outcome._tag === "Started" ? removeReleased(outcome.id, stopTimeout) : removeByNonce(nonce, outcome, stopTimeout)
  )

/**
 * Removes the containers a run labelled with `nonce` (none, or the one it created). When the run's
 * outcome is unknown, looks once more a moment later, for a create the engine carried out after the
 * first look. Failures are logged: this runs in releases and on failure paths.
 */
const removeByNonce = (
  nonce: string,
  outcome: RunOutcome,
  stopTimeout: Duration.DurationInput | undefined
): Effect.Effect<void, never, ContainerRuntime> =>
  Effect.gen(function* () {
    const runtime = yield* ContainerRuntime
    const removeFound = runtime.containers.list([labelFilter(START_LABEL, nonce)]).pipe(
      bounded(runtime, "query", "container.list", nonce),
      Effect.flatMap((found) =>
        Effect.forEach(found, (listed) => removeReleased(listed.id, stopTimeout), {
          concurrency: "unbounded",
          discard: true
        })
      )
    )
    yield* removeFound
    // only a real engine creates late (the in-memory runtime has no process to outlive a kill)
    if (outcome._tag === "Unknown" && runtime.capabilities.processes) {
      yield* Effect.zipRight(Effect.sleep(LATE_CREATE_GRACE), removeFound)
    }
  }).pipe(
    onRuntimeClock,
    Effect.tapError((error) =>
      Effect.logWarning(`ociman: could not look up the container of run ${nonce}: ${error.message}`)
    ),
    Effect.ignore
  )

/** Removes one released container (a graceful stop first with `stopTimeout`); failures are logged. */
const removeReleased = (
  id: string,
  stopTimeout: Duration.DurationInput | undefined
): Effect.Effect<void, never, ContainerRuntime> =>
  Effect.flatMap(handle(id), (container) =>
    (stopTimeout === undefined ? Effect.void : Effect.ignore(container.stop({ timeout: stopTimeout }))).pipe(
      Effect.zipRight(container.remove({ force: true })),
      Effect.catchTag("ContainerNotFound", () => Effect.void),
      Effect.catchAll((error) => Effect.logWarning(`ociman: could not remove container ${id}: ${error.message}`))
    )
  )

/**
 * Starts several containers at once and releases them at once: the starts run concurrently, and
 * when the scope closes the containers are removed concurrently too (each start's release is one
 * forced removal), for containers that need no order between them. If one start fails, the others
 * are removed before `startAll` fails. The handles come back in the order of the definitions.
 *
 * (Containers started one after another in a scope are released one after another, in reverse
 * order: what a later resource relies on goes after it.)
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Container, ContainerDefinition as Def } from "ociman"
 *
 * const workers = Effect.scoped(
 *   Effect.gen(function* () {
 *     const all = yield* Container.startAll(
 *       [1, 2, 3].map((n) => Def.make("localhost/ociman-test/busybox:1").pipe(Def.command(["sleep", `${n * 60}`])))
 *     )
 *     return all.map((c) => c.id)
 *   })
 * ) // all three removed here, concurrently
 * ```
 * @since 0.1.0
 * @category effects
 */
export const startAll = (
  definitions: Iterable<ContainerDefinition>,
  options: StartOptions = {}
): Effect.Effect<ReadonlyArray<Container>, StartError | WaitError, ContainerRuntime | Scope.Scope> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.gen(function* () {
      // one scope for all, closed in parallel: at the caller's scope close, or at once if one start fails
      const scope = yield* Scope.fork(yield* Effect.scope, ExecutionStrategy.parallel)
      return yield* restore(
        Effect.forEach(definitions, (definition) => start(definition, options), { concurrency: "unbounded" }).pipe(
          Scope.extend(scope)
        )
      ).pipe(Effect.onError((cause) => Scope.close(scope, Exit.failCause(cause))))
    })
  ).pipe(Effect.withSpan("ociman.Container.startAll"))

/**
 * `start` with `reuse`: the container is not released with the scope. A reused container that is
 * not ready in time stays (the next start waits for it again; one that exited is replaced).
 */
const startReused = (
  definition: ContainerDefinition,
  options: StartOptions
): Effect.Effect<Container, StartError | WaitError, ContainerRuntime | Scope.Scope> =>
  Effect.gen(function* () {
    const startedAt = yield* Clock.currentTimeMillis
    const container = yield* pullingFirst(definition, (pullPolicy) =>
      runReused(definition, pullPolicy, options.timeout)
    )
    const { onLog } = options
    const follower = onLog === undefined ? undefined : yield* makeLogFollower(container, onLog)
    const following = follower === undefined ? undefined : yield* Effect.forkScoped(follower.follow)
    // a reused container stays when its wait fails: its follow does not
    yield* readiness(container, definition, options, startedAt).pipe(
      Effect.onError(() =>
        follower === undefined || following === undefined ? Effect.void : follower.handOver(following)
      )
    )
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
  Effect.flatMap(ContainerRuntime, (runtime) =>
    runtime.containers.exists(container).pipe(bounded(runtime, "query", "container.exists", container))
  )

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
  Effect.flatMap(ContainerRuntime, (runtime) =>
    runtime.containers.list(filters).pipe(bounded(runtime, "query", "container.list", undefined))
  )
