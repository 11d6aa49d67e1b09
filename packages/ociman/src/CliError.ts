/**
 * Typed failures of a call to the `docker` or `podman` CLI. Every operation that talks to a
 * runtime can fail with one of these; each carries the argv (secrets redacted) so a user can
 * re-run the exact command by hand.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Container } from "ociman"
 *
 * const stopped = Effect.flatMap(Container.handle("my-db"), (db) => db.stop()).pipe(
 *   Effect.catchTag("CommandFailed", (e) => Effect.logError(`exit ${e.exitCode}: ${e.stderr}`)),
 *   Effect.catchTag("ExecutableNotFound", (e) => Effect.logError(e.message))
 * )
 * ```
 *
 * @since 0.1.0
 */
import { Data } from "effect"

/** How much of a long stderr/stdout an error message quotes (the field keeps it all). */
const MESSAGE_EXCERPT = 2_000

const excerpt = (text: string): string => {
  const trimmed = text.trim()
  return trimmed.length <= MESSAGE_EXCERPT ? trimmed : `…${trimmed.slice(-MESSAGE_EXCERPT)}`
}

/**
 * Renders an argv as a copy-pasteable shell line (for messages only: nothing is ever run through a shell).
 * @since 0.1.0
 * @category utils
 */
export const formatArgv = (argv: ReadonlyArray<string>): string =>
  argv.map((arg) => (/^[\w@%+=:,./{}-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`)).join(" ")

/**
 * The executable (`docker` or `podman`) is not installed, or not on `PATH`.
 * @since 0.1.0
 * @category errors
 */
export class ExecutableNotFound extends Data.TaggedError("ExecutableNotFound")<{
  readonly executable: string
  readonly argv: ReadonlyArray<string>
}> {
  override get message(): string {
    return `${this.executable} is not installed or not on PATH (tried: ${formatArgv(this.argv)})`
  }
}

/**
 * The process could not be started for another reason (permissions, bad working directory, …).
 * @since 0.1.0
 * @category errors
 */
export class SpawnFailed extends Data.TaggedError("SpawnFailed")<{
  readonly argv: ReadonlyArray<string>
  readonly reason: string
  readonly detail: string
}> {
  override get message(): string {
    return `could not start ${formatArgv(this.argv)}: ${this.reason}: ${this.detail}`
  }
}

/**
 * The process ran and exited with a non-zero code, or was killed by a signal.
 * @since 0.1.0
 * @category errors
 */
export class CommandFailed extends Data.TaggedError("CommandFailed")<{
  readonly argv: ReadonlyArray<string>
  /** The exit code; `undefined` when a signal ended the process (see `signal`). */
  readonly exitCode: number | undefined
  readonly signal: string | undefined
  readonly stdout: string
  readonly stderr: string
}> {
  override get message(): string {
    const how =
      this.exitCode === undefined ? `was killed by ${this.signal ?? "a signal"}` : `exited with ${this.exitCode}`
    const stderr = excerpt(this.stderr)
    return `${formatArgv(this.argv)} ${how}${stderr === "" ? "" : `: ${stderr}`}`
  }
}

/**
 * The process did not finish within its timeout; it was sent SIGTERM, then SIGKILL.
 * @since 0.1.0
 * @category errors
 */
export class CommandTimedOut extends Data.TaggedError("CommandTimedOut")<{
  readonly argv: ReadonlyArray<string>
  readonly timeoutMillis: number
}> {
  override get message(): string {
    return `${formatArgv(this.argv)} did not finish within ${this.timeoutMillis} ms and was killed`
  }
}

/**
 * An operation on the runtime did not finish within its deadline (see `ContainerRuntime.Deadlines`):
 * the engine took too long or never answered (a frozen daemon, a held storage lock). Whatever the
 * operation had started was interrupted (a CLI process is killed).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Container, ContainerDefinition as Def } from "ociman"
 *
 * const started = Container.start(Def.make("localhost/ociman-test/busybox:1"), { timeout: "20 seconds" }).pipe(
 *   Effect.catchTag("OperationTimedOut", (e) => Effect.logError(`${e.operation} gave up: ${e.message}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class OperationTimedOut extends Data.TaggedError("OperationTimedOut")<{
  /** What was asked, e.g. `container.start`, `image.pull`, `container.exec`. */
  readonly operation: string
  /** The container, image or network it was about, when there is one. */
  readonly target: string | undefined
  readonly timeoutMillis: number
}> {
  override get message(): string {
    const about = this.target === undefined ? "" : ` (${this.target})`
    return `${this.operation}${about} did not finish within its deadline of ${this.timeoutMillis} ms and was stopped`
  }
}

/**
 * The process succeeded but printed something this library cannot understand.
 * @since 0.1.0
 * @category errors
 */
export class UnexpectedOutput extends Data.TaggedError("UnexpectedOutput")<{
  readonly argv: ReadonlyArray<string>
  /** What the library expected, in words. */
  readonly expected: string
  readonly output: string
}> {
  override get message(): string {
    return `${formatArgv(this.argv)} printed unexpected output (expected ${this.expected}): ${JSON.stringify(excerpt(this.output))}`
  }
}

/**
 * The runtime has no CLI to run: the in-memory runtime (`TestRuntime`) answers the typed
 * operations itself, so its `cli` escape hatch cannot run anything. `runtime.capabilities.cli`
 * says in advance whether a runtime has a CLI.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ContainerRuntime } from "ociman"
 *
 * const version = Effect.flatMap(ContainerRuntime.ContainerRuntime, (runtime) => runtime.cli(["version"])).pipe(
 *   Effect.catchTag("CliUnsupported", (e) => Effect.logWarning(e.message))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class CliUnsupported extends Data.TaggedError("CliUnsupported")<{
  readonly argv: ReadonlyArray<string>
  /** Which runtime refused, e.g. `in-memory docker`. */
  readonly runtime: string
}> {
  override get message(): string {
    return `${formatArgv(this.argv)} cannot run: the ${this.runtime} runtime has no CLI (use the typed operations, or a real runtime layer for this test)`
  }
}

/**
 * The engine's API socket could not be reached (`ENOENT`, `ECONNREFUSED`, `EACCES`, a closed
 * connection) by the Engine-API transport (see `ContainerRuntime.LayerOptions.transport`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Container } from "ociman"
 *
 * const info = Effect.flatMap(Container.handle("my-db"), (db) => db.inspect).pipe(
 *   Effect.catchTag("EngineUnreachable", (e) => Effect.logError(`${e.socket}: ${e.reason}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class EngineUnreachable extends Data.TaggedError("EngineUnreachable")<{
  /** The socket or address asked (`unix:///var/run/docker.sock`, `tcp://host:2375`). */
  readonly socket: string
  readonly method: string
  /** The request's path template, e.g. `/containers/{id}/json` (no values). */
  readonly path: string
  /** What the connection said, e.g. `connect ECONNREFUSED /run/podman/podman.sock`. */
  readonly reason: string
}> {
  override get message(): string {
    return `${this.method} ${this.path} could not reach the engine at ${this.socket}: ${this.reason} (is the engine or \`podman system service\` running? OCIMAN_TRANSPORT=cli uses the CLI instead)`
  }
}

/**
 * A request to the engine's API got no complete answer within its timeout; it was aborted.
 *
 * @example
 * ```ts
 * import { CliError } from "ociman"
 *
 * new CliError.EngineRequestTimedOut({ method: "GET", path: "/containers/{id}/json", timeoutMillis: 60_000 }).message
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class EngineRequestTimedOut extends Data.TaggedError("EngineRequestTimedOut")<{
  readonly method: string
  /** The request's path template (no values). */
  readonly path: string
  readonly timeoutMillis: number
}> {
  override get message(): string {
    return `${this.method} ${this.path} got no answer from the engine within ${this.timeoutMillis} ms and was aborted`
  }
}

/**
 * The engine's API answered a request with a failure status this library has no more precise
 * error for (a "no such container" answer is `ContainerNotFound`, and so on), or with a body it
 * cannot decode; `message` is what the engine said.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Container } from "ociman"
 *
 * const stopped = Effect.flatMap(Container.handle("my-db"), (db) => db.stop()).pipe(
 *   Effect.catchTag("EngineRequestFailed", (e) => Effect.logError(`${e.status}: ${e.message}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class EngineRequestFailed extends Data.TaggedError("EngineRequestFailed")<{
  readonly method: string
  /** The request's path template (no values). */
  readonly path: string
  /** The HTTP status; `undefined` when the answer could not be read at all. */
  readonly status: number | undefined
  /** What the engine said (its JSON `message`), or why its answer could not be used. */
  readonly engineMessage: string
}> {
  override get message(): string {
    const status = this.status === undefined ? "" : ` ${this.status}`
    return `${this.method} ${this.path} failed${status}: ${this.engineMessage}`
  }
}

/**
 * Any failure of the Engine-API transport itself.
 * @since 0.1.0
 * @category errors
 */
export type EngineError = EngineUnreachable | EngineRequestTimedOut | EngineRequestFailed

/**
 * Any failure to run a CLI command, or an operation on the runtime, to completion.
 * @since 0.1.0
 * @category errors
 */
export type ProcessError = ExecutableNotFound | SpawnFailed | CommandTimedOut | OperationTimedOut | CliUnsupported

/**
 * Any failure of a CLI call that must succeed.
 * @since 0.1.0
 * @category errors
 */
export type CliError = ProcessError | CommandFailed | EngineError
