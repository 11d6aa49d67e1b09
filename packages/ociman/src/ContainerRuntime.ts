/**
 * The container runtime service: the seam between the user-facing modules (containers, images,
 * networks, readiness) and a runtime. Docker and Podman over their CLIs and the in-memory test
 * runtime each implement the operations declared here, and one conformance suite holds them to
 * the same behaviour; a layer chooses one. Docker's and Podman's container operations can also go
 * over the engine's API socket instead of the CLI (`LayerOptions.transport`, `Backend.transport`).
 * There is no global state: two layers give two independent runtimes in one program.
 *
 * This module holds the service tag, what a backend is and can do, the operation interfaces every
 * backend implements with their data types, and the layers (thin delegations to the backends).
 *
 * @example
 * ```ts
 * import { NodeContext, NodeRuntime } from "@effect/platform-node"
 * import { Console, Effect } from "effect"
 * import { ContainerRuntime } from "ociman"
 *
 * const program = Effect.gen(function* () {
 *   const runtime = yield* ContainerRuntime.ContainerRuntime
 *   const { kind, engineVersion, rootless } = runtime.backend
 *   yield* Console.log(`${kind} ${engineVersion} rootless=${rootless}`)
 * })
 *
 * program.pipe(
 *   Effect.provide(ContainerRuntime.layerFromEnv), // or layerDocker, layerPodman
 *   Effect.provide(NodeContext.layer),
 *   NodeRuntime.runMain
 * )
 * ```
 *
 * @since 0.1.0
 */
import type { CommandExecutor, FileSystem, Path } from "@effect/platform"
import type { HttpMethod } from "@effect/platform/HttpMethod"
import { type Duration, Effect, Layer, type Redacted, Schema, type Stream } from "effect"
import type * as BuildArg from "./BuildArg.js"
import type { CliError, ProcessError, UnexpectedOutput } from "./CliError.js"
import type { Fields as DefinitionFields } from "./ContainerDefinition.js"
import type {
  BindMountOnRemoteEngine,
  ContainerExitedNonZero,
  ContainerNotFound,
  ContainerStartFailed,
  ContainerNotPaused,
  ContainerNotRunning,
  StatsUnsupported,
  ContainerPaused,
  ImageNotFound,
  NameInUse,
  PauseUnsupported,
  PathNotFound,
  PortNotPublished
} from "./ContainerError.js"
import type { HostFileFailed, HostPathNotFound } from "./ContainerError.js"
// a TTY with stdin on Docker, refused before anything runs (issue #17)
import type { HostPortUnavailable, TtyInputUnsupported } from "./ContainerError.js"
import type * as ContainerInspect from "./ContainerInspect.js"
import type * as ContainerName from "./ContainerName.js"
import type * as EnvVar from "./EnvVar.js"
import type { BuildFailed, ImageInUse, LoginFailed, PullFailed, PushFailed } from "./ImageError.js"
import type * as ImageReference from "./ImageReference.js"
import type * as Label from "./Label.js"
import type { InvalidNetworkInspect, NetworkInUse, NetworkNameInUse, NetworkNotFound } from "./NetworkError.js"
import type * as Port from "./Port.js"
import type { ResolveError, RuntimeUnavailable } from "./RuntimeError.js"
import { Version } from "./Version.js"
import type { VolumeInUse, VolumeNameInUse, VolumeNotFound } from "./VolumeError.js"
import type { HealthcheckMissing } from "./WaitError.js"
import * as cliRuntime from "./internal/cli/runtime.js"
import * as deadline from "./internal/deadline.js"
import type { Deadlines } from "./internal/deadline.js"
import type { InvalidDefinition } from "./internal/containerSpec.js"
import type { Cidr } from "./internal/ip.js"
import type { Kind } from "./internal/kind.js"
import type { NetworkId, NetworkName } from "./internal/networkName.js"
import type { VolumeName } from "./internal/volumeName.js"
import { automatic as automaticSweep } from "./internal/sweep.js"
import { ContainerRuntime } from "./internal/runtimeTag.js"

// ---------------------------------------------------------------------------------------------
// What a backend is and can do
// ---------------------------------------------------------------------------------------------

// Kind is defined below every module, so that errors and values can name it without the seam.
export type { Kind } from "./internal/kind.js"

/**
 * How the runtime was chosen: given as an argument, `OCIMAN_BACKEND`, the config file, or the
 * default autodetection.
 * @since 0.1.0
 * @category models
 */
export type SelectionSource = "argument" | "environment" | "config-file" | "default"

/**
 * What was resolved: which runtime, through which executable, its versions and rootless mode.
 * @since 0.1.0
 * @category models
 */
export interface Backend {
  readonly kind: Kind
  /** The executable run for every call (`docker`, `podman`, or a path). */
  readonly executable: string
  /**
   * The CLI's version (the client's, not the engine's), when the probe asked the CLI: the probe
   * over the engine's API (transports `api` and `auto`) asks only the engine, and leaves it
   * `undefined` so that a layer is built without waiting for a CLI process; {@link clientVersion}
   * asks it then.
   */
  readonly clientVersion: Version | undefined
  /** The engine's version (Docker daemon; for local Podman the same as the client). */
  readonly engineVersion: Version
  /** Docker: `name=rootless` in SecurityOptions; Podman: `.Host.Security.Rootless`. */
  readonly rootless: boolean
  /** How the runtime was chosen. */
  readonly source: SelectionSource
  /**
   * Where the CLI sends its calls (`DOCKER_HOST`, a Docker context, `CONTAINER_HOST`, a Podman
   * connection, or the local default), and whether that engine may be on another machine.
   */
  readonly endpoint: Endpoint
  /**
   * How container operations reach the engine: `api` over its socket (Docker's, or Podman's API
   * service), `cli` through the executable. Images, networks and the `cli` escape hatch always use
   * the CLI (see {@link LayerOptions.transport}).
   */
  readonly transport: Transport
}

/**
 * How a runtime's container operations reach the engine: its API socket or its CLI.
 * @since 0.1.0
 * @category models
 */
export type Transport = "api" | "cli"

/**
 * Which transport a layer uses: `api` (required: the layer fails when the engine's socket does not
 * answer), `cli`, or `auto` (the API when the socket answers `/_ping`, else the CLI).
 * @since 0.1.0
 * @category models
 */
export type TransportSelection = Transport | "auto"

/**
 * Where the runtime's CLI sends its calls, found the way the CLI finds it: Docker's `DOCKER_HOST`,
 * `DOCKER_CONTEXT` or current context; Podman's `CONTAINER_HOST` or `CONTAINER_CONNECTION` (a local
 * `podman` ignores its default connection, so does this).
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { ContainerRuntime } from "ociman"
 *
 * const where = Effect.flatMap(ContainerRuntime.ContainerRuntime, ({ backend }) =>
 *   Console.log(backend.endpoint.remote ? `remote engine at ${backend.endpoint.host}` : "local engine")
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Endpoint {
  /**
   * The engine's address (`unix:///var/run/docker.sock`, `tcp://host:2376`, `ssh://user@host`);
   * `undefined` for a local, daemonless Podman, or a context or connection whose address could not be read.
   */
  readonly url: string | undefined
  /** `environment` (`name` is the variable), `context` (Docker's), `connection` (Podman's), or `default`. */
  readonly source: "environment" | "context" | "connection" | "default"
  /** The variable, context or connection name; `undefined` for the default. */
  readonly name: string | undefined
  /** The engine may run on another machine: a `tcp://`, `ssh://` or `http(s)://` address. */
  readonly remote: boolean
  /** The host of a remote engine's address, where its published ports are reached; `undefined` when local. */
  readonly host: string | undefined
}

/**
 * What a runtime can really do. Docker and Podman can do everything; the in-memory runtime
 * (`TestRuntime`) simulates containers without processes, so tests that need the real thing can
 * ask instead of guessing from `backend.kind` (which the in-memory runtime also reports).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ContainerRuntime } from "ociman"
 *
 * const canConnect = Effect.map(ContainerRuntime.ContainerRuntime, (runtime) => runtime.capabilities.networking)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Capabilities {
  /**
   * Commands run as real processes in a real file system (signals, timing, files written by one
   * command seen by the next). `false`: handlers registered by the test answer them.
   */
  readonly processes: boolean
  /**
   * Published ports accept connections from this host, containers reach each other by name and
   * alias, and `/etc/hosts` is real. `false`: ports are allocated and reported, nothing listens;
   * port probes are answered by the runtime itself.
   */
  readonly networking: boolean
  /** The `cli` escape hatch runs the runtime's CLI. `false`: it fails with `CliUnsupported`. */
  readonly cli: boolean
}

/**
 * The capabilities of the Docker and Podman runtimes: everything is real.
 *
 * @example
 * ```ts
 * import { ContainerRuntime } from "ociman"
 *
 * ContainerRuntime.fullCapabilities // { processes: true, networking: true, cli: true }
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const fullCapabilities: Capabilities = cliRuntime.fullCapabilities

/**
 * Options of a raw CLI call.
 * @since 0.1.0
 * @category models
 */
export interface CliOptions {
  /** Bytes for the CLI's stdin (closed afterwards). */
  readonly stdin?: Uint8Array | undefined
  /** Extra environment for the CLI process (never shown in argv, spans or errors). */
  readonly env?: Readonly<Record<string, string>> | undefined
  /** Values to redact wherever the argv is shown. */
  readonly secrets?: ReadonlyArray<string> | undefined
  /** Kill the CLI (SIGTERM, then SIGKILL) when it runs longer than this. */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * A finished CLI call, whatever its exit code.
 * @since 0.1.0
 * @category models
 */
export interface CliResult {
  readonly argv: ReadonlyArray<string>
  readonly exitCode: number | undefined
  readonly signal: string | undefined
  readonly stdout: Uint8Array
  readonly stderr: Uint8Array
}

// ---------------------------------------------------------------------------------------------
// Containers
// ---------------------------------------------------------------------------------------------

/**
 * A checked health check of a `RunSpec`: the shell command the runtime runs (`CMD-SHELL`; an
 * argument list is already quoted into it) and its settings (`undefined`: the runtime's default).
 * @since 0.1.0
 * @category containers
 */
export interface HealthcheckSpec {
  readonly shell: string
  readonly interval: Duration.Duration | undefined
  readonly timeout: Duration.Duration | undefined
  readonly startPeriod: Duration.Duration | undefined
  readonly retries: number | undefined
}

/**
 * A definition whose every field has been checked (what a runtime implementation receives).
 * @since 0.1.0
 * @category containers
 */
export interface RunSpec extends Omit<
  DefinitionFields,
  "image" | "name" | "env" | "labels" | "publish" | "healthcheck" | "files"
> {
  readonly image: ImageReference.ImageReference
  readonly name: ContainerName.ContainerName | undefined
  readonly env: EnvVar.EnvVars
  readonly labels: Label.Labels
  readonly publish: ReadonlyArray<Port.Publish>
  readonly healthcheck: HealthcheckSpec | undefined
  /**
   * The definition's files, read (`undefined`: none): the runtime creates the container, puts
   * `archive` at `/` (`putArchive`), then starts it; a failure in between removes it.
   */
  readonly files: RunFiles | undefined
}

/**
 * The files of a `RunSpec`: one tar archive whose entries are named by their container path
 * without the leading `/` (so it is extracted at `/`, missing parents created), and a SHA-256 of
 * its paths, kinds, modes, contents and link targets (not its times), for reuse's key.
 * @since 0.1.0
 * @category containers
 */
export interface RunFiles {
  readonly archive: Uint8Array
  readonly digest: string
}

/**
 * What an exec runs and how.
 * @since 0.1.0
 * @category containers
 */
export interface ExecSpec {
  readonly command: ReadonlyArray<string>
  readonly env: EnvVar.EnvVars
  readonly user: string | undefined
  readonly workdir: string | undefined
  readonly stdin: Uint8Array | undefined
  readonly tty: boolean
  readonly interactive: boolean
}

/**
 * A container started in the background: its id.
 * @since 0.1.0
 * @category containers
 */
export interface DetachedRun {
  readonly id: string
  readonly argv: ReadonlyArray<string>
}

/**
 * The outcome of an exec or a foreground run, whatever its exit code.
 * @since 0.1.0
 * @category containers
 */
export interface ExecResult {
  readonly exitCode: number | undefined
  /** stdout as text (lossy UTF-8); the exact bytes are in `stdoutBytes`. */
  readonly stdout: string
  readonly stderr: string
  readonly stdoutBytes: Uint8Array
  readonly stderrBytes: Uint8Array
  readonly argv: ReadonlyArray<string>
}

/**
 * One line of a container's logs and the stream it was written to.
 * @since 0.1.0
 * @category containers
 */
export interface LogLine {
  readonly stream: "stdout" | "stderr"
  readonly text: string
}

/**
 * Options of a log stream.
 * @since 0.1.0
 * @category containers
 */
export interface LogStreamOptions {
  /** Keep streaming until the container exits (`logs --follow`). Default false: what is there now. */
  readonly follow?: boolean | undefined
  /** Start with only the last this many lines, both outputs counted together (`logs --tail N`). Default: all. */
  readonly tail?: number | undefined
}

/**
 * A container found by listing.
 * @since 0.1.0
 * @category containers
 */
export interface ListedContainer {
  readonly id: string
  readonly names: ReadonlyArray<string>
}

/**
 * A container found by listing, with every label it carries (its image's included) and the ID
 * of its image (to tell labels it was given from labels it inherited).
 * @since 0.1.0
 * @category containers
 */
export interface LabeledContainer extends ListedContainer {
  /** The image ID, as the runtime prints it (Docker with `sha256:`, Podman without). */
  readonly image: string
  readonly labels: ReadonlyMap<string, string>
}

/**
 * The outcome of one health check: `Healthy`, or `Unhealthy` with what the check said.
 * @since 0.1.0
 * @category containers
 */
export type HealthcheckOutcome = { readonly _tag: "Healthy" } | { readonly _tag: "Unhealthy"; readonly reason: string }

/**
 * A check of a published port from this host: a TCP connection that the container accepts and
 * keeps open, or an HTTP request (its status is returned, whatever it is).
 * @since 0.1.0
 * @category containers
 */
export type PortProbe =
  | { readonly _tag: "Tcp"; readonly port: Port.ContainerPort }
  | {
      readonly _tag: "Http"
      readonly port: Port.ContainerPort
      readonly method: HttpMethod
      readonly path: string
      readonly headers: Readonly<Record<string, string>>
    }

/**
 * The outcome of a {@link PortProbe}: the port answered (with the HTTP status for a request), or
 * it could not be reached yet, and why.
 * @since 0.1.0
 * @category containers
 */
export type PortProbeOutcome =
  | {
      readonly _tag: "Reached"
      /** What was reached: `host:port`, or the request's URL. */
      readonly target: string
      /** The HTTP status (`undefined` for TCP). */
      readonly status: number | undefined
    }
  | { readonly _tag: "Unreachable"; readonly reason: string }

/**
 * Failures of starting a container.
 * @since 0.1.0
 * @category containers
 */
export type StartError =
  | InvalidDefinition
  // the definition's files (`ContainerDefinition.files`): a `source` missing or unreadable here
  | HostPathNotFound
  | HostFileFailed
  | BindMountOnRemoteEngine
  | NameInUse
  | ImageNotFound
  | PullFailed
  | ContainerStartFailed
  | CliError
  | UnexpectedOutput
  | EnvVar.EnvFileError
  | TtyInputUnsupported
  // the definition's host ports (`ContainerDefinition.exposeHostPorts`): no forwarder
  | HostPortUnavailable

/**
 * Failures of an exec.
 * @since 0.1.0
 * @category containers
 */
export type ExecError =
  | ContainerNotFound
  // an exec into a paused container (issue #17); a stopped one is a failed result, as on the CLIs
  | ContainerPaused
  | EnvVar.InvalidEnvVar
  | EnvVar.EnvFileError
  | CliError
  | TtyInputUnsupported

/**
 * The container operations a runtime implements (Docker, Podman, the in-memory runtime).
 * `container` arguments are an id or a name.
 * @since 0.1.0
 * @category containers
 */
export interface ContainerOperations {
  /**
   * Runs a container in the foreground to its end (removed after it when `spec.remove`); any exit
   * code of its command is a result.
   */
  readonly runForeground: (
    spec: RunSpec,
    options: {
      readonly stdin?: Uint8Array | undefined
      readonly timeout?: Duration.DurationInput | undefined
    }
  ) => Effect.Effect<ExecResult, StartError>
  /** Starts a container in the background and returns its id once the runtime has started it. */
  readonly runDetached: (spec: RunSpec) => Effect.Effect<DetachedRun, StartError>
  readonly exec: (
    container: string,
    spec: ExecSpec,
    options?: { readonly timeout?: Duration.DurationInput | undefined }
  ) => Effect.Effect<ExecResult, ExecError>
  readonly stop: (
    container: string,
    options: { readonly timeoutSeconds: number }
  ) => Effect.Effect<void, ContainerNotFound | CliError>
  readonly remove: (
    container: string,
    options: { readonly force: boolean; readonly volumes: boolean }
  ) => Effect.Effect<void, ContainerNotFound | CliError>
  readonly inspect: (
    container: string
  ) => Effect.Effect<ContainerInspect.ContainerInspect, ContainerNotFound | CliError | ContainerInspect.InvalidInspect>
  readonly exists: (container: string) => Effect.Effect<boolean, CliError | UnexpectedOutput>
  readonly list: (
    filters: ReadonlyArray<Label.Filter>
  ) => Effect.Effect<ReadonlyArray<ListedContainer>, CliError | UnexpectedOutput>
  /** Like `list`, with each container's labels and image ID (for the sweeper). */
  readonly listLabeled: (
    filters: ReadonlyArray<Label.Filter>
  ) => Effect.Effect<ReadonlyArray<LabeledContainer>, CliError | UnexpectedOutput>
  readonly logs: (container: string) => Effect.Effect<ReadonlyArray<LogLine>, ContainerNotFound | CliError>
  /** The logs as they are written (see `Container.streamLogs`). */
  readonly streamLogs: (
    container: string,
    options: LogStreamOptions
  ) => Stream.Stream<LogLine, ContainerNotFound | CliError>
  /** An exec's output as it is written; a non-zero exit ends the stream with `ContainerExitedNonZero`. */
  readonly streamExec: (
    container: string,
    spec: ExecSpec,
    options?: { readonly timeout?: Duration.DurationInput | undefined }
  ) => Stream.Stream<LogLine, ContainerExitedNonZero | ExecError>
  readonly wait: (container: string) => Effect.Effect<number, ContainerNotFound | CliError | UnexpectedOutput>
  readonly commit: (
    container: string,
    reference: string,
    options: { readonly pause: boolean }
  ) => Effect.Effect<void, ContainerNotFound | CliError>
  /**
   * The container's health now: where the engine runs health checks by itself (Docker) its last
   * status; where it runs them only on request (Podman without systemd) one check, run now.
   * A container without a health check is `HealthcheckMissing`.
   */
  readonly healthcheck: (
    container: string
  ) => Effect.Effect<
    HealthcheckOutcome,
    HealthcheckMissing | ContainerNotFound | CliError | ContainerInspect.InvalidInspect
  >
  /**
   * One check of a published port from this host (see {@link PortProbe}). A runtime without real
   * networking answers it itself and never touches the host's network.
   */
  readonly probePort: (
    container: string,
    probe: PortProbe
  ) => Effect.Effect<
    PortProbeOutcome,
    PortNotPublished | ContainerNotFound | CliError | ContainerInspect.InvalidInspect
  >
  // --- files (issue #17): the archives behind copyTo, copyFrom, readFile, writeFile ---
  /**
   * Extracts a tar archive into `directory` of the container (an absolute path that must exist and
   * be a directory, else `PathNotFound`), running or stopped: `container cp - CONTAINER:DIR`.
   */
  readonly putArchive: (
    container: string,
    directory: string,
    archive: Uint8Array
  ) => Effect.Effect<void, ContainerNotFound | PathNotFound | CliError>
  /**
   * A tar archive of `path` in the container (absolute; a file, a directory with its tree, or a
   * link itself), its entry named after the path's last segment: `container cp CONTAINER:PATH -`.
   */
  readonly getArchive: (
    container: string,
    path: string
  ) => Effect.Effect<Uint8Array, ContainerNotFound | PathNotFound | CliError>
  // --- lifecycle (issue #17): restart, pause, unpause, kill ---
  /**
   * Stops the container (SIGTERM, SIGKILL after `timeoutSeconds`) and starts it again, same id;
   * a stopped container is started. Podman refuses a paused one (`ContainerPaused`), Docker restarts it.
   */
  readonly restart: (
    container: string,
    options: { readonly timeoutSeconds: number }
  ) => Effect.Effect<void, ContainerNotFound | ContainerPaused | CliError>
  /** Freezes every process of a running container (the cgroup freezer). */
  readonly pause: (
    container: string
  ) => Effect.Effect<void, ContainerNotFound | ContainerPaused | ContainerNotRunning | PauseUnsupported | CliError>
  readonly unpause: (
    container: string
  ) => Effect.Effect<void, ContainerNotFound | ContainerNotPaused | PauseUnsupported | CliError>
  /**
   * Sends a signal to the main process of a running container; `signal` is checked already, in its
   * canonical form (`SIGKILL`, or a number for a signal without a name, see `internal/signal.ts`).
   */
  readonly kill: (
    container: string,
    signal: string
  ) => Effect.Effect<void, ContainerNotFound | ContainerNotRunning | CliError>
  // --- observation (issue #17): top and stats ---
  /**
   * The processes running in a running container (`container top`), as the engine's host sees
   * them; a stopped container is `ContainerNotRunning`.
   */
  readonly top: (container: string) => Effect.Effect<ReadonlyArray<ContainerProcess>, ObservationError>
  /**
   * One sample of a running container's resource use (`container stats --no-stream`); a stopped
   * container is `ContainerNotRunning` (the engines answer it with an empty sample).
   */
  readonly stats: (container: string) => Effect.Effect<ContainerStats, ObservationError>
}

/**
 * Failures of `top` and `stats`.
 * @since 0.1.0
 * @category containers
 */
export type ObservationError = ContainerNotFound | ContainerNotRunning | StatsUnsupported | CliError | UnexpectedOutput

/**
 * One process running in a container, as the engine's host sees it (Docker's `top` runs `ps` on
 * the host; Podman's is asked for the same: `hpid`, `huser`, `args`).
 * @since 0.1.0
 * @category containers
 */
export interface ContainerProcess {
  /** Its process id on the engine's host (not the id inside the container's pid namespace). */
  readonly pid: number
  /** The user running it, as the host names it (a uid where the host has no name for it). */
  readonly user: string
  /** Its command line, arguments joined by spaces as `ps` prints them (`sleep 60`). */
  readonly command: string
}

/**
 * One sample of a container's resource use, in numbers: bytes, and CPU as a fraction of one CPU.
 * A figure the engine does not give is `undefined`. Docker's CLI prints sizes with four significant
 * digits (`448KiB / 64MiB`), so over Docker's CLI they are exact to about 0.1%; Podman's CLI and
 * both engines' API give exact bytes.
 * @since 0.1.0
 * @category containers
 */
export interface ContainerStats {
  /** Memory in use, bytes, without the page cache the kernel can reclaim (what `stats` prints). */
  readonly memoryUsage: number
  /** The memory limit, bytes: the container's own (`memory`), else the host's memory. */
  readonly memoryLimit: number
  /**
   * CPU use as a fraction of one CPU (`0.5` half a CPU, `2` two CPUs: `stats`' percentage / 100).
   * Docker measures it over about a second before the answer; Podman since the container started.
   */
  readonly cpu: number
  /** How many processes it runs; `undefined` where the engine cannot count them (no pids cgroup). */
  readonly pids: number | undefined
  /** Bytes received and sent on its networks; `undefined` where the engine gives none (no network). */
  readonly network: { readonly received: number; readonly sent: number } | undefined
  /** Bytes read from and written to block devices; `undefined` where the engine gives none. */
  readonly blockIo: { readonly read: number; readonly written: number } | undefined
}

// ---------------------------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------------------------

/**
 * Where a build reads its Dockerfile and context: a directory (with an absolute Dockerfile path,
 * or the runtime's default `Dockerfile` in it), or Dockerfile text sent on stdin with no context.
 * @since 0.1.0
 * @category images
 */
export type BuildRequestSource =
  | { readonly _tag: "Directory"; readonly context: string; readonly dockerfile: string | undefined }
  | { readonly _tag: "Instructions"; readonly dockerfile: string }

/**
 * A build, ready to run: validated values only. The runtime tags the result as `reference`.
 * @since 0.1.0
 * @category images
 */
export interface BuildRequest {
  readonly reference: ImageReference.ImageReference
  readonly source: BuildRequestSource
  /** Sorted by key, each key once; a `Redacted` value is kept out of argv. */
  readonly buildArgs: ReadonlyArray<readonly [BuildArg.Key, string | Redacted.Redacted<string>]>
  readonly labels: Label.Labels
  /** `--target`: the stage to build. */
  readonly target: string | undefined
  /** `--platform`, e.g. `linux/arm64`. */
  readonly platform: string | undefined
  readonly noCache: boolean
  /** Always try to pull a newer base image. */
  readonly pull: boolean
  /** Kill the build (SIGTERM, then SIGKILL) when it runs longer than this. */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * `false`: keep no intermediate images (Podman `--layers=false`). Podman's layer cache ignores
   * `--label`, so the intermediate images of a build with per-session labels would be reused by
   * other sessions' builds, and outlive the image they were built for. Docker's builder keeps
   * `--label` off its intermediate images and needs nothing. Default `true`.
   */
  readonly intermediateLayers?: boolean | undefined
}

/**
 * One line of build output, without its line ending.
 * @since 0.1.0
 * @category images
 */
export interface BuildOutput {
  readonly stream: "stdout" | "stderr"
  readonly line: string
}

/**
 * One step of a pull's progress, as the runtime reports it: a layer's status (`Pulling fs layer`,
 * `Download complete`, `Pull complete`, `done`, `skipped: already exists`, …) or any other line
 * (`Digest: …`, `Trying to pull …`). Byte counts are there when the runtime gives them (the CLIs
 * print none when their output is not a terminal).
 *
 * @example
 * ```ts
 * import { Console, Effect, Stream } from "effect"
 * import { Image } from "ociman"
 *
 * const pulled = Image.pullStream("postgres:17").pipe(
 *   Stream.runForEach((event) => (event._tag === "Layer" ? Console.log(`${event.layer}: ${event.status}`) : Effect.void))
 * )
 * ```
 *
 * @since 0.1.0
 * @category images
 */
export type PullEvent =
  | {
      readonly _tag: "Layer"
      /** The layer's short id (12 hex digits). */
      readonly layer: string
      readonly status: string
      readonly current?: number | undefined
      readonly total?: number | undefined
    }
  | { readonly _tag: "Status"; readonly message: string }

/**
 * Credentials for a registry login; the password goes to the CLI on stdin, never in argv.
 * @since 0.1.0
 * @category images
 */
export interface LoginRequest {
  /** The registry's host (and port), e.g. `ghcr.io` or `127.0.0.1:5000`. */
  readonly registry: string
  readonly username: string
  readonly password: Redacted.Redacted<string>
}

/**
 * What `image inspect` says about an image, decoded. Docker and Podman agree on these fields;
 * anything else is in `raw`.
 * @since 0.1.0
 * @category images
 */
export interface ImageInspect {
  /** The image ID as `sha256:<hex>` on both runtimes (Podman prints it without the prefix). */
  readonly id: string
  readonly repoTags: ReadonlyArray<string>
  readonly repoDigests: ReadonlyArray<string>
  readonly created: string | undefined
  /** Bytes. */
  readonly size: number | undefined
  readonly architecture: string | undefined
  readonly os: string | undefined
  /** `Config.Labels`, sorted by key (Podman adds `io.buildah.version` to images it builds). */
  readonly labels: ReadonlyMap<string, string>
  readonly env: ReadonlyArray<string>
  readonly cmd: ReadonlyArray<string> | undefined
  readonly entrypoint: ReadonlyArray<string> | undefined
  readonly workingDir: string | undefined
  readonly user: string | undefined
  /** `Config.ExposedPorts` keys, e.g. `5432/tcp`. */
  readonly exposedPorts: ReadonlyArray<string>
  /** The whole inspect object. */
  readonly raw: unknown
}

/**
 * An image found by listing, with its labels.
 * @since 0.1.0
 * @category images
 */
export interface ListedImage {
  /** The image ID, as the runtime prints it (Docker with `sha256:`, Podman without). */
  readonly id: string
  /** Its `name:tag` references (`RepoTags`); empty for an untagged image. */
  readonly references: ReadonlyArray<string>
  readonly labels: ReadonlyMap<string, string>
}

/**
 * The image operations of a runtime (the `images` field of {@link Service}). Docker, Podman and
 * the in-memory runtime implement them. "Absent" is only ever reported when the runtime says so;
 * a runtime that fails (daemon down, storage error) is a `CliError`.
 *
 * @example
 * ```ts
 * import { Effect, Either } from "effect"
 * import { ContainerRuntime, ImageReference } from "ociman"
 *
 * const present = Effect.gen(function* () {
 *   const runtime = yield* ContainerRuntime.ContainerRuntime
 *   return yield* runtime.images.exists(Either.getOrThrow(ImageReference.parse("busybox:1")))
 * })
 * ```
 *
 * @since 0.1.0
 * @category images
 */
export interface ImageOperations {
  /** Whether the image is stored locally. */
  readonly exists: (reference: ImageReference.ImageReference) => Effect.Effect<boolean, CliError>
  /** Runs a build; the stream ends when the image is built and tagged, and fails if the build fails. */
  readonly build: (request: BuildRequest) => Stream.Stream<BuildOutput, BuildFailed | ProcessError>
  /** Adds `target` as another name of `source`. */
  readonly tag: (
    source: ImageReference.ImageReference,
    target: ImageReference.ImageReference
  ) => Effect.Effect<void, ImageNotFound | CliError>
  /** Removes a name (and the image once no name is left); `force` also removes images in use. */
  readonly remove: (
    reference: ImageReference.ImageReference,
    options?: { readonly force?: boolean | undefined }
  ) => Effect.Effect<void, ImageNotFound | ImageInUse | CliError>
  /** Pulls the image; the stream reports progress and ends when the image is stored. */
  readonly pull: (reference: ImageReference.ImageReference) => Stream.Stream<PullEvent, PullFailed | ProcessError>
  readonly push: (reference: ImageReference.ImageReference) => Effect.Effect<void, PushFailed | ProcessError>
  /** Stores credentials for a registry, as `docker login` / `podman login` do. */
  readonly login: (request: LoginRequest) => Effect.Effect<void, LoginFailed | ProcessError>
  /** Forgets the credentials for a registry (none stored is no error). */
  readonly logout: (registry: string) => Effect.Effect<void, CliError>
  readonly inspect: (
    reference: ImageReference.ImageReference
  ) => Effect.Effect<ImageInspect, ImageNotFound | CliError | UnexpectedOutput | Label.InvalidInspectLabels>
  /**
   * Every stored `name:tag` with this name (its tag and digest are ignored). The path must match
   * exactly; the registry must match when `name` has one, and is ignored when it has none (Podman
   * stores local images under `localhost/`). Sorted, without duplicates or untagged images.
   */
  readonly listByName: (
    name: ImageReference.ImageReference
  ) => Effect.Effect<ReadonlyArray<ImageReference.ImageReference>, CliError | UnexpectedOutput>
  /** The images whose labels match every filter, with their labels (for the sweeper); untagged ones too. */
  readonly listLabeled: (
    filters: ReadonlyArray<Label.Filter>
  ) => Effect.Effect<ReadonlyArray<ListedImage>, CliError | UnexpectedOutput>
}

// ---------------------------------------------------------------------------------------------
// Networks
// ---------------------------------------------------------------------------------------------

/**
 * A network found by listing, with its labels.
 * @since 0.1.0
 * @category networks
 */
export interface ListedNetwork {
  /** The full ID, as the runtime prints it. */
  readonly id: string
  readonly name: string
  readonly labels: ReadonlyMap<string, string>
}

/**
 * The network operations a runtime implements (Docker, Podman, the in-memory runtime). `network`
 * arguments are a name or an id.
 * @since 0.1.0
 * @category networks
 */
export interface NetworkOperations {
  /** Creates a network carrying exactly these labels; returns its id. */
  readonly create: (
    name: NetworkName,
    options: { readonly labels: Label.Labels; readonly internal?: boolean | undefined }
  ) => Effect.Effect<NetworkId, NetworkNameInUse | CliError | UnexpectedOutput>
  /** Removes a network; fails with `NetworkInUse` while containers are attached (never forces). */
  readonly remove: (network: string) => Effect.Effect<void, NetworkNotFound | NetworkInUse | CliError>
  /** Whether the network exists; "absent" is never confused with a failure. */
  readonly exists: (network: string) => Effect.Effect<boolean, CliError>
  /**
   * Connects a container (created, running or stopped) to a network, under these aliases
   * (`network connect --alias`).
   */
  readonly connect: (
    network: string,
    container: string,
    options: { readonly aliases: ReadonlyArray<string> }
  ) => Effect.Effect<void, NetworkNotFound | ContainerNotFound | CliError>
  /** Disconnects a container from a network (`network disconnect`). */
  readonly disconnect: (
    network: string,
    container: string
  ) => Effect.Effect<void, NetworkNotFound | ContainerNotFound | CliError>
  /** The subnets of the runtime's default network (Docker `bridge`, Podman `podman`). */
  readonly bridgeSubnets: () => Effect.Effect<ReadonlyArray<Cidr>, NetworkNotFound | InvalidNetworkInspect | CliError>
  /** The networks whose labels match every filter, with their labels (for the sweeper). */
  readonly listLabeled: (
    filters: ReadonlyArray<Label.Filter>
  ) => Effect.Effect<ReadonlyArray<ListedNetwork>, CliError | UnexpectedOutput>
  /**
   * How a container reaches this host on this runtime: the host-gateway name, and the address to
   * give it with `--add-host` (`undefined` where the runtime always provides the name).
   */
  readonly hostGateway: { readonly name: string; readonly addHostAddress: string | undefined }
}

// ---------------------------------------------------------------------------------------------
// Volumes
// ---------------------------------------------------------------------------------------------

/**
 * A volume found by listing, with its labels (a volume's name is its id).
 * @since 0.1.0
 * @category volumes
 */
export interface ListedVolume {
  readonly name: string
  readonly labels: ReadonlyMap<string, string>
}

/**
 * The volume operations a runtime implements (Docker, Podman, the in-memory runtime).
 * @since 0.1.0
 * @category volumes
 */
export interface VolumeOperations {
  /**
   * Creates a named volume carrying exactly these labels. A name that exists already is
   * `VolumeNameInUse` on every runtime (Docker's own `volume create` would say yes to it).
   */
  readonly create: (
    name: VolumeName,
    options: { readonly labels: Label.Labels }
  ) => Effect.Effect<void, VolumeNameInUse | CliError>
  /** Removes a volume; fails with `VolumeInUse` while a container (running or not) mounts it (never forces). */
  readonly remove: (volume: string) => Effect.Effect<void, VolumeNotFound | VolumeInUse | CliError>
  /** Whether the volume exists; "absent" is never confused with a failure. */
  readonly exists: (volume: string) => Effect.Effect<boolean, CliError>
  /** The volumes whose labels match every filter, with their labels (for the sweeper). */
  readonly listLabeled: (
    filters: ReadonlyArray<Label.Filter>
  ) => Effect.Effect<ReadonlyArray<ListedVolume>, CliError | UnexpectedOutput>
}

// ---------------------------------------------------------------------------------------------
// Deadlines
// ---------------------------------------------------------------------------------------------

export type { Deadlines } from "./internal/deadline.js"

/**
 * The deadline of each kind of operation when neither the layer nor the call gives one: queries
 * 30 s, a container's start 60 s, an exec 10 min, a removal 30 s, a wait for exit 1 h, a commit
 * 5 min, a build 30 min, a pull or push 10 min, registry logins, networks and volumes 30 s, a sweep 2 min.
 *
 * @example
 * ```ts
 * import { NodeContext } from "@effect/platform-node"
 * import { Layer } from "effect"
 * import { ContainerRuntime } from "ociman"
 *
 * // a CI machine with a slow disk: longer starts, shorter queries
 * const Docker = ContainerRuntime.layer({
 *   backend: "docker",
 *   deadlines: { start: "2 minutes", query: "10 seconds" }
 * }).pipe(Layer.provide(NodeContext.layer))
 * console.log(ContainerRuntime.defaultDeadlines.start) // "60 seconds"
 * ```
 * @since 0.1.0
 * @category models
 */
export const defaultDeadlines: Deadlines = deadline.defaultDeadlines

// ---------------------------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------------------------

/**
 * The operations every runtime offers.
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly backend: Backend
  /** What this runtime can really do (see {@link Capabilities}). */
  readonly capabilities: Capabilities
  /**
   * Runs the runtime's CLI with these arguments: the escape hatch for what the typed API does
   * not cover yet (ociman's `Backend::command`). A non-zero exit is a result, not a failure.
   */
  readonly cli: (args: ReadonlyArray<string>, options?: CliOptions) => Effect.Effect<CliResult, ProcessError>
  /** Container operations (run, exec, inspect, stop, remove, …). */
  readonly containers: ContainerOperations
  /** Image operations (exists, build, pull, push, tag, remove, inspect, list by name). */
  readonly images: ImageOperations
  /** Network operations (create, remove, exists, the default bridge's subnets). */
  readonly networks: NetworkOperations
  /** Volume operations (create, remove, exists, list by label). */
  readonly volumes: VolumeOperations
  /**
   * Deadlines this runtime's operations get when a call gives none (`LayerOptions.deadlines`);
   * what is missing here falls back to {@link defaultDeadlines}.
   */
  readonly deadlines?: Partial<Deadlines> | undefined
}

/**
 * The service tag. Defined in `internal/runtimeTag.ts`, which the modules that only read the
 * service import, so that none of them loads the wings these layers are made of.
 * @since 0.1.0
 * @category tags
 */
export { ContainerRuntime }

// ---------------------------------------------------------------------------------------------
// Layers
// ---------------------------------------------------------------------------------------------

/**
 * Which runtime a layer uses: `auto` reads `OCIMAN_BACKEND`, then the config file, then
 * autodetects (Docker first, Podman second).
 * @since 0.1.0
 * @category models
 */
export type Selection = "auto" | Kind

/**
 * Options of {@link layer}.
 * @since 0.1.0
 * @category models
 */
export interface LayerOptions {
  readonly backend?: Selection | undefined
  /**
   * Executables to run instead of `docker` / `podman` found on PATH. Under the `auto` transport, a
   * runtime given its own executable (a wrapper, another storage) runs on the CLI: the engine's
   * socket may serve another engine than that executable does. `transport: "api"` still uses the API.
   */
  readonly executables?: Partial<Record<Kind, string>> | undefined
  /**
   * How container operations reach the engine (see {@link TransportSelection}): default
   * `OCIMAN_TRANSPORT`, else `auto` (the API when the socket answers). Over the API, detached runs, execs without stdin or TTY,
   * inspect, exists, list, logs, wait, stop and remove are requests on a kept-alive connection to
   * the engine's socket (`DOCKER_HOST` or the Docker context when `unix://` or plain `tcp://`, else
   * `/var/run/docker.sock`; Podman's `podman system service` socket, `/run/podman/podman.sock` or
   * `$XDG_RUNTIME_DIR/podman/podman.sock`); foreground runs, execs with stdin or a TTY, commit,
   * images, networks and `ssh://` engines stay on the CLI.
   */
  readonly transport?: TransportSelection | undefined
  /**
   * Sweep leaked resources once per process when the layer is built (see `Sweeper`): in the
   * background, never failing the layer. Default `true`; `OCIMAN_SWEEP=0` also turns it off.
   */
  readonly sweep?: boolean | undefined
  /**
   * Deadlines of this runtime's operations, replacing the defaults ({@link defaultDeadlines}) kind
   * by kind; a call's own `timeout` still wins. Past its deadline an operation fails with
   * `OperationTimedOut` and whatever it started is interrupted.
   */
  readonly deadlines?: Partial<Deadlines> | undefined
}

/**
 * The platform services a real runtime needs: processes and files (`NodeContext.layer` provides them).
 * @since 0.1.0
 * @category models
 */
export type Platform = CommandExecutor.CommandExecutor | FileSystem.FileSystem | Path.Path

/**
 * Builds the service for an already probed backend (Docker or Podman, through its CLI).
 *
 * @example
 * ```ts
 * import { NodeContext } from "@effect/platform-node"
 * import { Effect } from "effect"
 * import { ContainerRuntime } from "ociman"
 *
 * const service = ContainerRuntime.resolve({ backend: "docker" }).pipe(
 *   Effect.flatMap(ContainerRuntime.make),
 *   Effect.provide(NodeContext.layer)
 * )
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const make: (backend: Backend) => Effect.Effect<Service, never, Platform> = cliRuntime.make

/**
 * Probes the chosen runtime now (every call probes) and returns its description.
 *
 * @example
 * ```ts
 * import { NodeContext } from "@effect/platform-node"
 * import { Effect } from "effect"
 * import { ContainerRuntime } from "ociman"
 *
 * const backend = ContainerRuntime.resolve({ backend: "podman" }).pipe(Effect.provide(NodeContext.layer))
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const resolve: (options?: LayerOptions) => Effect.Effect<Backend, ResolveError, Platform> = cliRuntime.resolve

/**
 * The CLI's version: the backend's own when its probe asked the CLI, else `<executable> --version`
 * (asked once per process and executable; it never waits for the engine).
 *
 * @example
 * ```ts
 * import { NodeContext } from "@effect/platform-node"
 * import { Effect } from "effect"
 * import { ContainerRuntime } from "ociman"
 *
 * const version = ContainerRuntime.resolve({ backend: "docker" }).pipe(
 *   Effect.flatMap(ContainerRuntime.clientVersion),
 *   Effect.map((version) => version.raw),
 *   Effect.provide(NodeContext.layer)
 * )
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const clientVersion: (
  backend: Pick<Backend, "kind" | "executable" | "clientVersion">
) => Effect.Effect<Version, RuntimeUnavailable> = cliRuntime.clientVersion

/**
 * A layer that resolves a runtime when built: the runtime is probed once per process, however
 * many layers are built (a later layer reuses what the last successful probe found; a failed
 * probe is forgotten). Building it also starts this process's
 * automatic sweep of that runtime (once per process, in the background; see `Sweeper`), unless
 * `sweep: false` or `OCIMAN_SWEEP=0`.
 *
 * @example
 * ```ts
 * import { NodeContext } from "@effect/platform-node"
 * import { Layer } from "effect"
 * import { ContainerRuntime } from "ociman"
 *
 * const Podman = ContainerRuntime.layer({ backend: "podman" }).pipe(Layer.provide(NodeContext.layer))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: LayerOptions = {}): Layer.Layer<ContainerRuntime, ResolveError, Platform> =>
  Layer.effect(
    ContainerRuntime,
    cliRuntime
      .build(options, (service) => automaticSweep(withDeadlines(service, options), options.sweep))
      .pipe(Effect.map((service) => withDeadlines(service, options)))
  )

const withDeadlines = (service: Service, options: Pick<LayerOptions, "deadlines">): Service =>
  options.deadlines === undefined ? service : { ...service, deadlines: { ...service.deadlines, ...options.deadlines } }

/**
 * Docker, required (no fallback).
 * @since 0.1.0
 * @category layers
 */
export const layerDocker: Layer.Layer<ContainerRuntime, ResolveError, Platform> = layer({ backend: "docker" })

/**
 * Podman, required (no fallback).
 * @since 0.1.0
 * @category layers
 */
export const layerPodman: Layer.Layer<ContainerRuntime, ResolveError, Platform> = layer({ backend: "podman" })

/**
 * The runtime the environment selects: `OCIMAN_BACKEND`, then the config file, then Docker, then Podman.
 * @since 0.1.0
 * @category layers
 */
export const layerFromEnv: Layer.Layer<ContainerRuntime, ResolveError, Platform> = layer({ backend: "auto" })

// ---------------------------------------------------------------------------------------------
// A resolution handed to another process
// ---------------------------------------------------------------------------------------------

const VersionFromFields = Schema.transform(
  Schema.Struct({
    major: Schema.Number,
    minor: Schema.Number,
    patch: Schema.Number,
    suffix: Schema.String,
    raw: Schema.String
  }),
  Schema.instanceOf(Version),
  {
    strict: true,
    decode: (fields) => new Version(fields),
    encode: (version) => ({
      major: version.major,
      minor: version.minor,
      patch: version.patch,
      suffix: version.suffix,
      raw: version.raw
    })
  }
)

/**
 * A resolved {@link Backend} as plain data (JSON, structured clone): resolve once, encode, hand it
 * to another process (a vitest worker through `provide` / `inject`), decode there and build the
 * service with {@link layerResolved}, without probing again.
 *
 * @example
 * ```ts
 * import { NodeContext } from "@effect/platform-node"
 * import { Effect, Schema } from "effect"
 * import { ContainerRuntime } from "ociman"
 *
 * const handedOver = ContainerRuntime.resolve({ backend: "docker" }).pipe(
 *   Effect.map(Schema.encodeSync(ContainerRuntime.BackendSchema)),
 *   Effect.map((plain) => JSON.stringify(plain)),
 *   Effect.provide(NodeContext.layer)
 * )
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const BackendSchema = Schema.Struct({
  kind: Schema.Literal("docker", "podman"),
  executable: Schema.String,
  clientVersion: Schema.UndefinedOr(VersionFromFields),
  engineVersion: VersionFromFields,
  rootless: Schema.Boolean,
  source: Schema.Literal("argument", "environment", "config-file", "default"),
  endpoint: Schema.Struct({
    url: Schema.UndefinedOr(Schema.String),
    source: Schema.Literal("environment", "context", "connection", "default"),
    name: Schema.UndefinedOr(Schema.String),
    remote: Schema.Boolean,
    host: Schema.UndefinedOr(Schema.String)
  }),
  transport: Schema.Literal("api", "cli")
})

/**
 * A layer for an already resolved backend (from {@link resolve}, or decoded with
 * {@link BackendSchema}): no probe. Building it starts the automatic sweep like {@link layer}.
 *
 * @example
 * ```ts
 * import { NodeContext } from "@effect/platform-node"
 * import { Effect, Layer } from "effect"
 * import { ContainerRuntime } from "ociman"
 *
 * const Docker = Layer.unwrapEffect(
 *   Effect.map(ContainerRuntime.resolve({ backend: "docker" }), (backend) => ContainerRuntime.layerResolved(backend))
 * ).pipe(Layer.provide(NodeContext.layer))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layerResolved = (
  backend: Backend,
  options: Pick<LayerOptions, "sweep" | "deadlines"> = {}
): Layer.Layer<ContainerRuntime, never, Platform> =>
  Layer.effect(
    ContainerRuntime,
    Effect.map(cliRuntime.make(backend), (service) => withDeadlines(service, options)).pipe(
      Effect.tap((service) => automaticSweep(service, options.sweep))
    )
  )
