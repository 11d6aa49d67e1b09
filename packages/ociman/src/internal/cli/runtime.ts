/**
 * The Docker and Podman CLI backend as a whole: resolving which runtime to use (probe, selection
 * from the environment, the engine host) and building the service whose every operation runs the
 * runtime's CLI. `ContainerRuntime`'s layers delegate here.
 */
import type { CommandExecutor, FileSystem, Path } from "@effect/platform"
import { Config, Effect, Option } from "effect"
import type { Backend, Capabilities, LayerOptions, SelectionSource, Service } from "../../ContainerRuntime.js"
import type { ResolveError, RuntimeUnavailable } from "../../RuntimeError.js"
import { dialectOf } from "../dialect/index.js"
import type { Kind } from "../kind.js"
import { makeContainerOperations } from "./containers.js"
import { makeImageOperations } from "./images.js"
import { makeNetworkOperations } from "./networks.js"
import { type Invocation, run } from "./process.js"
import { probe, type ProbedBackend } from "./probe.js"
import { resolveSelection, selectionFromEnvironment } from "./resolve.js"

type Platform = CommandExecutor.CommandExecutor | FileSystem.FileSystem | Path.Path

/** Docker and Podman through their CLIs: everything is real (public as `ContainerRuntime.fullCapabilities`). */
export const fullCapabilities: Capabilities = { processes: true, networking: true, cli: true }

/** The service for an already probed backend: every operation runs its CLI. */
export const make = (backend: Backend): Effect.Effect<Service, never, Platform> =>
  Effect.map(Effect.context<Platform>(), (platform) => {
    const cli: Service["cli"] = (args, options = {}) => {
      const invocation: Invocation = { executable: backend.executable, args, ...options }
      return run(invocation).pipe(Effect.provide(platform))
    }
    return {
      backend,
      capabilities: fullCapabilities,
      cli,
      containers: makeContainerOperations(backend, cli, platform),
      images: makeImageOperations(backend, cli, platform),
      networks: makeNetworkOperations(backend, cli)
    }
  })

/** The host part of a remote engine address (`tcp://h:2376`, `ssh://user@h:22`), if any. */
export const remoteHost = (address: string): string | undefined => {
  const match = /^(?:tcp|ssh|https?):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)/.exec(address)
  const host = match?.[1]
  return host === undefined ? undefined : host.replace(/^\[(.*)\]$/, "$1")
}

const engineHostOf = (kind: Kind): Effect.Effect<string | undefined> =>
  Config.option(Config.string(dialectOf(kind).engineHostVariable)).pipe(
    Effect.map((address) => Option.getOrUndefined(Option.flatMap(address, (a) => Option.fromNullable(remoteHost(a))))),
    Effect.orElseSucceed(() => undefined)
  )

const withSource = (probed: ProbedBackend, source: SelectionSource): Effect.Effect<Backend> =>
  Effect.map(engineHostOf(probed.kind), (engineHost) => ({ ...probed, source, engineHost }))

/** Probes the chosen runtime (or autodetects one) and describes it. */
export const resolve = (options: LayerOptions = {}): Effect.Effect<Backend, ResolveError, Platform> => {
  const selection = options.backend ?? "auto"
  if (selection !== "auto") {
    const explicit: Effect.Effect<Backend, RuntimeUnavailable, CommandExecutor.CommandExecutor> = Effect.flatMap(
      probe(selection, options.executables?.[selection]),
      (probed) => withSource(probed, "argument")
    )
    return explicit
  }
  return Effect.gen(function* () {
    const fromEnvironment = yield* selectionFromEnvironment
    const probed = yield* resolveSelection(fromEnvironment, options.executables)
    return yield* withSource(probed, fromEnvironment.source)
  })
}

/** Resolves and builds the service, then runs `afterBuild` (the automatic sweep) on it. */
export const build = (
  options: LayerOptions,
  afterBuild: (service: Service) => Effect.Effect<void>
): Effect.Effect<Service, ResolveError, Platform> => Effect.flatMap(resolve(options), make).pipe(Effect.tap(afterBuild))
