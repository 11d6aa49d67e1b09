/**
 * Assembles one in-memory runtime (`TestRuntime.make`): its backend description, its state (seeded
 * images and registry, the runtime's own networks) in a fresh `Ref`, and the three operation groups.
 */
import { Effect, Ref } from "effect"
import { CliUnsupported } from "../../CliError.js"
import type { Backend, Capabilities, Service } from "../../ContainerRuntime.js"
import * as ImageReference from "../../ImageReference.js"
import { Version } from "../../Version.js"
import { makeMemoryContainerOperations } from "./containers.js"
import { imageOfSeed, makeMemoryImageOperations } from "./images.js"
import { registryKeys, storedName } from "./names.js"
import { builtinNetworks, makeMemoryNetworkOperations } from "./networks.js"
import { makeMemoryVolumeOperations } from "./volumes.js"
import { FIRST_HOST_PORT } from "./ports.js"
import { addImage, type Memory, now, record, type State } from "./state.js"
import type { ImageSeed, Instance, Options } from "./types.js"

/** What the in-memory runtime can do: no processes, no networking, no CLI. */
export const memoryCapabilities: Capabilities = { processes: false, networking: false, cli: false }

const DEFAULT_VERSIONS = {
  docker: new Version({ major: 20, minor: 10, patch: 24, suffix: "", raw: "20.10.24" }),
  podman: new Version({ major: 4, minor: 3, patch: 1, suffix: "", raw: "4.3.1" })
} as const

const referenceOf = (seed: string | ImageSeed) =>
  ImageReference.fromInput(typeof seed === "string" ? seed : seed.reference)

export const makeMemoryRuntime = (options: Options): Effect.Effect<Instance, ImageReference.InvalidImageReference> =>
  Effect.gen(function* () {
    const kind = options.kind ?? "docker"
    const version = options.version ?? DEFAULT_VERSIONS[kind]
    const backend: Backend = {
      kind,
      // Nothing is run; argv in results, errors and recorded calls read as the real CLI's would.
      executable: kind,
      clientVersion: version,
      engineVersion: version,
      rootless: options.rootless ?? false,
      source: "argument",
      endpoint: { url: undefined, source: "default", name: undefined, remote: false, host: undefined },
      transport: "cli"
    }
    const created = yield* now
    let state: State = {
      images: new Map(),
      tags: new Map(),
      digests: new Map(),
      containers: new Map(),
      networks: new Map(builtinNetworks(kind).map((network) => [network.id, network])),
      volumes: new Map(),
      registry: new Map(),
      nextHostPort: FIRST_HOST_PORT,
      nextSubnet: 0,
      calls: []
    }
    for (const seed of options.images ?? []) {
      const ref = yield* referenceOf(seed)
      state = addImage(state, imageOfSeed(seed, created), [storedName(kind, ref)])
    }
    for (const seed of options.registry ?? []) {
      const ref = yield* referenceOf(seed)
      const image = imageOfSeed(seed, created)
      const registry = new Map(state.registry)
      registryKeys(kind, ref).forEach((key) => registry.set(key, image))
      state = { ...state, registry }
    }
    const memory: Memory = {
      kind,
      backend,
      state: yield* Ref.make(state),
      handlers: options.handlers ?? []
    }
    const runtime: Service = {
      backend,
      capabilities: memoryCapabilities,
      cli: (args) =>
        Effect.flatMap(record(memory, "cli", args), (argv) =>
          Effect.fail(new CliUnsupported({ argv, runtime: `in-memory ${kind}` }))
        ),
      containers: makeMemoryContainerOperations(memory),
      images: makeMemoryImageOperations(memory),
      networks: makeMemoryNetworkOperations(memory),
      volumes: makeMemoryVolumeOperations(memory)
    }
    const instance: Instance = {
      runtime,
      recorder: {
        calls: Effect.map(Ref.get(memory.state), (s) => s.calls),
        clear: Ref.update(memory.state, (s) => ({ ...s, calls: [] }))
      }
    }
    return instance
  })
