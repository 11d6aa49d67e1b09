/**
 * String helpers shared by the validated-value modules (labels, env vars, build args, mounts):
 * UTF-8 byte lengths, UTF-8 byte order, and the "sorted map as pairs" that every `--label` /
 * `--env` / `--build-arg` list is (ociman keeps them in a `BTreeMap`: deduplicated, later wins,
 * iterated in byte order).
 */
import { Predicate } from "effect"

/**
 * The length of `s` encoded as UTF-8, computed without encoding it. A lone surrogate counts 3 bytes,
 * as `TextEncoder` replaces it with U+FFFD.
 */
export const utf8Length = (s: string): number => {
  let bytes = 0
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i)
    if (unit < 0x80) bytes += 1
    else if (unit < 0x800) bytes += 2
    else if (unit >= 0xd800 && unit <= 0xdbff && isLowSurrogate(s.charCodeAt(i + 1))) {
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes
}

const isLowSurrogate = (unit: number): boolean => unit >= 0xdc00 && unit <= 0xdfff

/**
 * Compares two strings in the order of their UTF-8 bytes (= Unicode code point order), which is the
 * order of Rust's `BTreeMap<String, _>`. JavaScript's `<` compares UTF-16 code units instead, which
 * differs for characters above U+FFFF against U+E000–U+FFFF.
 */
export const compareUtf8 = (a: string, b: string): -1 | 0 | 1 => {
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    const x = a.codePointAt(i) ?? 0
    const y = b.codePointAt(j) ?? 0
    if (x !== y) return x < y ? -1 : 1
    i += x > 0xffff ? 2 : 1
    j += y > 0xffff ? 2 : 1
  }
  const restA = i < a.length
  const restB = j < b.length
  return restA === restB ? 0 : restA ? 1 : -1
}

/** In `u` mode a surrogate class matches only surrogates that are not part of a pair. */
const LONE_SURROGATE = /[\ud800-\udfff]/u

/** A lone surrogate cannot be encoded as UTF-8: the CLI would receive U+FFFD instead. */
export const hasLoneSurrogate = (s: string): boolean => LONE_SURROGATE.test(s)

/** A NUL byte cannot be passed in argv or in an environment variable (C strings end there). */
export const hasNul = (s: string): boolean => s.includes("\u0000")

/** Either a record or an iterable of pairs: the two ways a caller can give a map of strings. */
export type PairsInput<V> = Readonly<Record<string, V>> | Iterable<readonly [string, V]>

/** The entries of a `PairsInput`, in the order given (record: property order). */
export const entriesOf = <V>(input: PairsInput<V>): ReadonlyArray<readonly [string, V]> =>
  Predicate.isIterable(input) ? Array.from(input) : Object.entries(input)

/**
 * Deduplicates pairs by key (the later pair wins) and sorts them by key in UTF-8 byte order.
 */
export const sortedUnique = <K extends string, V>(pairs: Iterable<readonly [K, V]>): ReadonlyArray<readonly [K, V]> => {
  const byKey = new Map<K, V>()
  for (const [key, value] of pairs) byKey.set(key, value)
  return Array.from(byKey, ([key, value]) => [key, value] as const).sort(([a], [b]) => compareUtf8(a, b))
}

/**
 * Quotes `s` for an error message, cut to `max` characters (the error's field keeps it all).
 */
export const quoteExcerpt = (s: string, max = 100): string =>
  s.length <= max ? JSON.stringify(s) : `${JSON.stringify(s.slice(0, max))}… (${utf8Length(s)} bytes)`

const decoder = new TextDecoder("utf-8", { fatal: false })

/** Lossy UTF-8 decoding (invalid sequences become U+FFFD), for messages and text results. */
export const decodeText = (bytes: Uint8Array): string => decoder.decode(bytes)

/** The non-empty lines of a CLI's text output. */
export const nonEmptyLines = (text: string): ReadonlyArray<string> => text.split("\n").filter((line) => line.length > 0)

/** The chunks' bytes, one after another, in one array (a process's output, a log's lines). */
export const concatBytes = (chunks: Iterable<Uint8Array>): Uint8Array => {
  let length = 0
  for (const chunk of chunks) length += chunk.length
  const out = new Uint8Array(length)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}
