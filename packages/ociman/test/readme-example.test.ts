/**
 * The README's testing example, kept as a test so it cannot rot: a unit test of user code on the
 * in-memory runtime, and the same test against each real runtime that is present. Everything
 * below this comment is the README's block, verbatim (`npm run check:examples` checks it).
 */
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Container, ContainerDefinition as Def, TestRuntime, Testing } from "ociman"

// The code under test: counts the lines of a text with `wc -l` in a throwaway container.
const countLines = (text: string) =>
  Effect.map(
    Container.run(
      Def.make("localhost/ociman-test/busybox:1").pipe(Def.withRemove, Def.withInteractive, Def.command(["wc", "-l"])),
      { stdin: text }
    ),
    (result) => Number(result.stdout.trim())
  )

const countsLines = Effect.gen(function* () {
  expect(yield* countLines("one\ntwo\nthree\n")).toBe(3)
})

// A unit test: no Docker, no Podman. A handler says what `wc -l` prints; the recorder says what was asked.
const InMemory = TestRuntime.layer({
  images: [Testing.testImageSeed],
  handlers: [TestRuntime.handler("*", ["wc", "-l"], (ctx) => ({ stdout: `${ctx.stdinText.split("\n").length - 1}\n` }))]
})

layer(InMemory)("countLines, in memory", (it) => {
  it.effect("counts lines", () =>
    Effect.gen(function* () {
      yield* countsLines
      const [call] = yield* TestRuntime.calls
      // the argv the real CLI gets; in between, the library's ownership labels
      expect(call?.argv.slice(0, 5)).toEqual(["docker", "container", "run", "--rm", "--interactive"])
      expect(call?.argv.slice(-3)).toEqual(["localhost/ociman-test/busybox:1", "wc", "-l"])
    })
  )
})

// The same test against each real runtime that is present (a missing one is skipped, or fails
// when OCIMAN_TEST_BACKENDS=docker,podman requires it), with the test image built if needed.
const plans = await Effect.runPromise(Testing.planBackends().pipe(Effect.provide(NodeContext.layer)))

for (const plan of plans) {
  describe(`countLines, on ${plan.kind}`, () => {
    switch (plan._tag) {
      case "Skip":
        return it.skip(`(${plan.error.message})`, () => {})
      case "Fail":
        return it("is required", () => expect.fail(plan.error.message))
      case "Run": {
        const Real = Layer.effectDiscard(Testing.ensureTestImage()).pipe(
          Layer.provideMerge(plan.layer),
          Layer.provide(NodeContext.layer)
        )
        return layer(Real, { excludeTestServices: true, timeout: "60 seconds" })((it) => {
          it.effect("counts lines", () => countsLines)
        })
      }
    }
  })
}
