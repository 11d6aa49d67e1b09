/**
 * Network operations of the in-memory runtime: networks are records (the runtime's own, and those
 * created), containers name the one they joined. Which containers keep a network "in use" follows
 * each runtime: Docker counts running containers (endpoints), Podman every container attached.
 */
import { Brand, Effect, Either, Ref } from "effect"
import { CommandFailed } from "../../CliError.js"
import * as Label from "../../Label.js"
import type { NetworkId } from "../../Network.js"
import { InvalidNetworkInspect, NetworkInUse, NetworkNameInUse, NetworkNotFound } from "../../NetworkError.js"
import { bridgeInspectArgs, createArgs, existsArgs, labeledNetworks, removeArgs } from "../cli/networks.js"
import { dialectOf } from "../dialect/index.js"
import { cidr } from "../ip.js"
import { findNetwork } from "./containers.js"
import { matchesFilters } from "./images.js"
import { type Memory, type NetworkRecord, newId, record } from "./state.js"
import type { ListedNetwork, NetworkOperations } from "../../ContainerRuntime.js"

const networkId = Brand.nominal<NetworkId>()

const builtin = (name: string, subnet: string | undefined, gateway: string): NetworkRecord => ({
  id: newId(),
  name,
  labels: new Map(),
  internal: false,
  subnet,
  gateway,
  builtin: true,
  lastHost: 1
})

/** The networks a fresh runtime has: Docker's `bridge`, `host` and `none`; Podman's `podman`. */
export const builtinNetworks = (kind: Memory["kind"]): ReadonlyArray<NetworkRecord> =>
  kind === "docker"
    ? [builtin("bridge", "172.17.0.0/16", "172.17.0.1"), builtin("host", undefined, ""), builtin("none", undefined, "")]
    : [builtin("podman", "10.88.0.0/16", "10.88.0.1")]

export const makeMemoryNetworkOperations = (memory: Memory): NetworkOperations => {
  const { kind } = memory
  const docker = kind === "docker"

  return {
    hostGateway: dialectOf(kind).hostGateway,
    create: (name, options) =>
      Effect.gen(function* () {
        yield* record(memory, "networks.create", createArgs(name, options))
        const id = newId()
        const created = yield* Ref.modify(memory.state, (state) => {
          if (Array.from(state.networks.values()).some((n) => n.name === name)) return [false, state] as const
          const n = state.nextSubnet
          const network: NetworkRecord = {
            id,
            name,
            labels: new Map(options.labels),
            internal: options.internal === true,
            subnet: docker ? `172.${18 + n}.0.0/16` : `10.89.${n}.0/24`,
            gateway: docker ? `172.${18 + n}.0.1` : `10.89.${n}.1`,
            builtin: false,
            lastHost: 1
          }
          return [true, { ...state, nextSubnet: n + 1, networks: new Map(state.networks).set(id, network) }] as const
        })
        if (!created) {
          return yield* new NetworkNameInUse({
            name,
            stderr: docker
              ? `Error response from daemon: network with name ${name} already exists`
              : `Error: network name ${name} already used: network already exists`
          })
        }
        return networkId(id)
      }),

    remove: (network) =>
      Effect.gen(function* () {
        const argv = yield* record(memory, "networks.remove", removeArgs(network))
        const state = yield* Ref.get(memory.state)
        const found = findNetwork(state, network)
        if (found === undefined) return yield* new NetworkNotFound({ network })
        if (found.builtin) {
          return yield* new CommandFailed({
            argv,
            exitCode: docker ? 1 : 125,
            signal: undefined,
            stdout: "",
            stderr: docker
              ? `Error response from daemon: ${found.name} is a pre-defined network and cannot be removed\n`
              : `Error: default network ${found.name} cannot be removed\n`
          })
        }
        const attached = Array.from(state.containers.values()).filter(
          (c) => c.network === found.name && (!docker || c.status === "running")
        )
        if (attached.length > 0) {
          return yield* new NetworkInUse({
            network,
            stderr: docker
              ? `Error response from daemon: error while removing network: network ${found.name} id ${found.id} has active endpoints`
              : `Error: "${found.name}" has associated containers with it. Use -f to forcibly delete containers and pods: network is being used`
          })
        }
        yield* Ref.update(memory.state, (s) => {
          const networks = new Map(s.networks)
          networks.delete(found.id)
          return { ...s, networks }
        })
      }),

    exists: (network) =>
      Effect.gen(function* () {
        yield* record(memory, "networks.exists", existsArgs(kind, network))
        return findNetwork(yield* Ref.get(memory.state), network) !== undefined
      }),

    bridgeSubnets: () =>
      Effect.gen(function* () {
        yield* record(memory, "networks.bridgeSubnets", bridgeInspectArgs(kind))
        const name = docker ? "bridge" : "podman"
        const bridge = findNetwork(yield* Ref.get(memory.state), name)
        if (bridge === undefined) return yield* new NetworkNotFound({ network: name })
        const subnet = bridge.subnet ?? ""
        return yield* Either.match(cidr(subnet), {
          onLeft: (error) =>
            Effect.fail(new InvalidNetworkInspect({ network: name, detail: error.message, output: subnet })),
          onRight: (value) => Effect.succeed([value])
        })
      }),

    listLabeled: (filters) =>
      Effect.gen(function* () {
        yield* record(memory, "networks.listLabeled", [
          ...labeledNetworks.list,
          "--quiet",
          "--no-trunc",
          ...filters.flatMap((filter) => ["--filter", Label.filterArg(filter)])
        ])
        const state = yield* Ref.get(memory.state)
        return Array.from(state.networks.values())
          .filter((n) => matchesFilters(n.labels, filters))
          .map((n): ListedNetwork => ({ id: n.id, name: n.name, labels: n.labels }))
      })
  }
}
