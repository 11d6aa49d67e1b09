import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option, Ref } from "effect"
import { Container, type ContainerDefinition, type ContainerRuntime, TestRuntime } from "ociman"
import { foreground, toDefinition } from "../src/actions/run.js"

const IMAGE = "localhost/ociman-test/busybox:1"

const Runtime = TestRuntime.layer({
  images: [IMAGE],
  handlers: [
    TestRuntime.handler("*", ["sh", "-c", "exit 3"], {
      output: [
        { stream: "stdout", text: "one" },
        { stream: "stderr", text: "oops" },
        { stream: "stdout", text: "two" }
      ],
      exitCode: 3
    })
  ]
})

/** The definition `ociman run [--name NAME] IMAGE CMD…` describes. */
const definition = (command: ReadonlyArray<string>, name?: string) =>
  toDefinition({
    image: IMAGE,
    command,
    name: Option.fromNullable(name),
    env: [],
    publish: [],
    label: [],
    workdir: Option.none(),
    user: Option.none(),
    entrypoint: Option.none(),
    network: Option.none(),
    detach: false,
    keep: false,
    backend: Option.none(),
    json: false
  })

const collect = (def: ContainerDefinition.ContainerDefinition, keep: boolean) =>
  Effect.gen(function* () {
    const lines = yield* Ref.make<ReadonlyArray<ContainerRuntime.LogLine>>([])
    const exitCode = yield* foreground(def, { keep, onLine: (line) => Ref.update(lines, (all) => [...all, line]) })
    return { exitCode, lines: yield* Ref.get(lines) }
  })

describe("ociman run in the foreground", () => {
  it.effect("passes on each line on its stream and the container's exit code, then removes the container", () =>
    Effect.gen(function* () {
      const outcome = yield* collect(yield* definition(["sh", "-c", "exit 3"], "job"), false)
      expect(outcome).toEqual({
        exitCode: 3,
        lines: [
          { stream: "stdout", text: "one" },
          { stream: "stderr", text: "oops" },
          { stream: "stdout", text: "two" }
        ]
      })
      expect(yield* Container.exists("job")).toBe(false)
    }).pipe(Effect.provide(Runtime))
  )

  it.effect("--keep keeps the container after it exits", () =>
    Effect.gen(function* () {
      expect((yield* collect(yield* definition(["sh", "-c", "exit 3"], "kept"), true)).exitCode).toBe(3)
      const info = yield* Effect.flatMap(Container.handle("kept"), (container) => container.inspect)
      expect(info.state).toMatchObject({ status: "exited", exitCode: 3 })
    }).pipe(Effect.provide(Runtime))
  )

  it.effect("interrupted (Ctrl-C), it removes the container; with --keep, it stops it", () =>
    Effect.gen(function* () {
      for (const [name, keep] of [
        ["removed", false],
        ["stopped", true]
      ] as const) {
        // no handler: the container runs until it is stopped
        const fiber = yield* Effect.fork(collect(yield* definition(["sleep", "600"], name), keep))
        yield* Effect.repeat(Container.exists(name), { until: (exists) => exists })
        yield* Fiber.interrupt(fiber)
        if (keep) {
          const info = yield* Effect.flatMap(Container.handle(name), (container) => container.inspect)
          expect(info.state.status).toBe("exited")
        } else {
          expect(yield* Container.exists(name)).toBe(false)
        }
      }
    }).pipe(Effect.provide(Runtime))
  )
})
