/**
 * Reuse (`Container.start(definition, { reuse: true })`) and the runtime clock, on the in-memory
 * runtime: the rules the conformance suite and `test/reuse.test.ts` hold on Docker and Podman.
 */
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Exit, Fiber, Option, Schedule, TestClock } from "effect"
import { Container, ContainerDefinition as Def, Label, Port, Sweeper, Wait } from "../src/index.js"
import { validate } from "../src/internal/containerSpec.js"
import { definitionKey } from "../src/internal/reuse.js"
import * as TestRuntime from "../src/TestRuntime.js"

const IMAGE = "localhost/ociman-test/busybox:1"
const InMemory = TestRuntime.layer({
  images: [{ reference: IMAGE, cmd: ["sh"] }],
  handlers: [TestRuntime.handler("*", ["test", "-f", "/never"], { exitCode: 1 })]
})
const server = (marker: string) => Def.make(IMAGE).pipe(Def.command(["serve", marker]))
const reuseOff = Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["OCIMAN_REUSE", "0"]])))

const startReused = (definition: Def.ContainerDefinition) =>
  Effect.scoped(Effect.map(Container.start(definition, { reuse: true }), (c) => c.id))

describe("reuse (in memory)", () => {
  it.effect("a second start of the same definition gets the same container, which outlives its scope", () =>
    Effect.gen(function* () {
      const first = yield* startReused(server("a"))
      expect(yield* Container.exists(first)).toBe(true)
      const second = yield* startReused(server("a"))
      expect(second).toBe(first)
      const labels = yield* (yield* Container.handle(first)).labels
      expect(labels.get(Label.reuseKey)).toMatch(/^[0-9a-f]{64}$/)
    }).pipe(Effect.provide(InMemory))
  )

  it.effect("a changed definition is not reused", () =>
    Effect.gen(function* () {
      const first = yield* startReused(server("a"))
      const changed = yield* startReused(server("b"))
      const withEnv = yield* startReused(server("a").pipe(Def.env({ MODE: "x" })))
      expect(new Set([first, changed, withEnv]).size).toBe(3)
    }).pipe(Effect.provide(InMemory))
  )

  it.effect("eight starts at once end up with one container", () =>
    Effect.gen(function* () {
      const ids = yield* Effect.all(
        Array.from({ length: 8 }, () => startReused(server("race"))),
        { concurrency: "unbounded" }
      )
      expect(new Set(ids).size).toBe(1)
      expect((yield* Sweeper.listReused).map((c) => c.id)).toEqual([ids[0]])
    }).pipe(Effect.provide(InMemory))
  )

  it.effect("OCIMAN_REUSE=0: an ordinary scoped container, removed with its scope", () =>
    Effect.gen(function* () {
      const id = yield* startReused(server("a")).pipe(reuseOff)
      expect(yield* Container.exists(id)).toBe(false)
      expect(yield* Sweeper.listReused).toEqual([])
    }).pipe(Effect.provide(InMemory))
  )

  it.effect("a reused container that stopped is replaced", () =>
    Effect.gen(function* () {
      const first = yield* startReused(server("a"))
      yield* (yield* Container.handle(first)).stop()
      const second = yield* startReused(server("a"))
      expect(second).not.toBe(first)
      expect(yield* Container.exists(first)).toBe(false)
    }).pipe(Effect.provide(InMemory))
  )

  it.effect("startDetached with reuse shares the container with start", () =>
    Effect.gen(function* () {
      const detached = yield* Container.startDetached(server("a"), { reuse: true })
      expect(yield* startReused(server("a"))).toBe(detached.id)
    }).pipe(Effect.provide(InMemory))
  )

  it.effect("a name given twice to different definitions is NameInUse", () =>
    Effect.gen(function* () {
      yield* startReused(server("a").pipe(Def.name("shared")))
      const error = yield* Effect.flip(startReused(server("b").pipe(Def.name("shared"))))
      expect(error._tag).toBe("NameInUse")
    }).pipe(Effect.provide(InMemory))
  )

  it.effect("sweeps never take reused containers; removeReused does, by age", () =>
    Effect.gen(function* () {
      const id = yield* startReused(server("a"))
      const report = yield* Sweeper.sweep({ allSessions: true, includeDetached: true })
      expect(report.entries.map((entry) => entry.id)).not.toContain(id)
      expect(yield* Container.exists(id)).toBe(true)
      const young = yield* Sweeper.removeReused({ olderThan: "1 hour" })
      expect(young.map((removal) => removal.outcome)).toEqual(["Kept"])
      const dry = yield* Sweeper.removeReused({ dryRun: true })
      expect(dry.map((removal) => removal.outcome)).toEqual(["WouldRemove"])
      const removed = yield* Sweeper.removeReused()
      expect(removed.map((removal) => [removal.container.id, removal.outcome])).toEqual([[id, "Removed"]])
      expect(yield* Container.exists(id)).toBe(false)
    }).pipe(Effect.provide(InMemory))
  )
})

describe("the in-memory runtime follows the ambient clock", () => {
  it.effect("a readiness deadline of one hour passes when the TestClock is moved one hour", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(
        Effect.scoped(
          Container.start(server("clock"), {
            waitFor: Wait.command(["test", "-f", "/never"]),
            timeout: "1 hour",
            schedule: Schedule.spaced("10 minutes")
          })
        )
      )
      // the wait has taken its start time (0) once it sleeps on the TestClock
      while ((yield* TestClock.sleeps()).length === 0) yield* Effect.yieldNow()
      yield* TestClock.adjust("59 minutes")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 minute")
      const exit = yield* Fiber.await(fiber)
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error._tag : exit).toBe("WaitTimedOut")
    }).pipe(Effect.provide(InMemory))
  )
})

describe("the reuse key across versions", () => {
  it("a definition that sets none of the later fields keeps the key 0.1.0 gave it (its reused container is found again)", () => {
    const definition = Def.make("localhost/ociman-test/busybox:1").pipe(
      Def.command(["sleep", "60"]),
      Def.labels({ a: "b" }),
      Def.publish(Port.tcp(80))
    )
    // computed by the 0.1.0 code (before privileges, limits, health checks and files existed)
    expect(definitionKey(Either.getOrThrow(validate(definition)))).toBe(
      "99de4cd9d5d1987e9c16376f0304a0caaefee4be2cf1ec76a46a2a075adc69f5"
    )
    const withLater = definition.pipe(Def.withReadOnly)
    expect(definitionKey(Either.getOrThrow(validate(withLater)))).not.toBe(
      "99de4cd9d5d1987e9c16376f0304a0caaefee4be2cf1ec76a46a2a075adc69f5"
    )
  })
})
