/**
 * The one way a finished CLI run becomes an `ExecResult` (text and bytes of both outputs).
 */
import { ContainerExitedNonZero } from "../ContainerError.js"
import { decodeText } from "./bytes.js"
import type { ExecResult } from "../ContainerRuntime.js"

export const execResultOf = (raw: {
  readonly exitCode: number | undefined
  readonly stdout: Uint8Array
  readonly stderr: Uint8Array
  readonly argv: ReadonlyArray<string>
}): ExecResult => ({
  exitCode: raw.exitCode,
  stdout: decodeText(raw.stdout),
  stderr: decodeText(raw.stderr),
  stdoutBytes: raw.stdout,
  stderrBytes: raw.stderr,
  argv: raw.argv
})

export const exitedNonZero = (result: ExecResult): ContainerExitedNonZero =>
  new ContainerExitedNonZero({
    argv: result.argv,
    exitCode: result.exitCode,
    stdout: result.stdout,
    stderr: result.stderr
  })
