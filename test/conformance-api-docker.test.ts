/** The conformance suite against Docker over its Engine API (`conformance/transports.ts`). */
import { conformanceOverApi } from "./conformance/transports.js"

conformanceOverApi("docker")
