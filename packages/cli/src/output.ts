/**
 * What the `ociman` process prints besides a command's own output: help without colours when it
 * is not for a terminal, and every failure as one line (`ociman: <message>`), with the cause chain
 * under `--verbose`.
 */
import * as ValidationError from "@effect/cli/ValidationError"
import * as Cause from "effect/Cause"
import type * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { errorLine } from "./exit.js"
import { docText } from "./help.js"

/** Colours only on a terminal, and never when NO_COLOR is set to anything (https://no-color.org). */
export const colourWanted = (
  stream: { readonly isTTY?: boolean | undefined },
  env: Readonly<Record<string, string | undefined>>
): boolean => stream.isTTY === true && (env["NO_COLOR"] ?? "") === ""

// eslint-disable-next-line no-control-regex -- matching the escape character is the point
const ANSI_ESCAPE = /\u001b\[[0-9;]*[A-Za-z]/g

/** `text` without ANSI escape sequences (colours, bold, …). */
export const stripAnsi = (text: string): string => text.replace(ANSI_ESCAPE, "")

/**
 * The console @effect/cli prints with while it parses: help and completions go to stdout, without
 * colours unless `colour` and without trailing blank lines; its usage errors are not printed (they are multi-line, unprefixed):
 * the failure they carry is reported as one line by {@link failureLines}.
 */
export const parserConsole = (base: Console.Console, colour: boolean): Console.Console => ({
  ...base,
  // @effect/cli ends its documents with a blank line: one newline is enough
  log: (...args) =>
    base.log(...args.map((arg) => (typeof arg === "string" ? (colour ? arg : stripAnsi(arg)).trimEnd() : arg))),
  error: () => Effect.void
})

/** What a command can fail with: @effect/cli's usage errors, or a typed error with a message. */
export type Failure = ValidationError.ValidationError | { readonly message: string }

/** A failure as one line of text: @effect/cli's usage errors carry a help document, the others a message. */
const messageOf = (error: Failure): string =>
  ValidationError.isValidationError(error) ? docText(error.error) : error.message

const defectMessage = (defect: unknown): string =>
  defect instanceof Error ? `${defect.name}: ${defect.message}` : String(defect)

/**
 * What stderr gets when the program did not succeed: nothing for an interruption (Ctrl-C,
 * SIGTERM: the exit code says it), else one line; with `verbose`, the cause chain after it.
 */
export const failureLines = (cause: Cause.Cause<Failure>, verbose: boolean): ReadonlyArray<string> => {
  if (Cause.isInterruptedOnly(cause)) return []
  const line = Option.match(Cause.failureOption(cause), {
    onSome: (error) => errorLine(messageOf(error)),
    onNone: () =>
      errorLine(
        `unexpected error, please report it: ${Option.match(Cause.dieOption(cause), {
          onNone: () => "no detail",
          onSome: defectMessage
        })}${verbose ? "" : " (--verbose shows where)"}`
      )
  })
  return verbose ? [line, Cause.pretty(cause, { renderErrorCause: true })] : [line]
}
