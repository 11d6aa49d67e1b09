/**
 * Typed failures of choosing and reaching a container runtime.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ContainerRuntime } from "ociman"
 *
 * // Resolution happens when the layer is built, so its errors surface where it is provided.
 * const kind = ContainerRuntime.ContainerRuntime.pipe(
 *   Effect.map((runtime) => runtime.backend.kind),
 *   Effect.provide(ContainerRuntime.layerFromEnv),
 *   Effect.catchTag("NoRuntimeAvailable", (e) => Effect.succeed(`none: ${e.message}`))
 * )
 * ```
 *
 * @since 0.1.0
 */
import { Data } from "effect"
import { dialectOf } from "./internal/dialect/index.js"
import type { Kind } from "./internal/kind.js"

/**
 * Why a runtime could not be used:
 * - `NotInstalled`: its executable is not on `PATH`;
 * - `DaemonUnreachable`: the CLI is there but its engine does not answer (Docker daemon down,
 *   wrong `DOCKER_HOST`, Podman machine or remote connection down);
 * - `PermissionDenied`: the engine is there but this user may not talk to it;
 * - `ProbeFailed`: the CLI answered with an error or with output that could not be understood.
 *
 * @since 0.1.0
 * @category models
 */
export type UnavailableReason = "NotInstalled" | "DaemonUnreachable" | "PermissionDenied" | "ProbeFailed"

/**
 * A runtime was asked for (or tried) and cannot be used.
 * @since 0.1.0
 * @category errors
 */
export class RuntimeUnavailable extends Data.TaggedError("RuntimeUnavailable")<{
  readonly kind: Kind
  readonly reason: UnavailableReason
  /** What the probe saw: the CLI's error text or the unexpected output. */
  readonly detail: string
}> {
  /**
   * What to do about it, for this runtime and reason (`ociman doctor` prints it).
   *
   * @example
   * ```ts
   * import { RuntimeError } from "ociman"
   *
   * new RuntimeError.RuntimeUnavailable({ kind: "docker", reason: "NotInstalled", detail: "" }).hint
   * // "install docker or put it on PATH"
   * ```
   */
  get hint(): string {
    return dialectOf(this.kind).unavailableHint(this.reason)
  }

  override get message(): string {
    return `${this.kind} is not usable (${this.reason}): ${this.detail.trim()} — ${this.hint}`
  }
}

/**
 * Autodetection found no usable runtime; `attempts` says why each candidate failed.
 * @since 0.1.0
 * @category errors
 */
export class NoRuntimeAvailable extends Data.TaggedError("NoRuntimeAvailable")<{
  readonly attempts: ReadonlyArray<RuntimeUnavailable>
}> {
  override get message(): string {
    return `no usable container runtime: ${this.attempts.map((attempt) => attempt.message).join("; ")}`
  }
}

/**
 * `OCIMAN_BACKEND` or the config file's `default_backend` holds a value that is not allowed.
 * @since 0.1.0
 * @category errors
 */
export class InvalidBackendSelection extends Data.TaggedError("InvalidBackendSelection")<{
  /** Where the value came from: `OCIMAN_BACKEND` or the config file's path. */
  readonly source: string
  readonly value: string
  readonly allowed: ReadonlyArray<string>
}> {
  override get message(): string {
    return `invalid backend ${JSON.stringify(this.value)} in ${this.source}: expected ${this.allowed.map((a) => JSON.stringify(a)).join(" or ")}`
  }
}

/**
 * The config file (`$XDG_CONFIG_HOME/ociman.toml` or `~/.config/ociman.toml`) exists but cannot
 * be read or decoded (TOML syntax, unknown keys, wrong types).
 * @since 0.1.0
 * @category errors
 */
export class InvalidConfigFile extends Data.TaggedError("InvalidConfigFile")<{
  readonly path: string
  readonly detail: string
}> {
  override get message(): string {
    return `invalid config file ${this.path}: ${this.detail}`
  }
}

/**
 * Any failure of resolving a runtime.
 * @since 0.1.0
 * @category errors
 */
export type ResolveError = RuntimeUnavailable | NoRuntimeAvailable | InvalidBackendSelection | InvalidConfigFile
