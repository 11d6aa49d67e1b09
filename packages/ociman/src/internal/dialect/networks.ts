/**
 * Networks on the Docker and Podman CLIs: every argv builder (golden-tested), the decoders of their
 * output, the stderr patterns, and what differs per runtime (`networkDialects`): Podman has a
 * documented presence probe and prints the name of a created network, Docker prints its id; their
 * `network inspect` JSON differs.
 */
import { Either, ParseResult, Schema } from "effect"
import type { ListedNetwork } from "../../ContainerRuntime.js"
import type * as Label from "../../Label.js"
import type { NetworkName } from "../../Network.js"
import { InvalidNetworkInspect } from "../../NetworkError.js"
import { type Cidr, CidrFromString } from "../ip.js"
import type { Kind } from "../kind.js"
import { dialectOf } from "./index.js"
import type { LabeledKind } from "./labeled.js"
import { labelArgs } from "./values.js"

// ---------------------------------------------------------------------------------------------
// stderr patterns (both CLIs use one exit code for every runtime error)
// ---------------------------------------------------------------------------------------------

/** Docker: "network X not found"; Podman: "unable to find network with name or ID X: network not found". */
export const NETWORK_NOT_FOUND = /not found|no such network/i
/** Docker: "network with name X already exists"; Podman: "network name X already used: network already exists". */
export const NETWORK_NAME_IN_USE = /already exists|already used/i
/** Docker: "… has active endpoints"; Podman: "… has associated containers with it …: network is being used". */
export const NETWORK_IN_USE = /active endpoints|associated containers|is being used/i
/**
 * Podman (exit 125): "route ip+net: no such network interface". To pick a free subnet, `network
 * create` reads the host's addresses and then its interfaces (Go's `net.InterfaceAddrs`); an
 * interface deleted between the two reads (another container stopping) fails the whole create
 * before anything is written. Seen in CI with Docker's containers starting beside it; reproduced in
 * 10 of 610 creates while four processes added and removed veth pairs.
 */
export const HOST_INTERFACE_GONE = /route ip\+net: no such network interface/i

// ---------------------------------------------------------------------------------------------
// argv builders (pure)
// ---------------------------------------------------------------------------------------------

/** `network create [--internal] [--label K=V]… NAME` (the name is validated, so never an option). */
export const createArgs = (
  name: NetworkName,
  options: { readonly labels: Label.Labels; readonly internal?: boolean | undefined }
): ReadonlyArray<string> => [
  "network",
  "create",
  ...(options.internal === true ? ["--internal"] : []),
  ...labelArgs(options.labels),
  name
]

/** `network rm -- NETWORK`. Never `--force`: Podman's would remove the attached containers too. */
export const networkRemoveArgs = (network: string): ReadonlyArray<string> => ["network", "rm", "--", network]

/** `network connect [--alias A]… -- NETWORK CONTAINER`. */
export const connectArgs = (
  network: string,
  container: string,
  aliases: ReadonlyArray<string>
): ReadonlyArray<string> => [
  "network",
  "connect",
  ...aliases.flatMap((alias) => ["--alias", alias]),
  "--",
  network,
  container
]

/** `network disconnect -- NETWORK CONTAINER`. */
export const disconnectArgs = (network: string, container: string): ReadonlyArray<string> => [
  "network",
  "disconnect",
  "--",
  network,
  container
]

/** The id of a network, by name or id. */
export const idArgs = (network: string): ReadonlyArray<string> => [
  "network",
  "inspect",
  "--format",
  "{{.Id}}",
  "--",
  network
]

// ---------------------------------------------------------------------------------------------
// What differs per runtime
// ---------------------------------------------------------------------------------------------

const DockerInspect = Schema.Array(
  Schema.Struct({ IPAM: Schema.Struct({ Config: Schema.Array(Schema.Struct({ Subnet: CidrFromString })) }) })
)
const PodmanInspect = Schema.Array(Schema.Struct({ subnets: Schema.Array(Schema.Struct({ subnet: CidrFromString })) }))

const decodeDocker = Schema.decodeUnknownEither(Schema.parseJson(DockerInspect))
const decodePodman = Schema.decodeUnknownEither(Schema.parseJson(PodmanInspect))

/** One runtime's side of the network operations. */
export interface NetworkDialect {
  /** The presence probe's argv. */
  readonly existsArgs: (network: string) => ReadonlyArray<string>
  /** Whether a failed presence probe means "no such network" (else the probe itself failed). */
  readonly absent: (exitCode: number | undefined, stderr: string) => boolean
  /** Whether `network create` prints the new network's id (Podman prints its name). */
  readonly createPrintsId: boolean
  /** Whether a failed `network create` failed only because a host interface vanished meanwhile (ask again). */
  readonly createRaced: (exitCode: number | undefined, stderr: string) => boolean
  /** The subnets in `network inspect` JSON. */
  readonly subnets: (stdout: string) => Either.Either<ReadonlyArray<Cidr>, ParseResult.ParseError>
}

export const networkDialects: Readonly<Record<Kind, NetworkDialect>> = {
  docker: {
    // Docker's inspect exits 1 with "not found".
    existsArgs: idArgs,
    absent: (_exitCode, stderr) => NETWORK_NOT_FOUND.test(stderr),
    createPrintsId: true,
    // dockerd reads the host's interfaces itself and has not been seen to fail so.
    createRaced: () => false,
    // `[*].IPAM.Config[*].Subnet`
    subnets: (stdout) =>
      Either.map(decodeDocker(stdout), (all) => all.flatMap((n) => n.IPAM.Config.map((c) => c.Subnet)))
  },
  podman: {
    // A documented probe: exit 0 / 1.
    existsArgs: (network) => ["network", "exists", "--", network],
    absent: (exitCode) => exitCode === 1,
    createPrintsId: false,
    createRaced: (exitCode, stderr) => exitCode === 125 && HOST_INTERFACE_GONE.test(stderr),
    // `[*].subnets[*].subnet`
    subnets: (stdout) => Either.map(decodePodman(stdout), (all) => all.flatMap((n) => n.subnets.map((s) => s.subnet)))
  }
}

/** Podman has a documented probe (exit 0 / 1); Docker's inspect exits 1 with "not found". */
export const existsArgs = (kind: Kind, network: string): ReadonlyArray<string> =>
  networkDialects[kind].existsArgs(network)

/** `network inspect bridge` (Docker) / `network inspect podman` (Podman), as ociman does. */
export const bridgeInspectArgs = (kind: Kind): ReadonlyArray<string> => [
  "network",
  "inspect",
  dialectOf(kind).defaultNetwork
]

/**
 * The subnets in `network inspect` JSON: Docker's `[*].IPAM.Config[*].Subnet`, Podman's
 * `[*].subnets[*].subnet`. As in ociman, `IPAM`, `Config` and `subnets` are required (missing or
 * null is an error), and every subnet must be a CIDR.
 */
export const decodeBridgeSubnets = (
  kind: Kind,
  network: string,
  stdout: string
): Either.Either<ReadonlyArray<Cidr>, InvalidNetworkInspect> =>
  Either.mapLeft(
    networkDialects[kind].subnets(stdout),
    (error) =>
      new InvalidNetworkInspect({ network, detail: ParseResult.TreeFormatter.formatErrorSync(error), output: stdout })
  )

/** `network inspect` lines for `listLabeled`: ID, name, labels (Podman's `ls --quiet` prints names). */
export const labeledNetworks: LabeledKind<ListedNetwork> = {
  list: ["network", "ls"],
  inspect: ["network", "inspect"],
  template: "{{.Id}}\t{{.Name}}\t{{json .Labels}}",
  parse: ([id, name], labels) =>
    id === undefined || name === undefined ? Either.left("ID and name") : Either.right({ id, name, labels }),
  notFound: NETWORK_NOT_FOUND
}
