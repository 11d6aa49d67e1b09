/**
 * `ociman info`: which runtime the environment resolves to, its versions and rootless mode.
 */
import { Command } from "@effect/cli"
import { Console, Effect } from "effect"
import { ContainerRuntime } from "ociman"
import { backendOption, jsonOption, runtimeLayer } from "../shared.js"

/** The JSON document `ociman info --json` prints. */
export const infoJson = (backend: ContainerRuntime.Backend) => ({
  kind: backend.kind,
  clientVersion: backend.clientVersion.raw,
  engineVersion: backend.engineVersion.raw,
  rootless: backend.rootless
})

const infoText = (backend: ContainerRuntime.Backend): string =>
  [
    `kind:           ${backend.kind}`,
    `client version: ${backend.clientVersion.raw}`,
    `engine version: ${backend.engineVersion.raw}`,
    `rootless:       ${backend.rootless}`,
    `executable:     ${backend.executable}`,
    `selected by:    ${backend.source}`
  ].join("\n")

export const info = Command.make("info", { backend: backendOption, json: jsonOption }, ({ backend, json }) =>
  Effect.gen(function* () {
    const runtime = yield* ContainerRuntime.ContainerRuntime
    yield* Console.log(json ? JSON.stringify(infoJson(runtime.backend)) : infoText(runtime.backend))
  }).pipe(Effect.provide(runtimeLayer(backend)))
).pipe(Command.withDescription("Show the container runtime ociman resolves to: kind, versions, rootless mode"))
