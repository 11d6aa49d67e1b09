/**
 * Typed failures of container operations. Each says what was asked and what the runtime said.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Container, ContainerDefinition as Def } from "ociman"
 *
 * const run = Container.run(Def.make("busybox").pipe(Def.name("db"))).pipe(
 *   Effect.catchTag("NameInUse", (e) => Effect.logWarning(`${e.name} is taken`))
 * )
 * ```
 *
 * @since 0.1.0
 */
import { Data } from "effect"

const tail = (text: string, max = 2_000): string => {
  const trimmed = text.trim()
  return trimmed.length <= max ? trimmed : `…${trimmed.slice(-max)}`
}

/**
 * A container with this name already exists.
 * @since 0.1.0
 * @category errors
 */
export class NameInUse extends Data.TaggedError("NameInUse")<{ readonly name: string; readonly stderr: string }> {
  override get message(): string {
    return `container name ${this.name} is already in use (remove the old container or pick another name)`
  }
}

/**
 * The image is not present locally and the pull policy (or the lack of a registry) did not fetch it.
 * @since 0.1.0
 * @category errors
 */
export class ImageNotFound extends Data.TaggedError("ImageNotFound")<{
  readonly image: string
  readonly stderr: string
}> {
  override get message(): string {
    return `image ${this.image} not found: ${tail(this.stderr)}`
  }
}

/**
 * The runtime refused to create or start the container (bad flag, missing network, …).
 * @since 0.1.0
 * @category errors
 */
export class ContainerStartFailed extends Data.TaggedError("ContainerStartFailed")<{
  readonly argv: ReadonlyArray<string>
  readonly exitCode: number | undefined
  readonly stderr: string
}> {
  override get message(): string {
    return `${this.argv.slice(0, 3).join(" ")} … failed (exit ${this.exitCode ?? "signal"}): ${tail(this.stderr)}`
  }
}

/**
 * A foreground container (or an exec) exited with a non-zero code.
 * @since 0.1.0
 * @category errors
 */
export class ContainerExitedNonZero extends Data.TaggedError("ContainerExitedNonZero")<{
  readonly argv: ReadonlyArray<string>
  readonly exitCode: number | undefined
  readonly stdout: string
  readonly stderr: string
}> {
  override get message(): string {
    const stderr = tail(this.stderr)
    return `${this.argv.join(" ")} exited with ${this.exitCode ?? "a signal"}${stderr === "" ? "" : `: ${stderr}`}`
  }
}

/**
 * No container with this id or name exists (anymore).
 * @since 0.1.0
 * @category errors
 */
export class ContainerNotFound extends Data.TaggedError("ContainerNotFound")<{ readonly container: string }> {
  override get message(): string {
    return `no such container: ${this.container}`
  }
}

/**
 * The container port is not published (or not yet bound), or published only where this host
 * cannot reach it: on the loopback of an engine on another machine (`remoteLoopback` holds those
 * bindings, `host:port` as the engine reports them).
 * @since 0.1.0
 * @category errors
 */
export class PortNotPublished extends Data.TaggedError("PortNotPublished")<{
  readonly container: string
  readonly port: string
  readonly remoteLoopback?: ReadonlyArray<string> | undefined
}> {
  override get message(): string {
    return this.remoteLoopback === undefined || this.remoteLoopback.length === 0
      ? `container port ${this.port} of ${this.container} is not published (add it with ContainerDefinition.publish)`
      : `container port ${this.port} of ${this.container} is published only on the remote engine's loopback (${this.remoteLoopback.join(", ")}), which this host cannot reach: publish it without a host IP, or on an address of the engine's machine`
  }
}

/**
 * A bind mount of a path on this machine, asked of an engine that may run on another machine (a
 * `tcp://` or `ssh://` endpoint): that engine would mount its own path of that name, silently.
 * Say `onEngineHost: true` in `Mount.bind` when the path is meant on the engine's machine.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Mount } from "ociman"
 *
 * // The data directory exists on the build server the engine runs on.
 * const data = Either.getOrThrow(Mount.bind({ source: "/srv/data", target: "/data", onEngineHost: true }))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class BindMountOnRemoteEngine extends Data.TaggedError("BindMountOnRemoteEngine")<{
  readonly source: string
  readonly target: string
  /** The engine's address. */
  readonly endpoint: string
}> {
  override get message(): string {
    return `cannot bind-mount ${this.source} (to ${this.target}): the engine at ${this.endpoint} may be on another machine, where that path is not this one's; copy the files in instead, or pass onEngineHost: true to Mount.bind if the path is on the engine's machine`
  }
}
