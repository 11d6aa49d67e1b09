/**
 * Typed failures of volume operations: creating and removing named volumes.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Volume } from "ociman"
 *
 * const data = Volume.make({ name: "pgdata" }).pipe(
 *   Effect.catchTag("VolumeNameInUse", (e) => Effect.logWarning(`${e.name} is taken`))
 * )
 * ```
 *
 * @since 0.1.0
 */
import { Data } from "effect"

/**
 * A volume name the runtimes would reject: at least two characters, letters, digits, `_`, `.` and
 * `-`, starting with a letter or digit (Docker's rule, which Podman also accepts).
 *
 * @example
 * ```ts
 * import { Volume } from "ociman"
 *
 * Volume.name("x") // Either.left(InvalidVolumeName { input: "x" })
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidVolumeName extends Data.TaggedError("InvalidVolumeName")<{ readonly input: string }> {
  override get message(): string {
    return `invalid volume name ${JSON.stringify(this.input)}: use at least two of letters, digits, '_', '.' and '-', starting with a letter or digit`
  }
}

/**
 * A volume with this name already exists (Docker's `volume create` would silently reuse it; ociman
 * refuses, so a scoped volume never removes one it did not create).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Volume } from "ociman"
 *
 * Volume.make({ name: "shared" }).pipe(Effect.catchTag("VolumeNameInUse", (e) => Effect.succeed(e.name)))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class VolumeNameInUse extends Data.TaggedError("VolumeNameInUse")<{
  readonly name: string
  readonly stderr: string
}> {
  override get message(): string {
    return `volume name ${this.name} is already in use (remove that volume, or omit the name so a unique one is generated)`
  }
}

/**
 * No volume with this name exists (anymore).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Volume } from "ociman"
 *
 * Volume.remove("gone").pipe(Effect.catchTag("VolumeNotFound", () => Effect.void))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class VolumeNotFound extends Data.TaggedError("VolumeNotFound")<{ readonly volume: string }> {
  override get message(): string {
    return `no such volume: ${this.volume}`
  }
}

/**
 * The volume is mounted by a container, running or not: remove the container first.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Volume } from "ociman"
 *
 * Volume.remove("pgdata").pipe(Effect.catchTag("VolumeInUse", (e) => Effect.logWarning(e.stderr)))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class VolumeInUse extends Data.TaggedError("VolumeInUse")<{
  readonly volume: string
  readonly stderr: string
}> {
  override get message(): string {
    return `volume ${this.volume} is in use by a container (remove the container first): ${this.stderr.trim()}`
  }
}
