/**
 * Network operations for the Docker and Podman CLIs. Argv is built by pure functions (golden-
 * tested); this module runs it and classifies failures into typed errors. As for containers,
 * stderr matching is the last resort: both CLIs use one exit code for every runtime error.
 */
import { Effect, Either, ParseResult, Schema } from "effect"
import { type CliError, UnexpectedOutput } from "../../CliError.js"
import type { Backend, CliResult, Service } from "../../ContainerRuntime.js"
import * as Label from "../../Label.js"
import type { NetworkId, NetworkName } from "../../Network.js"
import { InvalidNetworkInspect, NetworkInUse, NetworkNameInUse, NetworkNotFound } from "../../NetworkError.js"
import { type LabeledKind, listLabeled } from "./labeled.js"
import { type Cidr, CidrFromString } from "../ip.js"
import { dialectOf } from "../dialect/index.js"
import { decodeText, failure as failed } from "./process.js"
import type { ListedNetwork, NetworkOperations } from "../../ContainerRuntime.js"

type Cli = Service["cli"]
type Kind = Backend["kind"]

/** Docker: "network X not found"; Podman: "unable to find network with name or ID X: network not found". */
const NOT_FOUND = /not found|no such network/i
/** Docker: "network with name X already exists"; Podman: "network name X already used: network already exists". */
const NAME_IN_USE = /already exists|already used/i
/** Docker: "… has active endpoints"; Podman: "… has associated containers with it …: network is being used". */
const IN_USE = /active endpoints|associated containers|is being used/i

const TIMEOUT = "60 seconds"

const NetworkIdFromString = Schema.String.pipe(Schema.pattern(/^[0-9a-f]{12,64}$/), Schema.brand("NetworkId"))

/** The default network whose subnets `bridgeSubnets` reads. */
export const defaultNetwork = (kind: Kind): string => (kind === "docker" ? "bridge" : "podman")

/** `network create [--internal] [--label K=V]… NAME` (the name is validated, so never an option). */
export const createArgs = (
  name: NetworkName,
  options: { readonly labels: Label.Labels; readonly internal?: boolean | undefined }
): ReadonlyArray<string> => [
  "network",
  "create",
  ...(options.internal === true ? ["--internal"] : []),
  ...Label.toArgs(options.labels),
  name
]

/** `network rm -- NETWORK`. Never `--force`: Podman's would remove the attached containers too. */
export const removeArgs = (network: string): ReadonlyArray<string> => ["network", "rm", "--", network]

/** The id of a network, by name or id. */
export const idArgs = (network: string): ReadonlyArray<string> => [
  "network",
  "inspect",
  "--format",
  "{{.Id}}",
  "--",
  network
]

/** Podman has a documented probe (exit 0 / 1); Docker's inspect exits 1 with "not found". */
export const existsArgs = (kind: Kind, network: string): ReadonlyArray<string> =>
  kind === "podman" ? ["network", "exists", "--", network] : idArgs(network)

/** `network inspect bridge` (Docker) / `network inspect podman` (Podman), as ociman does. */
export const bridgeInspectArgs = (kind: Kind): ReadonlyArray<string> => ["network", "inspect", defaultNetwork(kind)]

const DockerInspect = Schema.Array(
  Schema.Struct({ IPAM: Schema.Struct({ Config: Schema.Array(Schema.Struct({ Subnet: CidrFromString })) }) })
)
const PodmanInspect = Schema.Array(Schema.Struct({ subnets: Schema.Array(Schema.Struct({ subnet: CidrFromString })) }))

const decodeDocker = Schema.decodeUnknownEither(Schema.parseJson(DockerInspect))
const decodePodman = Schema.decodeUnknownEither(Schema.parseJson(PodmanInspect))

/**
 * The subnets in `network inspect` JSON: Docker's `[*].IPAM.Config[*].Subnet`, Podman's
 * `[*].subnets[*].subnet`. As in ociman, `IPAM`, `Config` and `subnets` are required (missing or
 * null is an error), and every subnet must be a CIDR.
 */
export const decodeBridgeSubnets = (
  kind: Kind,
  network: string,
  stdout: string
): Either.Either<ReadonlyArray<Cidr>, InvalidNetworkInspect> => {
  const invalid = (error: ParseResult.ParseError) =>
    new InvalidNetworkInspect({ network, detail: ParseResult.TreeFormatter.formatErrorSync(error), output: stdout })
  return kind === "docker"
    ? Either.mapBoth(decodeDocker(stdout), {
        onLeft: invalid,
        onRight: (all) => all.flatMap((n) => n.IPAM.Config.map((c) => c.Subnet))
      })
    : Either.mapBoth(decodePodman(stdout), {
        onLeft: invalid,
        onRight: (all) => all.flatMap((n) => n.subnets.map((s) => s.subnet))
      })
}

/** Classifies a failed `network rm` / `network inspect` about one network. */
export const classifyNetworkFailure = (
  network: string,
  result: CliResult
): NetworkNotFound | NetworkInUse | CliError => {
  const stderr = decodeText(result.stderr)
  if (IN_USE.test(stderr)) return new NetworkInUse({ network, stderr })
  if (NOT_FOUND.test(stderr)) return new NetworkNotFound({ network })
  return failed(result)
}

/** Classifies a failed `network create`. */
export const classifyCreateFailure = (name: string, result: CliResult): NetworkNameInUse | CliError => {
  const stderr = decodeText(result.stderr)
  return NAME_IN_USE.test(stderr) ? new NetworkNameInUse({ name, stderr }) : failed(result)
}

const parseId = (result: CliResult): Effect.Effect<NetworkId, UnexpectedOutput> => {
  const output = decodeText(result.stdout).trim()
  return Either.match(Schema.decodeEither(NetworkIdFromString)(output), {
    onLeft: () => Effect.fail(new UnexpectedOutput({ argv: result.argv, expected: "a network id", output })),
    onRight: Effect.succeed
  })
}

/** `network inspect` lines for `listLabeled`: ID, name, labels (Podman's `ls --quiet` prints names). */
export const labeledNetworks: LabeledKind<ListedNetwork> = {
  list: ["network", "ls"],
  inspect: ["network", "inspect"],
  template: "{{.Id}}\t{{.Name}}\t{{json .Labels}}",
  parse: ([id, name], labels) =>
    id === undefined || name === undefined ? Either.left("ID and name") : Either.right({ id, name, labels }),
  notFound: NOT_FOUND
}

/** The network operations of a CLI runtime. */
export const makeNetworkOperations = (backend: Pick<Backend, "kind">, cli: Cli): NetworkOperations => {
  const remove = (network: string): Effect.Effect<void, NetworkNotFound | NetworkInUse | CliError> =>
    Effect.flatMap(cli(removeArgs(network), { timeout: TIMEOUT }), (result) =>
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
        cli(createArgs(name, options), { timeout: TIMEOUT }),
        (result): Effect.Effect<NetworkId, NetworkNameInUse | CliError | UnexpectedOutput> =>
          result.exitCode !== 0
            ? Effect.fail(classifyCreateFailure(name, result))
            : backend.kind === "docker"
              ? parseId(result)
              : idOf(name)
      ),

    remove,

    exists: (network) =>
      Effect.flatMap(
        cli(existsArgs(backend.kind, network), { timeout: TIMEOUT }),
        (result): Effect.Effect<boolean, CliError> => {
          if (result.exitCode === 0) return Effect.succeed(true)
          const absent = backend.kind === "podman" ? result.exitCode === 1 : NOT_FOUND.test(decodeText(result.stderr))
          return absent ? Effect.succeed(false) : Effect.fail(failed(result))
        }
      ),

    listLabeled: (filters) => listLabeled(cli, labeledNetworks, filters),

    bridgeSubnets: () => {
      const network = defaultNetwork(backend.kind)
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
