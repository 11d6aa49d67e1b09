/**
 * The conformance suite (`conformance/suite.ts`) against the real runtimes through their CLIs
 * (`transport: "cli"`): the same tests the in-memory runtime passes
 * (`packages/ociman/test/TestRuntime.conformance.test.ts`) and the Engine-API transport passes
 * (`conformance-api.test.ts`). The other integration files run on the default transport (`auto`:
 * the API where the engine's socket answers, as in CI).
 */
import { NodeContext } from "@effect/platform-node"
import { Layer } from "effect"
import { ContainerRuntime } from "ociman"
import { conformance } from "./conformance/suite.js"
import { describeEachRuntime, type Kind } from "./support/backends.js"

const cliLayer = (kind: Kind) =>
  ContainerRuntime.layer({ backend: kind, transport: "cli" }).pipe(Layer.provide(NodeContext.layer))

describeEachRuntime("conformance over the CLI", (kind) => {
  conformance(kind, cliLayer(kind), ContainerRuntime.fullCapabilities)
})
