/**
 * What goes between the create and the start of a container that cannot be made by one `run`:
 * the networks it joins besides its first (`ContainerDefinition.moreNetworks`, connected so that
 * its first process already sees them) and the definition's files (`ContainerDefinition.files`).
 * Every wing and transport that stages a run (create, prepare, start) prepares it here.
 */
import { Effect } from "effect"
import type { CliError } from "../CliError.js"
import { ContainerStartFailed } from "../ContainerError.js"
import type { ContainerOperations, NetworkOperations, RunSpec } from "../ContainerRuntime.js"
import { placeFiles } from "./definitionFiles.js"

/** Whether the spec needs a staged run (create, prepare, start) rather than one `run`. */
export const isStaged = (spec: RunSpec): boolean => spec.files !== undefined || spec.moreNetworks.length > 0

/** What preparing a created container needs of the runtime. */
export interface PrepareDeps {
  readonly connect: NetworkOperations["connect"]
  readonly putArchive: ContainerOperations["putArchive"]
}

/**
 * Connects the created container `id` to the spec's other networks, then puts its files in. A
 * refusal (a network that does not exist, the container gone) is `ContainerStartFailed` with
 * `argv` (the create's); the caller removes the container on any failure.
 */
export const prepareCreated = (
  deps: PrepareDeps,
  id: string,
  spec: RunSpec,
  argv: ReadonlyArray<string>
): Effect.Effect<void, ContainerStartFailed | CliError> =>
  Effect.gen(function* () {
    for (const { network, aliases } of spec.moreNetworks) {
      yield* deps.connect(network, id, { aliases }).pipe(
        Effect.catchTags({
          NetworkNotFound: (error) => Effect.fail(joinFailed(argv, network, `network ${error.network} not found`)),
          ContainerNotFound: () => Effect.fail(joinFailed(argv, network, `container ${id} is gone`)),
          CommandFailed: (error) => Effect.fail(joinFailed(error.argv, network, error.stderr, error.exitCode))
        })
      )
    }
    if (spec.files !== undefined) yield* placeFiles(deps.putArchive, id, spec.files, argv)
  })

const joinFailed = (argv: ReadonlyArray<string>, network: string, detail: string, exitCode?: number | undefined) =>
  new ContainerStartFailed({
    argv,
    exitCode,
    stderr: `joining the network ${network} before the start failed: ${detail.trim()}`
  })
