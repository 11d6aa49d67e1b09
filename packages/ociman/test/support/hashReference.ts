/**
 * An independent reference of the content hash's framing (DataView + TextEncoder, not the
 * library's code), to cross-check every pinned digest of a new case.
 */
import { createHash } from "node:crypto"

/** SHA-256 over segments, each its length as u64 little-endian followed by its bytes. */
export const reference = (segments: ReadonlyArray<string | Uint8Array>): string => {
  const hash = createHash("sha256")
  for (const segment of segments) {
    const bytes = typeof segment === "string" ? new TextEncoder().encode(segment) : segment
    const length = new DataView(new ArrayBuffer(8))
    length.setBigUint64(0, BigInt(bytes.byteLength), true)
    hash.update(new Uint8Array(length.buffer))
    hash.update(bytes)
  }
  return hash.digest("hex")
}

/** The segments of one regular file in a directory hash. */
export const fileSegments = (path: string, content: string | Uint8Array, executable = false) => [
  "file.path",
  path,
  ...(executable ? ["file.executable"] : []),
  "file.content",
  content
]

/** The build-argument and label sections of a hash without any. */
export const EMPTY_SECTIONS = ["build-arguments", "labels"] as const
