/**
 * Files in and out of a container through the CLI: `container cp` with a tar stream on stdin or
 * stdout (`-`), so bytes and modes pass unchanged, with no shell and no host path involved (a
 * remote engine works the same).
 */
import { Effect } from "effect"
import type { CliError, UnexpectedOutput } from "../../CliError.js"
import { ContainerNotFound, PathNotFound } from "../../ContainerError.js"
import type { CliResult, ContainerOperations, Service } from "../../ContainerRuntime.js"
import { decodeText } from "../bytes.js"
import type { Kind } from "../kind.js"
import { COPY_CONTAINER_NOT_FOUND, COPY_PATH_NOT_FOUND, getArchiveArgs, putArchiveArgs } from "../dialect/containers.js"

type Cli = Service["cli"]

/** A failed copy's error: the container's absence, the path's, or the CLI failing. */
const classify = (
  container: string,
  path: string,
  result: CliResult,
  exists: (container: string) => Effect.Effect<boolean, CliError | UnexpectedOutput>,
  failed: (result: CliResult) => CliError
): Effect.Effect<never, ContainerNotFound | PathNotFound | CliError> => {
  const stderr = decodeText(result.stderr)
  if (COPY_CONTAINER_NOT_FOUND.test(stderr)) return Effect.fail(new ContainerNotFound({ container }))
  if (!COPY_PATH_NOT_FOUND.test(stderr)) return Effect.fail(failed(result))
  // Docker's CLI says "must be a directory" for a missing container too: ask which it is
  return exists(container).pipe(
    Effect.orElseSucceed(() => true),
    Effect.flatMap((present): Effect.Effect<never, ContainerNotFound | PathNotFound> =>
      present
        ? Effect.fail(new PathNotFound({ container, path, detail: stderr.trim() }))
        : Effect.fail(new ContainerNotFound({ container }))
    )
  )
}

/** `putArchive` and `getArchive` over the CLI. */
export const makeCliFileOperations = (
  kind: Kind,
  cli: Cli,
  exists: (container: string) => Effect.Effect<boolean, CliError | UnexpectedOutput>,
  failed: (result: CliResult) => CliError
): Pick<ContainerOperations, "putArchive" | "getArchive"> => ({
  putArchive: (container, directory, archive) =>
    Effect.flatMap(cli(putArchiveArgs(kind, container, directory), { stdin: archive }), (result) =>
      result.exitCode === 0 ? Effect.void : classify(container, directory, result, exists, failed)
    ),
  getArchive: (container, path) =>
    Effect.flatMap(cli(getArchiveArgs(container, path)), (result) =>
      result.exitCode === 0 ? Effect.succeed(result.stdout) : classify(container, path, result, exists, failed)
    )
})
