/**
 * Network operations of the in-memory runtime: networks are records (the runtime's own, and those
 * created), containers name the one they joined. Which containers keep a network "in use" follows
 * each runtime (`memoryDialectOf(kind)`): Docker counts running containers (endpoints), Podman
 * every container attached.
 */
import { Brand, Effect, Either, Ref } from "effect"
import { CommandFailed } from "../../CliError.js"
import type { ListedNetwork, NetworkOperations } from "../../ContainerRuntime.js"
import type { NetworkId } from "../../Network.js"
import { InvalidNetworkInspect, NetworkInUse, NetworkNameInUse, NetworkNotFound } from "../../NetworkError.js"
import { dialectOf } from "../dialect/index.js"
import { labeledListArgs } from "../dialect/labeled.js"
import { memoryDialectOf } from "../dialect/memory.js"
import { messagesOf } from "../dialect/messages.js"
import {
  bridgeInspectArgs,
  connectArgs,
  createArgs,
  disconnectArgs,
  existsArgs,
  labeledNetworks,
  networkRemoveArgs
} from "../dialect/networks.js"
import type { Kind } from "../kind.js"
import { cidr } from "../ip.js"
import { ContainerNotFound } from "../../ContainerError.js"
import { allocateAddress } from "./ports.js"
import {
  type ContainerRecord,
  findContainer,
  findNetwork,
  joinedNetwork,
  matchesFilters,
  type Memory,
  type MoreNetwork,
  type NetworkRecord,
  newId,
  record,
  type State
} from "./state.js"

const networkId = Brand.nominal<NetworkId>()

/** The networks a fresh runtime has: Docker's `bridge`, `host` and `none`; Podman's `podman`. */
export const builtinNetworks = (kind: Kind): ReadonlyArray<NetworkRecord> =>
  memoryDialectOf(kind).builtinNetworks.map(({ name, subnet, gateway }): NetworkRecord => ({
    id: newId(),
    name,
    labels: new Map(),
    internal: false,
    subnet,
    gateway,
    builtin: true,
    lastHost: 1
  }))

const withContainer = (state: State, c: ContainerRecord): State => ({
  ...state,
  containers: new Map(state.containers).set(c.id, c)
})

/** The container and the network of a `network connect` / `disconnect`, looked up in that order (as both CLIs do). */
const containerAndNetwork = (
  state: State,
  container: string,
  network: string
): Either.Either<readonly [ContainerRecord, NetworkRecord], ContainerNotFound | NetworkNotFound> => {
  const c = findContainer(state, container)
  if (c === undefined) return Either.left(new ContainerNotFound({ container }))
  const found = findNetwork(state, network)
  return found === undefined ? Either.left(new NetworkNotFound({ network })) : Either.right([c, found] as const)
}

/** Off its first network, the next one takes its place; with none left, it is on `none` (no address). */
const offFirstNetwork = (c: ContainerRecord, others: ReadonlyArray<MoreNetwork>): ContainerRecord => {
  const [next, ...rest] = others
  return next === undefined
    ? { ...c, network: "none", aliases: [], ipAddress: "", moreNetworks: [] }
    : { ...c, network: next.name, aliases: next.aliases, ipAddress: next.ipAddress, moreNetworks: rest }
}

export const makeMemoryNetworkOperations = (memory: Memory): NetworkOperations => {
  const { kind } = memory
  const messages = messagesOf(kind)
  const facts = memoryDialectOf(kind)

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
            ...facts.userNetwork(n),
            builtin: false,
            lastHost: 1
          }
          return [true, { ...state, nextSubnet: n + 1, networks: new Map(state.networks).set(id, network) }] as const
        })
        if (!created) {
          return yield* new NetworkNameInUse({ name, stderr: messages.networkNameInUse(name) })
        }
        return networkId(id)
      }),

    remove: (network) =>
      Effect.gen(function* () {
        const argv = yield* record(memory, "networks.remove", networkRemoveArgs(network))
        const state = yield* Ref.get(memory.state)
        const found = findNetwork(state, network)
        if (found === undefined) return yield* new NetworkNotFound({ network })
        if (found.builtin) {
          return yield* new CommandFailed({
            argv,
            signal: undefined,
            stdout: "",
            ...messages.networkPredefined(found.name)
          })
        }
        const attached = Array.from(state.containers.values()).filter(
          (c) => joinedNetwork(c, found.name) && (facts.stoppedContainersUseNetworks || c.status === "running")
        )
        if (attached.length > 0) {
          return yield* new NetworkInUse({ network, stderr: messages.networkInUse(found.name, found.id) })
        }
        yield* Ref.update(memory.state, (s) => {
          const networks = new Map(s.networks)
          networks.delete(found.id)
          return { ...s, networks }
        })
      }),

    connect: (network, container, { aliases }) =>
      Effect.gen(function* () {
        const argv = yield* record(memory, "networks.connect", connectArgs(network, container, aliases))
        // a running container on the network already is refused, a created one gains the aliases
        const joined = yield* Ref.modify(
          memory.state,
          (state): readonly [ContainerNotFound | NetworkNotFound | CommandFailed | undefined, State] => {
            const pair = containerAndNetwork(state, container, network)
            if (Either.isLeft(pair)) return [pair.left, state]
            const [c, found] = pair.right
            if (c.status === "running" && joinedNetwork(c, found.name)) {
              const failure = messages.networkAlreadyConnected(c.id, c.name, found.name)
              return [new CommandFailed({ argv, signal: undefined, stdout: "", ...failure }), state]
            }
            if (c.network === found.name)
              return [undefined, withContainer(state, { ...c, aliases: [...c.aliases, ...aliases] })]
            const others = c.moreNetworks ?? []
            const existing = others.find((joined) => joined.name === found.name)
            if (existing !== undefined) {
              const moreNetworks = others.map((joined) =>
                joined === existing ? { ...joined, aliases: [...joined.aliases, ...aliases] } : joined
              )
              return [undefined, withContainer(state, { ...c, moreNetworks })]
            }
            const [withAddress, ipAddress] = allocateAddress(state, found)
            const moreNetworks = [...others, { name: found.name, aliases, ipAddress }]
            return [undefined, withContainer(withAddress, { ...c, moreNetworks })]
          }
        )
        if (joined !== undefined) return yield* joined
      }),

    disconnect: (network, container) =>
      Effect.gen(function* () {
        const argv = yield* record(memory, "networks.disconnect", disconnectArgs(network, container))
        const left = yield* Ref.modify(
          memory.state,
          (state): readonly [ContainerNotFound | NetworkNotFound | CommandFailed | undefined, State] => {
            const pair = containerAndNetwork(state, container, network)
            if (Either.isLeft(pair)) return [pair.left, state]
            const [c, found] = pair.right
            if (!joinedNetwork(c, found.name)) {
              const failure = messages.networkNotConnected(c.id, found.name)
              return [new CommandFailed({ argv, signal: undefined, stdout: "", ...failure }), state]
            }
            const others = (c.moreNetworks ?? []).filter((joined) => joined.name !== found.name)
            return [
              undefined,
              withContainer(
                state,
                c.network === found.name ? offFirstNetwork(c, others) : { ...c, moreNetworks: others }
              )
            ]
          }
        )
        if (left !== undefined) return yield* left
      }),

    exists: (network) =>
      Effect.gen(function* () {
        yield* record(memory, "networks.exists", existsArgs(kind, network))
        return findNetwork(yield* Ref.get(memory.state), network) !== undefined
      }),

    bridgeSubnets: () =>
      Effect.gen(function* () {
        yield* record(memory, "networks.bridgeSubnets", bridgeInspectArgs(kind))
        const name = dialectOf(kind).defaultNetwork
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
        yield* record(memory, "networks.listLabeled", labeledListArgs(labeledNetworks, filters))
        const state = yield* Ref.get(memory.state)
        return Array.from(state.networks.values())
          .filter((n) => matchesFilters(n.labels, filters))
          .map((n): ListedNetwork => ({ id: n.id, name: n.name, labels: n.labels }))
      })
  }
}
