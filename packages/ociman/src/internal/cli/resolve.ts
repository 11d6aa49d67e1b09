/**
 * Backend resolution, as in ociman (inventory §2) with its gaps closed:
 * 1. `OCIMAN_BACKEND` (read through Effect Config): exactly `docker` or `podman`, no fallback;
 * 2. the config file's `default_backend` (`auto` | `docker` | `podman`): a preference;
 * 3. autodetection, the preferred runtime first (Docker unless Podman is preferred).
 * Unlike ociman, a failed autodetection says why each candidate failed.
 */
import type { CommandExecutor, FileSystem, Path } from "@effect/platform"
import { Config, Effect, Option } from "effect"
import type { SelectionSource } from "../../ContainerRuntime.js"
import {
  type InvalidConfigFile,
  InvalidBackendSelection,
  NoRuntimeAvailable,
  type RuntimeUnavailable
} from "../../RuntimeError.js"
import { isKind, type Kind, kinds } from "../kind.js"
import { loadConfigFile, type Selection } from "./configFile.js"
import { type Probe, probe, type ProbedBackend } from "./probe.js"

export const ENV_VARIABLE = "OCIMAN_BACKEND"
const ALLOWED_ENV_VALUES: ReadonlyArray<Kind> = kinds

/** What the environment asks for: an explicit runtime, or a preference for autodetection. */
export interface EnvironmentSelection {
  readonly selection: Selection
  readonly source: SelectionSource
}

/** Reads `OCIMAN_BACKEND`, then the config file. */
export const selectionFromEnvironment: Effect.Effect<
  EnvironmentSelection,
  InvalidBackendSelection | InvalidConfigFile,
  FileSystem.FileSystem | Path.Path
> = Effect.gen(function* () {
  const fromEnv = yield* Config.option(Config.string(ENV_VARIABLE)).pipe(
    Effect.mapError(
      (error) =>
        new InvalidBackendSelection({ source: ENV_VARIABLE, value: String(error), allowed: ALLOWED_ENV_VALUES })
    )
  )
  if (Option.isSome(fromEnv)) {
    const value = fromEnv.value
    if (!isKind(value)) {
      return yield* new InvalidBackendSelection({ source: ENV_VARIABLE, value, allowed: ALLOWED_ENV_VALUES })
    }
    return { selection: value, source: "environment" }
  }
  const { config, path } = yield* loadConfigFile
  const fromFile: EnvironmentSelection = {
    selection: config.default_backend,
    source: path === undefined ? "default" : "config-file"
  }
  return fromFile
})

/** Tries each runtime in order; the first usable one wins. */
export const autodetect = (
  order: ReadonlyArray<Kind>,
  executables: Partial<Record<Kind, string>> = {},
  probeRuntime: Probe = probe
): Effect.Effect<ProbedBackend, NoRuntimeAvailable, CommandExecutor.CommandExecutor | FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const attempts: Array<RuntimeUnavailable> = []
    for (const kind of order) {
      const result = yield* Effect.either(probeRuntime(kind, executables[kind]))
      if (result._tag === "Right") return result.right
      attempts.push(result.left)
    }
    return yield* new NoRuntimeAvailable({ attempts })
  })

/** Resolves a selection: an explicit runtime is probed alone; `auto` autodetects. */
export const resolveSelection = (
  selection: EnvironmentSelection,
  executables: Partial<Record<Kind, string>> = {},
  probeRuntime: Probe = probe
): Effect.Effect<
  ProbedBackend,
  RuntimeUnavailable | NoRuntimeAvailable,
  CommandExecutor.CommandExecutor | FileSystem.FileSystem
> => {
  // The env var is an explicit choice (no fallback); the config file states a preference.
  if (selection.source === "environment" || selection.source === "argument") {
    if (selection.selection !== "auto") return probeRuntime(selection.selection, executables[selection.selection])
  }
  // the preferred runtime first
  const order: ReadonlyArray<Kind> = [...kinds].sort(
    (a, b) => Number(b === selection.selection) - Number(a === selection.selection)
  )
  return autodetect(order, executables, probeRuntime)
}
