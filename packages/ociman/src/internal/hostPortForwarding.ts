/**
 * `ContainerDefinition.exposeHostPorts`: ports of this machine a container reaches by the
 * runtime's host-gateway name. testcontainers starts an SSH sidecar container for this; here a
 * forwarder in this process listens on the host's address as containers see it (the gateway of
 * the runtime's default network, which containers on other networks reach too) and relays each
 * connection to `localhost`, so a service bound to 127.0.0.1 only is reachable as well.
 *
 * One forwarder per address and port serves every container of this process that exposes it; it
 * closes when the last of them is released. When the port is taken on that address by another
 * process (a service bound to every address, or another process's forwarder), the port is
 * reachable already and no forwarder is started.
 */
import { Deferred, Effect, Exit, FiberId, type Scope } from "effect"
import * as net from "node:net"
import * as os from "node:os"
import * as Def from "../ContainerDefinition.js"
import { HostPortUnavailable } from "../ContainerError.js"
import type { Service } from "../ContainerRuntime.js"
import { lookupHost, parseHosts } from "./etcHosts.js"
import { gatewayAddHosts, hostsProbe } from "./hostGateway.js"

interface Forwarder {
  users: number
  readonly server: net.Server
  readonly sockets: Set<net.Socket>
  /** Completed once the server listens (or the port is found taken by another process). */
  readonly ready: Deferred.Deferred<void, HostPortUnavailable>
}

const forwarders = new Map<string, Forwarder>()

const keyOf = (address: string, port: number) => `${address}|${port}`

/**
 * Where a container's connection may come from: this machine's own addresses (rootless Podman's
 * slirp4netns and pasta connect from them) and the private ranges container networks use (RFC 1918,
 * the shared 100.64/10, IPv6 unique local and link-local). A peer on the internet is refused; a
 * machine on the same private network that routes to this address is not told apart.
 */
const PRIVATE_IPV4 = [/^10\./, /^172\.(1[6-9]|2\d|3[01])\./, /^192\.168\./, /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./]
const plainAddress = (address: string) => address.replace(/^::ffff:/i, "")
const localAddresses = (): ReadonlySet<string> =>
  new Set(
    Object.values(os.networkInterfaces())
      .flatMap((entries) => entries ?? [])
      .map((entry) => plainAddress(entry.address))
  )

export const mayConnect = (remote: string | undefined, local: ReadonlySet<string>): boolean => {
  if (remote === undefined) return false
  const address = plainAddress(remote)
  if (local.has(address)) return true
  if (net.isIPv4(address)) return PRIVATE_IPV4.some((range) => range.test(address))
  return /^f[cd]/i.test(address) || /^fe[89ab]/i.test(address)
}

/** Relays one connection to the same port on this machine's loopback; either side closing closes both. */
const relay = (forwarder: Forwarder, port: number, loopback: string) => (client: net.Socket) => {
  if (!mayConnect(client.remoteAddress, localAddresses())) {
    client.destroy()
    return
  }
  const upstream = net.connect({ host: loopback, port })
  for (const socket of [client, upstream]) {
    forwarder.sockets.add(socket)
    socket.on("close", () => forwarder.sockets.delete(socket))
    // a reset on either side ends the pair; nothing to report to anyone
    socket.on("error", () => {
      client.destroy()
      upstream.destroy()
    })
  }
  client.pipe(upstream).pipe(client)
}

/**
 * Why the forwarder could not listen. Whether this machine has the address is the listen's to say,
 * not `os.networkInterfaces()`'s: that leaves out a bridge with no container on it yet (Docker's
 * `docker0` before the first one starts), whose address can be listened on all the same.
 */
const listenFailure = (error: NodeJS.ErrnoException): string =>
  error.code === "EADDRNOTAVAIL"
    ? "containers see this host at an address it does not have (the engine runs in another machine or namespace)"
    : `${error.code ?? "error"}: ${error.message}`

const open = (address: string, port: number): Forwarder => {
  const forwarder: Forwarder = {
    users: 0,
    server: net.createServer(),
    sockets: new Set(),
    ready: Deferred.unsafeMake<void, HostPortUnavailable>(FiberId.none)
  }
  // IPv4 containers reach an IPv4 service on 127.0.0.1, IPv6 ones on ::1
  forwarder.server.on("connection", relay(forwarder, port, net.isIPv6(address) ? "::1" : "127.0.0.1"))
  // every error, not just the first: an unhandled one (EMFILE on accept) would end the process
  forwarder.server.on("error", (error: NodeJS.ErrnoException) => {
    // taken on this address by another process: what listens there answers containers already
    const outcome =
      error.code === "EADDRINUSE"
        ? Exit.void
        : Exit.fail(new HostPortUnavailable({ port, address, detail: listenFailure(error) }))
    Deferred.unsafeDone(forwarder.ready, outcome)
  })
  forwarder.server.listen({ port, host: address, exclusive: true }, () =>
    Deferred.unsafeDone(forwarder.ready, Exit.void)
  )
  return forwarder
}

const close = (key: string, forwarder: Forwarder): void => {
  forwarder.users -= 1
  if (forwarder.users > 0) return
  forwarders.delete(key)
  for (const socket of forwarder.sockets) socket.destroy()
  if (forwarder.server.listening) forwarder.server.close()
}

/**
 * Forwards `address:port` to `localhost:port` while the scope is open (shared with the other
 * users of that address and port in this process). Fails with `HostPortUnavailable` when the
 * address cannot be listened on (not an address of this machine, a privileged port).
 */
export const forwardHostPort = (
  address: string,
  port: number
): Effect.Effect<void, HostPortUnavailable, Scope.Scope> => {
  // a loopback address is this machine's localhost already (the in-memory runtime's host): a
  // forwarder there would relay to itself
  if (isLoopback(address)) return Effect.void
  // every address at once would offer the service to every network, and relay to itself
  if (isUnspecified(address)) {
    return Effect.fail(new HostPortUnavailable({ port, address, detail: "containers see this host at every address" }))
  }
  const key = keyOf(address, port)
  return Effect.acquireRelease(
    Effect.suspend(() => {
      const forwarder = forwarders.get(key) ?? open(address, port)
      forwarders.set(key, forwarder)
      forwarder.users += 1
      return Deferred.await(forwarder.ready).pipe(
        Effect.tapError(() => Effect.sync(() => close(key, forwarder))),
        Effect.as(forwarder)
      )
    }),
    (forwarder) => Effect.sync(() => close(key, forwarder))
  ).pipe(Effect.asVoid)
}

const isLoopback = (address: string): boolean => {
  const plain = plainAddress(address)
  return plain.startsWith("127.") || plain === "::1"
}
const isUnspecified = (address: string): boolean => {
  const plain = plainAddress(address)
  return plain === "0.0.0.0" || plain === "::" || plain === ""
}

const hostAddresses = new WeakMap<object, string>()

/**
 * The host's address as containers of `runtime` see it, found once per runtime (`lookup` runs a
 * throwaway container); a failed lookup is tried again next time.
 */
export const hostAddressOf = <E, R>(
  runtime: object,
  lookup: Effect.Effect<string, E, R>
): Effect.Effect<string, E, R> =>
  Effect.suspend(() => {
    const known = hostAddresses.get(runtime)
    return known === undefined
      ? Effect.tap(lookup, (address) => Effect.sync(() => hostAddresses.set(runtime, address)))
      : Effect.succeed(known)
  })

/** Whether `port` is a TCP port a container can be given (1 to 65535). */
export const isHostPort = (port: number): boolean => Number.isSafeInteger(port) && port >= 1 && port <= 65535

/**
 * `definition` ready to run with its exposed host ports (`ContainerDefinition.exposeHostPorts`):
 * a forwarder per port listens until the scope closes, and the runtime's host-gateway name
 * resolves to where they listen. `readHosts` runs the throwaway container that finds that address
 * (`Container.run` of a `hostsProbe`, printing its `/etc/hosts`). Returns the definition with the
 * `--add-host` entry and without the ports (they are served).
 */
export const exposingHostPorts = <E, R>(
  runtime: Service,
  definition: Def.ContainerDefinition,
  readHosts: (probe: Def.ContainerDefinition) => Effect.Effect<string, E, R>
): Effect.Effect<Def.ContainerDefinition, HostPortUnavailable | Def.InvalidContainerDefinition, R | Scope.Scope> =>
  Effect.gen(function* () {
    const ports = Array.from(new Set(definition.exposedHostPorts))
    const invalid = ports.find((port) => !isHostPort(port))
    if (invalid !== undefined) {
      return yield* new Def.InvalidContainerDefinition({
        field: "exposedHostPorts",
        input: String(invalid),
        reason: "HostPortInvalid"
      })
    }
    const gateway = runtime.networks.hostGateway
    const notFound = (detail: string) => new HostPortUnavailable({ port: ports[0] ?? 0, address: undefined, detail })
    if (runtime.backend.endpoint.remote) {
      return yield* notFound(
        `the engine runs on another machine (${runtime.backend.endpoint.url ?? "remote"}): its containers cannot reach this one's ports`
      )
    }
    const address = yield* hostAddressOf(
      runtime,
      readHosts(
        hostsProbe(definition.image, { addHosts: gatewayAddHosts(gateway) }).pipe(
          Def.pullPolicy(definition.pullPolicy),
          Def.platform(definition.platform)
        )
      ).pipe(
        Effect.mapError((error) =>
          notFound(`reading /etc/hosts in a container of the image failed (it needs cat): ${messageOf(error)}`)
        ),
        Effect.flatMap((hosts) => {
          const found = lookupHost(parseHosts(hosts), gateway.name)
          return found === undefined
            ? Effect.fail(notFound(`no ${gateway.name} in the image's /etc/hosts`))
            : Effect.succeed(found)
        })
      )
    )
    yield* Effect.forEach(ports, (port) => forwardHostPort(address, port), { discard: true })
    return new Def.ContainerDefinition({
      ...Def.fields(Def.addHost(definition, gateway.name, address)),
      exposedHostPorts: []
    })
  })

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))
