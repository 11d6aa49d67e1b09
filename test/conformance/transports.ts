/**
 * The conformance suite (`suite.ts`) against a real runtime over one transport, declared by the
 * files `test/conformance-{cli,api}-{docker,podman}.test.ts` (a file per runtime and transport, so
 * that `npm test` runs Docker's and Podman's side by side). They pass the same tests the in-memory
 * runtime passes (`packages/ociman/test/TestRuntime.conformance.test.ts`). The other integration
 * files run on the default transport (`auto`: the API where the engine's socket answers, as in CI).
 */
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { ContainerRuntime } from "ociman"
import { describeRuntime, type Kind } from "../support/backends.js"
import { conformance } from "./suite.js"

/** The runtime's layer on exactly this transport (no fallback), with the Node platform provided. */
const layerOver = (kind: Kind, transport: "cli" | "api") =>
  ContainerRuntime.layer({ backend: kind, transport }).pipe(Layer.provide(NodeContext.layer))

/** Over the runtime's CLI (`transport: "cli"`). */
export const conformanceOverCli = (kind: Kind): void => {
  const layer = layerOver(kind, "cli")
  describeRuntime(kind, "conformance over the CLI", () => {
    conformance(kind, layer, ContainerRuntime.fullCapabilities)
  })
}

/**
 * Over the runtime's Engine API (`transport: "api"`). The layer requires the API: a socket that
 * does not answer fails the layer (and each test), never falling back to the CLI; the first test
 * also checks the transport the runtime reports. Podman answers on its API service (`podman system
 * service --time=0 unix:///run/podman/podman.sock &`), which `scripts/provision-runtimes.sh` starts.
 */
export const conformanceOverApi = (kind: Kind): void => {
  const layer = layerOver(kind, "api")
  describeRuntime(kind, "conformance over the API", () => {
    describe("transport", () => {
      it.effect("the runtime reports the API transport", () =>
        Effect.gen(function* () {
          const runtime = yield* ContainerRuntime.ContainerRuntime
          expect(runtime.backend.kind).toBe(kind)
          expect(runtime.backend.transport).toBe("api")
        }).pipe(Effect.provide(layer))
      )
    })
    conformance(kind, layer, ContainerRuntime.fullCapabilities)
  })
}
