/**
 * Typed failures of container operations. Each says what was asked and what the runtime said.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Container, ContainerDefinition as Def } from "ociman"
 *
 * const run = Container.run(Def.make("busybox").pipe(Def.name("db"))).pipe(
 *   Effect.catchTag("NameInUse", (e) => Effect.logWarning(`${e.name} is taken`))
 * )
 * ```
 *
 * @since 0.1.0
 */
import { Data } from "effect"

const tail = (text: string, max = 2_000): string => {
  const trimmed = text.trim()
  return trimmed.length <= max ? trimmed : `…${trimmed.slice(-max)}`
}

/**
 * A container with this name already exists.
 * @since 0.1.0
 * @category errors
 */
export class NameInUse extends Data.TaggedError("NameInUse")<{ readonly name: string; readonly stderr: string }> {
  override get message(): string {
    return `container name ${this.name} is already in use (remove the old container or pick another name)`
  }
}

/**
 * The image is not present locally and the pull policy (or the lack of a registry) did not fetch it.
 * @since 0.1.0
 * @category errors
 */
export class ImageNotFound extends Data.TaggedError("ImageNotFound")<{
  readonly image: string
  readonly stderr: string
}> {
  override get message(): string {
    return `image ${this.image} not found: ${tail(this.stderr)}`
  }
}

/**
 * The runtime refused to create or start the container (bad flag, missing network, …).
 * @since 0.1.0
 * @category errors
 */
export class ContainerStartFailed extends Data.TaggedError("ContainerStartFailed")<{
  readonly argv: ReadonlyArray<string>
  readonly exitCode: number | undefined
  readonly stderr: string
}> {
  override get message(): string {
    return `${this.argv.slice(0, 3).join(" ")} … failed (exit ${this.exitCode ?? "signal"}): ${tail(this.stderr)}`
  }
}

/**
 * A foreground container (or an exec) exited with a non-zero code.
 * @since 0.1.0
 * @category errors
 */
export class ContainerExitedNonZero extends Data.TaggedError("ContainerExitedNonZero")<{
  readonly argv: ReadonlyArray<string>
  readonly exitCode: number | undefined
  readonly stdout: string
  readonly stderr: string
}> {
  override get message(): string {
    const stderr = tail(this.stderr)
    return `${this.argv.join(" ")} exited with ${this.exitCode ?? "a signal"}${stderr === "" ? "" : `: ${stderr}`}`
  }
}

/**
 * No container with this id or name exists (anymore).
 * @since 0.1.0
 * @category errors
 */
export class ContainerNotFound extends Data.TaggedError("ContainerNotFound")<{ readonly container: string }> {
  override get message(): string {
    return `no such container: ${this.container}`
  }
}

/**
 * The container port is not published (or not yet bound), or published only where this host
 * cannot reach it: on the loopback of an engine on another machine (`remoteLoopback` holds those
 * bindings, `host:port` as the engine reports them).
 * @since 0.1.0
 * @category errors
 */
export class PortNotPublished extends Data.TaggedError("PortNotPublished")<{
  readonly container: string
  readonly port: string
  readonly remoteLoopback?: ReadonlyArray<string> | undefined
}> {
  override get message(): string {
    return this.remoteLoopback === undefined || this.remoteLoopback.length === 0
      ? `container port ${this.port} of ${this.container} is not published (add it with ContainerDefinition.publish)`
      : `container port ${this.port} of ${this.container} is published only on the remote engine's loopback (${this.remoteLoopback.join(", ")}), which this host cannot reach: publish it without a host IP, or on an address of the engine's machine`
  }
}

/**
 * A bind mount of a path on this machine, asked of an engine that may run on another machine (a
 * `tcp://` or `ssh://` endpoint): that engine would mount its own path of that name, silently.
 * Say `onEngineHost: true` in `Mount.bind` when the path is meant on the engine's machine.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Mount } from "ociman"
 *
 * // The data directory exists on the build server the engine runs on.
 * const data = Either.getOrThrow(Mount.bind({ source: "/srv/data", target: "/data", onEngineHost: true }))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class BindMountOnRemoteEngine extends Data.TaggedError("BindMountOnRemoteEngine")<{
  readonly source: string
  readonly target: string
  /** The engine's address. */
  readonly endpoint: string
}> {
  override get message(): string {
    return `cannot bind-mount ${this.source} (to ${this.target}): the engine at ${this.endpoint} may be on another machine, where that path is not this one's; copy the files in instead, or pass onEngineHost: true to Mount.bind if the path is on the engine's machine`
  }
}

// ---------------------------------------------------------------------------------------------
// Lifecycle: restart, pause, unpause, kill (refusals of a container in the wrong state)
// ---------------------------------------------------------------------------------------------

/**
 * The container is paused, and the operation needs it running: an exec, a second pause, or (on
 * Podman) a restart. `stderr` is what the engine said.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Container } from "ociman"
 *
 * const ping = (c: Container.Container) =>
 *   c.exec(["true"]).pipe(Effect.catchTag("ContainerPaused", () => Effect.zipRight(c.unpause(), c.exec(["true"]))))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ContainerPaused extends Data.TaggedError("ContainerPaused")<{
  readonly container: string
  /** What was asked: `exec`, `pause`, `restart`. */
  readonly operation: string
  readonly stderr: string
}> {
  override get message(): string {
    return `cannot ${this.operation} container ${this.container}: it is paused (unpause it first): ${tail(this.stderr)}`
  }
}

/**
 * The container is not running (it exited, or was never started), and the operation needs it
 * running: a pause or a kill. `stderr` is what the engine said.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Container } from "ociman"
 *
 * // a kill of a container that already exited is no failure here
 * const killed = (c: Container.Container) => c.kill().pipe(Effect.catchTag("ContainerNotRunning", () => Effect.void))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ContainerNotRunning extends Data.TaggedError("ContainerNotRunning")<{
  readonly container: string
  /** What was asked: `pause`, `kill`. */
  readonly operation: string
  readonly stderr: string
}> {
  override get message(): string {
    return `cannot ${this.operation} container ${this.container}: it is not running (restart it first): ${tail(this.stderr)}`
  }
}

/**
 * An unpause of a container that is not paused (running, or stopped). `stderr` is what the engine said.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Container } from "ociman"
 *
 * const thawed = (c: Container.Container) => c.unpause().pipe(Effect.catchTag("ContainerNotPaused", () => Effect.void))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ContainerNotPaused extends Data.TaggedError("ContainerNotPaused")<{
  readonly container: string
  readonly stderr: string
}> {
  override get message(): string {
    return `cannot unpause container ${this.container}: it is not paused: ${tail(this.stderr)}`
  }
}

/**
 * The engine cannot freeze this container: pausing needs the cgroup freezer, which rootless Podman
 * on cgroup v1 does not have (`can not pause containers on rootless containers with cgroup V1`).
 * Stop the container instead, or run the engine rootful or on cgroup v2.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Container } from "ociman"
 *
 * const frozenOrStopped = (c: Container.Container) =>
 *   c.pause().pipe(Effect.catchTag("PauseUnsupported", () => c.stop()))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class PauseUnsupported extends Data.TaggedError("PauseUnsupported")<{
  readonly container: string
  readonly stderr: string
}> {
  override get message(): string {
    return `cannot pause container ${this.container}: the engine cannot freeze it (rootless on cgroup v1 has no freezer; stop it instead): ${tail(this.stderr)}`
  }
}

/**
 * A signal name `Container.kill` does not know, refused before anything is sent. Valid: a Linux
 * signal's name with or without `SIG`, in any case (`SIGUSR1`, `USR1`, `usr1`), or its number from
 * 1 to 64 (`10`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Container } from "ociman"
 *
 * const hup = (c: Container.Container, signal: string) =>
 *   c.kill(signal).pipe(Effect.catchTag("InvalidSignal", (e) => Effect.logWarning(e.message)))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidSignal extends Data.TaggedError("InvalidSignal")<{ readonly input: string }> {
  override get message(): string {
    return `invalid signal ${JSON.stringify(this.input)}: give a Linux signal name (SIGTERM, TERM, term) or a number from 1 to 64`
  }
}

/**
 * A path asked of a container's file system is not there: the file or directory read or copied
 * out, or the directory a write or a copy goes into (it must exist, and be a directory).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Container } from "ociman"
 *
 * const config = (c: Container.Container) =>
 *   c.readFileString("/etc/app.conf").pipe(Effect.catchTag("PathNotFound", () => Effect.succeed("")))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class PathNotFound extends Data.TaggedError("PathNotFound")<{
  readonly container: string
  readonly path: string
  /** What the runtime said. */
  readonly detail: string
}> {
  override get message(): string {
    return `${this.path} not found in container ${this.container} (a write needs its directory to exist: create it first, e.g. exec mkdir -p): ${tail(this.detail)}`
  }
}

/**
 * `readFile` of a path that is a directory or a symbolic link, not a regular file.
 * @since 0.1.0
 * @category errors
 */
export class NotARegularFile extends Data.TaggedError("NotARegularFile")<{
  readonly container: string
  readonly path: string
  /** What is there instead. */
  readonly found: "directory" | "symlink" | "other"
}> {
  override get message(): string {
    return `${this.path} in container ${this.container} is a ${this.found}, not a regular file (use copyFrom for a directory)`
  }
}

/**
 * The archive a runtime sent for a copy out of a container is not a tar archive ociman can read.
 * @since 0.1.0
 * @category errors
 */
export class InvalidArchive extends Data.TaggedError("InvalidArchive")<{
  readonly container: string
  readonly path: string
  readonly reason: string
}> {
  override get message(): string {
    return `the runtime sent an unreadable archive of ${this.path} in container ${this.container}: ${this.reason}`
  }
}

/**
 * A path on this machine given to `copyTo` (its source) or `copyFrom` (its destination's parent
 * directory) does not exist. Checked before the runtime is asked anything.
 * @since 0.1.0
 * @category errors
 */
export class HostPathNotFound extends Data.TaggedError("HostPathNotFound")<{ readonly path: string }> {
  override get message(): string {
    return `${this.path} does not exist on this machine`
  }
}

/**
 * Reading or writing a file on this machine failed during a copy (permissions, a full disk, an
 * existing file of another type in the way, a device file or socket in a copied directory).
 * @since 0.1.0
 * @category errors
 */
export class HostFileFailed extends Data.TaggedError("HostFileFailed")<{
  readonly path: string
  readonly operation: string
  readonly detail: string
}> {
  override get message(): string {
    return `${this.operation} ${this.path} failed: ${this.detail}`
  }
}

/**
 * A TTY with stdin (`exec` with `tty` and `stdin` or `interactive`; `run` of a definition with
 * `withTty` and `withInteractive`) on Docker whose Engine API cannot be reached, refused before
 * anything runs. The Docker CLI gives `--tty --interactive` only a terminal as its own stdin ("the
 * input device is not a TTY"), and the library feeds it a pipe, so these calls go over the engine's
 * socket instead (on the `cli` transport too), on a connection the engine takes over. Refused
 * when there is no such socket (an `ssh://` host, TLS with client certificates), when it does not
 * answer `/_ping` within a second, or when the run's definition has a field only the CLI can
 * express (raw flags, a raw mount, a security option the CLI rewrites). Drop `tty` (stdin works
 * without one), or use Podman, whose CLI takes it from a pipe. Over a TTY, on either engine, the
 * end of stdin is not an end of file: a command reading to the end needs the bytes to end with
 * `"\x04"` (the terminal's end of file).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Container } from "ociman"
 *
 * const feed = (c: Container.Container) =>
 *   c.exec(["cat"], { tty: true, stdin: "hi\n\x04" }).pipe(
 *     Effect.catchTag("TtyInputUnsupported", () => c.exec(["cat"], { stdin: "hi\n" }))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class TtyInputUnsupported extends Data.TaggedError("TtyInputUnsupported")<{
  /** The runtime that cannot do it (`docker`). */
  readonly kind: string
  readonly operation: "exec" | "run"
}> {
  override get message(): string {
    return `${this.kind} ${this.operation} cannot send stdin to a TTY here: the ${this.kind} CLI needs a terminal as its own stdin for --tty --interactive, and the engine's API socket (which ociman uses instead) cannot be reached; drop \`tty\` (stdin works without one) or use Podman`
  }
}

/**
 * The engine cannot sample this container's resources: rootless Podman on a cgroup v1 host has
 * no per-container cgroup to read (`stats is not supported in rootless mode without cgroups v2`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { Container } from "ociman"
 *
 * const memoryOf = (c: Container.Container) =>
 *   c.stats.pipe(
 *     Effect.map((s) => s.memoryUsage),
 *     Effect.catchTag("StatsUnsupported", () => Effect.succeed(undefined))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class StatsUnsupported extends Data.TaggedError("StatsUnsupported")<{
  readonly container: string
  readonly stderr: string
}> {
  override get message(): string {
    return `cannot sample the resources of container ${this.container}: the engine has no cgroup to read (rootless Podman needs cgroup v2 for stats): ${tail(this.stderr)}`
  }
}

/**
 * A port of this machine that a definition exposes to its container (`ContainerDefinition.exposeHostPorts`)
 * cannot be forwarded: the host's address as containers see it could not be found (read from a
 * throwaway container of the definition's image, which needs `cat`), or this process cannot
 * listen on it.
 *
 * @example
 * ```ts
 * import { ContainerError } from "ociman"
 *
 * const error = new ContainerError.HostPortUnavailable({ port: 8080, address: "172.17.0.1", detail: "EACCES: permission denied" })
 * error.message // "cannot expose host port 8080 to containers at 172.17.0.1: EACCES: permission denied"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class HostPortUnavailable extends Data.TaggedError("HostPortUnavailable")<{
  readonly port: number
  /** Where the forwarder would listen (`undefined`: the address was not found). */
  readonly address: string | undefined
  readonly detail: string
}> {
  override get message(): string {
    return `cannot expose host port ${this.port} to containers${this.address === undefined ? "" : ` at ${this.address}`}: ${this.detail}`
  }
}
