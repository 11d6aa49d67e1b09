import * as nodeFs from "node:fs"
import * as os from "node:os"
import * as nodePath from "node:path"
import { fileURLToPath } from "node:url"
import { SystemError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { NodeContext } from "@effect/platform-node"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer } from "effect"
import * as ContentHash from "../src/ContentHash.js"
import { EMPTY_SECTIONS, fileSegments, reference } from "./support/hashReference.js"
import { noIgnoreRules } from "../src/internal/hash/ignore.js"
import { walk } from "../src/internal/hash/walk.js"

// ---------------------------------------------------------------------------------------------
// Build contexts in a temporary directory, removed after the file's tests.
// ---------------------------------------------------------------------------------------------

const scratch = nodeFs.mkdtempSync(nodePath.join(os.tmpdir(), "ociman-content-hash-"))
afterAll(() => {
  // Restore permissions a test may have removed, so the directory can be deleted.
  nodeFs.chmodSync(scratch, 0o755)
  for (const entry of nodeFs.readdirSync(scratch, { recursive: true, withFileTypes: true })) {
    if (entry.isDirectory()) nodeFs.chmodSync(nodePath.join(entry.parentPath, entry.name), 0o755)
  }
  nodeFs.rmSync(scratch, { recursive: true, force: true })
})

let contexts = 0
/** Creates a context from `relative path → content`; `null` content makes a directory. */
const context = (files: Record<string, string | Uint8Array | null>): string => {
  contexts += 1
  const root = nodePath.join(scratch, `ctx-${contexts}`)
  nodeFs.mkdirSync(root)
  for (const [relative, content] of Object.entries(files)) {
    const absolute = nodePath.join(root, relative)
    if (content === null) {
      nodeFs.mkdirSync(absolute, { recursive: true })
    } else {
      nodeFs.mkdirSync(nodePath.dirname(absolute), { recursive: true })
      nodeFs.writeFileSync(absolute, content)
    }
  }
  return root
}

const hashDirectory = (root: string, options?: ContentHash.DirectoryOptions) =>
  ContentHash.directory(root, options).pipe(Effect.provide(NodeContext.layer))

const tagOf = (root: string, options?: ContentHash.DirectoryOptions) =>
  Effect.map(hashDirectory(root, options), (result) => result.tag)

/** NodeContext with `FileSystem` methods replaced, to simulate failures and races. */
const patchedContext = (patch: (fs: FileSystem.FileSystem) => Partial<FileSystem.FileSystem>) =>
  Layer.effect(
    FileSystem.FileSystem,
    Effect.map(FileSystem.FileSystem, (fs) => ({ ...fs, ...patch(fs) }))
  ).pipe(Layer.provideMerge(NodeContext.layer))

const isRoot = process.getuid?.() === 0

// ---------------------------------------------------------------------------------------------
// Segment framing (inventory §5.1: ociman's hasher.rs vectors)
// ---------------------------------------------------------------------------------------------

describe("SegmentHasher", () => {
  const vectors: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
    [[], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
    [[""], "af5570f5a1810b7af78caf4bc70a660f0df51e42baf91d4de5b2328de0e83dfc"],
    [["hello"], "fe745503750fdbf3e6ef676d16d85ee0d63626c594222f7e991908bdffef7ac9"],
    [["ab", "c"], "43ee655579de01ca739b3f95c1c2d3f46d353b2c0df818064ea594506cdb2617"],
    [["a", "bc"], "9a8acca1b6c6c0befd3fbc756aed625da998c998f7252e738c4ef061906b9b21"]
  ]
  for (const [pushes, expected] of vectors) {
    it(`pushes ${JSON.stringify(pushes)}`, () => {
      const hasher = ContentHash.SegmentHasher.make()
      for (const segment of pushes) hasher.push(segment)
      expect(hasher.digestHex()).toBe(expected)
      expect(reference(pushes)).toBe(expected)
    })
  }

  it("hashes bytes like the equal string, and digests without ending the hash", () => {
    const hasher = ContentHash.SegmentHasher.make().push(new TextEncoder().encode("ab"))
    expect(hasher.digestHex()).toBe(reference(["ab"]))
    expect(hasher.push("c").digestHex()).toBe("43ee655579de01ca739b3f95c1c2d3f46d353b2c0df818064ea594506cdb2617")
    expect(Buffer.from(hasher.digest()).toString("hex")).toBe(hasher.digestHex())
  })

  it("frames strings as UTF-8 bytes", () => {
    expect(ContentHash.SegmentHasher.make().push("é😀").digestHex()).toBe(reference(["é😀"]))
  })
})

// ---------------------------------------------------------------------------------------------
// Instruction hash (inventory §5.2 / §5.4)
// ---------------------------------------------------------------------------------------------

describe("instructions", () => {
  const FROM = "FROM alpine:latest\n"

  it("matches ociman's vectors", () => {
    expect(ContentHash.instructions({ dockerfile: FROM })).toBe(
      "afebbeab875bca34d9148b626a501d2008f0e5f2da1e0edfc37150a5bc409187"
    )
    expect(ContentHash.instructions({ dockerfile: "" })).toBe(
      "f01ca1f1597404a0dc16d29d30fccfe91ba8c31e100fe92a1e9efcdcbe87e39f"
    )
    expect(ContentHash.instructions({ dockerfile: FROM, buildArgs: [["VERSION", "1.0"]] })).toBe(
      "47392ae7d1d59b9a9d66d02bfe869afb053fb1180626c2a059ee16228de1d511"
    )
    expect(ContentHash.instructions({ dockerfile: FROM, labels: new Map([["ociman-test.role", "a"]]) })).toBe(
      "62666cd6e27e3ba6271e42b560c93a62dee9b184aa514aa4c19e049429a0543b"
    )
    expect(
      ContentHash.instructions({
        dockerfile: FROM,
        buildArgs: [
          ["B", "2"],
          ["A", "1"]
        ],
        labels: [
          ["b.key", "second"],
          ["a.key", "first"]
        ]
      })
    ).toBe("78a279ae8c76f1aea7b43b4bb37ab66b6123e85f8b3788748dc434aa9dac7a16")
  })

  it("keeps ociman's section collision (no counts), for compatibility", () => {
    // Inventory §5.5: both give c26b3064…c6d1e5.
    const args = ContentHash.instructions({ dockerfile: "FROM x\n", buildArgs: [["labels", "X"]] })
    expect(args).toBe(ContentHash.instructions({ dockerfile: "FROM x\n", labels: [["X", "labels"]] }))
    expect(args.startsWith("c26b3064")).toBe(true)
    expect(args.endsWith("c6d1e5")).toBe(true)
  })

  it("sorts keys by UTF-8 bytes, not UTF-16 code units, and the later duplicate wins", () => {
    // "\uE000" is EE 80 80 in UTF-8 and sorts before "😀" (F0 …); in UTF-16 "😀" (D83D …) is first.
    const tag = ContentHash.instructions({
      dockerfile: FROM,
      buildArgs: [
        ["😀", "emoji"],
        ["\uE000", "private"],
        ["A", "first"],
        ["A", "second"]
      ]
    })
    expect(tag).toBe(
      reference(["content", FROM, "build-arguments", "A", "second", "\uE000", "private", "😀", "emoji", "labels"])
    )
    expect(tag).toBe("98a5f6af95443653e8467986c6954d2019cdb549e9b61a048d53bc56d59c18f4")
  })

  it("folds in target and platform only when given (deviation)", () => {
    const tag = ContentHash.instructions({ dockerfile: FROM, target: "runtime", platform: "linux/arm64" })
    expect(tag).toBe(
      reference(["content", FROM, "build.target", "runtime", "build.platform", "linux/arm64", ...EMPTY_SECTIONS])
    )
    expect(tag).toBe("11294f411d4ba2bc8d3eb5afee149915e666febfeb5f124049807f5fbf17d7c8")
    expect(ContentHash.instructions({ dockerfile: FROM, target: "runtime" })).toBe(
      reference(["content", FROM, "build.target", "runtime", ...EMPTY_SECTIONS])
    )
  })
})

// ---------------------------------------------------------------------------------------------
// Directory hash: ociman-compatible plain contexts (inventory §5.3 / §5.4)
// ---------------------------------------------------------------------------------------------

const fixture = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url))

describe("directory: plain contexts keep ociman's tag", () => {
  it.effect("ociman's test-build fixture", () =>
    Effect.gen(function* () {
      const result = yield* hashDirectory(fixture("test-build"))
      expect(result).toEqual({
        tag: "2a754bbfb146ae9516feea92b3f9fae869ab013251c54dd7d6ee29ae8049be8e",
        files: 1,
        symlinks: 0,
        bytes: 125
      })
    })
  )

  it.effect("ociman's test-build-hash fixture", () =>
    Effect.gen(function* () {
      expect(yield* tagOf(fixture("test-build-hash"))).toBe(
        "0c7af6cd4d9eba023f339e84ca6ffb08cff4fc4abd52d4e9d71e5a16ba7d8cc0"
      )
    })
  )

  it.effect("an empty directory", () =>
    Effect.gen(function* () {
      expect(yield* tagOf(context({}))).toBe("5e9f45881ad4889735fc53f196928e97fd11d5a597930dd46f601ca38e39786f")
    })
  )

  it.effect("empty directories are not represented", () =>
    Effect.gen(function* () {
      expect(yield* tagOf(context({ "empty/nested": null }))).toBe(
        "5e9f45881ad4889735fc53f196928e97fd11d5a597930dd46f601ca38e39786f"
      )
    })
  )

  it.effect("walks depth-first with siblings sorted by name bytes, then args and labels", () =>
    Effect.gen(function* () {
      const files = { "a.txt": "4", "a-c": "3", "a/sub/c": "2", "a/b": "1", Dockerfile: "FROM x\n", B: "0" }
      const root = context(files)
      const path = yield* Path.Path
      const fs = yield* FileSystem.FileSystem
      const entries = yield* walk(fs, path, root, noIgnoreRules)
      expect(entries.map((entry) => entry.path)).toEqual(["B", "Dockerfile", "a/b", "a/sub/c", "a-c", "a.txt"])

      const result = yield* ContentHash.directory(root, {
        buildArgs: [["V", "1"]],
        labels: [["role", "x"]]
      })
      expect(result.tag).toBe(
        reference([
          "directory",
          ...fileSegments("B", "0"),
          ...fileSegments("Dockerfile", "FROM x\n"),
          ...fileSegments("a/b", "1"),
          ...fileSegments("a/sub/c", "2"),
          ...fileSegments("a-c", "3"),
          ...fileSegments("a.txt", "4"),
          "build-arguments",
          "V",
          "1",
          "labels",
          "role",
          "x"
        ])
      )
      expect(result).toMatchObject({ files: 6, symlinks: 0, bytes: 12 })
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.effect("sorts names by UTF-8 bytes", () =>
    Effect.gen(function* () {
      const root = context({ "😀": "emoji", "\uE000": "private", z: "z", é: "e" })
      const entries = yield* walk(yield* FileSystem.FileSystem, yield* Path.Path, root, noIgnoreRules)
      expect(entries.map((entry) => entry.path)).toEqual(["z", "é", "\uE000", "😀"])
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.effect("streams files larger than a chunk and reports progress", () =>
    Effect.gen(function* () {
      const big = new Uint8Array(2.5 * 1024 * 1024 + 3).map((_, index) => (index * 31) % 251)
      const root = context({ Dockerfile: "FROM x\n", "big.bin": big, "small.txt": "small" })
      const events: Array<ContentHash.Progress> = []
      const result = yield* hashDirectory(root, {
        onProgress: (progress) => Effect.sync(() => events.push(progress))
      })
      expect(result.tag).toBe(
        reference([
          "directory",
          ...fileSegments("Dockerfile", "FROM x\n"),
          ...fileSegments("big.bin", big),
          ...fileSegments("small.txt", "small"),
          ...EMPTY_SECTIONS
        ])
      )
      const totalBytes = big.byteLength + 12
      expect(result).toMatchObject({ files: 3, bytes: totalBytes })
      expect(events[0]).toEqual({ files: 0, bytes: 0, totalFiles: 3, totalBytes })
      expect(events.at(-1)).toEqual({ files: 3, bytes: totalBytes, totalFiles: 3, totalBytes })
      // One event when the Dockerfile is done, then one per chunk of the large file (1 MiB,
      // 2 MiB, the rest) while one file is complete.
      expect(events.filter((event) => event.files === 1).map((event) => event.bytes)).toEqual([
        7,
        7 + 1024 * 1024,
        7 + 2 * 1024 * 1024,
        7 + big.byteLength
      ])
      for (let index = 1; index < events.length; index += 1) {
        expect(events[index]?.bytes).toBeGreaterThanOrEqual(events[index - 1]?.bytes ?? 0)
      }
    })
  )

  it.effect("keeps walk order across read batches and streamed files", () =>
    Effect.gen(function* () {
      // 600 small files (several read batches) with a 100 KiB file (streamed) every 97th.
      const files: Record<string, Uint8Array> = {}
      for (let index = 0; index < 600; index += 1) {
        const size = index % 97 === 0 ? 100 * 1024 : index % 7
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
      expect(result.files).toBe(600)
    })
  )
})

// ---------------------------------------------------------------------------------------------
// Directory hash: deliberate deviations, each pinned by an absolute digest
// ---------------------------------------------------------------------------------------------

describe("directory: failures are typed", () => {
  it.effect("a missing context is ContextNotFound (ociman: the empty-directory tag)", () =>
    Effect.gen(function* () {
      const missing = nodePath.join(scratch, "does-not-exist")
      const error = yield* Effect.flip(hashDirectory(missing))
      expect(error).toBeInstanceOf(ContentHash.ContextNotFound)
      expect(error).toMatchObject({ _tag: "ContextNotFound", path: missing })
      expect(error.message).toContain("does not exist")
    })
  )

  it.effect("a file as context is ContextNotADirectory", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(hashDirectory(nodePath.join(fixture("test-build"), "Dockerfile")))
      expect(error._tag).toBe("ContextNotADirectory")
    })
  )

  it.effect("a missing dockerfilePath is DockerfileNotFound", () =>
    Effect.gen(function* () {
      const root = context({ Dockerfile: "FROM x\n" })
      const error = yield* Effect.flip(hashDirectory(root, { dockerfilePath: "Nope.Dockerfile" }))
      expect(error).toMatchObject({ _tag: "DockerfileNotFound", path: nodePath.join(root, "Nope.Dockerfile") })
    })
  )

  it.effect("an unreadable file is ContextUnreadable (simulated: open fails with EACCES)", () =>
    Effect.gen(function* () {
      // 1 MiB: files that large are read through the FileSystem service, which this patches.
      // Smaller ones are read with node:fs; ContentHashReads.test.ts simulates their failures.
      const root = context({ Dockerfile: "FROM x\n", "secret.key": new Uint8Array(1024 * 1024) })
      const secret = nodePath.join(root, "secret.key")
      const denied = (path: string) =>
        new SystemError({
          reason: "PermissionDenied",
          module: "FileSystem",
          method: "open",
          pathOrDescriptor: path,
          description: "EACCES: permission denied"
        })
      const layer = patchedContext((fs) => ({
        open: (path, options) => (path === secret ? Effect.fail(denied(path)) : fs.open(path, options)),
        readFile: (path) => (path === secret ? Effect.fail(denied(path)) : fs.readFile(path))
      }))
      const error = yield* Effect.flip(ContentHash.directory(root).pipe(Effect.provide(layer)))
      expect(error).toMatchObject({ _tag: "ContextUnreadable", path: secret, reason: "PermissionDenied" })
      expect(error.message).toContain(".dockerignore")
    })
  )

  // Real permissions: what chmod 000 does depends on who runs the tests (root reads anyway), so
  // each test asserts the outcome for the current user; the simulated test above covers EACCES
  // for everyone.
  it.effect("a chmod 000 directory: ContextUnreadable for a normal user, hashed as root", () =>
    Effect.gen(function* () {
      const root = context({ Dockerfile: "FROM x\n", "locked/file": "x" })
      nodeFs.chmodSync(nodePath.join(root, "locked"), 0o000)
      const result = yield* Effect.either(hashDirectory(root))
      nodeFs.chmodSync(nodePath.join(root, "locked"), 0o755)
      if (isRoot) {
        expect(Either.getOrThrow(result).tag).toBe(
          reference([
            "directory",
            ...fileSegments("Dockerfile", "FROM x\n"),
            ...fileSegments("locked/file", "x"),
            ...EMPTY_SECTIONS
          ])
        )
      } else {
        expect(Either.flip(result)).toMatchObject(
          Either.right({ _tag: "ContextUnreadable", reason: "PermissionDenied" })
        )
      }
    })
  )

  it.effect("a chmod 000 file: ContextUnreadable for a normal user, hashed as root", () =>
    Effect.gen(function* () {
      const root = context({ Dockerfile: "FROM x\n", "secret.key": "k" })
      nodeFs.chmodSync(nodePath.join(root, "secret.key"), 0o000)
      const result = yield* Effect.either(hashDirectory(root))
      if (isRoot) {
        expect(Either.getOrThrow(result).tag).toBe(
          reference([
            "directory",
            ...fileSegments("Dockerfile", "FROM x\n"),
            ...fileSegments("secret.key", "k"),
            ...EMPTY_SECTIONS
          ])
        )
      } else {
        expect(Either.flip(result)).toMatchObject(
          Either.right({
            _tag: "ContextUnreadable",
            path: nodePath.join(root, "secret.key"),
            reason: "PermissionDenied"
          })
        )
      }
    })
  )

  /** Changes `file` right before it is opened or read, after the walk's lstat. */
  const changing = (root: string, file: string, mutate: (absolute: string) => void) => {
    const before = (path: string) => Effect.sync(() => (path === nodePath.join(root, file) ? mutate(path) : undefined))
    return patchedContext((fs) => ({
      open: (path, options) => Effect.zipRight(before(path), fs.open(path, options)),
      readFile: (path) => Effect.zipRight(before(path), fs.readFile(path))
    }))
  }

  it.effect("a small file that grows while hashed is FileChangedWhileHashing", () =>
    Effect.gen(function* () {
      const root = context({ Dockerfile: "FROM x\n", "app.log": "line 1\n" })
      // Small files are read with node:fs, not the FileSystem service: grow the file after the
      // walk (the first progress report) instead of when the service opens it.
      const grow = (progress: ContentHash.Progress) =>
        Effect.sync(() =>
          progress.files === 0 ? nodeFs.appendFileSync(nodePath.join(root, "app.log"), "line 2\n") : undefined
        )
      const error = yield* Effect.flip(hashDirectory(root, { onProgress: grow }))
      expect(error).toMatchObject({
        _tag: "FileChangedWhileHashing",
        path: nodePath.join(root, "app.log"),
        expectedBytes: 7,
        observedBytes: 14
      })
      expect(error.message).toContain("grew")
    })
  )

  it.effect("a large file that grows while hashed is FileChangedWhileHashing", () =>
    Effect.gen(function* () {
      const root = context({ Dockerfile: "FROM x\n", "data.bin": new Uint8Array(3 * 1024 * 1024) })
      const layer = changing(root, "data.bin", (path) => nodeFs.appendFileSync(path, "more"))
      const error = yield* Effect.flip(ContentHash.directory(root).pipe(Effect.provide(layer)))
      expect(error).toMatchObject({ _tag: "FileChangedWhileHashing", expectedBytes: 3 * 1024 * 1024 })
    })
  )

  it.effect("a file that shrinks while hashed is FileChangedWhileHashing", () =>
    Effect.gen(function* () {
      const root = context({ Dockerfile: "FROM x\n", "data.bin": new Uint8Array(2 * 1024 * 1024) })
      const layer = changing(root, "data.bin", (path) => nodeFs.truncateSync(path, 1000))
      const error = yield* Effect.flip(ContentHash.directory(root).pipe(Effect.provide(layer)))
      expect(error).toMatchObject({
        _tag: "FileChangedWhileHashing",
        expectedBytes: 2 * 1024 * 1024,
        observedBytes: 1000
      })
      expect(error.message).toContain("shrank to 1000")
    })
  )
})

describe("directory: .dockerignore", () => {
  it.effect("ignored files do not affect the tag", () =>
    Effect.gen(function* () {
      const root = context({ ".dockerignore": "*.log\n", Dockerfile: "FROM x\n", "app.txt": "app", "debug.log": "1" })
      const before = yield* tagOf(root)
      nodeFs.writeFileSync(nodePath.join(root, "debug.log"), "2")
      nodeFs.writeFileSync(nodePath.join(root, "new.log"), "3")
      expect(yield* tagOf(root)).toBe(before)
      expect(before).toBe(
        reference([
          "directory",
          ...fileSegments(".dockerignore", "*.log\n"),
          ...fileSegments("Dockerfile", "FROM x\n"),
          ...fileSegments("app.txt", "app"),
          ...EMPTY_SECTIONS
        ])
      )
      expect(before).toBe("aaa23ff94b1641b9a63ba2c52064683f24d18939aeda3f5d9105362a5c6da73d")
    })
  )

  it.effect("`!` re-includes a file below an excluded directory", () =>
    Effect.gen(function* () {
      const ignore = "logs\n!logs/keep.log\n"
      const root = context({ ".dockerignore": ignore, Dockerfile: "FROM x\n", "logs/keep.log": "k", "logs/x.log": "x" })
      const result = yield* hashDirectory(root)
      expect(result.tag).toBe(
        reference([
          "directory",
          ...fileSegments(".dockerignore", ignore),
          ...fileSegments("Dockerfile", "FROM x\n"),
          ...fileSegments("logs/keep.log", "k"),
          ...EMPTY_SECTIONS
        ])
      )
      expect(result.tag).toBe("6e3daf1dbf542d2c689e09372bc0cf3bf45f444e133e1b0cb65d8741ed3f8aa4")
      expect(result.files).toBe(3)
    })
  )

  it.effect("the Dockerfile and .dockerignore are hashed even when they match", () =>
    Effect.gen(function* () {
      const ignore = ".dockerignore\nDockerfile\n*\n"
      const root = context({ ".dockerignore": ignore, Dockerfile: "FROM x\n", other: "o" })
      const before = yield* tagOf(root)
      expect(before).toBe(
        reference([
          "directory",
          ...fileSegments(".dockerignore", ignore),
          ...fileSegments("Dockerfile", "FROM x\n"),
          ...EMPTY_SECTIONS
        ])
      )
      expect(before).toBe("5f4841e573a4bb835a90093cb24c42f98a6451b08570bbc2a6d5b073df7b1934")
      nodeFs.writeFileSync(nodePath.join(root, ".dockerignore"), `# comment\n${ignore}`)
      expect(yield* tagOf(root)).not.toBe(before)
    })
  )

  it.effect("an ignored directory is not walked at all", () =>
    Effect.gen(function* () {
      const root = context({ ".dockerignore": "node_modules\n", Dockerfile: "FROM x\n", "node_modules/x/y": "y" })
      const modules = nodePath.join(root, "node_modules")
      // Listing node_modules would fail: the walk must prune it.
      const layer = patchedContext((fs) => ({
        readDirectory: (path, options) =>
          path === modules ? Effect.die("node_modules was listed") : fs.readDirectory(path, options)
      }))
      const result = yield* ContentHash.directory(root).pipe(Effect.provide(layer))
      expect(result.files).toBe(2)
    })
  )

  it.effect("a Dockerfile-specific ignore file wins over .dockerignore", () =>
    Effect.gen(function* () {
      const root = context({
        ".dockerignore": "a.txt\n",
        "app.Dockerfile": "FROM x\n",
        "app.Dockerfile.dockerignore": "b.txt\n",
        "a.txt": "a",
        "b.txt": "b"
      })
      const tag = yield* tagOf(root, { dockerfilePath: "app.Dockerfile" })
      expect(tag).toBe(
        reference([
          "directory",
          ...fileSegments(".dockerignore", "a.txt\n"),
          ...fileSegments("a.txt", "a"),
          ...fileSegments("app.Dockerfile", "FROM x\n"),
          ...fileSegments("app.Dockerfile.dockerignore", "b.txt\n"),
          "dockerfile.path",
          "app.Dockerfile",
          ...EMPTY_SECTIONS
        ])
      )
      expect(tag).toBe("c524d257e526df85c5d2adccbdb4551500df8d6e805fe11bc86f25e630a3fcce")
    })
  )

  it.effect("a file counts as ignored only when Docker's and Podman's rules both ignore it", () =>
    Effect.gen(function* () {
      // Docker reads .dockerignore (drops a.log), Podman prefers .containerignore (drops b.log).
      const root = context({
        ".containerignore": "b.log\nc.log\n",
        ".dockerignore": "a.log\nc.log\n",
        Dockerfile: "FROM x\n",
        "a.log": "a",
        "b.log": "b",
        "c.log": "c"
      })
      const result = yield* hashDirectory(root)
      expect(result.tag).toBe(
        reference([
          "directory",
          ...fileSegments(".containerignore", "b.log\nc.log\n"),
          ...fileSegments(".dockerignore", "a.log\nc.log\n"),
          ...fileSegments("Dockerfile", "FROM x\n"),
          ...fileSegments("a.log", "a"),
          ...fileSegments("b.log", "b"),
          ...EMPTY_SECTIONS
        ])
      )
      expect(result.tag).toBe("945b57d30bd34ffbe2da3e2a1573fb6f8e2abbca3cc0c3d30bd902fbadcf091d")
    })
  )
})

describe("directory: modes, links and build settings", () => {
  it.effect("the executable bit changes the tag", () =>
    Effect.gen(function* () {
      const root = context({ Dockerfile: "FROM x\n", "run.sh": "#!/bin/sh\n" })
      const plain = yield* tagOf(root)
      nodeFs.chmodSync(nodePath.join(root, "run.sh"), 0o755)
      const executable = yield* tagOf(root)
      expect(executable).not.toBe(plain)
      expect(executable).toBe(
        reference([
          "directory",
          ...fileSegments("Dockerfile", "FROM x\n"),
          ...fileSegments("run.sh", "#!/bin/sh\n", true),
          ...EMPTY_SECTIONS
        ])
      )
      expect(executable).toBe("8e3a89082ccba132032a8c85c0e6f9c790b97483061c16078ad2ad78bc1a1903")
      // Other mode bits are left out, like git does.
      nodeFs.chmodSync(nodePath.join(root, "run.sh"), 0o700)
      expect(yield* tagOf(root)).toBe(executable)
      nodeFs.chmodSync(nodePath.join(root, "run.sh"), 0o600)
      expect(yield* tagOf(root)).toBe(plain)
    })
  )

  it.effect("symlinks are hashed as links: dangling, to a directory (not followed), and loops", () =>
    Effect.gen(function* () {
      const root = context({ Dockerfile: "FROM x\n", "sub/file": "f" })
      nodeFs.symlinkSync("nowhere", nodePath.join(root, "dangling"))
      nodeFs.symlinkSync("sub", nodePath.join(root, "linkdir"))
      nodeFs.symlinkSync("loop", nodePath.join(root, "loop"))
      const result = yield* hashDirectory(root)
      const link = (path: string, target: string) => ["symlink.path", path, "symlink.target", target]
      expect(result.tag).toBe(
        reference([
          "directory",
          ...fileSegments("Dockerfile", "FROM x\n"),
          ...link("dangling", "nowhere"),
          ...link("linkdir", "sub"),
          ...link("loop", "loop"),
          ...fileSegments("sub/file", "f"),
          ...EMPTY_SECTIONS
        ])
      )
      expect(result.tag).toBe("767f9b33b34f7ec52eb36ff4ca54edbd4736afa84329ab2571c02c978458ce31")
      expect(result).toMatchObject({ files: 5, symlinks: 3, bytes: 8 })

      nodeFs.unlinkSync(nodePath.join(root, "dangling"))
      nodeFs.symlinkSync("elsewhere", nodePath.join(root, "dangling"))
      expect(yield* tagOf(root)).not.toBe(result.tag)
    })
  )

  it.effect("a symlinked context root is followed", () =>
    Effect.gen(function* () {
      const link = nodePath.join(scratch, "root-link")
      nodeFs.symlinkSync(fixture("test-build"), link)
      expect(yield* tagOf(link)).toBe("2a754bbfb146ae9516feea92b3f9fae869ab013251c54dd7d6ee29ae8049be8e")
    })
  )

  it.effect("dockerfilePath, target and platform fold in when given", () =>
    Effect.gen(function* () {
      const root = context({ "docker/app.Dockerfile": "FROM x\n", "src/main": "m" })
      const tag = yield* tagOf(root, {
        dockerfilePath: "docker/app.Dockerfile",
        target: "runtime",
        platform: "linux/amd64",
        buildArgs: [["V", "1"]]
      })
      expect(tag).toBe(
        reference([
          "directory",
          ...fileSegments("docker/app.Dockerfile", "FROM x\n"),
          ...fileSegments("src/main", "m"),
          "dockerfile.path",
          "docker/app.Dockerfile",
          "build.target",
          "runtime",
          "build.platform",
          "linux/amd64",
          "build-arguments",
          "V",
          "1",
          "labels"
        ])
      )
      expect(tag).toBe("328b93332afc59b06cd8bc1eda48b9cbb23dcda490e9dc1f609f942a97d51da1")
    })
  )

  it.effect("a Dockerfile outside the context is hashed with its content", () =>
    Effect.gen(function* () {
      const outside = context({ "Dockerfile.outside": "FROM y\n" })
      const root = context({ "a.txt": "a" })
      const dockerfilePath = nodePath.join(outside, "Dockerfile.outside")
      const tag = yield* tagOf(root, { dockerfilePath })
      expect(tag).toBe(
        reference([
          "directory",
          ...fileSegments("a.txt", "a"),
          "dockerfile.path",
          nodePath.relative(root, dockerfilePath),
          "dockerfile.content",
          "FROM y\n",
          ...EMPTY_SECTIONS
        ])
      )
    })
  )
  it.effect("a Dockerfile given as a link is hashed with the content it points to", () =>
    Effect.gen(function* () {
      const shared = context({ "Dockerfile.shared": "FROM z\n" })
      const root = context({ "a.txt": "a" })
      nodeFs.symlinkSync(nodePath.join(shared, "Dockerfile.shared"), nodePath.join(root, "Dockerfile"))
      const tag = yield* tagOf(root, { dockerfilePath: "Dockerfile" })
      expect(tag).toBe(
        reference([
          "directory",
          "symlink.path",
          "Dockerfile",
          "symlink.target",
          nodePath.join(shared, "Dockerfile.shared"),
          ...fileSegments("a.txt", "a"),
          "dockerfile.path",
          "Dockerfile",
          "dockerfile.content",
          "FROM z\n",
          ...EMPTY_SECTIONS
        ])
      )
      nodeFs.writeFileSync(nodePath.join(shared, "Dockerfile.shared"), "FROM zz\n")
      expect(yield* tagOf(root, { dockerfilePath: "Dockerfile" })).not.toBe(tag)
    })
  )
})
