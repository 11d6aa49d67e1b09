/**
 * The container runtime service: the seam between the high-level API (containers, images) and a
 * runtime. Docker, Podman and the in-memory test runtime each implement it, and a layer chooses
 * one. There is no global state: two layers give two independent runtimes in one program.
 *
 * @example
 * ```ts
 * import { NodeContext, NodeRuntime } from "@effect/platform-node"
 * import { Console, Effect } from "effect"
 * import { ContainerRuntime } from "ociman"
 *
 * const program = Effect.gen(function* () {
 *   const runtime = yield* ContainerRuntime.ContainerRuntime
 *   const { kind, engineVersion, rootless } = runtime.backend
 *   yield* Console.log(`${kind} ${engineVersion} rootless=${rootless}`)
 * })
 *
 * program.pipe(
 *   Effect.provide(ContainerRuntime.layerFromEnv), // or layerDocker, layerPodman
 *   Effect.provide(NodeContext.layer),
 *   NodeRuntime.runMain
 * )
 * ```
 *
 * @since 0.1.0
 */
import type { CommandExecutor, FileSystem, Path } from "@effect/platform"
import { Config, Context, type Duration, Effect, Layer, Option } from "effect"
import type { ContainerOperations } from "./Container.js"
import { makeContainerOperations } from "./internal/cliContainers.js"
import type { ImageOperations } from "./Image.js"
import { makeImageOperations } from "./internal/cliImages.js"
import { makeNetworkOperations } from "./internal/cliNetworks.js"
import type { NetworkOperations } from "./Network.js"
import type { ProcessError } from "./CliError.js"
import { type Invocation, run } from "./internal/process.js"
import type { ProbedBackend } from "./internal/probe.js"
import { probe } from "./internal/probe.js"
import { resolveSelection, selectionFromEnvironment, type SelectionSource } from "./internal/resolve.js"
import { automatic as automaticSweep } from "./internal/sweep.js"
import type { Kind, ResolveError, RuntimeUnavailable } from "./RuntimeError.js"
import type { Version } from "./Version.js"

export type { Kind } from "./RuntimeError.js"
export type { SelectionSource } from "./internal/resolve.js"

/**
 * What was resolved: which runtime, through which executable, its versions and rootless mode.
 * @since 0.1.0
 */
export interface Backend {
  readonly kind: Kind
  /** The executable run for every call (`docker`, `podman`, or a path). */
  readonly executable: string
  /** The CLI's version (`docker --version` is the client's, not the engine's). */
  readonly clientVersion: Version
  /** The engine's version (Docker daemon; for local Podman the same as the client). */
  readonly engineVersion: Version
  /** Docker: `name=rootless` in SecurityOptions; Podman: `.Host.Security.Rootless`. */
  readonly rootless: boolean
  /** How the runtime was chosen. */
  readonly source: SelectionSource
  /**
   * The host to connect to for published ports when the engine is remote (`DOCKER_HOST=tcp://h:2376`,
   * `ssh://user@h`, or Podman's `CONTAINER_HOST`); `undefined` for a local engine.
   */
  readonly engineHost: string | undefined
}

/**
 * Options of a raw CLI call.
 * @since 0.1.0
 */
export interface CliOptions {
  /** Bytes for the CLI's stdin (closed afterwards). */
  readonly stdin?: Uint8Array | undefined
  /** Extra environment for the CLI process (never shown in argv, spans or errors). */
  readonly env?: Readonly<Record<string, string>> | undefined
  /** Values to redact wherever the argv is shown. */
  readonly secrets?: ReadonlyArray<string> | undefined
  /** Kill the CLI (SIGTERM, then SIGKILL) when it runs longer than this. */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * A finished CLI call, whatever its exit code.
 * @since 0.1.0
 */
export interface CliResult {
  readonly argv: ReadonlyArray<string>
  readonly exitCode: number | undefined
  readonly signal: string | undefined
  readonly stdout: Uint8Array
  readonly stderr: Uint8Array
}

/**
 * What a runtime can really do. Docker and Podman can do everything; the in-memory runtime
 * (`TestRuntime`) simulates containers without processes, so tests that need the real thing can
 * ask instead of guessing from `backend.kind` (which the in-memory runtime also reports).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ContainerRuntime } from "ociman"
 *
 * const canConnect = Effect.map(ContainerRuntime.ContainerRuntime, (runtime) => runtime.capabilities.networking)
 * ```
 *
 * @since 0.1.0
 */
export interface Capabilities {
  /**
   * Commands run as real processes in a real file system (signals, timing, files written by one
   * command seen by the next). `false`: handlers registered by the test answer them.
   */
  readonly processes: boolean
  /**
   * Published ports accept connections from this host, containers reach each other by name and
   * alias, and `/etc/hosts` is real. `false`: ports are allocated and reported, nothing listens.
   */
  readonly networking: boolean
  /** The `cli` escape hatch runs the runtime's CLI. `false`: it fails with `CliUnsupported`. */
  readonly cli: boolean
}

/**
 * The capabilities of the Docker and Podman runtimes: everything is real.
 *
 * @example
 * ```ts
 * import { ContainerRuntime } from "ociman"
 *
 * ContainerRuntime.fullCapabilities // { processes: true, networking: true, cli: true }
 * ```
 *
 * @since 0.1.0
 */
export const fullCapabilities: Capabilities = { processes: true, networking: true, cli: true }

/**
 * The operations every runtime offers.
 * @since 0.1.0
 */
export interface Service {
  readonly backend: Backend
  /** What this runtime can really do (see {@link Capabilities}). */
  readonly capabilities: Capabilities
  /**
   * Runs the runtime's CLI with these arguments: the escape hatch for what the typed API does
   * not cover yet (ociman's `Backend::command`). A non-zero exit is a result, not a failure.
   */
  readonly cli: (args: ReadonlyArray<string>, options?: CliOptions) => Effect.Effect<CliResult, ProcessError>
  /** Container operations (run, exec, inspect, stop, remove, …). */
  readonly containers: ContainerOperations
  /** Image operations (exists, build, pull, push, tag, remove, inspect, list by name). */
  readonly images: ImageOperations
  /** Network operations (create, remove, exists, the default bridge's subnets). */
  readonly networks: NetworkOperations
}

/**
 * The service tag.
 * @since 0.1.0
 */
export class ContainerRuntime extends Context.Tag("ociman/ContainerRuntime")<ContainerRuntime, Service>() {}

/**
 * Builds the service for an already probed backend.
 * @since 0.1.0
 */
export const make = (
  backend: Backend
): Effect.Effect<Service, never, CommandExecutor.CommandExecutor | FileSystem.FileSystem | Path.Path> =>
  Effect.map(Effect.context<CommandExecutor.CommandExecutor | FileSystem.FileSystem | Path.Path>(), (platform) => {
    const cli = (args: ReadonlyArray<string>, options: CliOptions = {}) => {
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

/**
 * Which runtime a layer uses: `auto` reads `OCIMAN_BACKEND`, then the config file, then
 * autodetects (Docker first, Podman second).
 * @since 0.1.0
 */
export type Selection = "auto" | Kind

/**
 * Options of {@link layer}.
 * @since 0.1.0
 */
export interface LayerOptions {
  readonly backend?: Selection | undefined
  /** Executables to run instead of `docker` / `podman` found on PATH. */
  readonly executables?: Partial<Record<Kind, string>> | undefined
  /**
   * Sweep leaked resources once per process when the layer is built (see `Sweeper`): in the
   * background, never failing the layer. Default `true`; `OCIMAN_SWEEP=0` also turns it off.
   */
  readonly sweep?: boolean | undefined
}

/** The host part of a remote engine address (`tcp://h:2376`, `ssh://user@h:22`), if any. */
export const remoteHost = (address: string): string | undefined => {
  const match = /^(?:tcp|ssh|https?):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)/.exec(address)
  const host = match?.[1]
  return host === undefined ? undefined : host.replace(/^\[(.*)\]$/, "$1")
}

const engineHostOf = (kind: Kind): Effect.Effect<string | undefined> =>
  Config.option(Config.string(kind === "docker" ? "DOCKER_HOST" : "CONTAINER_HOST")).pipe(
    Effect.map((address) => Option.getOrUndefined(Option.flatMap(address, (a) => Option.fromNullable(remoteHost(a))))),
    Effect.orElseSucceed(() => undefined)
  )

const withSource = (probed: ProbedBackend, source: SelectionSource): Effect.Effect<Backend> =>
  Effect.map(engineHostOf(probed.kind), (engineHost) => ({ ...probed, source, engineHost }))

/**
 * Probes the chosen runtime once and returns its description.
 *
 * @example
 * ```ts
 * import { NodeContext } from "@effect/platform-node"
 * import { Effect } from "effect"
 * import { ContainerRuntime } from "ociman"
 *
 * const backend = ContainerRuntime.resolve({ backend: "podman" }).pipe(Effect.provide(NodeContext.layer))
 * ```
 * @since 0.1.0
 */
export const resolve = (
  options: LayerOptions = {}
): Effect.Effect<Backend, ResolveError, CommandExecutor.CommandExecutor | FileSystem.FileSystem | Path.Path> => {
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

/**
 * A layer that resolves a runtime once, when built. Building it also starts this process's
 * automatic sweep of that runtime (once per process, in the background; see `Sweeper`), unless
 * `sweep: false` or `OCIMAN_SWEEP=0`.
 *
 * @example
 * ```ts
 * import { NodeContext } from "@effect/platform-node"
 * import { Layer } from "effect"
 * import { ContainerRuntime } from "ociman"
 *
 * const Podman = ContainerRuntime.layer({ backend: "podman" }).pipe(Layer.provide(NodeContext.layer))
 * ```
 * @since 0.1.0
 */
export const layer = (
  options: LayerOptions = {}
): Layer.Layer<ContainerRuntime, ResolveError, CommandExecutor.CommandExecutor | FileSystem.FileSystem | Path.Path> =>
  Layer.effect(
    ContainerRuntime,
    Effect.flatMap(resolve(options), make).pipe(Effect.tap((service) => automaticSweep(service, options.sweep)))
  )

/**
 * Docker, required (no fallback).
 * @since 0.1.0
 */
export const layerDocker = layer({ backend: "docker" })

/**
 * Podman, required (no fallback).
 * @since 0.1.0
 */
export const layerPodman = layer({ backend: "podman" })

/**
 * The runtime the environment selects: `OCIMAN_BACKEND`, then the config file, then Docker, then Podman.
 * @since 0.1.0
 */
export const layerFromEnv = layer({ backend: "auto" })
