/**
 * Container names (`docker run --name`), validated with ociman's rules, which are a strict subset
 * of what both runtimes accept (`[a-zA-Z0-9][a-zA-Z0-9_.-]*`), plus a length limit:
 * - 1 to 256 characters (all ASCII, so bytes = characters);
 * - the first character is an ASCII letter or digit;
 * - the others are ASCII letters, digits, `_`, `.` or `-`.
 *
 * @example
 * ```ts
 * import { Either, Schema } from "effect"
 * import { ContainerName } from "ociman"
 *
 * ContainerName.make("pg-ephemeral.session_42") // Either.right("pg-ephemeral.session_42")
 * ContainerName.make("-leading") // Either.left(InvalidContainerName { reason: "InvalidStartCharacter" })
 * Schema.decodeUnknownEither(ContainerName.FromString)("session main") // Either.left(ParseError)
 * ```
 *
 * @since 0.1.0
 */
import { Brand, Data, Either, Schema } from "effect"
import { quoteExcerpt, utf8Length } from "./internal/bytes.js"

/**
 * The longest accepted name, in bytes (ociman's `MAX_CONTAINER_NAME_LEN`).
 *
 * @example
 * ```ts
 * import { ContainerName } from "ociman"
 *
 * ContainerName.make("a".repeat(ContainerName.MAX_LENGTH + 1)) // Either.left(… reason: "TooLong")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_LENGTH = 256

/**
 * Why a string is not a container name.
 *
 * @since 0.1.0
 * @category models
 */
export type InvalidContainerNameReason = "Empty" | "InvalidStartCharacter" | "InvalidCharacter" | "TooLong"

const REASON_MESSAGES: Readonly<Record<InvalidContainerNameReason, string>> = {
  Empty: "Container name cannot be empty",
  InvalidStartCharacter: "Container name must start with an ASCII alphanumeric",
  InvalidCharacter: "Container name may only contain ASCII alphanumerics, '_', '.', '-'",
  TooLong: `Container name exceeds maximum length of ${MAX_LENGTH} bytes`
}

/**
 * A string that is not a valid container name. The message starts with ociman's wording.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { ContainerName } from "ociman"
 *
 * Either.flip(ContainerName.make("session/main")).pipe(Either.map((e) => e.message))
 * // Either.right(`Container name may only contain ASCII alphanumerics, '_', '.', '-' (got "session/main")`)
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidContainerName extends Data.TaggedError("InvalidContainerName")<{
  readonly input: string
  readonly reason: InvalidContainerNameReason
}> {
  override get message(): string {
    return this.reason === "Empty"
      ? `${REASON_MESSAGES.Empty}: give a name such as "my-app-1", or omit --name to let the runtime choose one`
      : `${REASON_MESSAGES[this.reason]} (got ${quoteExcerpt(this.input)})`
  }
}

const START = /^[A-Za-z0-9]/
const REST = /^[A-Za-z0-9_.-]*$/

const reasonOf = (input: string): InvalidContainerNameReason | undefined => {
  if (input.length === 0) return "Empty"
  if (utf8Length(input) > MAX_LENGTH) return "TooLong"
  if (!START.test(input)) return "InvalidStartCharacter"
  if (!REST.test(input)) return "InvalidCharacter"
  return undefined
}

/**
 * A string that decodes to a `ContainerName`, for `Config`, CLI flags and JSON. Failures carry
 * ociman's message.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { ContainerName } from "ociman"
 *
 * const name = Schema.Config("CONTAINER_NAME", ContainerName.FromString)
 * const decoded = Schema.decodeUnknownSync(ContainerName.FromString)("db-1")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const FromString = Schema.String.pipe(
  Schema.filter((input) => {
    const reason = reasonOf(input)
    return reason === undefined ? undefined : new InvalidContainerName({ input, reason }).message
  }),
  Schema.brand("ContainerName")
)

/**
 * A valid container name.
 *
 * @since 0.1.0
 * @category models
 */
export type ContainerName = typeof FromString.Type

const brand = Brand.nominal<ContainerName>()

/**
 * Validates a container name.
 *
 * @example
 * ```ts
 * import { ContainerName } from "ociman"
 *
 * ContainerName.make("session-main") // Either.right("session-main")
 * ContainerName.make("") // Either.left(InvalidContainerName { reason: "Empty" })
 * ContainerName.make("session main") // Either.left(InvalidContainerName { reason: "InvalidCharacter" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (input: string): Either.Either<ContainerName, InvalidContainerName> => {
  const reason = reasonOf(input)
  return reason === undefined ? Either.right(brand(input)) : Either.left(new InvalidContainerName({ input, reason }))
}

/**
 * Validates the `Name` field of `container inspect`, where Docker prefixes the name with `/`
 * (`"/session-main"`) and Podman does not. One leading `/` is removed before validating.
 *
 * @example
 * ```ts
 * import { ContainerName } from "ociman"
 *
 * ContainerName.fromInspect("/session-main") // Either.right("session-main")
 * ContainerName.fromInspect("session-main") // Either.right("session-main")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromInspect = (name: string): Either.Either<ContainerName, InvalidContainerName> =>
  make(name.startsWith("/") ? name.slice(1) : name)

/**
 * Whether `u` is a string that is a valid container name (a type guard).
 *
 * @example
 * ```ts
 * import { ContainerName } from "ociman"
 *
 * ContainerName.is("db-1") // true
 * ContainerName.is("_db") // false
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const is = (u: unknown): u is ContainerName => typeof u === "string" && reasonOf(u) === undefined
