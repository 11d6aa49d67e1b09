import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Schedule } from "effect"
import { decodeText, REDACTED, run, runSuccess } from "../src/internal/cli/process.js"
import { recordingTracer } from "./support/recordingTracer.js"

const sh = (script: string, options: Partial<Parameters<typeof run>[0]> = {}) =>
  run({ executable: "sh", args: ["-c", script], ...options })

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe("process core", () => {
  it.live("returns stdout, stderr and the exit code", () =>
    Effect.gen(function* () {
      const done = yield* sh("echo out; echo err >&2; exit 3")
      expect(decodeText(done.stdout)).toBe("out\n")
      expect(decodeText(done.stderr)).toBe("err\n")
      expect(done.exitCode).toBe(3)
      expect(done.argv).toEqual(["sh", "-c", "echo out; echo err >&2; exit 3"])
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.live("drains a 5 MB stderr and a 5 MB stdout concurrently without hanging", () =>
    Effect.gen(function* () {
      const done = yield* sh("head -c 5000000 /dev/zero >&2 & head -c 5000000 /dev/zero; wait; echo done", {
        timeout: "20 seconds"
      })
      expect(done.exitCode).toBe(0)
      expect(done.stderr.length).toBe(5_000_000)
      expect(done.stdout.length).toBe(5_000_005)
      expect(decodeText(done.stdout.subarray(5_000_000))).toBe("done\n")
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.live("writes stdin bytes exactly, binary included, then closes stdin", () =>
    Effect.gen(function* () {
      const input = new Uint8Array([0, 1, 2, 255, 254, 10, 13, 0])
      const done = yield* run({ executable: "cat", args: [], stdin: input, timeout: "10 seconds" })
      expect(done.exitCode).toBe(0)
      expect(Array.from(done.stdout)).toEqual(Array.from(input))
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.live("closes stdin at once when no input is given (a reader does not hang)", () =>
    Effect.gen(function* () {
      const done = yield* run({ executable: "cat", args: [], timeout: "10 seconds" })
      expect(done.exitCode).toBe(0)
      expect(done.stdout.length).toBe(0)
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.live("passes environment overrides to the child without putting them in argv", () =>
    Effect.gen(function* () {
      const done = yield* sh('printf %s "$OCIMAN_TEST_SECRET"', { env: { OCIMAN_TEST_SECRET: "s3cr3t-value" } })
      expect(decodeText(done.stdout)).toBe("s3cr3t-value")
      expect(done.argv.join(" ")).not.toContain("s3cr3t-value")
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.live("times out at the timeout: SIGTERM, then SIGKILL in the background for a child that ignores SIGTERM", () =>
    Effect.gen(function* () {
      const fs = yield* Effect.promise(() => import("node:fs/promises"))
      const os = yield* Effect.promise(() => import("node:os"))
      const pidFile = `${os.tmpdir()}/ociman-timeout-${process.pid}-${Date.now()}`
      const started = Date.now()
      const result = yield* Effect.either(
        sh(`echo $$ > ${pidFile}; trap '' TERM; while true; do sleep 1; done`, {
          timeout: "500 millis",
          killGrace: "3 seconds"
        })
      )
      const elapsed = Date.now() - started
      expect(Either.isLeft(result) && result.left._tag).toBe("CommandTimedOut")
      if (Either.isLeft(result) && result.left._tag === "CommandTimedOut") {
        expect(result.left.timeoutMillis).toBe(500)
        expect(result.left.message).toContain("did not finish within 500 ms")
      }
      expect(elapsed).toBeLessThan(10_000)
      const pid = Number((yield* Effect.promise(() => fs.readFile(pidFile, "utf8"))).trim())
      yield* Effect.promise(() => fs.rm(pidFile))
      // the error came at the timeout, not after the kill: the child, which ignores SIGTERM, is
      // still in its 3 s grace
      expect(isAlive(pid)).toBe(true)
      // the kill goes on in the background: SIGKILL after the grace (without the escalation the
      // child would live for ever)
      const gone = yield* Effect.sync(() => isAlive(pid)).pipe(
        Effect.filterOrFail(
          (alive) => !alive,
          () => "still alive"
        ),
        Effect.retry({ schedule: Schedule.spaced("100 millis"), times: 100 }),
        Effect.as(true),
        Effect.orElseSucceed(() => false)
      )
      expect(gone).toBe(true)
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.live("reports a missing executable as ExecutableNotFound", () =>
    Effect.gen(function* () {
      const result = yield* Effect.flip(run({ executable: "ociman-definitely-not-installed", args: ["version"] }))
      expect(result._tag).toBe("ExecutableNotFound")
      expect(result.message).toContain("ociman-definitely-not-installed is not installed or not on PATH")
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.live("runSuccess turns a non-zero exit into CommandFailed with argv, exit code and stderr", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(runSuccess({ executable: "sh", args: ["-c", "echo boom >&2; exit 125"] }))
      expect(error._tag).toBe("CommandFailed")
      if (error._tag === "CommandFailed") {
        expect(error.exitCode).toBe(125)
        expect(error.stderr).toBe("boom\n")
        expect(error.argv).toEqual(["sh", "-c", "echo boom >&2; exit 125"])
        expect(error.message).toBe("sh -c 'echo boom >&2; exit 125' exited with 125: boom")
      }
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.live("reports death by signal as no exit code and the signal's name", () =>
    Effect.gen(function* () {
      const done = yield* sh("kill -KILL $$")
      expect(done.exitCode).toBeUndefined()
      expect(done.signal).toBe("SIGKILL")
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.live("redacts secret values in argv and records one span per call", () =>
    Effect.gen(function* () {
      const { spans, tracer } = recordingTracer()
      const done = yield* run({ executable: "echo", args: ["--password=hunter2"], secrets: ["hunter2"] }).pipe(
        Effect.withTracer(tracer)
      )
      expect(decodeText(done.stdout)).toBe("--password=hunter2\n")
      expect(done.argv).toEqual(["echo", `--password=${REDACTED}`])
      const span = spans.find((s) => s.name === "ociman.cli")
      expect(span?.attributes.get("process.command_args")).toEqual(["echo", `--password=${REDACTED}`])
      expect(JSON.stringify([...(span?.attributes.values() ?? [])])).not.toContain("hunter2")
    }).pipe(Effect.provide(NodeContext.layer))
  )
})
