/**
 * The Docker and Podman CLI backend as a whole: resolving which runtime to use (probe, selection
 * from the environment, the engine host) and building the service whose every operation runs the
 * runtime's CLI. `ContainerRuntime`'s layers delegate here.
 */
import { type CommandExecutor, FileSystem, type Path } from "@effect/platform"
import { Config, Effect, Option, Stream } from "effect"
import { homedir } from "node:os"
import type {
  Backend,
  Capabilities,
  Endpoint,
  LayerOptions,
  SelectionSource,
  Service,
  TransportSelection
} from "../../ContainerRuntime.js"
import type { ResolveError, RuntimeUnavailable } from "../../RuntimeError.js"
import { makeApiContainerOperations } from "../api/containers.js"
import { makeTtyInputRun } from "../api/hijack.js"
import { makeClient, ping } from "../api/http.js"
import { withApiTransport } from "../api/runtime.js"
import { probeOverApi } from "../api/probe.js"
import {
  apiAddressOf,
  AUTO_PING_TIMEOUT,
  chooseTransport,
  REQUIRED_PING_TIMEOUT,
  transportSelection
} from "../api/select.js"
import { ttyInputOverApi } from "../dialect/containers.js"
import { type EndpointSources, endpointResolvers } from "../dialect/endpoint.js"
import { makeSha256 } from "../hash/segments.js"
import type { Kind } from "../kind.js"
import { makeContainerOperations } from "./containers.js"
import { makeImageOperations } from "./images.js"
import { makeNetworkOperations } from "./networks.js"
import { makeVolumeOperations } from "./volumes.js"
import { type Invocation, run } from "./process.js"
import { knownProbe, type Probe, probe, probeOnce, type ProbedBackend, rememberProbe } from "./probe.js"

export { clientVersionOfBackend as clientVersion } from "./probe.js"
import { resolveSelection, selectionFromEnvironment } from "./resolve.js"

type Platform = CommandExecutor.CommandExecutor | FileSystem.FileSystem | Path.Path

/** Docker and Podman through their CLIs: everything is real (public as `ContainerRuntime.fullCapabilities`). */
export const fullCapabilities: Capabilities = { processes: true, networking: true, cli: true }

/**
 * The service for an already probed backend: every operation runs its CLI, except the container
 * operations of a backend whose transport is `api` (see `../api/runtime.ts`), and the calls with a
 * TTY fed stdin that Docker's CLI cannot take (see `withTtyInputOverApi`).
 */
export const make = (backend: Backend): Effect.Effect<Service, never, Platform> =>
  Effect.flatMap(cliService(backend), (service) => Effect.flatMap(withApiTransport(service), withTtyInputOverApi))

/** A call with a TTY fed stdin waits this long for the engine's socket to answer before it is refused. */
const TTY_INPUT_PING_TIMEOUT = "1 second"

/**
 * The calls with a TTY fed stdin that Docker's CLI cannot take from a pipe (see `ttyInputRoutes`)
 * go over the engine's socket when it answers, whatever the transport: an exec (the API
 * transport's own exec does it; the CLI transport borrows it) and a foreground run
 * (`../api/hijack.ts`). Otherwise (an `ssh://` or TLS host, a socket that does not answer) the
 * CLI wing refuses them with `TtyInputUnsupported`.
 */
const withTtyInputOverApi = (service: Service): Effect.Effect<Service> =>
  Effect.map(apiAddressOf(service.backend), (address) =>
    Option.match(address, {
      onNone: () => service,
      onSome: (found): Service => {
        const backend = service.backend
        const client = makeClient(found)
        const current = service.containers
        const overApi = backend.transport === "api"
        const apiOps = overApi ? current : makeApiContainerOperations(backend, client, service.cli, current)
        const ttyRun = makeTtyInputRun(backend, client, current, {
          pull: service.images.pull,
          connect: service.networks.connect
        })
        // the API transport found its socket answering; the CLI transport asks at each such call
        // (about a millisecond): the socket may come and go while the layer lives
        const answers = overApi ? Effect.succeed(true) : ping(client, TTY_INPUT_PING_TIMEOUT)
        const ops = Effect.map(answers, (up) => (up ? apiOps : current))
        return {
          ...service,
          containers: {
            ...current,
            runForeground: (spec, options) =>
              ttyInputOverApi(backend.kind, "run", spec)
                ? Effect.flatMap(answers, (up) => (up ? ttyRun(spec, options) : current.runForeground(spec, options)))
                : current.runForeground(spec, options),
            exec: (container, spec, options) =>
              ttyInputOverApi(backend.kind, "exec", spec)
                ? Effect.flatMap(ops, (chosen) => chosen.exec(container, spec, options))
                : current.exec(container, spec, options),
            streamExec: (container, spec, options) =>
              ttyInputOverApi(backend.kind, "exec", spec)
                ? Stream.unwrap(Effect.map(ops, (chosen) => chosen.streamExec(container, spec, options)))
                : current.streamExec(container, spec, options)
          }
        }
      }
    })
  )

const cliService = (backend: Backend): Effect.Effect<Service, never, Platform> =>
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
      networks: makeNetworkOperations(backend, cli),
      volumes: makeVolumeOperations(backend, cli)
    }
  })

/** What endpoint resolution reads here: the process environment (through `Config`) and files. */
const endpointSources = (fs: FileSystem.FileSystem): EndpointSources => ({
  env: (name) => Config.option(Config.string(name)).pipe(Effect.orElseSucceed(() => Option.none<string>())),
  file: (path) => fs.readFileString(path).pipe(Effect.option),
  sha256Hex: (text) => makeSha256().update(text).digest("hex")
})

/** The endpoint the runtime's CLI uses (see `../dialect/endpoint.ts`). */
export const endpointOf = (kind: Kind): Effect.Effect<Endpoint, never, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const home = yield* Config.option(Config.string("HOME")).pipe(Effect.orElseSucceed(() => Option.none<string>()))
    return yield* endpointResolvers[kind](
      endpointSources(fs),
      Option.orElse(home, () => Option.some(homedir()))
    )
  })

/**
 * The probed backend with how it was chosen, where its CLI sends calls, and its transport
 * (`../api/select.ts`). A backend probed over the API (`answeredAt`: the endpoint it answered at)
 * has both already: the probe's `/_ping` answered at the address the transport would ping.
 */
const withSource = (
  probed: ProbedBackend,
  source: SelectionSource,
  selection: TransportSelection,
  answeredAt: Endpoint | undefined
): Effect.Effect<Backend, RuntimeUnavailable, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    if (answeredAt !== undefined && selection !== "cli")
      return { ...probed, source, endpoint: answeredAt, transport: "api" }
    const endpoint = yield* endpointOf(probed.kind)
    const transport = yield* chooseTransport({ kind: probed.kind, rootless: probed.rootless, endpoint }, selection)
    return { ...probed, source, endpoint, transport }
  })

/**
 * The transport asked for, for one runtime: `auto` with an executable of the caller's own (a
 * wrapper, another storage: `podman --root`) is the CLI, since the socket may serve another engine
 * than that executable does.
 */
const selectionFor = (selection: TransportSelection, kind: Kind, options: LayerOptions): TransportSelection =>
  selection === "auto" && options.executables?.[kind] !== undefined ? "cli" : selection

/**
 * `probeRuntime` for the `cli` transport; for `api` and `auto`, first what this process already
 * knows (`cached`), then a probe over the engine's socket (`../api/probe.ts`: no CLI process, where
 * the CLI probe waits for two that each ask the engine), then `probeRuntime` when the socket does
 * not answer.
 */
const overApiFirst =
  (
    asked: TransportSelection,
    options: LayerOptions,
    probeRuntime: Probe,
    cached: boolean,
    answeredOverApi: Map<Kind, Endpoint>
  ): Probe =>
  (kind, executable = kind) => {
    const selection = selectionFor(asked, kind, options)
    if (selection === "cli") return probeRuntime(kind, executable)
    return Effect.gen(function* () {
      const known = cached ? yield* knownProbe(kind, executable) : Option.none()
      if (Option.isSome(known)) return known.value
      const endpoint = yield* endpointOf(kind)
      const timeout = selection === "api" ? REQUIRED_PING_TIMEOUT : AUTO_PING_TIMEOUT
      const overApi = yield* probeOverApi({ kind, executable, endpoint, timeout })
      if (Option.isNone(overApi)) return yield* probeRuntime(kind, executable)
      yield* rememberProbe(overApi.value)
      answeredOverApi.set(kind, endpoint)
      return overApi.value
    })
  }

/** Chooses the runtime (or autodetects one) and describes it, probing with `probeRuntime`. */
const resolveWith = (
  options: LayerOptions,
  probeRuntime: Probe,
  cached: boolean
): Effect.Effect<Backend, ResolveError, Platform> =>
  Effect.gen(function* () {
    const transport = yield* transportSelection(options.transport)
    // the runtimes this resolution probed over the API, with the endpoint they answered at
    const answeredOverApi = new Map<Kind, Endpoint>()
    const probeFor = overApiFirst(transport, options, probeRuntime, cached, answeredOverApi)
    const describe = (probed: ProbedBackend, source: SelectionSource) =>
      withSource(probed, source, selectionFor(transport, probed.kind, options), answeredOverApi.get(probed.kind))
    const selection = options.backend ?? "auto"
    if (selection !== "auto")
      return yield* describe(yield* probeFor(selection, options.executables?.[selection]), "argument")
    const fromEnvironment = yield* selectionFromEnvironment
    return yield* describe(
      yield* resolveSelection(fromEnvironment, options.executables, probeFor),
      fromEnvironment.source
    )
  })

/** Probes the chosen runtime (or autodetects one) now and describes it. */
export const resolve = (options: LayerOptions = {}): Effect.Effect<Backend, ResolveError, Platform> =>
  resolveWith(options, probe, false)

/** Resolves and builds the service, then runs `afterBuild` (the automatic sweep) on it. */
export const build = (
  options: LayerOptions,
  afterBuild: (service: Service) => Effect.Effect<void>
): Effect.Effect<Service, ResolveError, Platform> =>
  // a layer probes a runtime once per process (see `probeOnce`)
  Effect.flatMap(resolveWith(options, probeOnce, true), make).pipe(Effect.tap(afterBuild))
