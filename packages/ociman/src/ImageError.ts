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

/** What a failed CLI call said, in one line: its last line of stderr, else how it ended. */
const saidBy = (call: { readonly stderr: string; readonly exitCode: number | undefined }): string =>
  lastLine(call.stderr) || `exit ${call.exitCode ?? "by signal"}`

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
 * - `Unauthorized`: the registry refused the credentials, or asked for some (log in first: `Image.login`);
 * - `Unreachable`: no answer from the registry (connection refused, DNS, timeout);
 * - `Other`: anything else (rate limit, a bad reference, a storage error, …).
 *
 * @since 0.1.0
 * @category models
 */
export type PullFailureReason = "NotFound" | "Unauthorized" | "Unreachable" | "Other"

const registryHint: Record<"Unauthorized" | "Unreachable", string> = {
  Unauthorized: "the registry refused access: log in first (Image.login) or check the credentials",
  Unreachable: "the registry did not answer: check its address and that it is running"
}

/**
 * `image pull` failed. `reason` tells "the registry has no such image" from a refused login, an
 * unreachable registry and every other failure. Both CLIs exit 1 or 125 for every failure and
 * print no machine-readable error, so the reason is read from the registry's words in stderr
 * (`manifest unknown`, `unauthorized`, `connection refused`, …), as in ociman.
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
    const said = saidBy(this)
    switch (this.reason) {
      case "NotFound":
        return `image not found in registry: ${this.reference} (check the name and tag, and that you are logged in to the registry)`
      case "Unauthorized":
      case "Unreachable":
        return `pull failed for ${this.reference}: ${registryHint[this.reason]} (${said})`
      case "Other":
        return `pull failed for ${this.reference}: ${said}`
    }
  }
}

/**
 * Why a push failed: the image is not stored locally under that name (`NotStoredLocally`), the
 * registry refused access (`Unauthorized`), did not answer (`Unreachable`), or anything else.
 *
 * @since 0.1.0
 * @category models
 */
export type PushFailureReason = "NotStoredLocally" | "Unauthorized" | "Unreachable" | "Other"

/**
 * `image push` failed (not logged in, no such local image, registry unreachable, …).
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
  readonly reason: PushFailureReason
  readonly argv: ReadonlyArray<string>
  readonly exitCode: number | undefined
  readonly stderr: string
}> {
  override get message(): string {
    const said = saidBy(this)
    switch (this.reason) {
      case "NotStoredLocally":
        return `push failed for ${this.reference}: no local image has this name (build or tag it first)`
      case "Unauthorized":
      case "Unreachable":
        return `push failed for ${this.reference}: ${registryHint[this.reason]} (${said})`
      case "Other":
        return `push failed for ${this.reference}: ${said} (check the login and that the repository exists)`
    }
  }
}

/**
 * `login` failed: wrong credentials (`Unauthorized`), no answer from the registry
 * (`Unreachable`), or anything else. The argv never holds the password (it goes on stdin).
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { Image } from "ociman"
 *
 * const loggedIn = Image.login("registry.example.com", { username: "ci", password: Redacted.make("…") }).pipe(
 *   Effect.catchTag("LoginFailed", (e) => Effect.logError(e.message))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class LoginFailed extends Data.TaggedError("LoginFailed")<{
  readonly registry: string
  readonly username: string
  readonly reason: "Unauthorized" | "Unreachable" | "Other"
  readonly argv: ReadonlyArray<string>
  readonly exitCode: number | undefined
  readonly stderr: string
}> {
  override get message(): string {
    const said = saidBy(this)
    return this.reason === "Other"
      ? `login to ${this.registry} as ${this.username} failed: ${said}`
      : `login to ${this.registry} as ${this.username} failed: ${registryHint[this.reason]} (${said})`
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
