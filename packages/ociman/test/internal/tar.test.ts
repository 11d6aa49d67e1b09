/**
 * The minimal tar writer and reader behind the file copies (`internal/tar.ts`): round trips, the
 * long-name forms Go's `archive/tar` writes (PAX, GNU), hard links, and archives it refuses.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { writeHostTree } from "../../src/internal/hostFiles.js"
import { readTar, type TarEntry, writeTar } from "../../src/internal/tar.js"

const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i)
const entries: ReadonlyArray<TarEntry> = [
  { _tag: "Directory", path: "tree", mode: 0o750, mtime: 1_700_000_000 },
  { _tag: "File", path: "tree/bytes.bin", mode: 0o600, mtime: 1_700_000_001, content: allBytes },
  { _tag: "File", path: "tree/empty", mode: 0o644, mtime: 1_700_000_002, content: new Uint8Array(0) },
  { _tag: "File", path: "tree/exact-block", mode: 0o755, mtime: 0, content: new Uint8Array(512).fill(7) },
  { _tag: "Symlink", path: "tree/link", mode: 0o777, mtime: 1_700_000_003, target: "bytes.bin" }
]

const read = (data: Uint8Array) => Either.getOrThrow(readTar(data))

/** A 512-byte header with a valid checksum (for forms the writer never produces). */
const rawHeader = (name: string, size: number, typeflag: string, linkname = ""): Uint8Array => {
  const block = new Uint8Array(512)
  const put = (offset: number, text: string) => block.set(new TextEncoder().encode(text), offset)
  put(0, name)
  put(100, "0000644\0")
  put(124, size.toString(8).padStart(11, "0") + "\0")
  put(136, "00000000000\0")
  block.fill(0x20, 148, 156)
  put(156, typeflag)
  put(157, linkname)
  put(257, "ustar  \0")
  const sum = block.reduce((acc, byte) => acc + byte, 0)
  put(148, sum.toString(8).padStart(6, "0") + "\0 ")
  return block
}

const concat = (...parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((acc, part) => acc + part.length, 0))
  parts.reduce((offset, part) => (out.set(part, offset), offset + part.length), 0)
  return out
}

const padded = (bytes: Uint8Array): Uint8Array => concat(bytes, new Uint8Array((512 - (bytes.length % 512)) % 512))

describe("tar", () => {
  it("round-trips files, directories and links with their modes, mtimes and exact bytes", () => {
    const archive = writeTar(entries)
    expect(archive.length % 512).toBe(0)
    expect(read(archive)).toEqual({ entries, skipped: 0 })
  })

  it("keeps a path longer than 100 bytes (ustar prefix) and one no split can hold (PAX)", () => {
    const split = `${"d".repeat(120)}/${"f".repeat(90)}`
    const pax = `${"x".repeat(300)}`
    const longLink = "t".repeat(150)
    const long: ReadonlyArray<TarEntry> = [
      { _tag: "File", path: split, mode: 0o644, mtime: 1, content: new Uint8Array([1]) },
      { _tag: "File", path: pax, mode: 0o644, mtime: 2, content: new Uint8Array([2]) },
      { _tag: "Symlink", path: "l", mode: 0o777, mtime: 3, target: longLink }
    ]
    expect(read(writeTar(long)).entries).toEqual(long)
  })

  it("reads GNU long names, and makes a hard link a copy of its file", () => {
    const nameBytes = new TextEncoder().encode(`${"n".repeat(130)}\0`)
    const content = new TextEncoder().encode("hi")
    const archive = concat(
      rawHeader("././@LongLink", nameBytes.length, "L"),
      padded(nameBytes),
      rawHeader("ignored", content.length, "0"),
      padded(content),
      new Uint8Array(1024)
    )
    expect(read(archive).entries).toMatchObject([{ _tag: "File", path: "n".repeat(130), content }])
    const linked = concat(
      rawHeader("short", content.length, "0"),
      padded(content),
      rawHeader("hard", 0, "1", "short"),
      new Uint8Array(1024)
    )
    expect(read(linked).entries[1]).toMatchObject({ _tag: "File", path: "hard", content })
    // a link to no earlier file is refused
    expect(Either.isLeft(readTar(concat(rawHeader("hard", 0, "1", "missing"), new Uint8Array(1024))))).toBe(true)
  })

  it("skips device files and FIFOs, and strips ./ from names", () => {
    const archive = concat(rawHeader("./dev/null", 0, "3"), rawHeader("./a/", 0, "5"), new Uint8Array(1024))
    expect(read(archive)).toEqual({ entries: [{ _tag: "Directory", path: "a", mode: 0o644, mtime: 0 }], skipped: 1 })
  })

  it("refuses a bad checksum and a truncated archive", () => {
    const archive = writeTar(entries)
    const corrupt = archive.slice()
    corrupt[0] = 0x41
    expect(Either.getLeft(readTar(corrupt)).pipe((left) => left._tag === "Some" && left.value.reason)).toMatch(
      /checksum/
    )
    expect(Either.isLeft(readTar(archive.subarray(0, 700)))).toBe(true)
  })

  it("writes archives the system's tar extracts, and reads the ones it writes", () => {
    const dir = mkdtempSync(join(tmpdir(), "ociman-tar-"))
    try {
      const archivePath = join(dir, "out.tar")
      writeFileSync(archivePath, writeTar(entries))
      execFileSync("tar", ["-xpf", archivePath, "-C", dir])
      expect(new Uint8Array(readFileSync(join(dir, "tree/bytes.bin")))).toEqual(allBytes)
      expect(statSync(join(dir, "tree/bytes.bin")).mode & 0o7777).toBe(0o600)
      expect(statSync(join(dir, "tree")).mode & 0o7777).toBe(0o750)
      const back = execFileSync("tar", ["-cf", "-", "-C", dir, "tree"])
      const names = read(new Uint8Array(back)).entries.map((entry) => `${entry._tag}:${entry.path}`)
      expect(names.sort()).toEqual(entries.map((entry) => `${entry._tag}:${entry.path}`).sort())
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe("an archive from a container is not trusted", () => {
  it("a `..` part in an entry is refused by the reader", () => {
    const archive = new Uint8Array([...rawHeader("top/../../outside/dotdot.txt", 0, "0"), ...new Uint8Array(1024)])
    const result = readTar(archive)
    expect(Either.isLeft(result) && result.left.reason).toContain("leaves the archive's root")
  })

  it.effect("writeHostTree: a link made by the archive is never written through; no set-user-ID bit", () =>
    Effect.gen(function* () {
      const root = mkdtempSync(join(tmpdir(), "ociman-tar-"))
      const outside = join(root, "outside")
      mkdirSync(outside)
      try {
        const viaLink: ReadonlyArray<TarEntry> = [
          { _tag: "Directory", path: "top", mode: 0o755, mtime: 0 },
          { _tag: "Symlink", path: "top/link", mode: 0o777, mtime: 0, target: outside },
          { _tag: "File", path: "top/link/via-link.txt", mode: 0o644, mtime: 0, content: new Uint8Array([1]) }
        ]
        const failed = yield* Effect.either(writeHostTree(viaLink, join(root, "copy")))
        expect(Either.isLeft(failed) && failed.left._tag).toBe("HostFileFailed")
        expect(existsSync(join(outside, "via-link.txt"))).toBe(false)

        // a link an earlier copy left in the destination is not written through either
        const first: ReadonlyArray<TarEntry> = [
          { _tag: "Directory", path: "top", mode: 0o755, mtime: 0 },
          { _tag: "Symlink", path: "top/link", mode: 0o777, mtime: 0, target: outside }
        ]
        yield* writeHostTree(first, join(root, "again"))
        const second: ReadonlyArray<TarEntry> = [
          { _tag: "Directory", path: "top", mode: 0o755, mtime: 0 },
          { _tag: "Directory", path: "top/link", mode: 0o700, mtime: 0 },
          { _tag: "File", path: "top/link/pwned.txt", mode: 0o644, mtime: 0, content: new Uint8Array([1]) }
        ]
        const refused = yield* Effect.either(writeHostTree(second, join(root, "again")))
        expect(Either.isLeft(refused) && refused.left._tag).toBe("HostFileFailed")
        expect(existsSync(join(outside, "pwned.txt"))).toBe(false)
        expect(statSync(outside).mode & 0o777).not.toBe(0o700)

        const setuid: ReadonlyArray<TarEntry> = [
          { _tag: "File", path: "tool", mode: 0o4755, mtime: 0, content: new Uint8Array([1]) }
        ]
        yield* writeHostTree(setuid, join(root, "tool"))
        expect(statSync(join(root, "tool")).mode & 0o7777).toBe(0o755)
      } finally {
        rmSync(root, { recursive: true, force: true })
      }
    })
  )
})
