/**
 * Where this host connects to a container's published port: the binding's address, with the
 * wildcard addresses reached through loopback, or the remote engine's host when there is one.
 */
import { Effect, Option } from "effect"
import { PortNotPublished } from "../ContainerError.js"
import type { ContainerInspect } from "../ContainerInspect.js"
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

/** Every host binding of a published port (IPv4 and IPv6), empty when it is not published. */
export const bindingsOf = (
  info: ContainerInspect,
  port: Port.ContainerPort,
  engineHost: string | undefined
): ReadonlyArray<HostPort> =>
  (info.ports.get(Port.key(port)) ?? []).map((binding) => ({
    host: engineHost ?? connectHost(binding.hostIp),
    port: binding.hostPort
  }))

/** The first host binding of a published port, or `PortNotPublished` (about `container`, as the caller named it). */
export const firstBindingOf = (
  container: string,
  info: ContainerInspect,
  port: Port.ContainerPort,
  engineHost: string | undefined
): Effect.Effect<HostPort, PortNotPublished> =>
  Option.match(Option.fromNullable(bindingsOf(info, port, engineHost)[0]), {
    onNone: () => Effect.fail(new PortNotPublished({ container, port: Port.key(port) })),
    onSome: Effect.succeed
  })
