/**
 * Network operations for the Docker and Podman CLIs: runs the argv of `../dialect/networks.ts` and
 * classifies failures into typed errors (what differs per runtime is read from `networkDialects`).
 * As for containers, stderr matching is the last resort: both CLIs use one exit code for every
 * runtime error.
 */
import { Effect, Either, Schema } from "effect"
import { type CliError, UnexpectedOutput } from "../../CliError.js"
import type { Backend, CliResult, Service } from "../../ContainerRuntime.js"
import { ContainerNotFound } from "../../ContainerError.js"
import type { NetworkId, NetworkName } from "../../Network.js"
import { type InvalidNetworkInspect, NetworkInUse, NetworkNameInUse, NetworkNotFound } from "../../NetworkError.js"
import { listLabeled } from "./labeled.js"
import { askAgainAfterBriefFailure, type BriefFailure } from "./askAgain.js"
import { askingAgainAfterStorageRace } from "./storageRace.js"
import type { Cidr } from "../ip.js"
import { dialectOf } from "../dialect/index.js"
import { CONTAINER_NOT_FOUND } from "../dialect/containers.js"
import {
  bridgeInspectArgs,
  connectArgs,
  createArgs,
  decodeBridgeSubnets,
  disconnectArgs,
  existsArgs,
  idArgs,
  labeledNetworks,
  NETWORK_IN_USE,
  NETWORK_NAME_IN_USE,
  NETWORK_NOT_FOUND,
  networkDialects,
  networkRemoveArgs
} from "../dialect/networks.js"
import { decodeText, failure as failed } from "./process.js"
import type { NetworkOperations } from "../../ContainerRuntime.js"

type Cli = Service["cli"]

const TIMEOUT = "60 seconds"

/** How many more times a create is asked after a host interface vanished under it. */
export const CREATE_RACE_RETRIES = 4

/** A create that failed while a host interface vanished (`createRaced`): nothing was written, so ask again. */
const interfaceRace = (kind: Backend["kind"]): BriefFailure => ({
  isBrief: (result) => networkDialects[kind].createRaced(result.exitCode, decodeText(result.stderr)),
  retries: CREATE_RACE_RETRIES,
  pause: "50 millis"
})

const NetworkIdFromString = Schema.String.pipe(Schema.pattern(/^[0-9a-f]{12,64}$/), Schema.brand("NetworkId"))

/** Classifies a failed `network rm` / `network inspect` about one network. */
export const classifyNetworkFailure = (
  network: string,
  result: CliResult
): NetworkNotFound | NetworkInUse | CliError => {
  const stderr = decodeText(result.stderr)
  if (NETWORK_IN_USE.test(stderr)) return new NetworkInUse({ network, stderr })
  if (NETWORK_NOT_FOUND.test(stderr)) return new NetworkNotFound({ network })
  return failed(result)
}

/** Classifies a failed `network connect` / `network disconnect` (both CLIs name the container first). */
export const classifyConnectFailure = (
  network: string,
  container: string,
  result: CliResult
): NetworkNotFound | ContainerNotFound | CliError => {
  const stderr = decodeText(result.stderr)
  if (CONTAINER_NOT_FOUND.test(stderr)) return new ContainerNotFound({ container })
  if (NETWORK_NOT_FOUND.test(stderr)) return new NetworkNotFound({ network })
  return failed(result)
}

/** Classifies a failed `network create`. */
export const classifyCreateFailure = (name: string, result: CliResult): NetworkNameInUse | CliError => {
  const stderr = decodeText(result.stderr)
  return NETWORK_NAME_IN_USE.test(stderr) ? new NetworkNameInUse({ name, stderr }) : failed(result)
}

const parseId = (result: CliResult): Effect.Effect<NetworkId, UnexpectedOutput> => {
  const output = decodeText(result.stdout).trim()
  return Either.match(Schema.decodeEither(NetworkIdFromString)(output), {
    onLeft: () => Effect.fail(new UnexpectedOutput({ argv: result.argv, expected: "a network id", output })),
    onRight: Effect.succeed
  })
}

/** The network operations of a CLI runtime. */
export const makeNetworkOperations = (backend: Pick<Backend, "kind">, cli: Cli): NetworkOperations => {
  const remove = (network: string): Effect.Effect<void, NetworkNotFound | NetworkInUse | CliError> =>
    Effect.flatMap(cli(networkRemoveArgs(network), { timeout: TIMEOUT }), (result) =>
      result.exitCode === 0 ? Effect.void : Effect.fail(classifyNetworkFailure(network, result))
    )

  /** Podman prints the name, not the id: read it, and remove the network again if that fails. */
  const idOf = (name: NetworkName): Effect.Effect<NetworkId, CliError | UnexpectedOutput> =>
    Effect.flatMap(
      cli(idArgs(name), { timeout: TIMEOUT }),
      (result): Effect.Effect<NetworkId, CliError | UnexpectedOutput> =>
        result.exitCode === 0 ? parseId(result) : Effect.fail(failed(result))
    ).pipe(Effect.tapError(() => Effect.ignore(remove(name))))

  return {
    hostGateway: dialectOf(backend.kind).hostGateway,
    create: (name, options) =>
      Effect.flatMap(
        askAgainAfterBriefFailure(cli, createArgs(name, options), { timeout: TIMEOUT }, interfaceRace(backend.kind)),
        ({ result }): Effect.Effect<NetworkId, NetworkNameInUse | CliError | UnexpectedOutput> =>
          result.exitCode !== 0
            ? Effect.fail(classifyCreateFailure(name, result))
            : networkDialects[backend.kind].createPrintsId
              ? parseId(result)
              : idOf(name)
      ),

    remove,

    exists: (network) =>
      Effect.flatMap(
        cli(existsArgs(backend.kind, network), { timeout: TIMEOUT }),
        (result): Effect.Effect<boolean, CliError> =>
          result.exitCode === 0
            ? Effect.succeed(true)
            : networkDialects[backend.kind].absent(result.exitCode, decodeText(result.stderr))
              ? Effect.succeed(false)
              : Effect.fail(failed(result))
      ),

    connect: (network, container, { aliases }) =>
      Effect.flatMap(cli(connectArgs(network, container, aliases), { timeout: TIMEOUT }), (result) =>
        result.exitCode === 0 ? Effect.void : Effect.fail(classifyConnectFailure(network, container, result))
      ),

    disconnect: (network, container) =>
      Effect.flatMap(cli(disconnectArgs(network, container), { timeout: TIMEOUT }), (result) =>
        result.exitCode === 0 ? Effect.void : Effect.fail(classifyConnectFailure(network, container, result))
      ),

    listLabeled: (filters) => listLabeled(askingAgainAfterStorageRace(backend.kind, cli), labeledNetworks, filters),

    bridgeSubnets: () => {
      const network = dialectOf(backend.kind).defaultNetwork
      return Effect.flatMap(
        cli(bridgeInspectArgs(backend.kind), { timeout: TIMEOUT }),
        (result): Effect.Effect<ReadonlyArray<Cidr>, NetworkNotFound | InvalidNetworkInspect | CliError> => {
          if (result.exitCode !== 0) {
            const failure = classifyNetworkFailure(network, result)
            return Effect.fail(failure._tag === "NetworkInUse" ? failed(result) : failure)
          }
          return Either.match(decodeBridgeSubnets(backend.kind, network, decodeText(result.stdout)), {
            onLeft: Effect.fail,
            onRight: Effect.succeed
          })
        }
      )
    }
  }
}
