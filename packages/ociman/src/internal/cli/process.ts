/**
 * The process core: the only place that spawns `docker` or `podman`.
 *
 * - argv arrays only, never a shell;
 * - stdout and stderr are drained concurrently (an undrained pipe deadlocks at ~64 KiB);
 * - stdin is either the given bytes or closed at once (a CLI that reads stdin must not hang);
 * - environment overrides reach the child without appearing in its argv;
 * - an optional timeout sends SIGTERM to the process group, then SIGKILL after a grace period
 *   (@effect/platform's own finalizer sends SIGTERM and waits forever);
 * - one span per call, carrying the argv with secret values redacted;
 * - every deadline (timeout, kill grace) runs on the live clock: it bounds a real process, so a
 *   `TestClock` provided by a test must not stop it.
 *
 * `run` (every call that completes before its result is used) spawns with `node:child_process`
 * for speed (see `spawnCollected`); `stream` (builds, logs, streamed execs) uses
 * `@effect/platform`'s `Command`, whose per-call cost does not matter for long-running output.
 */
import { concatBytes, decodeText } from "../bytes.js"
import { onLiveClock } from "../clock.js"
import { timeoutInBackground } from "../deadline.js"
import { Command, type CommandExecutor } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Duration, Effect, Option, Stream } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { accessSync, constants as fsConstants, statSync } from "node:fs"
import { delimiter, join } from "node:path"
import { CommandFailed, CommandTimedOut, ExecutableNotFound, type ProcessError, SpawnFailed } from "../../CliError.js"

/** One call of a CLI. */
export interface Invocation {
  readonly executable: string
  readonly args: ReadonlyArray<string>
  /** Bytes written to stdin, which is then closed. Without it stdin is closed at once. */
  readonly stdin?: Uint8Array | undefined
  /** Variables added to the inherited environment (values never appear in argv or spans). */
  readonly env?: Readonly<Record<string, string>> | undefined
  /** Values to hide wherever the argv is shown (spans, logs, errors). */
  readonly secrets?: ReadonlyArray<string> | undefined
  /** Kill the process if it runs longer than this. */
  readonly timeout?: Duration.DurationInput | undefined
  /** How long SIGTERM may take before SIGKILL follows. Default 2 seconds. */
  readonly killGrace?: Duration.DurationInput | undefined
}

/** A process that ran to its end, whatever its exit code. */
export interface Completed {
  /** The argv as shown to humans: executable first, secrets redacted. */
  readonly argv: ReadonlyArray<string>
  /** `undefined` when a signal ended the process. */
  readonly exitCode: number | undefined
  readonly signal: string | undefined
  readonly stdout: Uint8Array
  readonly stderr: Uint8Array
}

export const REDACTED = "<redacted>"

/** Replaces every occurrence of a secret value in the argv. */
export const redactArgv = (argv: ReadonlyArray<string>, secrets: ReadonlyArray<string> = []): ReadonlyArray<string> => {
  const hidden = secrets.filter((secret) => secret.length > 0)
  return hidden.length === 0
    ? argv
    : argv.map((arg) => hidden.reduce((acc, secret) => acc.replaceAll(secret, REDACTED), arg))
}

const DEFAULT_KILL_GRACE = Duration.seconds(2)

/** Lossy UTF-8 decoding for messages and text results (one decoder for the whole library). */
export { decodeText }

const toSpawnError = (argv: ReadonlyArray<string>, executable: string, error: PlatformError): ProcessError =>
  error._tag === "SystemError" && error.reason === "NotFound" && error.method === "spawn"
    ? new ExecutableNotFound({ executable, argv })
    : new SpawnFailed({
        argv,
        reason: error._tag === "SystemError" ? error.reason : error._tag,
        detail: error.description ?? error.message
      })

const SIGNAL_PATTERN = /signal: (SIG[A-Z0-9]+)/

/** Sends SIGTERM to the process group, and SIGKILL when it has not exited after `grace`. */
const terminate = (process: CommandExecutor.Process, grace: Duration.Duration): Effect.Effect<void> =>
  Effect.flatMap(process.isRunning, (running) =>
    running
      ? process.kill("SIGTERM").pipe(
          // Finalizers are uninterruptible; the kill waits for exit, so let the timeout cut it.
          Effect.interruptible,
          Effect.timeoutFail({ duration: grace, onTimeout: () => "grace-expired" as const }),
          Effect.catchAll(() => process.kill("SIGKILL"))
        )
      : Effect.void
  ).pipe(Effect.ignore, onLiveClock)

const command = (invocation: Invocation): Command.Command =>
  Command.make(invocation.executable, ...invocation.args).pipe(
    Command.env(invocation.env ?? {}),
    Command.stdin(invocation.stdin === undefined ? Stream.empty : Stream.make(invocation.stdin))
  )

/** The errno of a failed spawn as `SpawnFailed.reason` (the platform's names, which callers match). */
const spawnReason = (code: string | undefined): string =>
  code === "EACCES" || code === "EPERM" ? "PermissionDenied" : (code ?? "Unknown")

/** Sends a signal to the child's process group (it leads one), or to the child alone if that fails. */
const signalGroup = (child: ChildProcess, signal: NodeJS.Signals): void => {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // already gone, or not a group leader: the child itself
    child.kill(signal)
  }
}

/**
 * Spawns the CLI, writes stdin, drains both outputs as they come, and completes when the process
 * has exited and its pipes are closed. Interrupting it (a timeout, the caller's interruption) sends
 * SIGTERM to the process group, then SIGKILL after `grace`, and waits for the exit.
 *
 * Why `node:child_process` here and not `@effect/platform`'s `Command` (which `stream` uses): a
 * call through `Command` measured 8–12 ms against 4 ms for a bare spawn of `/bin/true`, and a
 * container's start → exec → release makes four calls; that overhead alone put the library more
 * than 10% behind the same commands run from a shell script.
 */
const spawnCollected = (
  invocation: Invocation,
  argv: ReadonlyArray<string>,
  grace: Duration.Duration
): Effect.Effect<Completed, ProcessError> =>
  Effect.async<Completed, ProcessError>((resume) => {
    const child = spawn(invocation.executable, [...invocation.args], {
      env: invocation.env === undefined ? process.env : { ...process.env, ...invocation.env },
      stdio: ["pipe", "pipe", "pipe"],
      // its own process group, so a timeout reaches what the CLI started too
      detached: process.platform !== "win32"
    })
    const stdout: Array<Uint8Array> = []
    const stderr: Array<Uint8Array> = []
    let settled = false
    const settle = (outcome: Effect.Effect<Completed, ProcessError>) => {
      if (settled) return
      settled = true
      resume(outcome)
    }
    child.stdout.on("data", (chunk: Uint8Array) => stdout.push(chunk))
    child.stderr.on("data", (chunk: Uint8Array) => stderr.push(chunk))
    // A CLI that exits without reading its stdin breaks the pipe: not a failure of the call.
    child.stdin.on("error", () => undefined)
    child.on("error", (error: NodeJS.ErrnoException) => {
      // after a successful spawn, 'error' only reports a failed kill; the exit still comes
      if (child.pid !== undefined) return
      settle(
        Effect.fail(
          error.code === "ENOENT"
            ? new ExecutableNotFound({ executable: invocation.executable, argv })
            : new SpawnFailed({ argv, reason: spawnReason(error.code), detail: error.message })
        )
      )
    })
    const closed = new Promise<void>((resolve) =>
      child.on("close", (code, signal) => {
        resolve()
        settle(
          Effect.succeed({
            argv,
            exitCode: code ?? undefined,
            signal: code === null ? (signal ?? "an unknown signal") : undefined,
            stdout: concatBytes(stdout),
            stderr: concatBytes(stderr)
          })
        )
      })
    )
    if (child.pid !== undefined) child.stdin.end(invocation.stdin)
    // bounded: a process outside the group may hold the pipes open after the CLI is gone
    const exited = onLiveClock(Effect.ignore(Effect.timeout(Effect.interruptible(Effect.promise(() => closed)), grace)))
    return Effect.suspend(() => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return exited
      signalGroup(child, "SIGTERM")
      return Effect.promise(() => closed).pipe(
        // a canceler runs uninterruptibly: let the grace period's timeout cut the wait
        Effect.interruptible,
        Effect.timeoutFail({ duration: grace, onTimeout: () => "grace-expired" as const }),
        Effect.catchAll(() =>
          Effect.zipRight(
            Effect.sync(() => signalGroup(child, "SIGKILL")),
            exited
          )
        ),
        onLiveClock
      )
    })
  })

/** What is at a path a spawn might run: an executable file, a file this process may not run, or nothing. */
const fileKind = (path: string): "executable" | "not executable" | "absent" => {
  try {
    if (!statSync(path).isFile()) return "absent"
  } catch {
    return "absent"
  }
  try {
    accessSync(path, fsConstants.X_OK)
    return "executable"
  } catch {
    return "not executable"
  }
}

/**
 * Whether a spawn of `executable` would find it, without spawning: a path as it is, a bare name in
 * each `PATH` entry, as the spawn itself looks (microseconds, where running the CLI costs tens of
 * milliseconds). Nothing there is `ExecutableNotFound`; only files it may not run, `SpawnFailed`
 * (`PermissionDenied`), as the spawn would say.
 */
export const locate = (executable: string): Effect.Effect<void, ExecutableNotFound | SpawnFailed> =>
  Effect.suspend((): Effect.Effect<void, ExecutableNotFound | SpawnFailed> => {
    const candidates = executable.includes("/")
      ? [executable]
      : (process.env["PATH"] ?? "")
          .split(delimiter)
          .filter((dir) => dir !== "")
          .map((dir) => join(dir, executable))
    const kinds = candidates.map(fileKind)
    if (kinds.includes("executable")) return Effect.void
    return kinds.includes("not executable")
      ? Effect.fail(
          new SpawnFailed({ argv: [executable], reason: "PermissionDenied", detail: `${executable} may not be run` })
        )
      : Effect.fail(new ExecutableNotFound({ executable, argv: [executable] }))
  })

/**
 * Runs a CLI to completion and returns its exit code and both outputs, whatever the exit code.
 */
export const run = (invocation: Invocation): Effect.Effect<Completed, ProcessError> => {
  const argv = redactArgv([invocation.executable, ...invocation.args], invocation.secrets)
  const grace = Duration.decode(invocation.killGrace ?? DEFAULT_KILL_GRACE)
  const body = spawnCollected(invocation, argv, grace)
  const bounded =
    invocation.timeout === undefined
      ? body
      : body.pipe(
          // also from a finalizer (a release); the kill (SIGTERM, its grace, SIGKILL) goes on in the
          // background, so the caller gets CommandTimedOut at the timeout, not after the kill
          timeoutInBackground(
            invocation.timeout,
            () =>
              new CommandTimedOut({ argv, timeoutMillis: Duration.toMillis(Duration.decode(invocation.timeout ?? 0)) })
          ),
          onLiveClock
        )
  return bounded.pipe(
    Effect.tap((completed) =>
      Effect.logDebug("ociman: command finished", { argv: argv.join(" "), exitCode: completed.exitCode })
    ),
    Effect.withSpan("ociman.cli", {
      kind: "client",
      attributes: { "process.executable.name": invocation.executable, "process.command_args": argv }
    })
  )
}

/** The completed process as a `CommandFailed` error (for a non-zero exit or a signal). */
export const failure = (completed: Completed): CommandFailed =>
  new CommandFailed({
    argv: completed.argv,
    exitCode: completed.exitCode,
    signal: completed.signal,
    stdout: decodeText(completed.stdout),
    stderr: decodeText(completed.stderr)
  })

/** Runs a CLI that must exit 0. */
export const runSuccess = (invocation: Invocation): Effect.Effect<Completed, ProcessError | CommandFailed> =>
  Effect.filterOrFail(run(invocation), (completed) => completed.exitCode === 0, failure)

// ---------------------------------------------------------------------------------------------
// Streaming variant (build output): lines as they come, then the exit.
// ---------------------------------------------------------------------------------------------

/** One event of a streamed call: a line of stdout or stderr (without its line ending), or the exit, which comes last. */
export type StreamEvent =
  | { readonly _tag: "Stdout"; readonly line: string }
  | { readonly _tag: "Stderr"; readonly line: string }
  | {
      readonly _tag: "Exit"
      /** The argv as shown to humans: executable first, secrets redacted. */
      readonly argv: ReadonlyArray<string>
      /** `undefined` when a signal ended the process. */
      readonly exitCode: number | undefined
      readonly signal: string | undefined
    }

/** What a terminal shows of a line: progress output rewrites it after each carriage return. */
const asDisplayed = (line: string): string => {
  const trimmed = line.replace(/\r+$/, "")
  return trimmed.slice(trimmed.lastIndexOf("\r") + 1)
}

const lines = (bytes: Stream.Stream<Uint8Array, PlatformError>, tag: "Stdout" | "Stderr"): Stream.Stream<StreamEvent> =>
  bytes.pipe(
    Stream.decodeText(),
    Stream.splitLines,
    Stream.map((line): StreamEvent => ({ _tag: tag, line: asDisplayed(line) })),
    // A broken pipe ends that side's output; the exit code still says how the process ended.
    Stream.catchAll(() => Stream.empty)
  )

/**
 * Runs a CLI and streams its output as lines, stdout and stderr drained concurrently (each in its
 * own order), ending with one `Exit` event whatever the exit code. Same spawn errors, timeout and
 * SIGTERM→SIGKILL semantics as {@link run}; interrupting the stream (or stopping to pull it) kills
 * the process. Memory stays flat: lines flow with backpressure and nothing is collected.
 */
export const stream = (
  invocation: Invocation
): Stream.Stream<StreamEvent, ProcessError, CommandExecutor.CommandExecutor> => {
  const argv = redactArgv([invocation.executable, ...invocation.args], invocation.secrets)
  const grace = Duration.decode(invocation.killGrace ?? DEFAULT_KILL_GRACE)
  const body = Stream.unwrapScoped(
    Effect.gen(function* () {
      const process = yield* Command.start(command(invocation)).pipe(
        Effect.mapError((error) => toSpawnError(argv, invocation.executable, error))
      )
      yield* Effect.addFinalizer(() => terminate(process, grace))
      const exit = Effect.map(Effect.either(process.exitCode), (result): StreamEvent =>
        result._tag === "Right"
          ? { _tag: "Exit", argv, exitCode: result.right, signal: undefined }
          : {
              _tag: "Exit",
              argv,
              exitCode: undefined,
              signal: Option.getOrElse(
                Option.fromNullable(SIGNAL_PATTERN.exec(result.left.message)?.[1]),
                () => "an unknown signal"
              )
            }
      )
      return Stream.merge(lines(process.stdout, "Stdout"), lines(process.stderr, "Stderr")).pipe(
        Stream.concat(Stream.fromEffect(exit))
      )
    })
  )
  const timeout = invocation.timeout
  const bounded =
    timeout === undefined
      ? body
      : body.pipe(
          Stream.interruptWhen(
            onLiveClock(Effect.sleep(timeout)).pipe(
              Effect.zipRight(
                Effect.fail(new CommandTimedOut({ argv, timeoutMillis: Duration.toMillis(Duration.decode(timeout)) }))
              )
            )
          )
        )
  return bounded.pipe(
    Stream.tap((event) =>
      event._tag === "Exit"
        ? Effect.logDebug("ociman: command finished", { argv: argv.join(" "), exitCode: event.exitCode })
        : Effect.void
    ),
    Stream.withSpan("ociman.cli", {
      kind: "client",
      attributes: { "process.executable.name": invocation.executable, "process.command_args": argv }
    })
  )
}
