/**
 * Addresses of the in-memory runtime: a container's address on its network, and the host ports of
 * its published ports (distinct across the runtime, as a real engine hands them out; nothing
 * listens on them).
 */
import { Either } from "effect"
import * as Port from "../../Port.js"
import { memoryDialectOf } from "../dialect/memory.js"
import { messagesOf } from "../dialect/messages.js"
import type { Binding, Memory, NetworkRecord, PublishedPort, State } from "./state.js"

/** The first host port handed out, as Docker's ephemeral range starts. */
export const FIRST_HOST_PORT = 32768

/** The next address on a network (`<prefix>.<n>`, `.1` being the gateway). */
export const allocateAddress = (state: State, network: NetworkRecord): readonly [State, string] => {
  if (network.subnet === undefined) return [state, ""]
  const host = network.lastHost + 1
  const prefix = network.gateway.slice(0, network.gateway.lastIndexOf("."))
  return [
    { ...state, networks: new Map(state.networks).set(network.id, { ...network, lastHost: host }) },
    `${prefix}.${host}`
  ]
}

const overlaps = (a: string, b: string): boolean =>
  a === b || a === "" || b === "" || a === "0.0.0.0" || b === "0.0.0.0" || a === "::" || b === "::"

/** Host bindings of running containers. */
const boundPorts = (state: State): ReadonlyArray<Binding> =>
  Array.from(state.containers.values())
    .filter((c) => c.status === "running")
    .flatMap((c) => c.ports.flatMap((p) => p.bindings))

/**
 * Host ports for the published ports: the requested one, or the next free one (distinct across
 * the runtime). Docker binds a port published without an address on IPv4 and IPv6, each with its
 * own port; Podman binds it once, on every address (`""`). Fails with what the runtime prints
 * when a requested port is taken.
 */
export const allocatePorts = (
  memory: Memory,
  state: State,
  publish: ReadonlyArray<Port.Publish>
): Either.Either<readonly [State, ReadonlyArray<PublishedPort>], string> => {
  let next = state.nextHostPort
  const taken = [...boundPorts(state)]
  const free = (hostIp: string) => {
    while (taken.some((b) => b.hostPort === next && overlaps(b.hostIp, hostIp))) next += 1
    const port = next
    next += 1
    return port
  }
  const published: Array<PublishedPort> = []
  for (const spec of publish) {
    const key = Port.key(spec.containerPort)
    const fixed = spec.hostPort !== undefined && spec.hostPort !== 0 ? spec.hostPort : undefined
    const addresses = spec.hostIp !== undefined ? [spec.hostIp] : memoryDialectOf(memory.kind).anyAddress
    const bindings: Array<Binding> = []
    for (const hostIp of addresses) {
      if (fixed !== undefined && taken.some((b) => b.hostPort === fixed && overlaps(b.hostIp, hostIp))) {
        return Either.left(messagesOf(memory.kind).portAllocated(hostIp, fixed))
      }
      bindings.push({ hostIp, hostPort: fixed ?? free(hostIp) })
    }
    // After the loop: Docker's IPv4 and IPv6 bindings of one fixed port do not conflict.
    taken.push(...bindings)
    published.push({ key, bindings })
  }
  return Either.right([{ ...state, nextHostPort: next }, published])
}
