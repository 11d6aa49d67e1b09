/**
 * Networks and hosts: scoped user-defined networks that containers join under aliases, the
 * default bridge's subnets, and host names resolved as a container sees them (the host gateway,
 * `--add-host` entries, `localhost`).
 *
 * Resolution reads the container's `/etc/hosts` (`cat /etc/hosts`), so it works on any image with
 * `cat`, including busybox ones without `getent`. It does not ask DNS: names that only a
 * network's DNS server knows (aliases on a user-defined network) are not resolved here.
 *
 * @example
 * ```ts
 * import { Effect, pipe } from "effect"
 * import { Container, ContainerDefinition as Def, Network } from "ociman"
 *
 * const image = "localhost/ociman-test/busybox:1"
 * const program = Effect.gen(function* () {
 *   const net = yield* Network.make() // removed when the scope closes
 *   yield* Container.start(
 *     pipe(Def.make(image), Def.command(["httpd", "-f", "-p", "8080"]), Network.attach(net, { aliases: ["web"] }))
 *   )
 *   const page = yield* Container.run(
 *     pipe(Def.make(image), Def.withRemove, Network.attach(net), Def.command(["wget", "-qO-", "http://web:8080/"]))
 *   )
 *   const gateway = yield* Network.hostGateway(image) // e.g. "172.17.0.1"
 *   return { page: page.stdout, gateway }
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 */
import { type Duration, Effect, Either, Schedule, type Schema, type Scope } from "effect"
import type { CliError, UnexpectedOutput } from "./CliError.js"
import * as Container from "./Container.js"
import * as Def from "./ContainerDefinition.js"
import type { ContainerExitedNonZero, ContainerNotFound } from "./ContainerError.js"
import type { StartError } from "./ContainerRuntime.js"
import { ContainerRuntime } from "./internal/runtimeTag.js"
import type { ImageReference } from "./ImageReference.js"
import * as Label from "./Label.js"
import {
  HostGatewayNotFound,
  HostnameNotFound,
  type InvalidCidr,
  type InvalidNetworkInspect,
  type InvalidNetworkName,
  type NetworkInUse,
  type NetworkNameInUse,
  type NetworkNotFound
} from "./NetworkError.js"
import { entriesOf } from "./internal/bytes.js"
import { bounded, unanswered } from "./internal/deadline.js"
import { labelFilter } from "./internal/labelFilter.js"
import { lookupHost, parseHosts } from "./internal/etcHosts.js"
import { gatewayAddHosts, hostsProbe } from "./internal/hostGateway.js"
import * as ip from "./internal/ip.js"
import { ownershipLabels, SESSION_LABEL, sessionId } from "./internal/session.js"
import * as networkName from "./internal/networkName.js"
import type { NetworkId, NetworkName } from "./internal/networkName.js"

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

/**
 * A string that decodes to a `NetworkName`, for `Config` and CLI flags.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Network } from "ociman"
 *
 * Schema.decodeUnknownSync(Network.NameFromString)("my-net") // "my-net"
 * ```
 *
 * @since 0.1.0
 * @category values
 */
export const NameFromString = networkName.NameFromString

export type { NetworkId, NetworkName } from "./internal/networkName.js"

/**
 * Validates a network name.
 *
 * @example
 * ```ts
 * import { Network } from "ociman"
 *
 * Network.name("ociman-test.net_1") // Either.right("ociman-test.net_1")
 * Network.name("bad name") // Either.left(InvalidNetworkName { input: "bad name" })
 * ```
 *
 * @since 0.1.0
 * @category values
 */
export const name: (input: string) => Either.Either<NetworkName, InvalidNetworkName> = networkName.name

/**
 * A CIDR string (`172.17.0.0/16`, `fd00::/64`), validated.
 * @since 0.1.0
 * @category models
 */
export type Cidr = ip.Cidr

/**
 * A string that decodes to a `Cidr`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Network } from "ociman"
 *
 * Schema.decodeUnknownSync(Network.CidrFromString)("10.88.0.0/16")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const CidrFromString: Schema.Schema<Cidr, string> = ip.CidrFromString

/**
 * Validates a CIDR: an IPv4 or IPv6 address, `/`, and a prefix length within the family's range.
 * Host bits may be set (`10.0.0.1/8`), as in ociman.
 *
 * @example
 * ```ts
 * import { Network } from "ociman"
 *
 * Network.cidr("172.17.0.0/16") // Either.right("172.17.0.0/16")
 * Network.cidr("172.17.0.0") // Either.left(InvalidCidr { input: "172.17.0.0" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const cidr: (input: string) => Either.Either<Cidr, InvalidCidr> = ip.cidr

/**
 * The prefix length of a CIDR.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Network } from "ociman"
 *
 * Network.prefixLength(Either.getOrThrow(Network.cidr("10.88.0.0/16"))) // 16
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const prefixLength: (cidr: Cidr) => number = ip.prefixLength

/**
 * A network created by {@link make}.
 * @since 0.1.0
 * @category models
 */
export interface Network {
  readonly name: NetworkName
  readonly id: NetworkId
}

// ---------------------------------------------------------------------------------------------
// Scoped networks
// ---------------------------------------------------------------------------------------------

/**
 * Options of {@link make}.
 * @since 0.1.0
 * @category models
 */
export interface MakeOptions {
  /** The network's name; default: unique per call, `ociman-<session>-<random>`. */
  readonly name?: string | undefined
  /** Labels in addition to the ownership labels every network created here carries. */
  readonly labels?: Readonly<Record<string, string>> | Iterable<readonly [string, string]> | undefined
  /**
   * `--internal`: no route to the outside. On Podman with CNI, internal networks have no DNS, so
   * aliases do not resolve on them.
   */
  readonly internal?: boolean | undefined
}

/**
 * Failures of {@link make}.
 * @since 0.1.0
 * @category errors
 */
export type MakeError = InvalidNetworkName | Label.InvalidLabel | NetworkNameInUse | CliError | UnexpectedOutput

const uniqueName = (): NetworkName =>
  networkName.brandName(`ociman-${sessionId.slice(0, 8)}-${globalThis.crypto.randomUUID().slice(0, 8)}`)

const fromEither = <A, E>(either: Either.Either<A, E>): Effect.Effect<A, E> =>
  Either.match(either, { onLeft: Effect.fail, onRight: Effect.succeed })

/** Short retries while a container attached to the network is still being torn down. */
const IN_USE_RETRY = Schedule.spaced("250 millis")
const IN_USE_RETRIES = 8

/**
 * Creates a user-defined network that is removed when the scope closes. It carries the ownership
 * labels (so a sweep can remove it if the process dies) and, unless `name` is given, a name unique
 * to this call. Release is tolerant of a network that is already gone, retries briefly while
 * containers are still detaching, and never removes attached containers: start containers on the
 * network inside the same scope (after the network), so they are released first.
 *
 * @example
 * ```ts
 * import { Effect, pipe } from "effect"
 * import { Container, ContainerDefinition as Def, Network } from "ociman"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function* () {
 *     const net = yield* Network.make({ labels: { "com.example.suite": "api" } })
 *     const db = yield* Container.start(
 *       pipe(Def.make("postgres:17"), Network.attach(net, { aliases: ["db"] }))
 *     )
 *     return { network: net.name, db: db.id }
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const make = (options: MakeOptions = {}): Effect.Effect<Network, MakeError, ContainerRuntime | Scope.Scope> =>
  Effect.gen(function* () {
    const runtime = yield* ContainerRuntime
    const networkName = options.name === undefined ? uniqueName() : yield* fromEither(name(options.name))
    // the ownership labels come last, so a user label cannot override them
    const labels = yield* fromEither(Label.make([...entriesOf(options.labels ?? {}), ...ownershipLabels()]))
    const release = (network: string) =>
      runtime.networks.remove(network).pipe(
        bounded(runtime, "network", "network.remove", network),
        Effect.retry({
          schedule: IN_USE_RETRY,
          times: IN_USE_RETRIES,
          while: (error) => error._tag === "NetworkInUse"
        }),
        Effect.catchTag("NetworkNotFound", () => Effect.void),
        Effect.tapError((error) => Effect.logWarning(`ociman: could not remove network ${network}: ${error.message}`)),
        Effect.ignore
      )
    // A create the engine did not answer may still be carried out: remove the network if it turns
    // up with this process's labels (never someone else's of the same name).
    const releaseIfOurs = runtime.networks.listLabeled([labelFilter(SESSION_LABEL, sessionId)]).pipe(
      bounded(runtime, "network", "network.list", networkName),
      Effect.flatMap((listed) => (listed.some((n) => n.name === networkName) ? release(networkName) : Effect.void)),
      Effect.ignore
    )
    return yield* Effect.acquireRelease(
      Effect.map(
        runtime.networks.create(networkName, { labels, internal: options.internal }).pipe(
          bounded(runtime, "network", "network.create", networkName),
          Effect.onError((cause) => (unanswered(cause) ? releaseIfOurs : Effect.void))
        ),
        (id): Network => ({ name: networkName, id })
      ),
      (network) => release(network.name)
    )
  }).pipe(Effect.withSpan("ociman.Network.make"))

/**
 * Joins a container definition to a network, under optional aliases other containers on that
 * network can use as host names. Attach several networks to join several: the first is the
 * container's `--network`, each other one is connected before the container starts, each with its
 * own aliases (see `ContainerDefinition.joinNetwork`).
 *
 * @example
 * ```ts
 * import { pipe } from "effect"
 * import { ContainerDefinition as Def, Network } from "ociman"
 *
 * // "web" for the clients on my-net, "api" for those on admin-net
 * const web = pipe(
 *   Def.make("localhost/ociman-test/busybox:1"),
 *   Network.attach("my-net", { aliases: ["web"] }),
 *   Network.attach("admin-net", { aliases: ["api"] })
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const attach =
  (network: Network | string, options: { readonly aliases?: ReadonlyArray<string> | undefined } = {}) =>
  (self: Def.ContainerDefinition): Def.ContainerDefinition =>
    Def.joinNetwork(typeof network === "string" ? network : network.name, options)(self)

/**
 * Connects a container (created, running or stopped) to a network, under optional aliases:
 * `network connect`. To start a container on several networks, attach them to its definition
 * instead ({@link attach}): its first process then sees them all.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Container, ContainerDefinition as Def, Network } from "ociman"
 *
 * const program = Effect.gen(function* () {
 *   const net = yield* Network.make()
 *   const web = yield* Container.start(Def.make("localhost/ociman-test/busybox:1").pipe(Def.command(["sleep", "60"])))
 *   yield* Network.connect(net, web.id, { aliases: ["web"] })
 * })
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const connect = (
  network: Network | string,
  container: string,
  options: { readonly aliases?: ReadonlyArray<string> | undefined } = {}
): Effect.Effect<void, NetworkNotFound | ContainerNotFound | CliError, ContainerRuntime> =>
  Effect.flatMap(ContainerRuntime, (runtime) => {
    const name = typeof network === "string" ? network : network.name
    return runtime.networks
      .connect(name, container, { aliases: options.aliases ?? [] })
      .pipe(bounded(runtime, "network", "network.connect", name))
  })

/**
 * Disconnects a container from a network: `network disconnect`. With {@link connect}, a way to cut
 * a container off from its peers and join it again (a partition, in a test).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Network } from "ociman"
 *
 * declare const containerId: string
 * const partition = Network.disconnect("my-net", containerId)
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const disconnect = (
  network: Network | string,
  container: string
): Effect.Effect<void, NetworkNotFound | ContainerNotFound | CliError, ContainerRuntime> =>
  Effect.flatMap(ContainerRuntime, (runtime) => {
    const name = typeof network === "string" ? network : network.name
    return runtime.networks.disconnect(name, container).pipe(bounded(runtime, "network", "network.disconnect", name))
  })

/**
 * Whether a network with this name or id exists.
 *
 * @example
 * ```ts
 * import { Network } from "ociman"
 *
 * const present = Network.exists("bridge") // Effect<boolean, CliError, ContainerRuntime>
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const exists = (network: string): Effect.Effect<boolean, CliError, ContainerRuntime> =>
  Effect.flatMap(ContainerRuntime, (runtime) =>
    runtime.networks.exists(network).pipe(bounded(runtime, "network", "network.exists", network))
  )

/**
 * Removes a network by name or id (for networks not created with {@link make}).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Network } from "ociman"
 *
 * const cleanup = Network.remove("leftover-net").pipe(Effect.catchTag("NetworkNotFound", () => Effect.void))
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const remove = (
  network: string
): Effect.Effect<void, NetworkNotFound | NetworkInUse | CliError, ContainerRuntime> =>
  Effect.flatMap(ContainerRuntime, (runtime) =>
    runtime.networks.remove(network).pipe(bounded(runtime, "network", "network.remove", network))
  )

/**
 * The subnets of the runtime's default network: Docker's `bridge` (`IPAM.Config[*].Subnet`),
 * Podman's `podman` (`subnets[*].subnet`), as ociman's `bridge_subnets`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Network } from "ociman"
 *
 * const prefixes = Effect.map(Network.bridgeSubnets, (subnets) => subnets.map(Network.prefixLength))
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const bridgeSubnets: Effect.Effect<
  ReadonlyArray<Cidr>,
  NetworkNotFound | InvalidNetworkInspect | CliError,
  ContainerRuntime
> = Effect.flatMap(ContainerRuntime, (runtime) =>
  runtime.networks.bridgeSubnets().pipe(bounded(runtime, "network", "network.inspect", undefined))
).pipe(Effect.withSpan("ociman.Network.bridgeSubnets"))

// ---------------------------------------------------------------------------------------------
// Resolving host names inside a container
// ---------------------------------------------------------------------------------------------

/**
 * Options of {@link resolveInContainer} (ociman's `ContainerHostnameResolver` builder).
 * @since 0.1.0
 * @category models
 */
export interface ResolveOptions {
  /** `--add-host` entries, host name to address (the address may be `host-gateway` on Docker). */
  readonly addHosts?: Readonly<Record<string, string>> | Iterable<readonly [string, string]> | undefined
  /** `--network`: a network from {@link make}, or a name. */
  readonly network?: Network | string | undefined
  /** Flags placed verbatim before the image (ociman's `argument`). */
  readonly flags?: ReadonlyArray<string> | undefined
  /** Kills the CLI if the run (including an image pull) takes longer. */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * Failures of {@link resolveInContainer} besides `HostnameNotFound`: the throwaway container could
 * not run, or `cat` failed.
 * @since 0.1.0
 * @category errors
 */
export type ContainerReadError = StartError | ContainerExitedNonZero

/** Reads `/etc/hosts` in a throwaway container (`--rm`). */
const readHosts = (
  image: string | ImageReference,
  options: ResolveOptions
): Effect.Effect<string, ContainerReadError, ContainerRuntime> => {
  const network = options.network
  const definition = hostsProbe(image, {
    ...options,
    network: network === undefined || typeof network === "string" ? network : network.name
  })
  return Effect.map(
    Container.run(definition, options.timeout === undefined ? {} : { timeout: options.timeout }),
    (result) => result.stdout
  )
}

/**
 * Resolves a host name as a container started with these options sees it: runs `image` once
 * (removed afterwards) to read its `/etc/hosts`, and returns the address of the first entry that
 * names `hostname` (IPv4 or IPv6). Names only a DNS server knows are a `HostnameNotFound`.
 *
 * @example
 * ```ts
 * import { Network } from "ociman"
 *
 * const image = "localhost/ociman-test/busybox:1"
 * Network.resolveInContainer(image, "localhost") // "127.0.0.1" (or "::1")
 * Network.resolveInContainer(image, "db.local", { addHosts: { "db.local": "10.0.0.5" } }) // "10.0.0.5"
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const resolveInContainer = (
  image: string | ImageReference,
  hostname: string,
  options: ResolveOptions = {}
): Effect.Effect<string, HostnameNotFound | ContainerReadError, ContainerRuntime> =>
  Effect.flatMap(readHosts(image, options), (hosts) => {
    const address = lookupHost(parseHosts(hosts), hostname)
    return address === undefined ? Effect.fail(new HostnameNotFound({ hostname, hosts })) : Effect.succeed(address)
  }).pipe(Effect.withSpan("ociman.Network.resolveInContainer", { attributes: { hostname } }))

/**
 * The host gateway name of the runtime in context: `host.docker.internal` on Docker (which needs
 * `--add-host host.docker.internal:host-gateway`), `host.containers.internal` on Podman (which
 * adds it by itself).
 *
 * @example
 * ```ts
 * import { Network } from "ociman"
 *
 * const name = Network.hostGatewayName // Effect<"host.docker.internal" | …, never, ContainerRuntime>
 * ```
 *
 * @since 0.1.0
 * @category host names
 */
export const hostGatewayName: Effect.Effect<string, never, ContainerRuntime> = Effect.map(
  ContainerRuntime,
  (runtime) => runtime.networks.hostGateway.name
)

/**
 * The address at which a container reaches this host (ociman's `resolve_container_host`), read
 * from the `/etc/hosts` of a throwaway container of `image` (any image with `cat`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Network } from "ociman"
 *
 * // e.g. "172.17.0.1" on Docker, "10.88.0.1" on Podman
 * const gateway = Network.hostGateway("localhost/ociman-test/busybox:1")
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const hostGateway = (
  image: string | ImageReference,
  options: Omit<ResolveOptions, "addHosts"> = {}
): Effect.Effect<string, HostGatewayNotFound | ContainerReadError, ContainerRuntime> =>
  Effect.gen(function* () {
    const runtime = yield* ContainerRuntime
    const gateway = runtime.networks.hostGateway
    const hostname = gateway.name
    const hosts = yield* readHosts(image, { ...options, addHosts: gatewayAddHosts(gateway) })
    const address = lookupHost(parseHosts(hosts), hostname)
    return address === undefined ? yield* new HostGatewayNotFound({ hostname, hosts }) : address
  }).pipe(Effect.withSpan("ociman.Network.hostGateway"))
