/**
 * Container and image labels (`--label key=value`), with ociman's rules.
 *
 * Write side (always validated):
 * - A key is 1 to 256 UTF-8 bytes with no `=`, `,`, ASCII whitespace or ASCII control character
 *   (the CLIs split `--label k=v` on the first `=`, and `--filter label=…` on `,`). Non-ASCII,
 *   upper case and leading or trailing `.`/`-` are allowed.
 * - A value is at most 65 536 UTF-8 bytes and may contain anything else (`=`, `,`, newlines, JSON).
 * - A set of labels (`Labels`) is deduplicated (the later value wins) and sorted by key in UTF-8
 *   byte order, so the argv is deterministic (and content hashes over it are stable).
 *
 * Read side: `decode` reads `Config.Labels` of a `container inspect` / `image inspect` object.
 *
 * The runtime renders a set as `--label key=value` arguments, and a `Filter` as `--filter label=…`.
 *
 * Deliberate differences from ociman 0.8: keys and values may not contain a lone UTF-16 surrogate
 * (it cannot be encoded as UTF-8), and values may not contain NUL (an argv element cannot); ociman
 * gets both for free from Rust strings and argv. There are no separate read-side key/value types:
 * `decode` returns plain strings, which compare with `Key`/`Value` directly.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Label } from "ociman"
 *
 * const labels = Either.getOrThrow(Label.make({ "pg-ephemeral.session": "main", "a.key": "1" }))
 * labels // [["a.key", "1"], ["pg-ephemeral.session", "main"]]
 * ```
 *
 * @since 0.1.0
 */
import { Brand, Data, Either, ParseResult, Schema } from "effect"
import { dual } from "effect/Function"
import {
  compareUtf8,
  entriesOf,
  hasLoneSurrogate,
  hasNul,
  type PairsInput,
  quoteExcerpt,
  sortedUnique,
  utf8Length
} from "./internal/bytes.js"
import { REUSE_LABEL } from "./internal/session.js"

/**
 * A valid label key.
 *
 * @since 0.1.0
 * @category models
 */
export type Key = typeof KeyFromString.Type

/**
 * A valid label value.
 *
 * @since 0.1.0
 * @category models
 */
export type Value = typeof ValueFromString.Type

/**
 * A set of labels: pairs sorted by key in UTF-8 byte order, each key once.
 *
 * @since 0.1.0
 * @category models
 */
export type Labels = ReadonlyArray<readonly [Key, Value]>

/**
 * A `--filter` on labels, for `container list` and `image list`: by key, or by key and value.
 *
 * @since 0.1.0
 * @category models
 */
export interface Filter {
  readonly key: Key
  readonly value?: Value | undefined
}

/** Bytes that may not appear in a key: `=`, `,`, ASCII whitespace and ASCII control characters. */
// eslint-disable-next-line no-control-regex
const KEY_FORBIDDEN = /[\u0000-\u0020=,\u007f]/

const keyReason = (input: string): InvalidLabelReason | undefined => {
  if (input.length === 0) return "KeyEmpty"
  if (KEY_FORBIDDEN.test(input) || hasLoneSurrogate(input)) return "KeyInvalidCharacter"
  if (utf8Length(input) > MAX_KEY_LENGTH) return "KeyTooLong"
  return undefined
}

const valueReason = (input: string): InvalidLabelReason | undefined => {
  if (hasNul(input) || hasLoneSurrogate(input)) return "ValueInvalidCharacter"
  if (utf8Length(input) > MAX_VALUE_LENGTH) return "ValueTooLong"
  return undefined
}

const brandKey = Brand.nominal<Key>()

const brandValue = Brand.nominal<Value>()

/**
 * Validates a label key.
 *
 * @example
 * ```ts
 * import { Label } from "ociman"
 *
 * Label.key("pg-ephemeral.session") // Either.right("pg-ephemeral.session")
 * Label.key("foo=bar") // Either.left(InvalidLabel { reason: "KeyInvalidCharacter" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const key = (input: string): Either.Either<Key, InvalidLabel> => {
  const reason = keyReason(input)
  return reason === undefined ? Either.right(brandKey(input)) : Either.left(new InvalidLabel({ input, reason }))
}

/**
 * Validates a label value.
 *
 * @example
 * ```ts
 * import { Label } from "ociman"
 *
 * Label.value("main") // Either.right("main")
 * Label.value("x".repeat(65_537)) // Either.left(InvalidLabel { reason: "ValueTooLong" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const value = (input: string): Either.Either<Value, InvalidLabel> => {
  const reason = valueReason(input)
  return reason === undefined ? Either.right(brandValue(input)) : Either.left(new InvalidLabel({ input, reason }))
}

/**
 * The empty set of labels.
 *
 * @example
 * ```ts
 * import { Label } from "ociman"
 *
 * Label.get(Label.empty, "role") // undefined
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const empty: Labels = []

const pairOf = ([k, v]: readonly [string, string]): Either.Either<readonly [Key, Value], InvalidLabel> =>
  Either.flatMap(key(k), (validKey) => {
    const reason = valueReason(v)
    return reason === undefined
      ? Either.right([validKey, brandValue(v)] as const)
      : Either.left(new InvalidLabel({ input: v, reason, key: k }))
  })

/**
 * Validates labels given as a record or as pairs (a `Map`, an array, `Label.Labels`, …),
 * deduplicating keys (the later pair wins) and sorting them by key in UTF-8 byte order.
 * Fails with the first invalid key or value.
 *
 * @example
 * ```ts
 * import { Label } from "ociman"
 *
 * Label.make([["b.key", "1"], ["a.key", "2"], ["b.key", "3"]])
 * // Either.right([["a.key", "2"], ["b.key", "3"]])
 * Label.make({ "": "x" }) // Either.left(InvalidLabel { reason: "KeyEmpty" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (input: PairsInput<string>): Either.Either<Labels, InvalidLabel> =>
  Either.map(Either.all(entriesOf(input).map(pairOf)), sortedUnique)

/**
 * Matches everything that has the label, whatever its value.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Label } from "ociman"
 *
 * Label.keyOnly(Either.getOrThrow(Label.key("pg-ephemeral.session")))
 * // { key: "pg-ephemeral.session", value: undefined }: `--filter label=pg-ephemeral.session`
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const keyOnly = (key: Key): Filter => Data.struct({ key, value: undefined })

/**
 * Matches everything whose label `key` has exactly `value`.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Label } from "ociman"
 *
 * const k = Either.getOrThrow(Label.key("pg-ephemeral.session"))
 * const v = Either.getOrThrow(Label.value("main"))
 * Label.exact(k, v) // { key: "pg-ephemeral.session", value: "main" }: `--filter label=pg-ephemeral.session=main`
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const exact = (key: Key, value: Value): Filter => Data.struct({ key, value })

/**
 * The label that marks a reused container (`Container.start(definition, { reuse: true })`): its
 * value is the definition's key, a SHA-256 of the definition.
 *
 * @example
 * ```ts
 * import { Container, Label } from "ociman"
 *
 * const reused = Container.list([Label.keyOnly(Label.reuseKey)])
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const reuseKey: Key = Brand.nominal<Key>()(REUSE_LABEL)

/**
 * Both sets of labels; on equal keys `that` wins.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Label } from "ociman"
 *
 * const base = Either.getOrThrow(Label.make({ role: "db", team: "a" }))
 * const extra = Either.getOrThrow(Label.make({ team: "b" }))
 * Label.merge(base, extra) // [["role", "db"], ["team", "b"]]
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const merge: {
  (that: Labels): (self: Labels) => Labels
  (self: Labels, that: Labels): Labels
} = dual(2, (self: Labels, that: Labels): Labels => sortedUnique([...self, ...that]))

/**
 * The value of `key`, if present.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Label } from "ociman"
 *
 * const labels = Either.getOrThrow(Label.make({ role: "db" }))
 * Label.get(labels, "role") // "db"
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const get: {
  (key: string): (self: Labels) => Value | undefined
  (self: Labels, key: string): Value | undefined
} = dual(2, (self: Labels, key: string): Value | undefined => self.find(([k]) => k === key)?.[1])

const filterWith =
  (reasonOf: (input: string) => InvalidLabelReason | undefined) =>
  (input: string): string | undefined => {
    const reason = reasonOf(input)
    return reason === undefined ? undefined : new InvalidLabel({ input, reason }).message
  }

/**
 * A string that decodes to a label `Key`, for `Config`, CLI flags and JSON.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Label } from "ociman"
 *
 * Schema.decodeUnknownSync(Label.KeyFromString)("com.example.role") // "com.example.role"
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const KeyFromString = Schema.String.pipe(Schema.filter(filterWith(keyReason)), Schema.brand("LabelKey"))

/**
 * A string that decodes to a label `Value`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Label } from "ociman"
 *
 * Schema.decodeUnknownSync(Label.ValueFromString)('{"json": true}')
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ValueFromString = Schema.String.pipe(Schema.filter(filterWith(valueReason)), Schema.brand("LabelValue"))

/** Missing and `null` both mean "no labels"; anything else must be an object. */
const optionalObject = <A, I>(schema: Schema.Schema<A, I>) => Schema.optional(Schema.NullOr(schema))

const RawLabels = Schema.Record({ key: Schema.String, value: Schema.Unknown })

const StringLabels = Schema.Record({ key: Schema.String, value: Schema.String })

const InspectWithLabels = Schema.Struct({
  Config: optionalObject(Schema.Struct({ Labels: optionalObject(RawLabels) }))
})

const describe = (error: ParseResult.ParseError): string => ParseResult.TreeFormatter.formatErrorSync(error)

/**
 * Reads the labels of one `container inspect` or `image inspect` object (its `Config.Labels`).
 * A missing `Config`, missing `Labels` or `null` `Labels` means no labels. The result is sorted by
 * key in UTF-8 byte order. Values are returned as they are, without validation.
 *
 * @example
 * ```ts
 * import { Label } from "ociman"
 *
 * Label.decode({ Config: { Labels: { "b": "2", "a": "1" } } }) // Either.right(Map { "a" => "1", "b" => "2" })
 * Label.decode({ Config: { Labels: null } }) // Either.right(Map {})
 * Label.decode({ Config: { Labels: "x" } }) // Either.left(InvalidInspectLabels { reason: "NotObject" })
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = (inspect: unknown): Either.Either<ReadonlyMap<string, string>, InvalidInspectLabels> => {
  const shape = Schema.decodeUnknownEither(InspectWithLabels)(inspect)
  if (Either.isLeft(shape)) {
    const path = notObjectPath(inspect)
    return Either.left(new InvalidInspectLabels({ reason: "NotObject", path, detail: describe(shape.left) }))
  }
  const raw = shape.right.Config?.Labels ?? {}
  const labels = Schema.decodeUnknownEither(StringLabels)(raw)
  if (Either.isLeft(labels)) {
    const bad = Object.entries(raw).find(([, v]) => typeof v !== "string")
    return Either.left(
      new InvalidInspectLabels({
        reason: "ValueNotString",
        path: "Config.Labels",
        key: bad?.[0],
        detail: describe(labels.left)
      })
    )
  }
  return Either.right(new Map(Object.entries(labels.right).sort(([a], [b]) => compareUtf8(a, b))))
}

const isObject = (u: unknown): u is object => typeof u === "object" && u !== null && !Array.isArray(u)

/** The outermost level that is present but not an object. */
const notObjectPath = (inspect: unknown): string => {
  if (!isObject(inspect)) return ""
  const config: unknown = Reflect.get(inspect, "Config")
  if (config !== undefined && config !== null && !isObject(config)) return "Config"
  return "Config.Labels"
}

/**
 * The longest accepted key, in UTF-8 bytes.
 *
 * @example
 * ```ts
 * import { Label } from "ociman"
 *
 * Label.key("a".repeat(Label.MAX_KEY_LENGTH)) // Either.right(…)
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_KEY_LENGTH = 256

/**
 * The longest accepted value, in UTF-8 bytes.
 *
 * @example
 * ```ts
 * import { Label } from "ociman"
 *
 * Label.value("x".repeat(Label.MAX_VALUE_LENGTH + 1)) // Either.left(… reason: "ValueTooLong")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_VALUE_LENGTH = 65_536

/**
 * Why a label key or value is rejected. The first four are ociman's; `ValueInvalidCharacter` (NUL
 * or a lone surrogate in a value) is this library's.
 *
 * @since 0.1.0
 * @category errors
 */
export type InvalidLabelReason =
  "KeyEmpty" | "KeyInvalidCharacter" | "KeyTooLong" | "ValueTooLong" | "ValueInvalidCharacter"

const REASON_MESSAGES: Readonly<Record<InvalidLabelReason, string>> = {
  KeyEmpty: "Label key cannot be empty",
  KeyInvalidCharacter: "Label key may not contain '=', whitespace, control characters, or ','",
  KeyTooLong: `Label key exceeds maximum length of ${MAX_KEY_LENGTH} bytes`,
  ValueTooLong: `Label value exceeds maximum length of ${MAX_VALUE_LENGTH} bytes`,
  ValueInvalidCharacter: "Label value may not contain a NUL character or an unpaired UTF-16 surrogate"
}

/**
 * A label key or value that is not valid. `input` is the rejected key or value; for a value,
 * `key` names the label it belongs to, when known. The message starts with ociman's wording and
 * quotes at most the start of a long input.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Label } from "ociman"
 *
 * Either.flip(Label.key("foo bar")).pipe(Either.map((e) => e.reason)) // Either.right("KeyInvalidCharacter")
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidLabel extends Data.TaggedError("InvalidLabel")<{
  readonly input: string
  readonly reason: InvalidLabelReason
  readonly key?: string | undefined
}> {
  override get message(): string {
    const base = REASON_MESSAGES[this.reason]
    switch (this.reason) {
      case "KeyEmpty":
        return `${base}: use a reverse-DNS name such as "com.example.role"`
      case "KeyInvalidCharacter":
        return `${base} (got ${quoteExcerpt(this.input)})`
      case "KeyTooLong":
        return `${base} (got ${utf8Length(this.input)} bytes: ${quoteExcerpt(this.input, 40)})`
      case "ValueTooLong":
      case "ValueInvalidCharacter": {
        const label = this.key === undefined ? "" : ` of label ${quoteExcerpt(this.key)}`
        const size = this.reason === "ValueTooLong" ? `, got ${utf8Length(this.input)} bytes` : ""
        return `${base} (value${label}${size})`
      }
    }
  }
}

/**
 * Why the labels of an inspect object could not be read (ociman's `ReadError`, without its
 * `Inspect` case, which belongs to the caller):
 * - `NotObject`: `Config.Labels` (or the inspect object, or `Config`) is present but not a JSON object;
 * - `ValueNotString`: a label value is not a string (`key` names it).
 *
 * @since 0.1.0
 * @category errors
 */
export type InvalidInspectLabelsReason = "NotObject" | "ValueNotString"

/**
 * The labels in an inspect object have an unexpected shape.
 *
 * @example
 * ```ts
 * import { Label } from "ociman"
 *
 * Label.decode({ Config: { Labels: { a: 1 } } })
 * // Either.left(InvalidInspectLabels { reason: "ValueNotString", key: "a" })
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidInspectLabels extends Data.TaggedError("InvalidInspectLabels")<{
  readonly reason: InvalidInspectLabelsReason
  /** Where the unexpected value is: `""` (the inspect object), `"Config"` or `"Config.Labels"`. */
  readonly path: string
  /** The label whose value is not a string, for `ValueNotString`. */
  readonly key?: string | undefined
  /** Schema's description of what was found. */
  readonly detail: string
}> {
  override get message(): string {
    return this.reason === "ValueNotString"
      ? `inspect label ${JSON.stringify(this.key ?? "")} had a non-string value: ${this.detail}`
      : this.path === "Config.Labels"
        ? `inspect Config.Labels was not a JSON object: ${this.detail}`
        : `inspect ${this.path === "" ? "output" : this.path} was not a JSON object, so Config.Labels cannot be read: ${this.detail}`
  }
}
