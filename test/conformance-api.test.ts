/**
 * The conformance suite (`conformance/suite.ts`) against Docker and Podman over their Engine API
 * (`transport: "api"`): the same tests the CLI transport passes (`conformance.test.ts`).
 *
 * The layer requires the API: a socket that does not answer fails the layer (and each test), never
 * falling back to the CLI; the first test also checks the transport the runtime reports. Podman
 * answers on its API service (`podman system service --time=0 unix:///run/podman/podman.sock &`),
 * which CI starts for this file.
 */
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { ContainerRuntime } from "ociman"
import { conformance } from "./conformance/suite.js"
import { describeEachRuntime, type Kind } from "./support/backends.js"

const apiLayer = (kind: Kind) =>
  ContainerRuntime.layer({ backend: kind, transport: "api" }).pipe(Layer.provide(NodeContext.layer))

describeEachRuntime("conformance over the API", (kind) => {
  describe("transport", () => {
    it.effect("the runtime reports the API transport", () =>
      Effect.gen(function* () {
        const runtime = yield* ContainerRuntime.ContainerRuntime
        expect(runtime.backend.kind).toBe(kind)
        expect(runtime.backend.transport).toBe("api")
      }).pipe(Effect.provide(apiLayer(kind)))
    )
  })
  conformance(kind, apiLayer(kind), ContainerRuntime.fullCapabilities)
})
