/**
 * Typed failures of network operations: creating and removing user-defined networks, reading the
 * default bridge's subnets, and resolving host names as a container sees them.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Network } from "ociman"
 *
 * const net = Network.make({ name: "my-net" }).pipe(
 *   Effect.catchTag("NetworkNameInUse", (e) => Effect.logWarning(`${e.name} is taken`))
 * )
 * ```
 *
 * @since 0.1.0
 */
import { Data } from "effect"

const tail = (text: string, max = 2_000): string => {
  const trimmed = text.trim()
  return trimmed.length <= max ? trimmed : `…${trimmed.slice(-max)}`
}

/**
 * A network name the runtimes would reject: it must start with a letter or digit and contain only
 * letters, digits, `_`, `.` and `-` (Podman's rule, which Docker also accepts).
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Network } from "ociman"
 *
 * Network.name("-bad") // Either.left(InvalidNetworkName { input: "-bad" })
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidNetworkName extends Data.TaggedError("InvalidNetworkName")<{ readonly input: string }> {
  override get message(): string {
    return `invalid network name ${JSON.stringify(this.input)}: use letters, digits, '_', '.' and '-', starting with a letter or digit`
  }
}

/**
 * A network with this name already exists.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Network } from "ociman"
 *
 * Network.make({ name: "shared" }).pipe(Effect.catchTag("NetworkNameInUse", (e) => Effect.succeed(e.name)))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class NetworkNameInUse extends Data.TaggedError("NetworkNameInUse")<{
  readonly name: string
  readonly stderr: string
}> {
  override get message(): string {
    return `network name ${this.name} is already in use (remove that network, or omit the name so a unique one is generated)`
  }
}

/**
 * No network with this name or id exists (anymore).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Network } from "ociman"
 *
 * Network.remove("gone").pipe(Effect.catchTag("NetworkNotFound", () => Effect.void))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class NetworkNotFound extends Data.TaggedError("NetworkNotFound")<{ readonly network: string }> {
  override get message(): string {
    return `no such network: ${this.network}`
  }
}

/**
 * The network still has containers attached, so the runtime refused to remove it.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Network } from "ociman"
 *
 * Network.remove("busy").pipe(Effect.catchTag("NetworkInUse", (e) => Effect.logWarning(e.message)))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class NetworkInUse extends Data.TaggedError("NetworkInUse")<{
  readonly network: string
  readonly stderr: string
}> {
  override get message(): string {
    return `network ${this.network} still has containers attached; stop and remove them first: ${tail(this.stderr)}`
  }
}

/**
 * `network inspect` printed JSON this library cannot read (malformed, or a required field such as
 * Docker's `IPAM.Config` or Podman's `subnets` is missing or null, or a subnet is not a CIDR).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Network } from "ociman"
 *
 * Network.bridgeSubnets.pipe(Effect.catchTag("InvalidNetworkInspect", (e) => Effect.succeed([e.detail])))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidNetworkInspect extends Data.TaggedError("InvalidNetworkInspect")<{
  readonly network: string
  /** What did not match, as Schema describes it. */
  readonly detail: string
  readonly output: string
}> {
  override get message(): string {
    return `could not read the subnets of network ${this.network} from \`network inspect\`: ${this.detail}`
  }
}

/**
 * A string that is not a CIDR (`address/prefix`, IPv4 or IPv6).
 *
 * @example
 * ```ts
 * import { Network } from "ociman"
 *
 * Network.cidr("10.0.0.0/33") // Either.left(InvalidCidr { input: "10.0.0.0/33" })
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidCidr extends Data.TaggedError("InvalidCidr")<{ readonly input: string }> {
  override get message(): string {
    return `invalid CIDR ${JSON.stringify(this.input)}: expected an IPv4 or IPv6 address, '/', and a prefix length (0-32 or 0-128)`
  }
}

/**
 * The host name has no entry in the container's `/etc/hosts`. `hosts` is the file as read.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Network } from "ociman"
 *
 * Network.resolveInContainer("localhost/ociman-test/busybox:1", "db.local").pipe(
 *   Effect.catchTag("HostnameNotFound", () => Effect.succeed("127.0.0.1"))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class HostnameNotFound extends Data.TaggedError("HostnameNotFound")<{
  readonly hostname: string
  readonly hosts: string
}> {
  override get message(): string {
    return `${this.hostname} is not in the container's /etc/hosts (add it with the addHosts option); only /etc/hosts is read, not DNS`
  }
}

/**
 * The container's `/etc/hosts` has no entry for the host gateway name (`host.docker.internal` on
 * Docker, `host.containers.internal` on Podman). `hosts` is the file as read.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Network } from "ociman"
 *
 * Network.hostGateway("localhost/ociman-test/busybox:1").pipe(
 *   Effect.catchTag("HostGatewayNotFound", (e) => Effect.logError(e.hosts))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class HostGatewayNotFound extends Data.TaggedError("HostGatewayNotFound")<{
  readonly hostname: string
  readonly hosts: string
}> {
  override get message(): string {
    return `the container's /etc/hosts has no entry for ${this.hostname}: Docker needs 20.10 or later for --add-host ${this.hostname}:host-gateway, and Podman adds it only on a bridge network (not with --network none or host)`
  }
}
