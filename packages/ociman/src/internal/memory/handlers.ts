/**
 * How the in-memory runtime answers a command (a run's main process, an exec, a build's `RUN`):
 * the first handler that matches the image and command, normalized to bytes and ordered lines.
 */
import { Effect, Either } from "effect"
import type { LogLine } from "../../ContainerRuntime.js"
import * as ImageReference from "../../ImageReference.js"
import { decodeText } from "../bytes.js"
import { withDefaultTag } from "./names.js"
import { bytes, EMPTY, lines, type Memory } from "./state.js"
import type { Handler, HandlerContext, SignalAnswer } from "./types.js"

/** Whether a handler's image matches the image a command runs in. */
const sameImage = (pattern: string, image: string): boolean => {
  if (pattern === "*" || pattern === image) return true
  const a = ImageReference.parse(pattern)
  const b = ImageReference.parse(image)
  return Either.isRight(a) && Either.isRight(b)
    ? ImageReference.normalize(withDefaultTag(a.right)) === ImageReference.normalize(withDefaultTag(b.right))
    : false
}

const sameCommand = (pattern: Handler["command"], command: ReadonlyArray<string>): boolean =>
  pattern === "*"
    ? true
    : typeof pattern === "function"
      ? pattern(command)
      : pattern.length === command.length && pattern.every((word, i) => word === command[i])

/** A command's behaviour, normalized. */
export interface Outcome {
  readonly stdout: Uint8Array
  readonly stderr: Uint8Array
  /** The output as log lines, in order. */
  readonly output: ReadonlyArray<LogLine>
  readonly exitCode: number | undefined
  readonly stopExitCode: number
  /** What the container's published ports answer HTTP requests with. */
  readonly httpStatus: number
  /** What the main process does on a signal (see `ResultCommon.signals`). */
  readonly signals: Readonly<Record<string, SignalAnswer>>
}

const toBytes = (value: string | Uint8Array | undefined): Uint8Array =>
  value === undefined ? EMPTY : typeof value === "string" ? bytes(value) : value

const joined = (output: ReadonlyArray<LogLine>, stream: "stdout" | "stderr"): Uint8Array =>
  bytes(
    output
      .filter((line) => line.stream === stream)
      .map((line) => `${line.text}\n`)
      .join("")
  )

/** What a published port answers HTTP requests with unless the main process's handler says otherwise. */
export const HTTP_OK = 200

/**
 * Asks the first matching handler; without one, the runtime's own answer (`builtin`: what every
 * image prints, such as its `/etc/hosts`), else exit 0 (or keep running) with no output.
 */
export const answer = (
  memory: Memory,
  context: HandlerContext,
  builtin?: string | undefined
): Effect.Effect<Outcome> => {
  const found = memory.handlers.find(
    (handler) => sameImage(handler.image, context.image) && sameCommand(handler.command, context.command)
  )
  if (found === undefined) {
    const stdout = builtin === undefined ? EMPTY : bytes(builtin)
    return Effect.succeed({
      stdout,
      stderr: EMPTY,
      output: lines(decodeText(stdout)).map((text): LogLine => ({ stream: "stdout", text })),
      exitCode: undefined,
      stopExitCode: 0,
      httpStatus: HTTP_OK,
      signals: {}
    })
  }
  return Effect.map(found.respond(context), (result): Outcome => {
    const common = {
      exitCode: result.exitCode,
      stopExitCode: result.stopExitCode ?? 0,
      httpStatus: result.httpStatus ?? HTTP_OK,
      signals: result.signals ?? {}
    }
    if (result.output !== undefined) {
      return {
        ...common,
        stdout: joined(result.output, "stdout"),
        stderr: joined(result.output, "stderr"),
        output: result.output
      }
    }
    const stdout = toBytes(result.stdout)
    const stderr = toBytes(result.stderr)
    return {
      ...common,
      stdout,
      stderr,
      output: [
        ...lines(decodeText(stdout)).map((text): LogLine => ({ stream: "stdout", text })),
        ...lines(decodeText(stderr)).map((text): LogLine => ({ stream: "stderr", text }))
      ]
    }
  })
}
