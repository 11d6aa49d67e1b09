/**
 * Where this host connects to a container's published port: the binding's address, with the
 * wildcard addresses reached through loopback; on an engine that may be on another machine, that
 * machine's host, and never a binding on its loopback (which only that machine can reach).
 */
import { Effect, Option } from "effect"
import { PortNotPublished } from "../ContainerError.js"
import type { ContainerInspect } from "../ContainerInspect.js"
import type { Endpoint } from "../ContainerRuntime.js"
import * as Port from "../Port.js"

/**
 * Where to connect to a published port from this host (public as `Container.HostPort`).
 * @since 0.1.0
 * @category models
 */
export interface HostPort {
  readonly host: string
  readonly port: number
}

/** Wildcard bind addresses are reached through loopback. */
const connectHost = (hostIp: string): string =>
  hostIp === "" || hostIp === "0.0.0.0" ? "127.0.0.1" : hostIp === "::" ? "::1" : hostIp

const isLoopback = (hostIp: string): boolean => hostIp.startsWith("127.") || hostIp === "::1"

interface Binding {
  readonly hostIp: string
  readonly hostPort: number
}

const bindingsOfPort = (info: ContainerInspect, port: Port.ContainerPort): ReadonlyArray<Binding> =>
  info.ports.get(Port.key(port)) ?? []

const reachable = (endpoint: Endpoint) => (binding: Binding) => !endpoint.remote || !isLoopback(binding.hostIp)

const addressOf =
  (endpoint: Endpoint) =>
  (binding: Binding): HostPort => ({
    host: endpoint.remote && endpoint.host !== undefined ? endpoint.host : connectHost(binding.hostIp),
    port: binding.hostPort
  })

/** Every host binding of a published port this host can reach (IPv4 and IPv6), empty when there is none. */
export const bindingsOf = (
  info: ContainerInspect,
  port: Port.ContainerPort,
  endpoint: Endpoint
): ReadonlyArray<HostPort> => bindingsOfPort(info, port).filter(reachable(endpoint)).map(addressOf(endpoint))

/**
 * The first host binding of a published port this host can reach, or `PortNotPublished` (about
 * `container`, as the caller named it; with the bindings on a remote engine's loopback, if any).
 */
export const firstBindingOf = (
  container: string,
  info: ContainerInspect,
  port: Port.ContainerPort,
  endpoint: Endpoint
): Effect.Effect<HostPort, PortNotPublished> => {
  const all = bindingsOfPort(info, port)
  return Option.match(Option.fromNullable(all.find(reachable(endpoint))), {
    onNone: () =>
      Effect.fail(
        new PortNotPublished({
          container,
          port: Port.key(port),
          remoteLoopback: all.length === 0 ? undefined : all.map((b) => `${b.hostIp}:${b.hostPort}`)
        })
      ),
    onSome: (binding) => Effect.succeed(addressOf(endpoint)(binding))
  })
}
