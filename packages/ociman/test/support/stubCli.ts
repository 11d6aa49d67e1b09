/** A CLI stub for the wings' operation tests: canned results, and the argv each call got. */
import { Effect } from "effect"
import type { CliResult } from "../../src/ContainerRuntime.js"

const bytes = (text: string) => new TextEncoder().encode(text)

/** What `docker <args>` printed and how it exited. */
export const result = (args: ReadonlyArray<string>, exitCode: number, stdout = "", stderr = ""): CliResult => ({
  argv: ["docker", ...args],
  exitCode,
  signal: undefined,
  stdout: bytes(stdout),
  stderr: bytes(stderr)
})

/** A CLI stub: answers each call with `answer(args)` and records the argv. */
export const stubCli = (answer: (args: ReadonlyArray<string>) => CliResult) => {
  const calls: Array<ReadonlyArray<string>> = []
  const cli = (args: ReadonlyArray<string>) => {
    calls.push(args)
    return Effect.succeed(answer(args))
  }
  return { cli, calls }
}
