/**
 * The engine's CLI on this process's terminal: what `ociman run -it` needs (and `ociman exec -it`
 * does the same in `exec.ts`). An interactive shell needs the terminal itself, which the library's
 * pipes are not, so the engine's CLI is spawned with this process's stdio.
 */
import { Effect } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { constants } from "node:os"
import { isatty } from "node:tty"
import { CliError } from "ociman"
import { UsageError } from "./errors.js"

/**
 * This process's stdin and stdout are both terminals. Asked of the file descriptors, not of
 * `process.stdin`: creating that stream would start reading the terminal the engine's CLI gets.
 */
export const onTerminal = (): boolean => isatty(0) && isatty(1)

/** This process's stdin is a terminal (with `-i` and no terminal on stdout: nothing is read from it). */
export const stdinIsTerminal = (): boolean => isatty(0)

/** Everything piped into this process (a stdin that is not a terminal). */
export const readStdin = Effect.async<Uint8Array, UsageError>((resume) => {
  const chunks: Array<Uint8Array> = []
  process.stdin.on("data", (chunk: Uint8Array) => chunks.push(chunk))
  process.stdin.once("end", () => resume(Effect.succeed(Buffer.concat(chunks))))
  process.stdin.once("error", (error) =>
    resume(Effect.fail(new UsageError({ detail: `reading stdin: ${error.message}` })))
  )
})

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
