/**
 * Versions as the runtimes print them. Distribution builds add suffixes that are not SemVer
 * (`24.0.5-1ubuntu1~22.04`, `20.10.24+dfsg1`, `1.6.20~ds1`), so parsing is tolerant: the
 * leading `MAJOR.MINOR[.PATCH]` is read and the rest is kept verbatim as `suffix`.
 *
 * @example
 * ```ts
 * import { Version } from "ociman"
 *
 * Version.parse("Docker version 24.0.5-1ubuntu1~22.04, build ced0996")
 * // Either.right({ major: 24, minor: 0, patch: 5, suffix: "-1ubuntu1~22.04", raw: "24.0.5-1ubuntu1~22.04" })
 * ```
 *
 * @since 0.1.0
 */
import { Data, Either, Order } from "effect"

/**
 * @since 0.1.0
 * @category models
 */
export class Version extends Data.Class<{
  readonly major: number
  readonly minor: number
  readonly patch: number
  /** Whatever follows `MAJOR.MINOR.PATCH` (`-rc1`, `+dfsg1`, `-1ubuntu1~22.04`), or "". */
  readonly suffix: string
  /** The version word exactly as printed. */
  readonly raw: string
}> {
  override toString(): string {
    return this.raw
  }
}

/**
 * No version could be found in a runtime's output.
 * @since 0.1.0
 * @category errors
 */
export class InvalidVersion extends Data.TaggedError("InvalidVersion")<{ readonly output: string }> {
  override get message(): string {
    return `no version of the form MAJOR.MINOR[.PATCH] found in ${JSON.stringify(this.output.trim())}`
  }
}

const VERSION_WORD = /^v?(\d+)\.(\d+)(?:\.(\d+))?(.*)$/

/**
 * Reads the first word that starts with a digit (as ociman does: `Docker version 29.0.0, build x`,
 * `podman version 4.3.1`) or a bare version (`20.10.24+dfsg1`).
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Version } from "ociman"
 *
 * const v = Either.getOrThrow(Version.parse("podman version 4.3.1"))
 * v.major // 4
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const parse = (output: string): Either.Either<Version, InvalidVersion> => {
  for (const word of output.split(/\s+/)) {
    const candidate = word.replace(/,+$/, "")
    const match = VERSION_WORD.exec(candidate)
    if (match === null) continue
    const [, major = "", minor = "", patch, suffix = ""] = match
    return Either.right(
      new Version({
        major: Number(major),
        minor: Number(minor),
        patch: patch === undefined ? 0 : Number(patch),
        suffix,
        raw: candidate
      })
    )
  }
  return Either.left(new InvalidVersion({ output }))
}

/**
 * Orders by major, minor, patch (suffixes are not compared).
 * @since 0.1.0
 * @category instances
 */
export const order: Order.Order<Version> = Order.combine(
  Order.mapInput(Order.number, (v: Version) => v.major),
  Order.combine(
    Order.mapInput(Order.number, (v: Version) => v.minor),
    Order.mapInput(Order.number, (v: Version) => v.patch)
  )
)

/**
 * `true` when `self` is at least `major.minor.patch`.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Version } from "ociman"
 *
 * Version.atLeast(Either.getOrThrow(Version.parse("29.0.1")), 29) // true
 * ```
 * @since 0.1.0
 * @category predicates
 */
export const atLeast = (self: Version, major: number, minor = 0, patch = 0): boolean =>
  Order.greaterThanOrEqualTo(order)(self, new Version({ major, minor, patch, suffix: "", raw: "" }))
