import { describe, expect, it } from "@effect/vitest"
import { Cause, Exit, FiberId } from "effect"
import { errorLine, exitCode } from "../src/exit.js"

describe("how ociman exits", () => {
  const interrupted = Exit.interrupt(FiberId.make(1, 0))

  it("an interruption by SIGINT / SIGTERM exits 128 + the signal's number", () => {
    expect(exitCode(interrupted, "SIGINT", 0)).toBe(130)
    expect(exitCode(interrupted, "SIGTERM", 0)).toBe(143)
    // a release that failed during the interruption: the signal still explains the exit
    const failedRelease = Exit.failCause(Cause.sequential(Cause.interrupt(FiberId.make(1, 0)), Cause.fail("boom")))
    expect(exitCode(failedRelease, "SIGINT", 0)).toBe(130)
  })

  it("a failure exits 1, a success with the code the command asked for", () => {
    expect(exitCode(Exit.fail("boom"), undefined, 0)).toBe(1)
    expect(exitCode(Exit.fail("boom"), "SIGINT", 0)).toBe(1)
    expect(exitCode(interrupted, undefined, 0)).toBe(1)
    expect(exitCode(Exit.void, undefined, 0)).toBe(0)
    expect(exitCode(Exit.void, undefined, 3)).toBe(3)
    // the program finished before the signal could interrupt it: its own answer stands
    expect(exitCode(Exit.void, "SIGINT", 3)).toBe(3)
  })

  it("an error is one line", () => {
    expect(errorLine("no such container: web")).toBe("ociman: no such container: web")
    expect(errorLine("docker run exited with 125: Unable to find image\ndocker: Error response\n")).toBe(
      "ociman: docker run exited with 125: Unable to find image docker: Error response"
    )
  })
})
