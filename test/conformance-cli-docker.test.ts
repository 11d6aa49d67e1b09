/** The conformance suite against Docker over its CLI (`conformance/transports.ts`). */
import { conformanceOverCli } from "./conformance/transports.js"

conformanceOverCli("docker")
