/** The conformance suite against Podman over its Engine API (`conformance/transports.ts`). */
import { conformanceOverApi } from "./conformance/transports.js"

conformanceOverApi("podman")
