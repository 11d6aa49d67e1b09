/**
 * How the `ociman` process ends: its exit code and its one line of error.
 *
 * `NodeRuntime.runMain` interrupts the program on SIGINT / SIGTERM (so scopes close and containers
 * are removed) but then exits 0, and it does not say which signal arrived. The shell convention,
 * which `docker run` follows too, is 128 + the signal's number: 130 after Ctrl-C, 143 after
 * SIGTERM. So the signal is recorded here and the runtime's teardown maps an interrupted exit to
 * that code.
 */
import type { Teardown } from "@effect/platform/Runtime"
import * as Cause from "effect/Cause"
import * as Exit from "effect/Exit"

/** The signals `NodeRuntime.runMain` turns into an interruption of the program. */
export type Signal = "SIGINT" | "SIGTERM"

const SIGNAL_NUMBER: Record<Signal, number> = { SIGINT: 2, SIGTERM: 15 }

/**
 * The process's exit code for how the program ended:
 * - interrupted by `signal` (its resources released): 128 + the signal's number;
 * - failed (or interrupted with no signal): 1;
 * - succeeded: `requested`, the code the command asked for (the container's, the exec'd command's).
 *
 * For example, Ctrl-C during `ociman run`: `exitCode(Exit.interrupt(fiberId), "SIGINT", 0)` is 130.
 */
export const exitCode = (exit: Exit.Exit<unknown, unknown>, signal: Signal | undefined, requested: number): number => {
  if (Exit.isSuccess(exit)) return requested
  // A signal's interruption may come with a failed release: the signal still explains the exit.
  if (signal !== undefined && Cause.isInterrupted(exit.cause)) return 128 + SIGNAL_NUMBER[signal]
  return 1
}

/**
 * Starts recording the first SIGINT or SIGTERM; the returned function says which one arrived.
 *
 * The listeners only record: `NodeRuntime.runMain`'s own ones interrupt the program. Both remove
 * themselves after the first signal, so a second Ctrl-C during cleanup kills the process at once
 * (Node's default), as it would without ociman's listeners.
 */
export const recordSignal = (): (() => Signal | undefined) => {
  let received: Signal | undefined = undefined
  const onSignal = (signal: Signal) => {
    received = signal
    process.removeListener("SIGINT", onSignal)
    process.removeListener("SIGTERM", onSignal)
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
  return () => received
}

/** The code a command asked for with `process.exitCode` (see `exitWith`), else 0. */
const requestedCode = (): number => (typeof process.exitCode === "number" ? process.exitCode : 0)

/**
 * The teardown for `NodeRuntime.runMain`: exits with {@link exitCode}, taking the signal from
 * `signal` (see {@link recordSignal}).
 */
export const teardown =
  (signal: () => Signal | undefined): Teardown =>
  (exit, onExit) =>
    onExit(exitCode(exit, signal(), requestedCode()))

/**
 * The one line a failure prints: `ociman: <message>`, whitespace runs (newlines from a runtime's
 * stderr, say) collapsed so a script reading stderr sees exactly one line.
 * For example, `errorLine("docker failed:\n  no space left")` is `"ociman: docker failed: no space left"`.
 */
export const errorLine = (message: string): string => `ociman: ${message.replace(/\s*\n\s*/g, " ").trim()}`
