/**
 * A start pulls a missing image before its run, outside the acquisition: `run --pull never`, then
 * on `ImageNotFound` a pull (which an interrupt cancels at once), then the run again.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Ref, Stream, TestClock } from "effect"
import * as Container from "../src/Container.js"
import * as Def from "../src/ContainerDefinition.js"
import * as ContainerRuntime from "../src/ContainerRuntime.js"
import * as TestRuntime from "../src/TestRuntime.js"
import * as Wait from "../src/Wait.js"

/** The operations recorded so far, with the `--pull` value of each run. */
const operations = Effect.map(TestRuntime.calls, (calls) =>
  calls.map((call) => {
    const pull = call.argv.indexOf("--pull")
    return pull === -1 ? call.operation : `${call.operation} --pull ${call.argv[pull + 1] ?? ""}`
  })
)

describe("pulling before the run", () => {
  it.scoped("a local image: one run with --pull never, no pull", () =>
    Effect.gen(function* () {
      // Wait.none: only the runs and pulls are recorded (the default wait would add an inspect)
      yield* Container.start(Def.make("busybox"), { waitFor: Wait.none })
      yield* Container.startDetached(Def.make("busybox"))
      expect(yield* operations).toEqual(["containers.run --pull never", "containers.run --pull never"])
    }).pipe(Effect.provide(TestRuntime.layer({ images: ["busybox"] })))
  )

  it.scoped("a missing image: the run says so, the image is pulled, the run is tried again", () =>
    Effect.gen(function* () {
      const container = yield* Container.start(Def.make("busybox"), { waitFor: Wait.none })
      expect(yield* operations).toEqual(["containers.run --pull never", "images.pull", "containers.run --pull never"])
      expect((yield* container.inspect).state.running).toBe(true)
    }).pipe(Effect.provide(TestRuntime.layer({ registry: ["busybox"] })))
  )

  it.effect("an image the registry does not have is PullFailed (NotFound); never is ImageNotFound with no pull", () =>
    Effect.gen(function* () {
      const pulled = yield* Effect.flip(Container.startDetached(Def.make("nowhere/none:1")))
      expect(pulled._tag === "PullFailed" && pulled.reason).toBe("NotFound")
      const never = yield* Effect.flip(
        Container.startDetached(Def.make("nowhere/none:1").pipe(Def.pullPolicy("never")))
      )
      expect(never._tag).toBe("ImageNotFound")
      expect(yield* operations).toEqual(["containers.run --pull never", "images.pull", "containers.run --pull never"])
    }).pipe(Effect.provide(TestRuntime.layer()))
  )

  it.scoped("an explicit always is the runtime's own run (no separate pull)", () =>
    Effect.gen(function* () {
      yield* Container.start(Def.make("busybox").pipe(Def.pullPolicy("always")), { waitFor: Wait.none })
      expect(yield* operations).toEqual(["containers.run --pull always"])
    }).pipe(Effect.provide(TestRuntime.layer({ images: ["busybox"], registry: ["busybox"] })))
  )

  it.effect("interrupting a start during a long pull ends at once; nothing is run", () =>
    Effect.gen(function* () {
      const base = yield* ContainerRuntime.ContainerRuntime
      const pullInterrupted = yield* Ref.make(false)
      const slowRegistry: ContainerRuntime.Service = {
        ...base,
        images: {
          ...base.images,
          // a pull that would take an hour
          pull: () =>
            Stream.fromEffect(
              Effect.sleep("1 hour").pipe(Effect.onInterrupt(() => Ref.set(pullInterrupted, true)))
            ).pipe(Stream.drain)
        }
      }
      for (const start of [
        Effect.scoped(Container.start(Def.make("busybox"))),
        Effect.scoped(Container.start(Def.make("busybox"), { waitFor: Wait.healthy })),
        Container.startDetached(Def.make("busybox"))
      ]) {
        yield* Ref.set(pullInterrupted, false)
        const fiber = yield* Effect.fork(
          start.pipe(Effect.provideService(ContainerRuntime.ContainerRuntime, slowRegistry))
        )
        yield* TestClock.adjust("1 second")
        const exit = yield* Fiber.interrupt(fiber)
        expect(Exit.isInterrupted(exit)).toBe(true)
        expect(yield* Ref.get(pullInterrupted)).toBe(true)
      }
      const runs = (yield* operations).filter((operation) => operation.startsWith("containers.run"))
      expect(runs).toEqual(Array.from({ length: 3 }, () => "containers.run --pull never"))
    }).pipe(Effect.provide(TestRuntime.layer({ registry: ["busybox"] })))
  )
})
