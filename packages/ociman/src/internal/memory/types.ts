/**
 * The types the in-memory runtime shares with its public face (`TestRuntime`, which re-exports
 * them): handlers and what they are asked, the options of a runtime, the recorded calls. Defined
 * here so that the wing does not import `TestRuntime.ts`.
 */
import type { Effect } from "effect"
import type { LogLine, Service } from "../../ContainerRuntime.js"
import type * as ImageReference from "../../ImageReference.js"
import type { Version } from "../../Version.js"
import type { Kind } from "../kind.js"

/**
 * What a handler is asked: which command runs, where, and with what.
 * @since 0.1.0
 * @category models
 */
export interface HandlerContext {
  /** `run`: a container's main process; `exec`: a command in a running container; `build`: a `RUN` step. */
  readonly operation: "run" | "exec" | "build"
  /** The dialect the runtime simulates. */
  readonly kind: Kind
  /** The image, as the run was given it (for a build: the stage's `FROM`, or `scratch`). */
  readonly image: string
  /**
   * The command as the runtime would run it: entrypoint then arguments (the image's `CMD` when the
   * run gives none); the exec's command; a shell-form `RUN` as `["/bin/sh", "-c", text]`.
   */
  readonly command: ReadonlyArray<string>
  /** The container (`undefined` for a build step). */
  readonly container: { readonly id: string; readonly name: string } | undefined
  /** The environment the command sees: the image's, the run's, the exec's (values revealed). */
  readonly env: ReadonlyMap<string, string>
  readonly user: string | undefined
  readonly workdir: string | undefined
  /** The bytes sent to the command's stdin, if any. */
  readonly stdin: Uint8Array | undefined
  /** `stdin` as text (empty when there is none). */
  readonly stdinText: string
  /** A detached run (`Container.start`): an answer without `exitCode` keeps the container running. */
  readonly detached: boolean
  /** The command has a TTY (`exec` with `tty`, a run of a definition `withTty`); `false` for a build step. */
  readonly tty?: boolean | undefined
}

/**
 * How the command behaves. Output is either `stdout` / `stderr` (text or bytes), or `output`: lines
 * in the order they were written, when the interleaving matters (a container's logs).
 * @since 0.1.0
 * @category models
 */
export type Result = ResultCommon &
  (
    | {
        readonly stdout?: string | Uint8Array | undefined
        readonly stderr?: string | Uint8Array | undefined
        readonly output?: undefined
      }
    | { readonly output: ReadonlyArray<LogLine>; readonly stdout?: undefined; readonly stderr?: undefined }
  )

/**
 * The exit codes of a {@link Result}.
 * @since 0.1.0
 * @category models
 */
export interface ResultCommon {
  /**
   * The exit code. For a foreground run, an exec or a build step, `undefined` means 0. For the main
   * process of a detached container, `undefined` means it keeps running until stopped; a number
   * means it exits with that code right after writing its output.
   */
  readonly exitCode?: number | undefined
  /** The exit code when the container is stopped (default 0: a process that exits on SIGTERM). */
  readonly stopExitCode?: number | undefined
  /**
   * For the main process of a detached container: the HTTP status its published ports answer
   * `Wait.http` with (default 200). Nothing listens on the host: the in-memory runtime answers.
   */
  readonly httpStatus?: number | undefined
  /**
   * For the main process of a detached container: what it does on a signal sent by
   * `Container.kill`, by signal name (`SIGUSR1` or `USR1`): it writes the answer's output to its
   * logs, and exits with its `exitCode` if it has one (else it keeps running; `{}` ignores the
   * signal). A signal not listed takes its default action: the container exits with 128 + the
   * signal's number (`SIGTERM` 143), as a process that is not PID 1 would (a real PID 1 ignores
   * what it has no handler for: list those as `{}`). `SIGKILL` cannot be handled: always 137.
   */
  readonly signals?: Readonly<Record<string, SignalAnswer>> | undefined
}

/**
 * What a container's main process does on one signal (see {@link ResultCommon.signals}).
 * @since 0.1.0
 * @category models
 */
export interface SignalAnswer {
  readonly stdout?: string | undefined
  readonly stderr?: string | undefined
  /** Exit with this code; `undefined`: keep running. */
  readonly exitCode?: number | undefined
}

/**
 * An answer to commands: which image and command it matches, and how the command behaves.
 * @since 0.1.0
 * @category models
 */
export interface Handler {
  readonly _tag: "Handler"
  /** `"*"` for any image; otherwise compared as references (`busybox` is `docker.io/library/busybox:latest`). */
  readonly image: string
  /** `"*"`, an exact argv, or a predicate. */
  readonly command: "*" | ReadonlyArray<string> | ((command: ReadonlyArray<string>) => boolean)
  readonly respond: (context: HandlerContext) => Effect.Effect<Result>
}

/**
 * An image present in the runtime (or in its registry) from the start, with its configuration.
 * @since 0.1.0
 * @category models
 */
export interface ImageSeed {
  readonly reference: string | ImageReference.ImageReference
  readonly labels?: Readonly<Record<string, string>> | undefined
  /** `CMD` (e.g. `["sh"]` for busybox). */
  readonly cmd?: ReadonlyArray<string> | undefined
  readonly entrypoint?: ReadonlyArray<string> | undefined
  readonly env?: Readonly<Record<string, string>> | undefined
  readonly workdir?: string | undefined
  readonly user?: string | undefined
  /** `EXPOSE`d ports, e.g. `5432/tcp`. */
  readonly exposedPorts?: ReadonlyArray<string> | undefined
}

/**
 * Options of `TestRuntime.layer` and `TestRuntime.make`.
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The dialect to simulate (`backend.kind`). Default `docker`. */
  readonly kind?: Kind | undefined
  /** Client and engine version (see `TestRuntime.version`). Default Docker 20.10.24, Podman 4.3.1. */
  readonly version?: Version | undefined
  readonly rootless?: boolean | undefined
  /** Images stored locally from the start. */
  readonly images?: ReadonlyArray<string | ImageSeed> | undefined
  /** Images the simulated registry has (pulls of anything else fail with `PullFailed`, `NotFound`). */
  readonly registry?: ReadonlyArray<string | ImageSeed> | undefined
  /** How commands behave; the first match answers (see `TestRuntime.handler`). */
  readonly handlers?: ReadonlyArray<Handler> | undefined
}

/**
 * Which operation of the service was called.
 * @since 0.1.0
 * @category models
 */
export type Operation =
  | "cli"
  | "containers.run"
  | "containers.exec"
  | "containers.stop"
  | "containers.remove"
  | "containers.inspect"
  | "containers.exists"
  | "containers.list"
  | "containers.listLabeled"
  | "containers.logs"
  | "containers.streamLogs"
  | "containers.wait"
  | "containers.commit"
  | "containers.restart"
  | "containers.pause"
  | "containers.unpause"
  | "containers.kill"
  | "containers.putArchive"
  | "containers.getArchive"
  | "containers.top"
  | "containers.stats"
  | "images.exists"
  | "images.build"
  | "images.tag"
  | "images.remove"
  | "images.pull"
  | "images.login"
  | "images.logout"
  | "images.push"
  | "images.inspect"
  | "images.listByName"
  | "images.listLabeled"
  | "networks.create"
  | "networks.remove"
  | "networks.exists"
  | "networks.connect"
  | "networks.disconnect"
  | "networks.bridgeSubnets"
  | "networks.listLabeled"
  | "volumes.create"
  | "volumes.remove"
  | "volumes.exists"
  | "volumes.listLabeled"

/**
 * One recorded call: the operation, and the argv the real CLI would have been given (the
 * executable first; environment variables by name only, never their values).
 * @since 0.1.0
 * @category models
 */
export interface Call {
  readonly operation: Operation
  readonly argv: ReadonlyArray<string>
}

/**
 * The calls a runtime recorded.
 * @since 0.1.0
 * @category models
 */
export interface RecorderService {
  /** Every call so far, oldest first. */
  readonly calls: Effect.Effect<ReadonlyArray<Call>>
  /** Forgets the calls so far. */
  readonly clear: Effect.Effect<void>
}

/**
 * One in-memory runtime: the service and its recorder.
 * @since 0.1.0
 * @category models
 */
export interface Instance {
  readonly runtime: Service
  readonly recorder: RecorderService
}
