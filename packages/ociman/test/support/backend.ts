/** A probed backend for the wings' operation tests, as the probe would report a local engine. */
import { Either } from "effect"
import type { Backend } from "../../src/ContainerRuntime.js"
import * as Version from "../../src/Version.js"

/** A local, rootful `kind` engine (versions 20.10.24) reached over `transport`; `overrides` changes what a test needs. */
export const backendOf = (
  kind: Backend["kind"],
  transport: Backend["transport"],
  overrides: Partial<Backend> = {}
): Backend => ({
  kind,
  executable: kind,
  clientVersion: Either.getOrThrow(Version.parse("20.10.24")),
  engineVersion: Either.getOrThrow(Version.parse("20.10.24")),
  rootless: false,
  source: "argument",
  endpoint: { url: undefined, source: "default", name: undefined, remote: false, host: undefined },
  transport,
  ...overrides
})
