/**
 * The Engine-API transport as a whole: given the CLI service of a backend whose transport is
 * `api`, the same service with the container operations over the engine's socket. Images and
 * networks stay on the CLI (builds with BuildKit, pulls and pushes with credential helpers, and
 * network setup are the CLI's), and `cli` stays the raw CLI.
 */
import { Effect, Option } from "effect"
import type { Service } from "../../ContainerRuntime.js"
import { makeApiContainerOperations } from "./containers.js"
import { makeClient } from "./http.js"
import { apiAddressOf } from "./select.js"

/**
 * `service` with its container operations over the API when its backend's transport is `api`.
 * A backend that says `api` but has no API address (handed over from a process with another
 * environment) gets the CLI, and says so in its `transport`.
 */
export const withApiTransport = (service: Service): Effect.Effect<Service> => {
  const backend = service.backend
  if (backend.transport !== "api") return Effect.succeed(service)
  return Effect.map(apiAddressOf(backend), (address) =>
    Option.match(address, {
      onNone: (): Service => ({ ...service, backend: { ...backend, transport: "cli" } }),
      onSome: (found): Service => ({
        ...service,
        containers: makeApiContainerOperations(backend, makeClient(found), service.cli, service.containers)
      })
    })
  )
}
