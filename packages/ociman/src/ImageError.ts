/**
 * Typed failures of image operations (build, pull, push, tag, remove, inspect). Each one says what
 * was asked, what the runtime said and, where it helps, what to do. Failures that the runtime
 * itself had (daemon down, storage error, unexpected exit) are `CliError.CommandFailed` and are
 * never reported as "image absent".
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Image } from "ociman"
 *
 * const pulled = Image.pull("ghcr.io/org/cache:abc").pipe(
 *   Effect.as(true),
 *   Effect.catchTag("PullFailed", (e) => (e.reason === "NotFound" ? Effect.succeed(false) : Effect.fail(e)))
 * )
 * ```
 *
 * @since 0.1.0
 */
import { Data } from "effect"
import { formatArgv } from "./CliError.js"
import { ImageNotFound } from "./ContainerError.js"

/**
 * The image is not present locally (for inspect, tag, remove and container runs). The same class
 * as `ContainerError.ImageNotFound`, so one `catchTag("ImageNotFound")` covers both.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Image } from "ociman"
 *
 * const labels = Image.labelsOf("my-app:1").pipe(
 *   Effect.catchTag("ImageNotFound", () => Effect.succeed(new Map<string, string>()))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export { ImageNotFound }

const tail = (text: string, max = 2_000): string => {
  const trimmed = text.trim()
  return trimmed.length <= max ? trimmed : `…${trimmed.slice(-max)}`
}

/** The last non-empty line of a text, for one-line messages. */
const lastLine = (text: string): string =>
  text
    .split(/\r?\n|\r/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .at(-1) ?? ""

/**
 * Why a pull failed:
 * - `NotFound`: the registry answered that the image (manifest) does not exist;
 * - `Other`: anything else (no network, DNS, authentication, rate limit, a bad reference, …).
 *
 * @since 0.1.0
 * @category models
 */
export type PullFailureReason = "NotFound" | "Other"

/**
 * `image pull` failed. `reason` distinguishes "the registry has no such image" from every other
 * failure. Both CLIs exit 1 or 125 for every failure and print no machine-readable error, so
 * `NotFound` is recognised by the OCI error text `manifest unknown` in stderr, as in ociman.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Image } from "ociman"
 *
 * // Try the newest cache layer first; a missing one is no error.
 * const hit = Image.pull("ghcr.io/org/cache:abc").pipe(
 *   Effect.as(true),
 *   Effect.catchIf(
 *     (e) => e._tag === "PullFailed" && e.reason === "NotFound",
 *     () => Effect.succeed(false)
 *   )
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class PullFailed extends Data.TaggedError("PullFailed")<{
  /** The reference as it was passed to the CLI. */
  readonly reference: string
  readonly reason: PullFailureReason
  readonly argv: ReadonlyArray<string>
  readonly exitCode: number | undefined
  readonly stderr: string
}> {
  override get message(): string {
    return this.reason === "NotFound"
      ? `image not found in registry: ${this.reference} (check the name and tag, and that you are logged in to the registry)`
      : `pull failed for ${this.reference}: ${lastLine(this.stderr) || `exit ${this.exitCode ?? "by signal"}`}`
  }
}

/**
 * `image push` failed (not logged in, no such repository, registry unreachable, …).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Image } from "ociman"
 *
 * const pushed = Image.push("ghcr.io/org/app:1").pipe(Effect.catchTag("PushFailed", (e) => Effect.logWarning(e.message)))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class PushFailed extends Data.TaggedError("PushFailed")<{
  readonly reference: string
  readonly argv: ReadonlyArray<string>
  readonly exitCode: number | undefined
  readonly stderr: string
}> {
  override get message(): string {
    return `push failed for ${this.reference}: ${lastLine(this.stderr) || `exit ${this.exitCode ?? "by signal"}`} (check \`docker login\` / \`podman login\` and that the repository exists)`
  }
}

/**
 * `build` exited with a non-zero code (or was killed). `lastLines` holds the end of the build's
 * output (stdout and stderr interleaved as they arrived), which is where the failing step is.
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { BuildDefinition, Image } from "ociman"
 *
 * const ref = Image.build(BuildDefinition.fromInstructions("FROM scratch\nRUN false\n", { reference: "x:1" })).pipe(
 *   Effect.tapErrorTag("BuildFailed", (e) => Console.error(e.lastLines.join("\n")))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class BuildFailed extends Data.TaggedError("BuildFailed")<{
  /** The reference the build was to tag. */
  readonly reference: string
  readonly argv: ReadonlyArray<string>
  /** `undefined` when a signal ended the build. */
  readonly exitCode: number | undefined
  readonly signal: string | undefined
  /** The last lines of output, oldest first. */
  readonly lastLines: ReadonlyArray<string>
}> {
  override get message(): string {
    const how =
      this.exitCode === undefined ? `was killed by ${this.signal ?? "a signal"}` : `exited with ${this.exitCode}`
    const last = lastLine(this.lastLines.join("\n"))
    return `build of ${this.reference} failed: ${formatArgv(this.argv.slice(0, 2))} ${how}${last === "" ? "" : `: ${last}`}`
  }
}

/**
 * The image cannot be removed because a container (running or stopped) uses it. Remove the
 * container first, or remove the image with `force`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Image } from "ociman"
 *
 * const removed = Image.remove("my-app:1").pipe(
 *   Effect.catchTag("ImageInUse", () => Image.remove("my-app:1", { force: true }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ImageInUse extends Data.TaggedError("ImageInUse")<{
  readonly image: string
  readonly stderr: string
}> {
  override get message(): string {
    return `image ${this.image} is in use by a container: remove the container first, or remove the image with { force: true } (${tail(this.stderr, 300)})`
  }
}

/**
 * A build definition that cannot be built as given: a content-addressed name with a tag, a
 * Dockerfile path on an instructions build, or an empty or malformed stage or platform.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { BuildDefinition, Image } from "ociman"
 *
 * const ref = Image.targetReference(BuildDefinition.fromInstructions("FROM scratch\n", { name: "app:1" })).pipe(
 *   Effect.catchTag("InvalidBuildDefinition", (e) => Effect.fail(e.message))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidBuildDefinition extends Data.TaggedError("InvalidBuildDefinition")<{
  /** Which part of the definition is wrong: `name`, `dockerfile`, `target` or `platform`. */
  readonly field: string
  readonly input: string
  /** What is wrong, and what to do about it. */
  readonly detail: string
}> {
  override get message(): string {
    return `invalid build definition: ${this.field} ${JSON.stringify(this.input.slice(0, 200))}: ${this.detail}`
  }
}
