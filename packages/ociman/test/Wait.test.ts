import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import {
  Clock,
  Deferred,
  type Duration,
  Effect,
  Exit,
  Fiber,
  Layer,
  Option,
  Ref,
  Schedule,
  Stream,
  TestClock
} from "effect"
import { createServer as createHttpServer } from "node:http"
import { createServer as createTcpServer, type Server } from "node:net"
import { CommandFailed } from "../src/CliError.js"
import type { Container, HostPort } from "../src/Container.js"
import * as ContainerModule from "../src/Container.js"
import { ContainerNotFound, PortNotPublished } from "../src/ContainerError.js"
import type * as ContainerInspect from "../src/ContainerInspect.js"
import * as ContainerRuntime from "../src/ContainerRuntime.js"
import * as Def from "../src/ContainerDefinition.js"
import * as Port from "../src/Port.js"
import { Version } from "../src/Version.js"
import * as Wait from "../src/Wait.js"
import { fakeExecutable } from "./support/fakeExecutable.js"
import type { ContainerOperations, ExecResult, LogLine } from "../src/ContainerRuntime.js"
import { HealthcheckMissing } from "../src/WaitError.js"
import { outcomeOf } from "../src/internal/healthcheck.js"
import { probeFromHost } from "../src/internal/hostProbe.js"

const ID = "c0ffee".padEnd(64, "0")

const inspectOf = (
  state: { readonly status?: string; readonly exitCode?: number; readonly health?: string } = {}
): ContainerInspect.ContainerInspect => {
  const status = state.status ?? "running"
  return {
    id: ID,
    name: "fake",
    image: "busybox",
    state: {
      status,
      running: status === "running",
      exitCode: state.exitCode ?? 0,
      startedAt: "2026-01-01T00:00:00Z",
      finishedAt: "0001-01-01T00:00:00Z",
      health: state.health === undefined ? undefined : { status: state.health, failingStreak: 0, log: [] }
    },
    labels: new Map(),
    ports: new Map(),
    networks: new Map(),
    ipAddress: undefined,
    raw: {}
  }
}

const execResult = (exitCode: number, stderr = ""): ExecResult => ({
  exitCode,
  stdout: "",
  stderr,
  stdoutBytes: new Uint8Array(),
  stderrBytes: new TextEncoder().encode(stderr),
  argv: ["docker", "exec", ID]
})

const out = (text: string): LogLine => ({ stream: "stdout", text })
const err = (text: string): LogLine => ({ stream: "stderr", text })

const cliFailure = new CommandFailed({
  argv: ["docker", "logs", ID],
  exitCode: 1,
  signal: undefined,
  stdout: "",
  stderr: "Error response from daemon: i/o timeout"
})

/**
 * A `Container` handle built by hand: each operation returns canned data unless overridden. Its
 * log follow, unless overridden, is one read of `logs` that then ends (as for a stopped container):
 * a wait that is not ready inspects the container and follows again.
 */
const fakeContainer = (overrides: Partial<Container> = {}): Container => {
  const inspect = overrides.inspect ?? Effect.succeed(inspectOf())
  const hostPort: Container["hostPort"] =
    overrides.hostPort ?? ((port) => Effect.fail(new PortNotPublished({ container: ID, port: Port.key(port) })))
  return {
    id: ID,
    name: Effect.succeed("fake"),
    exec: () => Effect.succeed(execResult(0)),
    execSuccess: () => Effect.succeed(execResult(0)),
    inspect,
    labels: Effect.succeed(new Map()),
    hostPort,
    // as the real runtimes answer them: from this host, and from the inspected health (Docker's way)
    probePort: (probe) => Effect.flatMap(hostPort(probe.port), (target) => probeFromHost(target, probe)),
    healthcheck: Effect.flatMap(inspect, (info) =>
      info.state.health === undefined
        ? Effect.fail(new HealthcheckMissing({ container: ID }))
        : Effect.succeed(outcomeOf(info.state.health))
    ),
    hostPorts: () => Effect.succeed([]),
    logs: Effect.succeed([]),
    streamLogs: () => Stream.flatMap(Stream.fromEffect(overrides.logs ?? Effect.succeed([])), Stream.fromIterable),
    streamExec: () => Stream.empty,
    stop: () => Effect.void,
    remove: () => Effect.void,
    // a running container: its wait never completes (a log follow is not cut short by an exit)
    wait: Effect.never,
    commit: () => Effect.void,
    restart: () => Effect.void,
    pause: () => Effect.void,
    unpause: () => Effect.void,
    kill: () => Effect.void,
    writeFile: () => Effect.void,
    readFile: () => Effect.succeed(new Uint8Array(0)),
    readFileString: () => Effect.succeed(""),
    copyTo: () => Effect.void,
    copyFrom: () => Effect.void,
    top: Effect.succeed([]),
    stats: Effect.succeed({ memoryUsage: 1, memoryLimit: 2, cpu: 0, pids: 1, network: undefined, blockIo: undefined }),
    ...overrides
  }
}

/** An effect that answers from `answers` in turn (the last one repeats), counting its calls. */
const sequence = <A, E>(answers: ReadonlyArray<Effect.Effect<A, E>>) =>
  Effect.map(Ref.make(0), (calls) => ({
    calls,
    effect: Effect.flatMap(
      Ref.getAndUpdate(calls, (n) => n + 1),
      (n): Effect.Effect<A, E> => answers[Math.min(n, answers.length - 1)] ?? Effect.dieMessage("no answers")
    )
  }))

const notReadyCommand = Wait.command(["test", "-f", "/tmp/ready"])

/** Runs a wait that must fail while the test clock moves `duration` forward; returns its error. */
const failsWithin = <E>(duration: Duration.DurationInput, wait: Effect.Effect<void, E>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(wait)
    yield* TestClock.adjust(duration)
    return yield* Effect.flip(Fiber.join(fiber))
  })

describe("Wait strategies", () => {
  it("describe says what is waited for", () => {
    expect(
      Wait.describe(
        Wait.all(
          Wait.logLine(/ready/, { times: 2, stream: "stderr" }),
          Wait.any(Wait.tcp(Port.tcp(5432)), Wait.healthy),
          Wait.command(["pg_isready"]),
          Wait.http({ port: Port.tcp(8080), path: "/health" })
        )
      )
    ).toBe(
      "all(log line /ready/ ×2 on stderr, any(tcp 5432/tcp, healthy), command pg_isready, http GET 8080/tcp/health → 200)"
    )
  })

  it("strategies are values with structural equality", () => {
    expect(Wait.tcp(Port.tcp(80))).toEqual(Wait.tcp(Port.tcp(80)))
    expect(Wait.http({ port: Port.tcp(80) })).toEqual(
      Wait.http({ port: Port.tcp(80), path: "/", status: 200, method: "GET" })
    )
  })

  it.effect("strategies that can never pass fail at once with InvalidWaitStrategy", () =>
    Effect.gen(function* () {
      const invalid = [
        Wait.logLine("x", { times: 0 }),
        Wait.logLine("x", { times: 1.5 }),
        Wait.tcp(Port.udp(53)),
        Wait.tcp(Port.tcp(70_000)),
        Wait.any(),
        Wait.command([]),
        Wait.http({ port: Port.tcp(80), path: "health" }),
        Wait.http({ port: Port.tcp(80), status: 99 }),
        Wait.all(Wait.healthy, Wait.any(Wait.logLine("x", { times: -1 })))
      ]
      for (const strategy of invalid) {
        const error = yield* Effect.flip(Wait.forContainer(fakeContainer(), strategy))
        expect(error._tag).toBe("InvalidWaitStrategy")
      }
      const error = yield* Effect.flip(Wait.forContainer(fakeContainer(), Wait.tcp(Port.udp(53))))
      expect(error.message).toBe(
        "invalid wait strategy tcp 53/udp: only TCP ports can be checked from the host (got 53/udp)"
      )
    })
  )

  it.effect("all() is ready at once", () => Wait.forContainer(fakeContainer(), Wait.all()))
})

describe("Wait.logLine", () => {
  it.effect("a follow that ends starts over from the first line: a line is never counted twice", () =>
    Effect.gen(function* () {
      const logs = yield* sequence([
        Effect.succeed([out("ready")]),
        Effect.succeed([out("ready"), out("other")]),
        Effect.succeed([out("ready"), out("other"), out("ready")])
      ])
      const fiber = yield* Effect.fork(
        Wait.forContainer(fakeContainer({ logs: logs.effect }), Wait.logLine(/ready/, { times: 2 }))
      )
      yield* TestClock.adjust("1 second")
      expect(Exit.isSuccess(yield* Fiber.await(fiber))).toBe(true)
      expect(yield* Ref.get(logs.calls)).toBe(3)
    })
  )

  /** A log follow that writes `lines` at the given test-clock times, then stays open; counts its starts and ends. */
  const followed = (lines: ReadonlyArray<readonly [Duration.DurationInput, LogLine]>) =>
    Effect.map(Ref.make({ started: 0, ended: 0 }), (counts) => ({
      counts,
      streamLogs: () =>
        Stream.concat(
          Stream.fromIterable(lines).pipe(Stream.mapEffect(([at, line]) => Effect.as(Effect.sleep(at), line))),
          Stream.never
        ).pipe(
          Stream.onStart(Ref.update(counts, (c) => ({ ...c, started: c.started + 1 }))),
          Stream.ensuring(Ref.update(counts, (c) => ({ ...c, ended: c.ended + 1 })))
        )
    }))

  it.effect("ready the moment the line is written: one follow, no polling of the whole log", () =>
    Effect.gen(function* () {
      const { counts, streamLogs } = yield* followed([
        ["0 millis", out("starting")],
        ["1234 millis", out("ready")]
      ])
      const logs = yield* sequence([Effect.succeed([out("ready")])])
      const fiber = yield* Effect.fork(
        Wait.forContainer(fakeContainer({ streamLogs, logs: logs.effect }), Wait.logLine("ready"))
      )
      yield* TestClock.adjust("1233 millis")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      // polling would see it at 1550 ms at the earliest (50, 150, 350, 750, 1550 ms)
      yield* TestClock.adjust("1 millis")
      expect(Exit.isSuccess(yield* Fiber.await(fiber))).toBe(true)
      expect(yield* Ref.get(counts)).toEqual({ started: 1, ended: 1 })
      expect(yield* Ref.get(logs.calls)).toBe(0)
    })
  )

  it.effect("a follow the engine keeps open after the exit ends 2 s later: exited before ready, not timed out", () =>
    Effect.gen(function* () {
      const stuck = yield* followed([["0 millis", out("about-to-fail")]])
      const exited = yield* Deferred.make<number>()
      const container = fakeContainer({
        streamLogs: stuck.streamLogs,
        wait: Deferred.await(exited),
        inspect: Effect.map(Deferred.isDone(exited), (done) =>
          done ? inspectOf({ status: "exited", exitCode: 2 }) : inspectOf()
        )
      })
      const fiber = yield* Effect.fork(Wait.forContainer(container, Wait.logLine("never"), { timeout: "60 seconds" }))
      yield* TestClock.adjust("5 seconds")
      yield* Deferred.succeed(exited, 2)
      yield* TestClock.adjust("1999 millis")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      expect(yield* Ref.get(stuck.counts)).toEqual({ started: 1, ended: 0 })
      yield* TestClock.adjust("1 millis")
      // the poller's inspect sees the exit; its one last follow (the final log) ends the same way,
      // 2 s into the follow and 2 s after the exit it then sees
      expect(yield* Ref.get(stuck.counts)).toEqual({ started: 2, ended: 1 })
      yield* TestClock.adjust("4 seconds")
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(error._tag === "ContainerExitedBeforeReady" && error.exitCode).toBe(2)
      expect(yield* Ref.get(stuck.counts)).toEqual({ started: 2, ended: 2 })
    })
  )

  it.effect("a follow is not cut short by attemptTimeout; at the deadline it says how many lines matched", () =>
    Effect.gen(function* () {
      const slow = yield* followed([["7 seconds", out("ready")]])
      const fiber = yield* Effect.fork(
        Wait.forContainer(fakeContainer({ streamLogs: slow.streamLogs }), Wait.logLine("ready"), {
          attemptTimeout: "1 second"
        })
      )
      yield* TestClock.adjust("7 seconds")
      expect(Exit.isSuccess(yield* Fiber.await(fiber))).toBe(true)
      expect(yield* Ref.get(slow.counts)).toEqual({ started: 1, ended: 1 })

      const once = yield* followed([["100 millis", out("ready")]])
      const error = yield* failsWithin(
        "2 seconds",
        Wait.forContainer(fakeContainer({ streamLogs: once.streamLogs }), Wait.logLine("ready", { times: 2 }), {
          timeout: "2 seconds"
        })
      )
      expect(error._tag === "WaitTimedOut" && error.lastError).toBe("1 of 2 log lines match /ready/")
      // the deadline interrupted the follow
      expect(yield* Ref.get(once.counts)).toEqual({ started: 1, ended: 1 })
    })
  )

  it.effect("a global or sticky RegExp is not stateful across lines", () =>
    Wait.forContainer(
      fakeContainer({ logs: Effect.succeed([out("ready"), out("ready")]) }),
      Wait.logLine(/ready/gy, { times: 2 })
    )
  )

  it.effect("a string matches literally; stream restricts the lines", () =>
    Effect.gen(function* () {
      const container = fakeContainer({ logs: Effect.succeed([out("axb"), out("a.b on stdout"), err("other")]) })
      yield* Wait.forContainer(container, Wait.logLine("a.b"))
      const literal = yield* failsWithin(
        "1 second",
        Wait.forContainer(container, Wait.logLine("a.b", { times: 2 }), { timeout: "1 second" })
      )
      expect(literal._tag).toBe("WaitTimedOut")
      const fiber = yield* Effect.fork(
        Wait.forContainer(container, Wait.logLine("a.b", { stream: "stderr" }), { timeout: "1 second" })
      )
      yield* TestClock.adjust("1 second")
      const onStderr = yield* Effect.flip(Fiber.join(fiber))
      expect(onStderr._tag).toBe("WaitTimedOut")
      if (onStderr._tag === "WaitTimedOut") expect(onStderr.lastError).toBe("0 of 1 log lines match /a\\.b/")
    })
  )
})

describe("Wait.forContainer polling", () => {
  it.effect("backs off from 50 ms, doubling, capped at 1 s, until the one deadline", () =>
    Effect.gen(function* () {
      const times = yield* Ref.make<ReadonlyArray<number>>([])
      const container = fakeContainer({
        exec: () =>
          Clock.currentTimeMillis.pipe(
            Effect.tap((now) => Ref.update(times, (all) => [...all, now])),
            Effect.as(execResult(1, "no such file"))
          )
      })
      const fiber = yield* Effect.fork(Wait.forContainer(container, notReadyCommand, { timeout: "5 seconds" }))
      yield* TestClock.adjust("10 seconds")
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(yield* Ref.get(times)).toEqual([0, 50, 150, 350, 750, 1550, 2550, 3550, 4550])
      expect(error._tag).toBe("WaitTimedOut")
      if (error._tag !== "WaitTimedOut") return
      expect(error.elapsedMillis).toBe(5000)
      expect(error.strategy).toBe("command test -f /tmp/ready")
      expect(error.lastError).toBe("test -f /tmp/ready exited with 1: no such file")
      expect(error.message).toContain("was not ready after 5000 ms (waiting for command test -f /tmp/ready)")
    })
  )

  it.effect("a custom schedule; a finite one that gives up counts as timed out", () =>
    Effect.gen(function* () {
      const exec = yield* sequence([Effect.succeed(execResult(1))])
      const error = yield* Effect.flip(
        Wait.forContainer(fakeContainer({ exec: () => exec.effect }), notReadyCommand, {
          schedule: Schedule.recurs(2)
        })
      )
      expect(error._tag).toBe("WaitTimedOut")
      expect(yield* Ref.get(exec.calls)).toBe(3)
    })
  )

  it.effect("the timeout counts from startedAt: time spent before the wait is part of the budget", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(
        Wait.forContainer(fakeContainer({ exec: () => Effect.succeed(execResult(1)) }), notReadyCommand, {
          timeout: "5 seconds",
          startedAt: -4000
        })
      )
      yield* TestClock.adjust("999 millis")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 millis")
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(error._tag === "WaitTimedOut" && error.elapsedMillis).toBe(5000)
    })
  )

  it.effect("the timeout error carries the last 50 log lines", () =>
    Effect.gen(function* () {
      const lines = Array.from({ length: 60 }, (_, i) => out(`line ${i}`))
      const error = yield* failsWithin(
        "1 second",
        Wait.forContainer(fakeContainer({ logs: Effect.succeed(lines) }), Wait.logLine("never"), {
          timeout: "1 second"
        })
      )
      expect(error._tag).toBe("WaitTimedOut")
      if (error._tag !== "WaitTimedOut") return
      expect(error.lastLogs).toEqual(lines.slice(10))
      expect(error.message).toContain("line 59")
      expect(error.message).not.toContain("line 49\n")
    })
  )

  it.effect("a container that exits before it is ready fails at once with its exit code and last logs", () =>
    Effect.gen(function* () {
      const inspect = yield* sequence([
        Effect.succeed(inspectOf()),
        Effect.succeed(inspectOf()),
        Effect.succeed(inspectOf({ status: "exited", exitCode: 3 }))
      ])
      const container = fakeContainer({
        inspect: inspect.effect,
        logs: Effect.succeed([out("starting"), err("fatal: no config")])
      })
      const fiber = yield* Effect.fork(
        Wait.forContainer(container, Wait.logLine("listening"), { timeout: "60 seconds" })
      )
      yield* TestClock.adjust("150 millis")
      const exit = yield* Fiber.await(fiber)
      expect(Exit.isFailure(exit)).toBe(true)
      const error = yield* Effect.flip(exit)
      expect(error._tag).toBe("ContainerExitedBeforeReady")
      if (error._tag !== "ContainerExitedBeforeReady") return
      expect(error.exitCode).toBe(3)
      expect(error.lastLogs.at(-1)).toEqual(err("fatal: no config"))
      expect(error.message).toBe(
        `container c0ffee000000 exited with code 3 before it was ready (waiting for log line /listening/); last log lines:\n  starting\n  fatal: no config`
      )
    })
  )

  it.effect("a paused or restarting container is not an exited one", () =>
    Effect.gen(function* () {
      for (const status of ["paused", "restarting", "created"]) {
        const error = yield* failsWithin(
          "1 second",
          Wait.forContainer(
            fakeContainer({ inspect: Effect.succeed(inspectOf({ status, exitCode: 0 })) }),
            Wait.logLine("x"),
            { timeout: "1 second" }
          )
        )
        expect(error._tag).toBe("WaitTimedOut")
      }
    })
  )

  it.effect("a container removed meanwhile (--rm) is ContainerExitedBeforeReady without exit code", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Wait.forContainer(
          fakeContainer({ logs: Effect.fail(new ContainerNotFound({ container: ID })) }),
          Wait.logLine("x")
        )
      )
      expect(error._tag === "ContainerExitedBeforeReady" && error.exitCode).toBeUndefined()
      const gone = yield* Effect.flip(
        Wait.forContainer(
          fakeContainer({
            inspect: Effect.fail(new ContainerNotFound({ container: ID })),
            exec: () => Effect.succeed(execResult(1))
          }),
          notReadyCommand
        )
      )
      expect(gone._tag).toBe("ContainerExitedBeforeReady")
      if (gone._tag === "ContainerExitedBeforeReady") {
        expect(gone.exitCode).toBeUndefined()
        expect(gone.message).toContain("was removed (after it exited, or by someone else) before it was ready")
      }
    })
  )

  it.effect("a CLI failure during a check is retried, and reported if it lasts", () =>
    Effect.gen(function* () {
      const logs = yield* sequence([Effect.fail(cliFailure), Effect.succeed([out("ready")])])
      const fiber = yield* Effect.fork(Wait.forContainer(fakeContainer({ logs: logs.effect }), Wait.logLine("ready")))
      yield* TestClock.adjust("50 millis")
      expect(Exit.isSuccess(yield* Fiber.await(fiber))).toBe(true)
      const failing = yield* failsWithin(
        "1 second",
        Wait.forContainer(fakeContainer({ logs: Effect.fail(cliFailure) }), Wait.logLine("ready"), {
          timeout: "1 second"
        })
      )
      expect(failing._tag === "WaitTimedOut" && failing.lastError).toContain("i/o timeout")
    })
  )

  it.effect("a check that hangs counts as not ready after attemptTimeout", () =>
    Effect.gen(function* () {
      const exec = yield* sequence([Effect.never, Effect.succeed(execResult(0))])
      const fiber = yield* Effect.fork(
        Wait.forContainer(fakeContainer({ exec: () => exec.effect }), notReadyCommand, {
          attemptTimeout: "1 second"
        })
      )
      yield* TestClock.adjust("1 second")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("50 millis")
      expect(Exit.isSuccess(yield* Fiber.await(fiber))).toBe(true)
      expect(yield* Ref.get(exec.calls)).toBe(2)
    })
  )

  it.effect("interrupting the wait interrupts the check in flight and stops polling", () =>
    Effect.gen(function* () {
      const interrupted = yield* Ref.make(false)
      const calls = yield* Ref.make(0)
      const exec = () =>
        Ref.update(calls, (n) => n + 1).pipe(
          Effect.zipRight(Effect.never),
          Effect.onInterrupt(() => Ref.set(interrupted, true))
        )
      const fiber = yield* Effect.fork(Wait.forContainer(fakeContainer({ exec }), notReadyCommand))
      yield* TestClock.adjust("1 second")
      yield* Fiber.interrupt(fiber)
      expect(yield* Ref.get(interrupted)).toBe(true)
      yield* TestClock.adjust("1 minute")
      expect(yield* Ref.get(calls)).toBe(1)
    })
  )

  it.effect("a port that is not published fails at once", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Wait.forContainer(fakeContainer(), Wait.tcp(Port.tcp(5432))))
      expect(error._tag).toBe("PortNotPublished")
    })
  )
})

describe("Wait.all / Wait.any", () => {
  it.effect("all waits for every strategy and does not re-check one that passed", () =>
    Effect.gen(function* () {
      const logs = yield* sequence([Effect.succeed([out("up")])])
      const exec = yield* sequence([
        Effect.succeed(execResult(1)),
        Effect.succeed(execResult(1)),
        Effect.succeed(execResult(0))
      ])
      const fiber = yield* Effect.fork(
        Wait.forContainer(
          fakeContainer({ logs: logs.effect, exec: () => exec.effect }),
          Wait.all(Wait.logLine("up"), notReadyCommand)
        )
      )
      yield* TestClock.adjust("150 millis")
      expect(Exit.isSuccess(yield* Fiber.await(fiber))).toBe(true)
      expect(yield* Ref.get(exec.calls)).toBe(3)
      expect(yield* Ref.get(logs.calls)).toBe(1)
    })
  )

  it.effect("all reports every pending reason", () =>
    Effect.gen(function* () {
      const error = yield* failsWithin(
        "1 second",
        Wait.forContainer(
          fakeContainer({ exec: () => Effect.succeed(execResult(2)) }),
          Wait.all(Wait.logLine("up"), notReadyCommand),
          { timeout: "1 second" }
        )
      )
      expect(error._tag === "WaitTimedOut" && error.lastError).toBe(
        "0 of 1 log lines match /up/; test -f /tmp/ready exited with 2"
      )
    })
  )

  it.effect("any is ready with the first strategy that passes and interrupts the others", () =>
    Effect.gen(function* () {
      const interrupted = yield* Ref.make(false)
      const exec = () => Effect.never.pipe(Effect.onInterrupt(() => Ref.set(interrupted, true)))
      const logs = yield* sequence([Effect.succeed([]), Effect.succeed([out("up")])])
      const fiber = yield* Effect.fork(
        Wait.forContainer(fakeContainer({ exec, logs: logs.effect }), Wait.any(notReadyCommand, Wait.logLine("up")), {
          attemptTimeout: "1 hour"
        })
      )
      // each strategy polls on its own: the hanging exec does not hold up the log line's polls
      yield* TestClock.adjust("10 millis")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 second")
      expect(Exit.isSuccess(yield* Fiber.await(fiber))).toBe(true)
      expect(yield* Ref.get(interrupted)).toBe(true)
    })
  )

  it.effect("any: a strategy that can never pass does not hide one that does", () =>
    Effect.gen(function* () {
      yield* Wait.forContainer(fakeContainer(), Wait.any(Wait.healthy, Wait.command(["true"])))
      const exec = yield* sequence([Effect.succeed(execResult(1)), Effect.succeed(execResult(0))])
      const fiber = yield* Effect.fork(
        Wait.forContainer(fakeContainer({ exec: () => exec.effect }), Wait.any(Wait.healthy, notReadyCommand))
      )
      yield* TestClock.adjust("50 millis")
      expect(Exit.isSuccess(yield* Fiber.await(fiber))).toBe(true)
      const error = yield* failsWithin(
        "1 second",
        Wait.forContainer(
          fakeContainer({ exec: () => Effect.succeed(execResult(1)) }),
          Wait.any(Wait.healthy, notReadyCommand),
          { timeout: "1 second" }
        )
      )
      expect(error._tag === "WaitTimedOut" && error.lastError).toMatch(
        /^container c0ffee000000 has no health check.* \| test -f \/tmp\/ready exited with 1$/
      )
    })
  )

  it.effect("all: a strategy that can never pass fails the wait at once", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Wait.forContainer(fakeContainer(), Wait.all(notReadyCommand, Wait.healthy)))
      expect(error._tag).toBe("HealthcheckMissing")
    })
  )

  it.effect("a container that stops: the check gets one last attempt on its final state", () =>
    Effect.gen(function* () {
      // the line is printed just before the exit, between the log read and the inspect
      const logs = yield* sequence([Effect.succeed([out("working")]), Effect.succeed([out("working"), out("done")])])
      yield* Wait.forContainer(
        fakeContainer({ logs: logs.effect, inspect: Effect.succeed(inspectOf({ status: "exited", exitCode: 0 })) }),
        Wait.logLine("done")
      )
      expect(yield* Ref.get(logs.calls)).toBe(2)
    })
  )

  it.effect("any reports every pending reason", () =>
    Effect.gen(function* () {
      const error = yield* failsWithin(
        "1 second",
        Wait.forContainer(
          fakeContainer({ exec: () => Effect.succeed(execResult(1)) }),
          Wait.any(Wait.logLine("up"), notReadyCommand),
          { timeout: "1 second" }
        )
      )
      expect(error._tag === "WaitTimedOut" && error.lastError).toBe(
        "0 of 1 log lines match /up/ | test -f /tmp/ready exited with 1"
      )
    })
  )
})

/**
 * The Podman CLI backend over a fake `podman`: `container inspect` shows a health check that is
 * `starting` (Podman without systemd never runs one by itself), and `healthcheck run` answers
 * from `answers` in turn (the last repeats). Every call's argv is appended to a log file.
 */
const fakePodmanRuntime = (answers: ReadonlyArray<{ readonly exitCode: number; readonly stderr?: string }>) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "ociman-podman-health-" })
    const inspect = JSON.stringify([
      {
        Id: ID,
        Name: "fake",
        Config: { Image: "img:1" },
        State: {
          Status: "running",
          Running: true,
          ExitCode: 0,
          StartedAt: "s",
          FinishedAt: "f",
          Health: { Status: "starting" }
        }
      }
    ])
    const cases = answers
      .map(
        (answer, index) =>
          `${index === answers.length - 1 ? "*" : String(index)}) printf '%s' '${answer.stderr ?? ""}' >&2; echo unhealthy; exit ${answer.exitCode} ;;`
      )
      .join("\n    ")
    const executable = yield* fakeExecutable(
      "podman",
      `echo "$*" >> ${dir}/calls
case "$1 $2" in
  "container inspect") echo '${inspect}' ;;
  "healthcheck run")
    n=$(cat ${dir}/runs 2>/dev/null || echo 0); echo $((n + 1)) > ${dir}/runs
    case "$n" in
    ${cases}
    esac ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac`
    )
    const version = new Version({ major: 4, minor: 3, patch: 1, suffix: "", raw: "4.3.1" })
    const service = yield* ContainerRuntime.make({
      kind: "podman",
      executable,
      clientVersion: version,
      engineVersion: version,
      rootless: false,
      source: "argument",
      endpoint: { url: undefined, source: "default", name: undefined, remote: false, host: undefined },
      transport: "cli"
    })
    const calls = Effect.map(fs.readFileString(`${dir}/calls`), (text) =>
      text
        .split("\n")
        .filter((line) => line.length > 0)
        .map((line) => line.split(" ").slice(0, 2).join(" "))
    )
    return { calls, layer: Layer.succeed(ContainerRuntime.ContainerRuntime, service) }
  })

describe("Wait.none", () => {
  it("says it waits for nothing, and passes validation", () => {
    expect(Wait.describe(Wait.none)).toBe("nothing")
    expect(Wait.describe(Wait.all(Wait.none, Wait.healthy))).toBe("all(nothing, healthy)")
    expect(Wait.none).toEqual(Wait.none)
  })

  it.effect("is ready at once without a single call to the container, alone or inside any", () =>
    Effect.gen(function* () {
      const touched = yield* Ref.make(0)
      const touch = Effect.zipRight(
        Ref.update(touched, (n) => n + 1),
        Effect.never
      )
      // every answer would hang: a wait that asked anything would never end
      const container = fakeContainer({
        inspect: touch,
        healthcheck: touch,
        logs: touch,
        exec: () => touch,
        probePort: () => touch
      })
      yield* Wait.forContainer(container, Wait.none)
      yield* Wait.forContainer(container, Wait.any(Wait.none, Wait.healthy))
      expect(yield* Ref.get(touched)).toBe(0)
      // inside all, the other strategies still decide
      const error = yield* Effect.flip(Wait.forContainer(fakeContainer(), Wait.all(Wait.none, Wait.healthy)))
      expect(error._tag).toBe("HealthcheckMissing")
    })
  )
})

describe("Wait.auto", () => {
  /** A container whose inspect answers `info` and counts its calls; the health check counts too. */
  const counted = (info: ContainerInspect.ContainerInspect, health: Effect.Effect<void> = Effect.void) =>
    Effect.gen(function* () {
      const inspects = yield* Ref.make(0)
      const checks = yield* Ref.make(0)
      const container = fakeContainer({
        inspect: Effect.as(
          Ref.update(inspects, (n) => n + 1),
          info
        ),
        healthcheck: Effect.zipRight(
          Ref.update(checks, (n) => n + 1),
          Effect.as(health, { _tag: "Healthy" } as const)
        )
      })
      return { container, inspects, checks }
    })

  it.effect("one inspect decides: running and publishing no TCP port, or already healthy, is ready with it", () =>
    Effect.gen(function* () {
      const plain = yield* counted(inspectOf())
      yield* Wait.forContainer(plain.container, Wait.auto)
      expect(yield* Ref.get(plain.inspects)).toBe(1)
      const healthy = yield* counted(inspectOf({ health: "healthy" }))
      yield* Wait.forContainer(healthy.container, Wait.auto)
      expect(yield* Ref.get(healthy.inspects)).toBe(1)
      expect(yield* Ref.get(healthy.checks)).toBe(0)
    })
  )

  it.effect("a health check not yet healthy is asked (Podman runs it then); a stopped container is not ready", () =>
    Effect.gen(function* () {
      const starting = yield* counted(inspectOf({ health: "starting" }))
      yield* Wait.forContainer(starting.container, Wait.auto)
      expect(yield* Ref.get(starting.checks)).toBe(1)
      const exited = yield* Effect.flip(
        Wait.forContainer(
          fakeContainer({ inspect: Effect.succeed(inspectOf({ status: "exited", exitCode: 1 })) }),
          Wait.auto
        )
      )
      expect(exited._tag === "ContainerExitedBeforeReady" && exited.exitCode).toBe(1)
    })
  )
})

describe("Wait.healthy", () => {
  it.effect("waits for the health status to become healthy", () =>
    Effect.gen(function* () {
      // by time, since the exit check inspects too: starting, then unhealthy (not final), then healthy
      const inspect = Effect.map(Clock.currentTimeMillis, (now) =>
        inspectOf({ health: now >= 150 ? "healthy" : now >= 50 ? "unhealthy" : "starting" })
      )
      const fiber = yield* Effect.fork(Wait.forContainer(fakeContainer({ inspect }), Wait.healthy))
      yield* TestClock.adjust("50 millis")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("100 millis")
      expect(Exit.isSuccess(yield* Fiber.await(fiber))).toBe(true)
    })
  )

  it.effect("no health check fails at once with HealthcheckMissing", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Wait.forContainer(fakeContainer(), Wait.healthy))
      expect(error._tag).toBe("HealthcheckMissing")
      expect(error.message).toContain("ContainerDefinition.healthcheck")
    })
  )

  it.scopedLive("on Podman it runs `podman healthcheck run` itself (no systemd timer needed)", () =>
    Effect.gen(function* () {
      const podman = yield* fakePodmanRuntime([{ exitCode: 1 }, { exitCode: 0 }])
      const container = yield* ContainerModule.handle(ID).pipe(Effect.provide(podman.layer))
      yield* Wait.forContainer(container, Wait.healthy, { timeout: "10 seconds" })
      const runs = (yield* podman.calls).filter((call) => call === "healthcheck run")
      expect(runs).toEqual(["healthcheck run", "healthcheck run"])
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scopedLive("on Podman, a container without a health check is HealthcheckMissing", () =>
    Effect.gen(function* () {
      // inspect shows a status (as a stale or odd Podman might): the CLI's answer decides
      const podman = yield* fakePodmanRuntime([
        { exitCode: 125, stderr: `Error: container ${ID} has no defined healthcheck` }
      ])
      const container = yield* ContainerModule.handle(ID).pipe(Effect.provide(podman.layer))
      const error = yield* Effect.flip(Wait.forContainer(container, Wait.healthy, { timeout: "10 seconds" }))
      expect(error._tag).toBe("HealthcheckMissing")
    }).pipe(Effect.provide(NodeContext.layer))
  )
})

const listen = (server: Server | ReturnType<typeof createHttpServer>) =>
  Effect.acquireRelease(
    Effect.async<number>((resume) => {
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0))
      })
    }),
    () => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
  )

const publishedAt = (port: number) =>
  fakeContainer({ hostPort: (): Effect.Effect<HostPort> => Effect.succeed({ host: "127.0.0.1", port }) })

// Real sockets and the real clock.
describe("Wait.tcp", () => {
  it.scopedLive("ready when a connection is accepted and held", () =>
    Effect.gen(function* () {
      const held: Array<{ destroy: () => void }> = []
      const server = createTcpServer((socket) => void held.push(socket))
      yield* Effect.addFinalizer(() => Effect.sync(() => held.forEach((socket) => socket.destroy())))
      const port = yield* listen(server)
      yield* Wait.forContainer(publishedAt(port), Wait.tcp(Port.tcp(5432)), { timeout: "5 seconds" })
    })
  )

  it.scopedLive("ready at once when the server speaks first", () =>
    Effect.gen(function* () {
      const server = createTcpServer((socket) => socket.end("220 hello\r\n"))
      const port = yield* listen(server)
      yield* Wait.forContainer(publishedAt(port), Wait.tcp(Port.tcp(25)), { timeout: "5 seconds" })
    })
  )

  it.scopedLive("not ready while connections are accepted and closed at once (Docker's userland proxy)", () =>
    Effect.gen(function* () {
      const server = createTcpServer((socket) => socket.end())
      const port = yield* listen(server)
      const error = yield* Effect.flip(
        Wait.forContainer(publishedAt(port), Wait.tcp(Port.tcp(5432)), { timeout: "1 second" })
      )
      expect(error._tag === "WaitTimedOut" && error.lastError).toContain(
        "accepted the connection and closed it at once"
      )
    })
  )

  it.scopedLive("not ready while the port refuses", () =>
    Effect.gen(function* () {
      // a port that was free a moment ago: listen, note it, close
      const freePort = yield* Effect.scoped(listen(createTcpServer()))
      const error = yield* Effect.flip(
        Wait.forContainer(publishedAt(freePort), Wait.tcp(Port.tcp(5432)), { timeout: "500 millis" })
      )
      expect(error._tag === "WaitTimedOut" && error.lastError).toContain("ECONNREFUSED")
    })
  )
})

describe("Wait.http", () => {
  it.scopedLive("polls until the expected status, with the method, path and headers asked for", () =>
    Effect.gen(function* () {
      const seen: Array<string> = []
      const server = createHttpServer((request, response) => {
        seen.push(`${request.method} ${request.url} ${request.headers["x-probe"] ?? ""}`)
        response.statusCode = seen.length < 3 ? 503 : 204
        response.end()
      })
      const port = yield* listen(server)
      yield* Wait.forContainer(
        publishedAt(port),
        Wait.http({
          port: Port.tcp(80),
          path: "/health?full=1",
          method: "HEAD",
          status: 204,
          headers: { "x-probe": "1" }
        }),
        { timeout: "10 seconds" }
      )
      expect(seen).toEqual(["HEAD /health?full=1 1", "HEAD /health?full=1 1", "HEAD /health?full=1 1"])
    })
  )

  it.scopedLive("a wrong status until the deadline says what was answered", () =>
    Effect.gen(function* () {
      const server = createHttpServer((_, response) => {
        response.statusCode = 500
        response.end("a large body that nobody reads".repeat(10_000))
      })
      const port = yield* listen(server)
      const error = yield* Effect.flip(
        Wait.forContainer(publishedAt(port), Wait.http({ port: Port.tcp(80) }), { timeout: "500 millis" })
      )
      expect(error._tag === "WaitTimedOut" && error.lastError).toBe(
        `GET http://127.0.0.1:${port}/ answered 500, not 200`
      )
    })
  )

  it.scopedLive("IPv6 hosts are bracketed in the URL", () =>
    Effect.gen(function* () {
      const container = fakeContainer({ hostPort: () => Effect.succeed({ host: "::1", port: 1 }) })
      const error = yield* Effect.flip(
        Wait.forContainer(container, Wait.http({ port: Port.tcp(80) }), { timeout: "500 millis" })
      )
      expect(error._tag === "WaitTimedOut" && error.lastError).toContain("GET http://[::1]:1/")
    })
  )
})

describe("Container.start with waitFor", () => {
  /** A runtime whose containers exit 3 at once; records stops and removals. */
  const exitingRuntime = Effect.gen(function* () {
    const removed = yield* Ref.make<ReadonlyArray<string>>([])
    const inspects = yield* Ref.make(0)
    const version = new Version({ major: 4, minor: 3, patch: 1, suffix: "", raw: "4.3.1" })
    // the real service (built, never called) under the overrides, so this fake follows the interface as it grows
    const service = yield* ContainerRuntime.make({
      kind: "podman",
      executable: "/nonexistent/podman",
      clientVersion: version,
      engineVersion: version,
      rootless: false,
      source: "argument",
      endpoint: { url: undefined, source: "default", name: undefined, remote: false, host: undefined },
      transport: "cli"
    }).pipe(Effect.provide(NodeContext.layer))
    const containers: ContainerOperations = {
      ...service.containers,
      runDetached: () => Effect.succeed({ id: ID, argv: [] }),
      inspect: () =>
        Effect.as(
          Ref.update(inspects, (n) => n + 1),
          inspectOf({ status: "exited", exitCode: 3 })
        ),
      logs: () => Effect.succeed([err("boom")]),
      streamLogs: () => Stream.make(err("boom")),
      stop: () => Effect.void,
      remove: (id) => Ref.update(removed, (all) => [...all, id])
    }
    return { removed, inspects, layer: Layer.succeed(ContainerRuntime.ContainerRuntime, { ...service, containers }) }
  })

  it.scoped("a failed wait removes the container before start fails (the caller's scope stays open)", () =>
    Effect.gen(function* () {
      const runtime = yield* exitingRuntime
      const error = yield* Effect.flip(
        ContainerModule.start(Def.make("busybox"), { waitFor: Wait.logLine("ready") }).pipe(
          Effect.provide(runtime.layer)
        )
      )
      expect(error._tag).toBe("ContainerExitedBeforeReady")
      expect(yield* Ref.get(runtime.removed)).toEqual([ID])
    })
  )

  it.scoped(
    "without waitFor, a container that publishes no TCP port and has no health check is ready after one inspect, even one that has exited",
    () =>
      Effect.gen(function* () {
        const runtime = yield* exitingRuntime
        const container = yield* ContainerModule.start(Def.make("busybox").pipe(Def.publish(Port.udp(53)))).pipe(
          Effect.provide(runtime.layer)
        )
        expect(container.id).toBe(ID)
        expect(yield* Ref.get(runtime.inspects)).toBe(1)
        expect(yield* Ref.get(runtime.removed)).toEqual([])
      })
  )

  it.scoped("without waitFor, a definition that publishes a TCP port waits (Wait.auto): an exited one fails", () =>
    Effect.gen(function* () {
      const runtime = yield* exitingRuntime
      const error = yield* Effect.flip(
        ContainerModule.start(Def.make("busybox").pipe(Def.publish(Port.tcp(80)))).pipe(Effect.provide(runtime.layer))
      )
      expect(error._tag === "ContainerExitedBeforeReady" && error.strategy).toBe(Wait.describe(Wait.auto))
      expect(yield* Ref.get(runtime.removed)).toEqual([ID])
    })
  )

  it.scoped("Wait.none: start asks nothing after the run, not even an inspect", () =>
    Effect.gen(function* () {
      const runtime = yield* exitingRuntime
      const container = yield* ContainerModule.start(Def.make("busybox").pipe(Def.publish(Port.tcp(80))), {
        waitFor: Wait.none
      }).pipe(Effect.provide(runtime.layer))
      expect(container.id).toBe(ID)
      expect(yield* Ref.get(runtime.inspects)).toBe(0)
      expect(yield* Ref.get(runtime.removed)).toEqual([])
    })
  )

  it.scoped("the wait's schedule and attemptTimeout are passed on", () =>
    Effect.gen(function* () {
      const runtime = yield* exitingRuntime
      const execs = yield* Ref.make(0)
      const base = yield* Effect.provide(ContainerRuntime.ContainerRuntime, runtime.layer)
      // running, and its command never answers
      const running: ContainerRuntime.Service = {
        ...base,
        containers: {
          ...base.containers,
          inspect: () => Effect.succeed(inspectOf()),
          exec: () =>
            Effect.zipRight(
              Ref.update(execs, (n) => n + 1),
              Effect.never
            )
        }
      }
      const fiber = yield* Effect.fork(
        ContainerModule.start(Def.make("busybox"), {
          waitFor: notReadyCommand,
          schedule: Schedule.recurs(2),
          attemptTimeout: "1 second"
        }).pipe(Effect.provideService(ContainerRuntime.ContainerRuntime, running))
      )
      yield* TestClock.adjust("3 seconds")
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(error._tag === "WaitTimedOut" && error.lastError).toBe("no answer within 1s")
      expect(yield* Ref.get(execs)).toBe(3)
      expect(yield* Ref.get(runtime.removed)).toEqual([ID])
    })
  )

  it.effect("a successful wait leaves the container to the caller's scope", () =>
    Effect.gen(function* () {
      const runtime = yield* exitingRuntime
      const removedInside = yield* Effect.scoped(
        Effect.gen(function* () {
          const container = yield* ContainerModule.start(Def.make("busybox"), {
            waitFor: Wait.logLine("boom")
          }).pipe(Effect.provide(runtime.layer))
          expect(container.id).toBe(ID)
          return yield* Ref.get(runtime.removed)
        })
      )
      expect(removedInside).toEqual([])
      expect(yield* Ref.get(runtime.removed)).toEqual([ID])
    })
  )
})
