/**
 * `top` and `stats` over the engine's API (issue #17): `GET /containers/{id}/top` on both engines
 * (the `ps_args` each takes), and the stats endpoint whose answer is what each CLI prints from:
 * Docker's `GET /containers/{id}/stats?stream=false` (the CPU figure computed from its two
 * samples as the CLI computes it), Podman's libpod `GET /libpod/containers/stats` (its compatible
 * endpoint has no previous CPU sample). Where an engine's answer says nothing (Podman's top of a
 * stopped container: 200 and no body; its libpod stats of a container it does not know: no
 * sample), the call is repeated through the CLI, whose error is the contract.
 */
import { Effect, Either, Schema } from "effect"
import { type CliError, EngineRequestFailed } from "../../CliError.js"
import { ContainerNotFound, ContainerNotRunning, StatsUnsupported } from "../../ContainerError.js"
import type { Backend, ContainerOperations } from "../../ContainerRuntime.js"
import {
  decodeApiTop,
  EMPTY_SAMPLE,
  observationDialects,
  STATS_UNSUPPORTED,
  TOP_NOT_RUNNING
} from "../dialect/observation.js"
import {
  decodeJson,
  type EngineClient,
  type EngineRequest,
  type EngineResponse,
  engineMessageOf,
  isSuccess,
  requestFailed
} from "./http.js"

/** Docker's stats waits for a second sample (about a second); both answer well within this. */
const OBSERVATION_TIMEOUT = "60 seconds"

export const makeApiObservationOperations = (
  backend: Backend,
  client: EngineClient,
  cliOps: Pick<ContainerOperations, "top" | "stats">
): Pick<ContainerOperations, "top" | "stats"> => {
  const dialect = observationDialects[backend.kind]
  const id = (container: string) => encodeURIComponent(container)

  /** The answer, or `undefined` when the engine answered success with no body (ask the CLI). */
  const observe = (
    container: string,
    operation: string,
    request: EngineRequest
  ): Effect.Effect<EngineResponse | undefined, ContainerNotFound | ContainerNotRunning | StatsUnsupported | CliError> =>
    Effect.flatMap(
      client.request(request),
      (
        response
      ): Effect.Effect<
        EngineResponse | undefined,
        ContainerNotFound | ContainerNotRunning | StatsUnsupported | CliError
      > => {
        if (isSuccess(response.status)) return Effect.succeed(response.body.length === 0 ? undefined : response)
        if (response.status === 404) return Effect.fail(new ContainerNotFound({ container }))
        const message = engineMessageOf(response.body)
        if (STATS_UNSUPPORTED.test(message)) return Effect.fail(new StatsUnsupported({ container, stderr: message }))
        // Docker: 409 `Container X is not running`
        if (TOP_NOT_RUNNING.test(message)) {
          return Effect.fail(new ContainerNotRunning({ container, operation, stderr: message }))
        }
        return Effect.fail(requestFailed(request, response))
      }
    )

  const unexpected = (request: EngineRequest, response: EngineResponse, what: string) =>
    new EngineRequestFailed({
      method: request.method,
      path: request.template,
      status: response.status,
      engineMessage: `unexpected answer: ${what}`
    })

  return {
    top: (container) => {
      const request: EngineRequest = {
        method: "GET",
        template: "/containers/{id}/top",
        path: `/containers/${id(container)}/top`,
        query: { ps_args: dialect.apiTopArgs },
        timeout: OBSERVATION_TIMEOUT
      }
      return Effect.gen(function* () {
        const response = yield* observe(container, "top", request)
        if (response === undefined) return yield* cliOps.top(container)
        const json = yield* decodeJson(Schema.Unknown, request, response)
        return yield* Either.mapLeft(decodeApiTop(json), (what) => unexpected(request, response, what))
      })
    },

    stats: (container) => {
      const { template, query, decode } = dialect.apiStats
      const request: EngineRequest = {
        method: "GET",
        template,
        path: template.replace("{id}", id(container)),
        query: query(container),
        timeout: OBSERVATION_TIMEOUT
      }
      return Effect.gen(function* () {
        const response = yield* observe(container, "stats", request)
        if (response === undefined) return yield* cliOps.stats(container)
        const json = yield* decodeJson(Schema.Unknown, request, response)
        const reading = yield* Either.mapLeft(decode(json), (what) => unexpected(request, response, what))
        switch (reading._tag) {
          case "Sample":
            return reading.stats
          case "Empty":
            return yield* new ContainerNotRunning({ container, operation: "stats", stderr: EMPTY_SAMPLE })
          case "NoAnswer":
            return yield* cliOps.stats(container)
        }
      })
    }
  }
}
