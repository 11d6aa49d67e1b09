/**
 * The content hash's synchronous `node:fs` path (`internal/hashRead.ts`): the walk's lstat and
 * whole-file reads of files smaller than 1 MiB. `node:fs` is replaced by a pass-through whose
 * calls can be made to fail for one path, to simulate what real permissions cannot (tests run
 * as root here, and root reads anyway).
 */
import type * as NodeFs from "node:fs"
import * as nodeFs from "node:fs"
import * as os from "node:os"
import * as nodePath from "node:path"
import { NodeContext } from "@effect/platform-node"
import { afterAll, afterEach, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { vi } from "vitest"
import * as ContentHash from "../src/ContentHash.js"
import { EMPTY_SECTIONS, fileSegments, reference } from "./support/hashReference.js"

const hooks = vi.hoisted(() => ({
  /** Run before the call on the file at this path; a hook may throw, as `node:fs` does. */
  lstat: new Map<string, () => void>(),
  open: new Map<string, () => void>(),
  read: new Map<string, () => void>(),
  /** The path each open descriptor was opened for. */
  openFiles: new Map<number, string>(),
  /** Every descriptor opened and closed, in order. */
  opened: new Array<number>(),
  closed: new Array<number>()
}))

vi.mock("node:fs", async (importOriginal) => {
  const actual = await importOriginal<typeof NodeFs>()
  return {
    ...actual,
    lstatSync: (path: string) => {
      hooks.lstat.get(path)?.()
      return actual.lstatSync(path)
    },
    openSync: (path: string, flags: NodeFs.OpenMode) => {
      hooks.open.get(path)?.()
      const fd = actual.openSync(path, flags)
      hooks.openFiles.set(fd, path)
      hooks.opened.push(fd)
      return fd
    },
    readSync: (fd: number, buffer: Buffer, offset: number, length: number, position: number | null) => {
      hooks.read.get(hooks.openFiles.get(fd) ?? "")?.()
      return actual.readSync(fd, buffer, offset, length, position)
    },
    closeSync: (fd: number) => {
      hooks.openFiles.delete(fd)
      hooks.closed.push(fd)
      actual.closeSync(fd)
    }
  }
})

afterEach(() => {
  hooks.lstat.clear()
  hooks.open.clear()
  hooks.read.clear()
  hooks.opened.length = 0
  hooks.closed.length = 0
  vi.restoreAllMocks()
})

/** A hook that fails like a `node:fs` call does: by throwing an error with an errno `code`. */
const failWith = (code: string, syscall: string, path: string) => () => {
  const error: NodeJS.ErrnoException = Object.assign(new Error(`${code}: simulated, ${syscall} '${path}'`), {
    code,
    syscall,
    path
  })
  // eslint-disable-next-line no-restricted-syntax -- a stand-in for node:fs, which throws
  throw error
}

// ---------------------------------------------------------------------------------------------
// Build contexts in a temporary directory (the framing reference is shared: support/hashReference).
// ---------------------------------------------------------------------------------------------

const scratch = nodeFs.mkdtempSync(nodePath.join(os.tmpdir(), "ociman-content-hash-reads-"))
afterAll(() => nodeFs.rmSync(scratch, { recursive: true, force: true }))

let contexts = 0
const context = (files: Record<string, string | Uint8Array>): string => {
  contexts += 1
  const root = nodePath.join(scratch, `ctx-${contexts}`)
  for (const [relative, content] of Object.entries(files)) {
    nodeFs.mkdirSync(nodePath.dirname(nodePath.join(root, relative)), { recursive: true })
    nodeFs.writeFileSync(nodePath.join(root, relative), content)
  }
  return root
}

const hashDirectory = (root: string, options?: ContentHash.DirectoryOptions) =>
  ContentHash.directory(root, options).pipe(Effect.provide(NodeContext.layer))

/** Runs `mutate` once, after the walk (the first progress report) and before any file is read. */
const afterWalk = (mutate: () => void) => (progress: ContentHash.Progress) =>
  Effect.sync(() => (progress.files === 0 ? mutate() : undefined))

// ---------------------------------------------------------------------------------------------

describe("directory: small files read with node:fs", () => {
  it.effect("a small file that cannot be opened is ContextUnreadable (simulated EACCES)", () =>
    Effect.gen(function* () {
      const root = context({ Dockerfile: "FROM x\n", "secret.key": "k" })
      const secret = nodePath.join(root, "secret.key")
      hooks.open.set(secret, failWith("EACCES", "open", secret))
      const error = yield* Effect.flip(hashDirectory(root))
      expect(error).toMatchObject({ _tag: "ContextUnreadable", path: secret, reason: "PermissionDenied" })
      expect(error.message).toContain(".dockerignore")
    })
  )

  it.effect("a read that fails is ContextUnreadable, and the file is closed", () =>
    Effect.gen(function* () {
      const root = context({ Dockerfile: "FROM x\n", "disk.img": "bad sector" })
      const image = nodePath.join(root, "disk.img")
      hooks.read.set(image, failWith("EIO", "read", image))
      const error = yield* Effect.flip(hashDirectory(root))
      expect(error).toMatchObject({ _tag: "ContextUnreadable", path: image, reason: "Unknown" })
      expect(error.message).toContain("EIO")
      expect(hooks.closed).toEqual(expect.arrayContaining(hooks.opened))
      expect(hooks.openFiles.size).toBe(0)
    })
  )

  it.effect("an entry that cannot be lstat-ed fails the walk with ContextUnreadable", () =>
    Effect.gen(function* () {
      const root = context({ Dockerfile: "FROM x\n", "sub/file": "x" })
      const file = nodePath.join(root, "sub", "file")
      hooks.lstat.set(file, failWith("EACCES", "lstat", file))
      const error = yield* Effect.flip(hashDirectory(root))
      expect(error).toMatchObject({ _tag: "ContextUnreadable", path: file, reason: "PermissionDenied" })
    })
  )

  it.effect("a small file that shrinks after the walk is FileChangedWhileHashing", () =>
    Effect.gen(function* () {
      const root = context({ Dockerfile: "FROM x\n", "data.txt": "x".repeat(100) })
      const data = nodePath.join(root, "data.txt")
      const error = yield* Effect.flip(
        hashDirectory(root, { onProgress: afterWalk(() => nodeFs.truncateSync(data, 10)) })
      )
      expect(error).toMatchObject({
        _tag: "FileChangedWhileHashing",
        path: data,
        expectedBytes: 100,
        observedBytes: 10
      })
      expect(error.message).toContain("shrank to 10")
    })
  )

  it.effect("a small file that grows past 1 MiB after the walk is FileChangedWhileHashing", () =>
    Effect.gen(function* () {
      const root = context({ Dockerfile: "FROM x\n", "data.bin": "0123456789" })
      const data = nodePath.join(root, "data.bin")
      const grow = () => nodeFs.appendFileSync(data, new Uint8Array(2 * 1024 * 1024))
      const error = yield* Effect.flip(hashDirectory(root, { onProgress: afterWalk(grow) }))
      expect(error).toMatchObject({
        _tag: "FileChangedWhileHashing",
        path: data,
        expectedBytes: 10,
        observedBytes: 10 + 2 * 1024 * 1024
      })
    })
  )

  it.effect("runs cut after every entry keep the walk order, the tag and the progress", () =>
    Effect.gen(function* () {
      const big = new Uint8Array(1024 * 1024 + 5).map((_, index) => index % 253)
      const files: Record<string, string | Uint8Array> = {
        Dockerfile: "FROM x\n",
        "a/empty": "",
        "a/one": "1",
        "b/big.bin": big,
        "b/c/deep": "deep",
        "d/run.sh": "#!/bin/sh\n",
        z: "last"
      }
      const root = context(files)
      nodeFs.chmodSync(nodePath.join(root, "d/run.sh"), 0o755)
      nodeFs.symlinkSync("../z", nodePath.join(root, "a/link"))
      const expected = reference([
        "directory",
        ...fileSegments("Dockerfile", "FROM x\n"),
        ...fileSegments("a/empty", ""),
        "symlink.path",
        "a/link",
        "symlink.target",
        "../z",
        ...fileSegments("a/one", "1"),
        ...fileSegments("b/big.bin", big),
        ...fileSegments("b/c/deep", "deep"),
        ...fileSegments("d/run.sh", "#!/bin/sh\n", true),
        ...fileSegments("z", "last"),
        ...EMPTY_SECTIONS
      ])
      expect((yield* hashDirectory(root)).tag).toBe(expected)

      // A clock that jumps 10 ms at every look ends each run after its first entry.
      let now = 0
      vi.spyOn(performance, "now").mockImplementation(() => (now += 10))
      const events: Array<ContentHash.Progress> = []
      const result = yield* hashDirectory(root, { onProgress: (p) => Effect.sync(() => events.push(p)) })
      vi.restoreAllMocks()
      expect(result).toMatchObject({ tag: expected, files: 8, symlinks: 1 })
      // One report per entry (and per chunk of the large file): every count from 0 to 8 shows.
      expect([...new Set(events.map((event) => event.files))]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8])
    })
  )

  it.effect("keeps walk order across runs of small files and streamed files", () =>
    Effect.gen(function* () {
      // 300 small files with a file of 1 MiB or more (streamed) every 97th, the first of them
      // exactly 1 MiB: the smallest size that no longer fits the buffer with its growth byte.
      const files: Record<string, Uint8Array> = {}
      for (let index = 0; index < 300; index += 1) {
        const size = index % 97 === 0 ? 1024 * 1024 + index : index % 7
        files[`f${String(index).padStart(3, "0")}`] = new Uint8Array(size).fill(index % 256)
      }
      const result = yield* hashDirectory(context(files))
      expect(result.tag).toBe(
        reference([
          "directory",
          ...Object.keys(files)
            .sort()
            .flatMap((name) => fileSegments(name, files[name] ?? new Uint8Array())),
          ...EMPTY_SECTIONS
        ])
      )
    })
  )

  it.effect("a directory larger than one lstat slice is walked in order", () =>
    Effect.gen(function* () {
      const files: Record<string, string> = {}
      for (let index = 1299; index >= 0; index -= 1) files[`f${String(index).padStart(4, "0")}`] = String(index % 10)
      const root = context(files)
      const names = Object.keys(files).sort()
      const result = yield* hashDirectory(root)
      expect(result.tag).toBe(
        reference(["directory", ...names.flatMap((name) => fileSegments(name, files[name] ?? "")), ...EMPTY_SECTIONS])
      )
    })
  )
})
