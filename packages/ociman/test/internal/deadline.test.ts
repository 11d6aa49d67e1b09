import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, TestClock } from "effect"
import { bounded, deadlineOf, defaultDeadlines } from "../../src/internal/deadline.js"

/** A runtime that keeps the caller's clock (as the in-memory one does), so TestClock drives the deadlines. */
const simulated = { capabilities: { processes: false, networking: false, cli: false } }

describe("deadlines", () => {
  it("the call's deadline wins over the layer's, the layer's over the default", () => {
    expect(Duration.toMillis(deadlineOf({}, "query"))).toBe(Duration.toMillis(Duration.decode(defaultDeadlines.query)))
    expect(Duration.toMillis(deadlineOf({ deadlines: { query: "5 seconds" } }, "query"))).toBe(5000)
    expect(Duration.toMillis(deadlineOf({ deadlines: { query: "5 seconds" } }, "query", "1 second"))).toBe(1000)
    expect(Duration.toMillis(deadlineOf({ deadlines: { query: "5 seconds" } }, "start"))).toBe(
      Duration.toMillis(Duration.decode(defaultDeadlines.start))
    )
  })

  it.effect("an operation that never ends fails with OperationTimedOut at its deadline", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(
        Effect.flip(
          bounded({ ...simulated, deadlines: { query: "2 seconds" } }, "query", "container.inspect", "c1")(Effect.never)
        )
      )
      yield* TestClock.adjust("1999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 milli")
      const error = yield* Fiber.join(fiber)
      expect(error._tag).toBe("OperationTimedOut")
      expect(error.message).toBe("container.inspect (c1) did not finish within its deadline of 2000 ms and was stopped")
    })
  )

  it.effect("the deadline holds inside a finalizer, where everything else is uninterruptible", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(
        Effect.flip(
          Effect.uninterruptible(
            bounded(
              { ...simulated, deadlines: { remove: "3 seconds" } },
              "remove",
              "container.remove",
              "c2"
            )(Effect.never)
          )
        )
      )
      yield* TestClock.adjust("3 seconds")
      expect((yield* Fiber.join(fiber))._tag).toBe("OperationTimedOut")
    })
  )

  it.effect("an infinite deadline bounds nothing", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(
        bounded({ ...simulated, deadlines: { wait: Duration.infinity } }, "wait", "container.wait", "c3")(Effect.never)
      )
      yield* TestClock.adjust("1000 days")
      expect(fiber.unsafePoll()).toBeNull()
      yield* Fiber.interrupt(fiber)
    })
  )
})
