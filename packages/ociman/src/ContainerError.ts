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
 * The container port is not published (or not yet bound).
 * @since 0.1.0
 * @category errors
 */
export class PortNotPublished extends Data.TaggedError("PortNotPublished")<{
  readonly container: string
  readonly port: string
}> {
  override get message(): string {
    return `container port ${this.port} of ${this.container} is not published (add it with ContainerDefinition.publish)`
  }
}
