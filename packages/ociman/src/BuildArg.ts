/**
 * Build arguments (`build --build-arg KEY=value`), with ociman's rules (`BuildArgumentKey`,
 * `BuildArgumentValue`):
 * - a key is non-empty and has no `=` (the CLIs split on the first `=`);
 * - a value is any string;
 * - a set (`BuildArgs`) is deduplicated (the later value wins) and sorted by key in UTF-8 byte
 *   order, so the argv (and any content hash over it) does not depend on the order given.
 *
 * Deliberate differences from ociman 0.8: a key may not contain NUL or an unpaired UTF-16 surrogate
 * (`InvalidCharacter`), nor a value (`ValueInvalidCharacter`): neither can be passed in argv.
 * Values appear in argv, as in ociman (build arguments also end up in the image's history, so they
 * are no place for secrets anyway).
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { BuildArg } from "ociman"
 *
 * const args = Either.getOrThrow(BuildArg.make({ VERSION: "17", BASE: "alpine" }))
 * args // [["BASE", "alpine"], ["VERSION", "17"]] (`--build-arg BASE=alpine --build-arg VERSION=17`)
 * ```
 *
 * @since 0.1.0
 */
import { Brand, Data, Either, Schema } from "effect"
import { dual } from "effect/Function"
import { entriesOf, hasLoneSurrogate, hasNul, type PairsInput, quoteExcerpt, sortedUnique } from "./internal/bytes.js"

/**
 * A valid build argument key.
 *
 * @since 0.1.0
 * @category models
 */
export type Key = typeof KeyFromString.Type

/**
 * A set of build arguments: pairs sorted by key in UTF-8 byte order, each key once.
 *
 * @since 0.1.0
 * @category models
 */
export type BuildArgs = ReadonlyArray<readonly [Key, string]>

const keyReason = (input: string): InvalidBuildArgReason | undefined => {
  if (input.length === 0) return "Empty"
  if (input.includes("=")) return "ContainsEquals"
  if (hasNul(input) || hasLoneSurrogate(input)) return "InvalidCharacter"
  return undefined
}

const brandKey = Brand.nominal<Key>()

/**
 * Validates a build argument key.
 *
 * @example
 * ```ts
 * import { BuildArg } from "ociman"
 *
 * BuildArg.key("VERSION") // Either.right("VERSION")
 * BuildArg.key("A=B") // Either.left(InvalidBuildArg { reason: "ContainsEquals" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const key = (input: string): Either.Either<Key, InvalidBuildArg> => {
  const reason = keyReason(input)
  return reason === undefined ? Either.right(brandKey(input)) : Either.left(new InvalidBuildArg({ input, reason }))
}

/**
 * The empty set.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { BuildArg } from "ociman"
 *
 * BuildArg.merge(BuildArg.empty, Either.getOrThrow(BuildArg.make({ VERSION: "17" }))) // [["VERSION", "17"]]
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const empty: BuildArgs = []

const pairOf = ([k, v]: readonly [string, string]): Either.Either<readonly [Key, string], InvalidBuildArg> =>
  Either.flatMap(key(k), (validKey) =>
    hasNul(v) || hasLoneSurrogate(v)
      ? Either.left(new InvalidBuildArg({ input: k, reason: "ValueInvalidCharacter" }))
      : Either.right([validKey, v] as const)
  )

/**
 * Validates build arguments given as a record or as pairs, deduplicating keys (the later pair
 * wins) and sorting them by key in UTF-8 byte order. Fails with the first invalid argument.
 *
 * @example
 * ```ts
 * import { BuildArg } from "ociman"
 *
 * BuildArg.make([["B", "1"], ["A", "2"], ["B", "3"]]) // Either.right([["A", "2"], ["B", "3"]])
 * BuildArg.make({ "": "x" }) // Either.left(InvalidBuildArg { reason: "Empty" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (input: PairsInput<string>): Either.Either<BuildArgs, InvalidBuildArg> =>
  Either.map(Either.all(entriesOf(input).map(pairOf)), sortedUnique)

/**
 * Both sets; on equal keys `that` wins.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { BuildArg } from "ociman"
 *
 * const base = Either.getOrThrow(BuildArg.make({ A: "1", B: "1" }))
 * BuildArg.merge(base, Either.getOrThrow(BuildArg.make({ B: "2" }))) // [["A", "1"], ["B", "2"]]
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const merge: {
  (that: BuildArgs): (self: BuildArgs) => BuildArgs
  (self: BuildArgs, that: BuildArgs): BuildArgs
} = dual(2, (self: BuildArgs, that: BuildArgs): BuildArgs => sortedUnique([...self, ...that]))

/**
 * A string that decodes to a build argument `Key`, for `Config`, CLI flags and JSON.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { BuildArg } from "ociman"
 *
 * Schema.decodeUnknownSync(BuildArg.KeyFromString)("VERSION") // "VERSION"
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const KeyFromString = Schema.String.pipe(
  Schema.filter((input) => {
    const reason = keyReason(input)
    return reason === undefined ? undefined : new InvalidBuildArg({ input, reason }).message
  }),
  Schema.brand("BuildArgKey")
)

/**
 * Why a build argument is rejected. `Empty` and `ContainsEquals` are ociman's; the others are
 * this library's.
 *
 * @since 0.1.0
 * @category errors
 */
export type InvalidBuildArgReason = "Empty" | "ContainsEquals" | "InvalidCharacter" | "ValueInvalidCharacter"

/**
 * An invalid build argument. `input` is the key (for `ValueInvalidCharacter` too: the value is
 * not repeated).
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { BuildArg } from "ociman"
 *
 * Either.flip(BuildArg.key("")).pipe(Either.map((e) => e.message)) // Either.right("Build argument key cannot be empty")
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidBuildArg extends Data.TaggedError("InvalidBuildArg")<{
  readonly input: string
  readonly reason: InvalidBuildArgReason
}> {
  override get message(): string {
    switch (this.reason) {
      case "Empty":
        return "Build argument key cannot be empty"
      case "ContainsEquals":
        return `Build argument key cannot contain '=' character (got ${quoteExcerpt(this.input)})`
      case "InvalidCharacter":
        return `Build argument key cannot contain a NUL character or an unpaired UTF-16 surrogate (got ${quoteExcerpt(this.input)})`
      case "ValueInvalidCharacter":
        return `Value of build argument ${quoteExcerpt(this.input)} cannot contain a NUL character or an unpaired UTF-16 surrogate`
    }
  }
}
