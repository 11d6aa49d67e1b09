/**
 * `reuse.acquire` when a create loses the name to a container nobody can find yet: Docker reserves
 * the name first and lists the container only once its writable layer exists, so four processes
 * starting one reused container at once can see a conflict and, for a while, nothing under the name
 * (seen in CI over the engine API, where each look takes a millisecond).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Fiber, TestClock } from "effect"
import { ContainerDefinition as Def } from "../../src/index.js"
import { ContainerNotFound } from "../../src/ContainerError.js"
import { ContainerRuntime, type RunSpec, type Service, type StartError } from "../../src/ContainerRuntime.js"
import { validate } from "../../src/internal/containerSpec.js"
import { acquire, definitionKey, reuseLabels, reuseName } from "../../src/internal/reuse.js"
import * as TestRuntime from "../../src/TestRuntime.js"

const IMAGE = "localhost/ociman-test/busybox:1"
const InMemory = TestRuntime.layer({ images: [{ reference: IMAGE, cmd: ["sh"] }] })

/** A reused definition's spec, as `Container.start` hands it to `acquire`. */
const reusedSpec = (marker: string) => {
  const definition = Def.make(IMAGE).pipe(Def.command(["serve", marker]))
  const key = definitionKey(Either.getOrThrow(validate(definition)))
  const spec = Either.getOrThrow(validate(definition.pipe(Def.name(reuseName(key))), reuseLabels(key)))
  return { key, spec }
}

/** A `NameInUse`'s explanation, or what else failed. */
const nameInUseStderr = (error: StartError): string =>
  error._tag === "NameInUse" ? error.stderr : `not NameInUse but ${error._tag}`

/**
 * The engine as this process sees it while another process's container is not listed yet: the
 * container under `name` is hidden from listings and inspections until `looks` inspections of the
 * name have been made (never, with `Infinity`).
 */
const hidingUntil = (service: Service, name: string, hiddenId: string, looks: number) => {
  let inspected = 0
  const visible = () => inspected > looks
  const view: Service = {
    ...service,
    containers: {
      ...service.containers,
      listLabeled: (filters) =>
        Effect.map(service.containers.listLabeled(filters), (all) =>
          visible() ? all : all.filter((container) => container.id !== hiddenId)
        ),
      inspect: (container) => {
        if (container === name) inspected += 1
        return visible() || (container !== name && container !== hiddenId)
          ? service.containers.inspect(container)
          : Effect.fail(new ContainerNotFound({ container }))
      }
    }
  }
  return { view, looks: () => inspected }
}

const createWith = (service: Service) => (spec: RunSpec) =>
  Effect.map(service.containers.runDetached(spec), (run) => run.id)

describe("reuse.acquire: a name reserved before its container is listed", () => {
  it.effect("a conflict with nothing found yet is tried again until the winner's container is found", () =>
    Effect.gen(function* () {
      const service = yield* ContainerRuntime
      const { key, spec } = reusedSpec("late")
      const winner = (yield* service.containers.runDetached(spec)).id
      // more looks than the attempts a found-then-gone container gets (5)
      const engine = hidingUntil(service, reuseName(key), winner, 8)
      const fiber = yield* Effect.fork(acquire(engine.view, key, spec, createWith(service)))
      // the pauses grow from 10 ms to 250 ms: 8 of them are under 2 s
      yield* TestClock.adjust("2 seconds")
      expect(yield* Fiber.join(fiber)).toBe(winner)
      expect(engine.looks()).toBe(9)
      expect((yield* service.containers.list([])).map((container) => container.id)).toEqual([winner])
    }).pipe(Effect.provide(InMemory))
  )

  it.effect("a name reserved for 30 s with no container under it is NameInUse, saying so", () =>
    Effect.gen(function* () {
      const service = yield* ContainerRuntime
      const { key, spec } = reusedSpec("never")
      const winner = (yield* service.containers.runDetached(spec)).id
      const engine = hidingUntil(service, reuseName(key), winner, Infinity)
      const fiber = yield* Effect.fork(Effect.flip(acquire(engine.view, key, spec, createWith(service))))
      yield* TestClock.adjust("29 seconds")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("2 seconds")
      const error = yield* Fiber.join(fiber)
      expect(nameInUseStderr(error)).toMatch(/reserved on the engine for 30s, but no container can be found under it/)
      // about 30 s of pauses of at most 250 ms
      expect(engine.looks()).toBeGreaterThan(100)
    }).pipe(Effect.provide(InMemory))
  )

  it.effect("a name held by a container of another definition is NameInUse at once, with the engine's words", () =>
    Effect.gen(function* () {
      const service = yield* ContainerRuntime
      const { key, spec } = reusedSpec("mine")
      const other = reusedSpec("other")
      yield* service.containers.runDetached({ ...other.spec, name: spec.name })
      const error = yield* Effect.flip(acquire(service, key, spec, createWith(service)))
      expect(nameInUseStderr(error)).toMatch(/held by a container of another definition/)
    }).pipe(Effect.provide(InMemory))
  )
})
