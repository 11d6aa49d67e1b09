/**
 * The engine's CLI on this process's terminal: what `ociman run -it` needs (and `ociman exec -it`
 * does the same in `exec.ts`). An interactive shell needs the terminal itself, which the library's
 * pipes are not, so the engine's CLI is spawned with this process's stdio.
 */
import { Effect } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { constants } from "node:os"
import { isatty } from "node:tty"
import * as CliError from "ociman/CliError"
import { UsageError } from "./errors.js"

/**
 * This process's stdin and stdout are both terminals. Asked of the file descriptors, not of
 * `process.stdin`: creating that stream would start reading the terminal the engine's CLI gets.
 */
export const onTerminal = (): boolean => isatty(0) && isatty(1)

/** Everything this process's stdin gives until its end. */
export const readStdin = Effect.async<Uint8Array, UsageError>((resume) => {
  const chunks: Array<Uint8Array> = []
  process.stdin.on("data", (chunk: Uint8Array) => chunks.push(chunk))
  process.stdin.once("end", () => resume(Effect.succeed(Buffer.concat(chunks))))
  process.stdin.once("error", (error) =>
    resume(Effect.fail(new UsageError({ detail: `reading stdin: ${error.message}` })))
  )
})

/** Ctrl-D: over a TTY, the end of the bytes is no end of file for the command; this character is. */
const END_OF_TRANSMISSION = 0x04

/**
 * What `-i` gives a command that has no terminal on both ends: everything read from stdin (a pipe,
 * or the terminal until Ctrl-D), and with a TTY an end of file after it, so that a command reading
 * to the end (`cat`, a shell) ends instead of waiting forever.
 */
export const pipedInput = (tty: boolean): Effect.Effect<Uint8Array, UsageError> =>
  Effect.map(readStdin, (bytes) =>
    tty && bytes[bytes.length - 1] !== END_OF_TRANSMISSION
      ? Buffer.concat([bytes, Buffer.from([END_OF_TRANSMISSION])])
      : bytes
  )

/** How an attached CLI ended: its exit code (128 + the signal's number when killed), or no start. */
export type Ended =
  | { readonly _tag: "Exited"; readonly code: number | undefined }
  | { readonly _tag: "SpawnFailed"; readonly error: Error }

/** The engine's CLI running on this terminal. */
export interface Attached {
  readonly argv: ReadonlyArray<string>
  readonly child: ChildProcess
  /** Settles once the CLI has ended (never rejects). */
  readonly ended: Promise<Ended>
}

/**
 * Starts `executable args` with this process's stdio, `env` added to its environment (variables
 * travel there, their names alone in the argv: `--env NAME`).
 */
export const spawnAttached = (
  executable: string,
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>>
): Effect.Effect<Attached> =>
  Effect.sync(() => {
    const child = spawn(executable, [...args], { stdio: "inherit", env: { ...process.env, ...env } })
    const ended = new Promise<Ended>((resolve) => {
      child.once("error", (error) => resolve({ _tag: "SpawnFailed", error }))
      child.once("exit", (code, signal) =>
        resolve({ _tag: "Exited", code: code ?? (signal === null ? undefined : 128 + constants.signals[signal]) })
      )
    })
    return { argv: [executable, ...args], child, ended }
  })

/** The attached CLI's exit code once it has ended (interruptible: the wait, not the CLI). */
export const exitCodeOf = (attached: Attached): Effect.Effect<number | undefined, CliError.SpawnFailed> =>
  Effect.flatMap(
    Effect.promise(() => attached.ended),
    (ended): Effect.Effect<number | undefined, CliError.SpawnFailed> =>
      ended._tag === "Exited"
        ? Effect.succeed(ended.code)
        : Effect.fail(
            new CliError.SpawnFailed({ argv: attached.argv, reason: ended.error.name, detail: ended.error.message })
          )
  )

/** Whether the attached CLI has ended within `millis` (a release's bounded wait). */
export const endedWithin = (attached: Attached, millis: number): Effect.Effect<boolean> =>
  Effect.promise(
    () =>
      new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), millis)
        void attached.ended.then(() => {
          clearTimeout(timer)
          resolve(true)
        })
      })
  )
