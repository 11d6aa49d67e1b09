/**
 * ociman's segment framing over `node:crypto` SHA-256: every segment is its byte length as a
 * u64 little-endian, then its bytes. Shared by the public `SegmentHasher`, the instruction hash
 * and the streamed directory hash, which writes a file's length before streaming its bytes.
 */
import { createHash, type Hash } from "node:crypto"

/** A `node:crypto` SHA-256 state that segments are written into. */
export type Sha256 = Hash

export const makeSha256 = (): Sha256 => createHash("sha256")

/** The 8-byte little-endian length that opens every segment. */
export const lengthPrefix = (byteLength: number): Buffer => {
  const prefix = Buffer.allocUnsafe(8)
  prefix.writeBigUInt64LE(BigInt(byteLength))
  return prefix
}

/** Strings are hashed as their UTF-8 bytes, like Rust's `str::as_bytes`. */
export const utf8 = (text: string): Buffer => Buffer.from(text, "utf8")

export const pushSegment = (hash: Sha256, segment: Uint8Array | string): void => {
  const bytes = typeof segment === "string" ? utf8(segment) : segment
  hash.update(lengthPrefix(bytes.byteLength))
  hash.update(bytes)
}

/**
 * Orders strings by their UTF-8 bytes, as Rust's `BTreeMap<String, _>` and `OsStr` do. JS `<`
 * compares UTF-16 code units, which disagrees for characters above U+FFFF versus U+E000–U+FFFF.
 */
export const compareUtf8 = (left: string, right: string): number => Buffer.compare(utf8(left), utf8(right))

/** Dedupes by key (the later entry wins) and sorts by the key's UTF-8 bytes. */
export const sortedPairs = (
  pairs: Iterable<readonly [string, string]> | undefined
): ReadonlyArray<readonly [string, string]> => {
  const byKey = new Map<string, string>()
  for (const [key, value] of pairs ?? []) byKey.set(key, value)
  return [...byKey].sort(([left], [right]) => compareUtf8(left, right))
}

/** Options that change what is built without being part of the build context's bytes. */
export interface BuildSettings {
  readonly buildArgs?: Iterable<readonly [string, string]> | undefined
  readonly labels?: Iterable<readonly [string, string]> | undefined
  readonly target?: string | undefined
  readonly platform?: string | undefined
}

/**
 * The target and platform segments (ociman has neither; each is pushed only when given, so a
 * plain build keeps ociman's tag). They sit before `build-arguments`, right after a complete
 * file or content segment, where only a marker can appear, so they cannot be confused with data.
 */
export const pushTargetAndPlatform = (hash: Sha256, settings: BuildSettings): void => {
  if (settings.target !== undefined) {
    pushSegment(hash, "build.target")
    pushSegment(hash, settings.target)
  }
  if (settings.platform !== undefined) {
    pushSegment(hash, "build.platform")
    pushSegment(hash, settings.platform)
  }
}

/** ociman's trailing sections; both markers are pushed even when their section is empty. */
export const pushArgumentsAndLabels = (hash: Sha256, settings: BuildSettings): void => {
  pushSegment(hash, "build-arguments")
  for (const [key, value] of sortedPairs(settings.buildArgs)) {
    pushSegment(hash, key)
    pushSegment(hash, value)
  }
  pushSegment(hash, "labels")
  for (const [key, value] of sortedPairs(settings.labels)) {
    pushSegment(hash, key)
    pushSegment(hash, value)
  }
}
