/**
 * Acceptance: the testing kit on real Docker and Podman — the test image built without a registry
 * from the host's static busybox, the pinned pull failing typed where no registry is reachable,
 * and the required-backends policy seeing both runtimes.
 */
import { NodeContext } from "@effect/platform-node"
import { expect, it, layer } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import { existsSync } from "node:fs"
import { Container, ContainerDefinition as Def, Image } from "ociman"
import { Testing } from "ociman"
import { describeEachRuntime, KINDS, runtimeLayer } from "./support/backends.js"

describeEachRuntime("testing kit", (kind) => {
  layer(Layer.merge(runtimeLayer(kind), NodeContext.layer), { excludeTestServices: true, timeout: "120 seconds" })(
    (it) => {
      it.scoped.skipIf(!existsSync("/bin/busybox"))(
        "ensureTestImage builds the busybox image from the host's static busybox, then finds it present",
        () =>
          Effect.gen(function* () {
            const reference = `localhost/ociman-test/testing-${Testing.runId}-${kind}:1`
            yield* Effect.addFinalizer(() => Effect.ignore(Image.remove(reference, { force: true })))
            const built = yield* Testing.ensureTestImage({ reference })
            expect(built.how).toBe("built")
            const run = yield* Container.run(
              Def.make(reference).pipe(Def.withRemove, Def.command(["sh", "-c", "echo hi; test -d /tmp -a -d /www"]))
            )
            expect(run.stdout).toBe("hi\n")
            expect((yield* Image.inspect(reference)).cmd).toEqual(["sh"])
            expect((yield* Testing.ensureTestImage({ reference })).how).toBe("present")
          })
      )

      it.scoped("without a static busybox the pinned pull fails typed here (no registry), leaving nothing", () =>
        Effect.gen(function* () {
          const reference = `localhost/ociman-test/testing-pull-${Testing.runId}-${kind}:1`
          const error = yield* Effect.flip(
            Testing.ensureTestImage({ reference, busybox: "/nonexistent/ociman-test/busybox" })
          )
          if (error._tag !== "PullFailed")
            return expect.fail(`expected PullFailed, got ${error._tag}: ${error.message}`)
          expect(error.reference).toBe(Testing.PINNED_BUSYBOX)
          expect(yield* Image.exists(reference)).toBe(false)
        })
      )
    }
  )
})

it.live("planBackends runs every runtime OCIMAN_TEST_BACKENDS requires when it answers", () =>
  Effect.gen(function* () {
    const plans = yield* Testing.planBackends().pipe(
      Effect.withConfigProvider(
        ConfigProvider.fromJson({ OCIMAN_TEST_BACKENDS: process.env["OCIMAN_TEST_BACKENDS"] ?? "" })
      )
    )
    expect(plans.map((plan) => plan.kind)).toEqual(KINDS)
    const required = Testing.parseBackends(process.env["OCIMAN_TEST_BACKENDS"] ?? "")
    for (const plan of plans) {
      if (required._tag === "Right" && required.right.includes(plan.kind)) expect(plan._tag).not.toBe("Skip")
    }
  }).pipe(Effect.provide(NodeContext.layer))
)
