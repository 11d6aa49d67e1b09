import { describe, expect, it } from "@effect/vitest"
import { HelpDoc, ValidationError } from "@effect/cli"
import { Cause, Console, Effect, FiberId } from "effect"
import { colourWanted, failureLines, parserConsole, stripAnsi } from "../src/output.js"

describe("what ociman prints besides a command's output", () => {
  it("colours only on a terminal without NO_COLOR", () => {
    expect(colourWanted({ isTTY: true }, {})).toBe(true)
    expect(colourWanted({ isTTY: false }, {})).toBe(false)
    expect(colourWanted({}, {})).toBe(false)
    expect(colourWanted({ isTTY: true }, { NO_COLOR: "1" })).toBe(false)
    // an empty NO_COLOR does not count (no-color.org)
    expect(colourWanted({ isTTY: true }, { NO_COLOR: "" })).toBe(true)
    expect(stripAnsi("\u001b[1mUSAGE\u001b[0m")).toBe("USAGE")
  })

  it.effect("the parser's console strips colours and trailing blank lines, and drops usage errors", () =>
    Effect.gen(function* () {
      const printed: Array<string> = []
      const base = yield* Effect.console
      const recording: Console.Console = {
        ...base,
        log: (...args) => Effect.sync(() => void printed.push(`log:${args.join(" ")}`)),
        error: (...args) => Effect.sync(() => void printed.push(`error:${args.join(" ")}`))
      }
      yield* Effect.withConsole(
        Effect.zipRight(Console.log("\u001b[1mUSAGE\u001b[0m\n\n"), Console.error("Received unknown argument")),
        parserConsole(recording, false)
      )
      yield* Effect.withConsole(Console.log("\u001b[1mUSAGE\u001b[0m"), parserConsole(recording, true))
      expect(printed).toEqual(["log:USAGE", "log:\u001b[1mUSAGE\u001b[0m"])
    })
  )

  it("a failure is one prefixed line; --verbose adds the cause chain; an interruption prints nothing", () => {
    const usage = ValidationError.invalidValue(HelpDoc.p("Expected one of the following cases: a, b\n"))
    expect(failureLines(Cause.fail(usage), false)).toEqual(["ociman: Expected one of the following cases: a, b"])
    const typed = { message: "docker failed:\n  no space left" }
    expect(failureLines(Cause.fail(typed), false)).toEqual(["ociman: docker failed: no space left"])
    const verbose = failureLines(Cause.fail(typed), true)
    expect(verbose).toHaveLength(2)
    expect(verbose[0]).toBe("ociman: docker failed: no space left")
    const defect = failureLines(Cause.die(new RangeError("boom")), false)
    expect(defect).toEqual(["ociman: unexpected error, please report it: RangeError: boom (--verbose shows where)"])
    expect(failureLines(Cause.die(new RangeError("boom")), true)[1]).toContain("RangeError: boom")
    expect(failureLines(Cause.interrupt(FiberId.none), false)).toEqual([])
  })
})
