/** The conformance suite against Podman over its CLI (`conformance/transports.ts`). */
import { conformanceOverCli } from "./conformance/transports.js"

conformanceOverCli("podman")
