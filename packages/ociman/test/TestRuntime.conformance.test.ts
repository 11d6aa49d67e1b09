/**
 * The conformance suite (`test/conformance/suite.ts`) against the in-memory runtime, in both
 * dialects: the same tests Docker and Podman pass, with no runtime installed.
 */
import { TestRuntime } from "ociman"
import { conformance, memoryLayer } from "../../../test/conformance/suite.js"

for (const kind of ["docker", "podman"] as const) {
  conformance(kind, memoryLayer(kind), TestRuntime.capabilities)
}
