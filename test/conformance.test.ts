/**
 * The conformance suite (`conformance/suite.ts`) against the real runtimes: the same tests the
 * in-memory runtime passes (`packages/ociman/test/TestRuntime.conformance.test.ts`).
 */
import { ContainerRuntime } from "ociman"
import { conformance } from "./conformance/suite.js"
import { describeEachRuntime, runtimeLayer } from "./support/backends.js"

describeEachRuntime("conformance", (kind) => {
  conformance(kind, runtimeLayer(kind), ContainerRuntime.fullCapabilities)
})
