/**
 * Files out of a container over the API: `GET /containers/{id}/archive?path=`, a tar of the path.
 * Files in stay on the CLI (`cliOps.putArchive`, `container cp -`): the HTTP client sends JSON
 * bodies only, and the CLI's stdin carries the same tar.
 */
import { Effect } from "effect"
import type { CliError } from "../../CliError.js"
import { ContainerNotFound, PathNotFound } from "../../ContainerError.js"
import type { ContainerOperations } from "../../ContainerRuntime.js"
import { COPY_CONTAINER_NOT_FOUND } from "../dialect/containers.js"
import { type EngineClient, type EngineRequest, engineMessageOf, isSuccess, requestFailed } from "./http.js"

/** A copy carries a file, not a query: give it as long as a large file takes, never forever. */
const ARCHIVE_TIMEOUT = "10 minutes"

/** `putArchive` (the CLI's) and `getArchive` over the API. */
export const makeApiFileOperations = (
  client: EngineClient,
  cliOps: ContainerOperations
): Pick<ContainerOperations, "putArchive" | "getArchive"> => ({
  putArchive: cliOps.putArchive,
  getArchive: (container, path) => {
    const request: EngineRequest = {
      method: "GET",
      template: "/containers/{id}/archive",
      path: `/containers/${encodeURIComponent(container)}/archive`,
      query: { path },
      timeout: ARCHIVE_TIMEOUT
    }
    return Effect.flatMap(
      client.request(request),
      (response): Effect.Effect<Uint8Array, ContainerNotFound | PathNotFound | CliError> => {
        if (isSuccess(response.status)) return Effect.succeed(response.body)
        const message = engineMessageOf(response.body)
        // both engines answer 404 for either; the message tells which
        if (response.status !== 404) return Effect.fail(requestFailed(request, response))
        return COPY_CONTAINER_NOT_FOUND.test(message)
          ? Effect.fail(new ContainerNotFound({ container }))
          : Effect.fail(new PathNotFound({ container, path, detail: message }))
      }
    )
  }
})
