/**
 * A minimal tar writer and reader: what `container cp` (and the engines' archive endpoints) send
 * and expect. Regular files, directories and symbolic links, with mode, size and mtime; owner
 * 0:0 unless an entry says otherwise (`uid`, `gid`: written, not read). Writing uses POSIX ustar, with a PAX header for a path or link target ustar cannot hold.
 * Reading understands ustar, PAX (`path`, `linkpath`, `size`, `mtime`) and GNU long names (`L`,
 * `K`), which Go's `archive/tar` (Docker, Podman) may write; a hard link becomes a copy of the
 * file it names; device files, FIFOs and anything else are skipped (`skipped` counts them).
 */
import { Data, Either } from "effect"
import { concatBytes } from "./bytes.js"

/** One entry: `path` is relative (`dir/file`), without a leading `/` or `./`, nor a trailing `/`. */
export type TarEntry = (
  | {
      readonly _tag: "File"
      readonly path: string
      readonly mode: number
      readonly mtime: number
      readonly content: Uint8Array
    }
  | { readonly _tag: "Directory"; readonly path: string; readonly mode: number; readonly mtime: number }
  | {
      readonly _tag: "Symlink"
      readonly path: string
      readonly mode: number
      readonly mtime: number
      readonly target: string
    }
) &
  EntryOwner

/** Who owns an entry once extracted (absent: root, 0:0). */
export interface EntryOwner {
  readonly uid?: number | undefined
  readonly gid?: number | undefined
}

/** Bytes that are not a tar archive this reader understands. */
export class InvalidTar extends Data.TaggedError("InvalidTar")<{ readonly reason: string }> {}

const BLOCK = 512
const encoder = new TextEncoder()
const decoder = new TextDecoder()

const writeString = (block: Uint8Array, offset: number, length: number, value: string): void => {
  block.set(encoder.encode(value).subarray(0, length), offset)
}

/** An octal field: digits, then a NUL (the last byte of the field). */
const writeOctal = (block: Uint8Array, offset: number, length: number, value: number): void => {
  writeString(
    block,
    offset,
    length - 1,
    Math.floor(value)
      .toString(8)
      .padStart(length - 1, "0")
  )
}

const TYPE_FLAGS = { File: "0", Directory: "5", Symlink: "2" } as const

/** Splits a path into ustar's prefix (≤ 155 bytes) and name (≤ 100 bytes), if it can be. */
const ustarSplit = (path: string): { readonly prefix: string; readonly name: string } | undefined => {
  if (encoder.encode(path).length <= 100) return { prefix: "", name: path }
  for (let i = path.indexOf("/"); i !== -1; i = path.indexOf("/", i + 1)) {
    const prefix = path.slice(0, i)
    const name = path.slice(i + 1)
    if (encoder.encode(prefix).length <= 155 && encoder.encode(name).length <= 100 && name !== "") {
      return { prefix, name }
    }
  }
  return undefined
}

const header = (
  fields: { readonly name: string; readonly prefix: string; readonly linkname: string },
  entry: { readonly mode: number; readonly mtime: number } & EntryOwner,
  size: number,
  typeflag: string
): Uint8Array => {
  const block = new Uint8Array(BLOCK)
  const uid = entry.uid ?? 0
  const gid = entry.gid ?? 0
  writeString(block, 0, 100, fields.name)
  writeOctal(block, 100, 8, entry.mode & 0o7777)
  writeOctal(block, 108, 8, uid)
  writeOctal(block, 116, 8, gid)
  writeOctal(block, 124, 12, size)
  writeOctal(block, 136, 12, Math.max(0, entry.mtime))
  block.fill(0x20, 148, 156) // the checksum counts its own field as spaces
  writeString(block, 156, 1, typeflag)
  writeString(block, 157, 100, fields.linkname)
  writeString(block, 257, 6, "ustar")
  writeString(block, 263, 2, "00")
  // names only for root: another owner is its number, whatever the image calls it
  writeString(block, 265, 32, uid === 0 ? "root" : "")
  writeString(block, 297, 32, gid === 0 ? "root" : "")
  writeString(block, 345, 155, fields.prefix)
  const sum = block.reduce((acc, byte) => acc + byte, 0)
  writeString(block, 148, 7, sum.toString(8).padStart(6, "0") + "\0")
  return block
}

const padding = (size: number): Uint8Array => new Uint8Array((BLOCK - (size % BLOCK)) % BLOCK)

/** One PAX record, `<length> <key>=<value>\n`, whose length counts itself. */
const paxRecord = (key: string, value: string): string => {
  const body = ` ${key}=${value}\n`
  const bodyLength = encoder.encode(body).length
  let length = bodyLength + 1
  while (String(length).length + bodyLength !== length) length += 1
  return `${length}${body}`
}

/** The archive of `entries`, in their order, ended by two zero blocks. */
export const writeTar = (entries: ReadonlyArray<TarEntry>): Uint8Array => {
  const parts: Array<Uint8Array> = []
  for (const entry of entries) {
    const path = entry._tag === "Directory" ? `${entry.path}/` : entry.path
    const linkname = entry._tag === "Symlink" ? entry.target : ""
    const split = ustarSplit(path)
    const longLink = encoder.encode(linkname).length > 100
    if (split === undefined || longLink) {
      const records = encoder.encode(
        (split === undefined ? paxRecord("path", path) : "") + (longLink ? paxRecord("linkpath", linkname) : "")
      )
      parts.push(
        header(
          { name: "PaxHeader", prefix: "", linkname: "" },
          { mode: entry.mode, mtime: entry.mtime },
          records.length,
          "x"
        )
      )
      parts.push(records, padding(records.length))
    }
    const fields = {
      name: split?.name ?? path.slice(-100),
      prefix: split?.prefix ?? "",
      linkname: longLink ? "" : linkname
    }
    const content = entry._tag === "File" ? entry.content : new Uint8Array(0)
    parts.push(header(fields, entry, content.length, TYPE_FLAGS[entry._tag]))
    parts.push(content, padding(content.length))
  }
  parts.push(new Uint8Array(BLOCK * 2))
  return concatBytes(parts)
}

const readString = (block: Uint8Array, offset: number, length: number): string => {
  const field = block.subarray(offset, offset + length)
  const end = field.indexOf(0)
  return decoder.decode(end === -1 ? field : field.subarray(0, end))
}

const readOctal = (block: Uint8Array, offset: number, length: number): number | undefined => {
  const text = readString(block, offset, length).trim()
  if (text === "") return 0
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : undefined
}

/** `./dir/file/` → `dir/file`; `.` and `./` (the archive's root) → `""`. */
const cleanPath = (path: string): string =>
  path
    .split("/")
    .filter((part) => part !== "" && part !== ".")
    .join("/")

const parsePax = (data: Uint8Array): ReadonlyMap<string, string> => {
  const records = new Map<string, string>()
  const text = decoder.decode(data)
  for (const line of text.split("\n")) {
    const match = /^\d+ ([^=]+)=(.*)$/s.exec(line)
    if (match?.[1] !== undefined && match[2] !== undefined) records.set(match[1], match[2])
  }
  return records
}

/** What an archive holds: its entries in order, and how many of an unsupported type were skipped. */
export interface ReadTar {
  readonly entries: ReadonlyArray<TarEntry>
  readonly skipped: number
}

/** The entries of an archive (see the module's description for what is understood). */
export const readTar = (data: Uint8Array): Either.Either<ReadTar, InvalidTar> => {
  const entries: Array<TarEntry> = []
  const files = new Map<string, Uint8Array>()
  let skipped = 0
  let offset = 0
  let pax: ReadonlyMap<string, string> = new Map()
  let longName: string | undefined
  let longLink: string | undefined
  while (offset + BLOCK <= data.length) {
    const block = data.subarray(offset, offset + BLOCK)
    if (block.every((byte) => byte === 0)) return Either.right({ entries, skipped })
    const stored = readOctal(block, 148, 8)
    const sum = block.reduce((acc, byte, i) => acc + (i >= 148 && i < 156 ? 0x20 : byte), 0)
    if (stored !== sum) return Either.left(new InvalidTar({ reason: `bad header checksum at byte ${offset}` }))
    const headerSize = readOctal(block, 124, 12)
    const paxSize = pax.get("size")
    const size = paxSize !== undefined && /^\d+$/.test(paxSize) ? Number(paxSize) : headerSize
    if (size === undefined) return Either.left(new InvalidTar({ reason: `bad size field at byte ${offset}` }))
    const start = offset + BLOCK
    if (start + size > data.length) return Either.left(new InvalidTar({ reason: "the archive ends inside an entry" }))
    const body = data.subarray(start, start + size)
    offset = start + size + ((BLOCK - (size % BLOCK)) % BLOCK)
    const typeflag = readString(block, 156, 1)
    if (typeflag === "x") {
      pax = parsePax(body)
      continue
    }
    if (typeflag === "g") continue
    if (typeflag === "L") {
      longName = readString(body, 0, body.length)
      continue
    }
    if (typeflag === "K") {
      longLink = readString(body, 0, body.length)
      continue
    }
    const magic = readString(block, 257, 6)
    const prefix = magic.startsWith("ustar") ? readString(block, 345, 155) : ""
    const rawName = pax.get("path") ?? longName ?? (prefix === "" ? "" : `${prefix}/`) + readString(block, 0, 100)
    const linkname = pax.get("linkpath") ?? longLink ?? readString(block, 157, 100)
    const paxMtime = pax.get("mtime")
    const mtime = paxMtime !== undefined ? Math.floor(Number(paxMtime)) : (readOctal(block, 136, 12) ?? 0)
    const mode = (readOctal(block, 100, 8) ?? 0) & 0o7777
    pax = new Map()
    longName = undefined
    longLink = undefined
    const path = cleanPath(rawName)
    // an archive comes from the container: a `..` part would write outside the destination
    if (path.split("/").includes("..")) {
      return Either.left(new InvalidTar({ reason: `entry ${JSON.stringify(rawName)} leaves the archive's root` }))
    }
    if (typeflag === "0" || typeflag === "" || typeflag === "7") {
      const content = body.slice()
      files.set(path, content)
      entries.push({ _tag: "File", path, mode, mtime, content })
    } else if (typeflag === "5") {
      entries.push({ _tag: "Directory", path, mode, mtime })
    } else if (typeflag === "2") {
      entries.push({ _tag: "Symlink", path, mode, mtime, target: linkname })
    } else if (typeflag === "1") {
      const content = files.get(cleanPath(linkname))
      if (content === undefined) {
        return Either.left(new InvalidTar({ reason: `hard link ${path} names ${linkname}, not an earlier file` }))
      }
      files.set(path, content)
      entries.push({ _tag: "File", path, mode, mtime, content })
    } else {
      skipped += 1
    }
  }
  // an archive may end without its two zero blocks (some writers stop at the last entry)
  return offset === data.length
    ? Either.right({ entries, skipped })
    : Either.left(new InvalidTar({ reason: "the archive ends inside a header" }))
}
