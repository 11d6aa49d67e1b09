/**
 * What `ociman info` does (see `commands/info.ts`): one probe of one runtime, no sweep.
 */
import { Console, Effect, Option } from "effect"
import * as ContainerRuntime from "ociman/ContainerRuntime"
import type { InfoInput } from "../commands/info.js"
import { runtimeLayer } from "../runtimeLayer.js"

/** The JSON document `ociman info --json` prints: everything the text shows. */
const infoJson = (backend: ContainerRuntime.Backend, clientVersion: string) => ({
  kind: backend.kind,
  clientVersion,
  engineVersion: backend.engineVersion.raw,
  rootless: backend.rootless,
  executable: backend.executable,
  selectedBy: backend.source,
  endpoint: backend.endpoint,
  /** How the container operations reach the engine: its API over the socket, or the CLI. */
  transport: backend.transport
})

/** `unix:///var/run/docker.sock (default)`, `tcp://h:2375 (context ociman-tcp, remote)`, `local (default)`. */
const endpointText = (endpoint: ContainerRuntime.Endpoint): string => {
  const found =
    endpoint.source === "default"
      ? "default"
      : endpoint.source === "environment"
        ? `${endpoint.name ?? "environment"}`
        : `${endpoint.source} ${endpoint.name ?? ""}`
  return `${endpoint.url ?? "local"} (${found}${endpoint.remote ? `, remote: ports on ${endpoint.host ?? "?"}` : ""})`
}

const infoText = (backend: ContainerRuntime.Backend, clientVersion: string): string =>
  [
    `kind:           ${backend.kind}`,
    `client version: ${clientVersion}`,
    `engine version: ${backend.engineVersion.raw}`,
    `rootless:       ${backend.rootless}`,
    `executable:     ${backend.executable}`,
    `selected by:    ${backend.source}`,
    `endpoint:       ${endpointText(backend.endpoint)}`,
    `transport:      ${backend.transport}`
  ].join("\n")

/**
 * With `--backend`, the CLI's version is asked (`<kind> --version`, shared once per process) while
 * the layer probes the engine, instead of after it; its outcome is read below, through the same ask.
 */
const askClientVersionEarly = (backend: InfoInput["backend"]) =>
  Option.match(backend, {
    onNone: () => Effect.void,
    onSome: (kind) =>
      Effect.fork(Effect.ignore(ContainerRuntime.clientVersion({ kind, executable: kind, clientVersion: undefined })))
  })

export const action = ({ backend, json }: InfoInput) =>
  Effect.zipRight(
    askClientVersionEarly(backend),
    Effect.gen(function* () {
      const runtime = yield* ContainerRuntime.ContainerRuntime
      // the probe over the API does not ask the CLI its version: asked here (it never waits for the engine)
      const client = (yield* ContainerRuntime.clientVersion(runtime.backend)).raw
      yield* Console.log(json ? JSON.stringify(infoJson(runtime.backend, client)) : infoText(runtime.backend, client))
    }).pipe(Effect.provide(runtimeLayer(backend)))
  )
