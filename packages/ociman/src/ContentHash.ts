/**
 * Content hashes that name content-addressed images, byte-compatible with ociman 0.8.
 *
 * A hash is SHA-256 over a sequence of segments, each framed as its byte length (u64
 * little-endian) followed by its bytes. {@link instructions} hashes an inline Dockerfile;
 * {@link directory} hashes a build context, reading files through one reused 1 MiB buffer (a
 * smaller file whole, with one read; a larger one in 1 MiB chunks) so memory stays flat however
 * large the files are. For a plain context (regular files only, no ignore file,
 * no executable files, no symbolic links) and no extra options, the tag equals ociman's.
 *
 * Deliberate deviations from ociman, each adding segments only when it applies:
 * - A missing context fails with {@link ContextNotFound} (ociman hashes it like an empty
 *   directory, `5e9f4588…786f`); a context that is a file fails with {@link ContextNotADirectory}
 *   (ociman hashes the file under the path `""`, but Docker needs a directory).
 * - An entry that cannot be listed or read fails with {@link ContextUnreadable} (ociman skips
 *   walk errors silently and panics on an unreadable file).
 * - A file whose size changes while it is hashed fails with {@link FileChangedWhileHashing}
 *   instead of yielding a tag for content that never existed as a whole.
 * - `.dockerignore` is honoured: files the runtime leaves out of the context do not affect the
 *   tag. Docker's and Podman's ignore-file lookups are both applied and a file counts as left
 *   out only when both leave it out (see `internal/hashIgnore.ts`). The Dockerfile and the
 *   ignore files in use are always hashed, since Docker always sends them.
 * - An executable file (any `x` bit) gets a `"file.executable"` segment between its path and
 *   `"file.content"`: `chmod +x` changes the image. Other mode bits are left out, like git
 *   does, so that checkouts under different umasks keep the same tag.
 * - A symbolic link is hashed as a link, never followed, in walk order: `"symlink.path"`,
 *   path, `"symlink.target"`, the target as `readlink` returns it (ociman skips links, but
 *   Docker sends them). Dangling links and link loops are fine.
 * - `dockerfilePath`, when given, adds `"dockerfile.path"` and its path relative to the context;
 *   a Dockerfile the walk did not hash as a regular file (outside the context, or a symbolic
 *   link) also adds `"dockerfile.content"` and the bytes the build will read.
 * - `target` and `platform`, when given, add `"build.target"` / `"build.platform"` and the value.
 *   These segments and the Dockerfile's come right before `"build-arguments"`.
 * - Paths are always `/`-separated (ociman uses the OS separator; this only differs on Windows).
 *
 * Kept as in ociman, for compatibility: empty directories and mode bits other than `x` are not
 * hashed; build arguments and labels sections carry no counts; the base image is not resolved;
 * the context is read again by the build afterwards (no snapshot). A name that is not valid
 * UTF-8 cannot be opened through Node's string paths and fails with {@link ContextUnreadable}.
 *
 * @example
 * ```ts
 * import { NodeContext } from "@effect/platform-node"
 * import { Console, Effect } from "effect"
 * import { ContentHash } from "ociman"
 *
 * const program = ContentHash.directory("./docker/app", {
 *   buildArgs: [["VERSION", "1.2.3"]],
 *   onProgress: (p) => Console.log(`${p.files}/${p.totalFiles} files, ${p.bytes}/${p.totalBytes} bytes`)
 * }).pipe(Effect.map(({ tag }) => `app:${tag}`), Effect.provide(NodeContext.layer))
 * ```
 *
 * @since 0.1.0
 */
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Data, Effect } from "effect"
import { loadIgnoreRules } from "./internal/hash/ignore.js"
import { readWholeSync } from "./internal/hash/read.js"
import {
  makeSha256,
  lengthPrefix,
  pushArgumentsAndLabels,
  pushSegment,
  pushTargetAndPlatform,
  type Sha256
} from "./internal/hash/segments.js"
import { walk, type ContextEntry } from "./internal/hash/walk.js"

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/**
 * The build context directory does not exist.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ContentHash } from "ociman"
 *
 * const tag = ContentHash.directory("./missing").pipe(
 *   Effect.catchTag("ContextNotFound", (e) => Effect.fail(`no build context: ${e.path}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ContextNotFound extends Data.TaggedError("ContextNotFound")<{
  /** The absolute path that was looked up. */
  readonly path: string
}> {
  override get message(): string {
    return `build context ${this.path} does not exist: check the path (a relative path is resolved against the current directory)`
  }
}

/**
 * The build context exists but is not a directory.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ContentHash } from "ociman"
 *
 * const tag = ContentHash.directory("./Dockerfile").pipe(
 *   Effect.catchTag("ContextNotADirectory", (e) => Effect.fail(e.message))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ContextNotADirectory extends Data.TaggedError("ContextNotADirectory")<{
  readonly path: string
}> {
  override get message(): string {
    return `build context ${this.path} is not a directory: pass the directory that contains the Dockerfile`
  }
}

/**
 * A directory, file or link in the build context could not be listed or read.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ContentHash } from "ociman"
 *
 * const tag = ContentHash.directory("./ctx").pipe(
 *   Effect.catchTag("ContextUnreadable", (e) => Effect.fail(`${e.path}: ${e.reason}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ContextUnreadable extends Data.TaggedError("ContextUnreadable")<{
  /** The entry that failed (absolute). */
  readonly path: string
  /** The platform's classification, e.g. `PermissionDenied` or `NotFound`. */
  readonly reason: string
  /** The underlying error message. */
  readonly detail: string
}> {
  override get message(): string {
    const hint =
      this.reason === "NotFound"
        ? "it disappeared while the context was hashed (or its name is not valid UTF-8); retry once nothing writes to the context"
        : "fix its permissions, or list it in .dockerignore if the build does not need it"
    return `cannot read ${this.path} in the build context (${this.reason}): ${hint}. ${this.detail}`
  }
}

/**
 * The `dockerfilePath` given to {@link directory} does not name a file.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ContentHash } from "ociman"
 *
 * const tag = ContentHash.directory("./ctx", { dockerfilePath: "Dockerfile.prod" }).pipe(
 *   Effect.catchTag("DockerfileNotFound", (e) => Effect.fail(e.message))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class DockerfileNotFound extends Data.TaggedError("DockerfileNotFound")<{
  /** The absolute path the Dockerfile was expected at. */
  readonly path: string
}> {
  override get message(): string {
    return `no Dockerfile at ${this.path}: dockerfilePath is resolved against the build context directory`
  }
}

/**
 * A file had a different size when read than when listed: something wrote to the build context
 * while it was hashed, so no tag could describe its content.
 *
 * @example
 * ```ts
 * import { Effect, Schedule } from "effect"
 * import { ContentHash } from "ociman"
 *
 * // A log file written during the hash: retry a few times (or better, .dockerignore it).
 * const tag = ContentHash.directory("./ctx").pipe(
 *   Effect.retry({ while: (e) => e._tag === "FileChangedWhileHashing", schedule: Schedule.recurs(2) })
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class FileChangedWhileHashing extends Data.TaggedError("FileChangedWhileHashing")<{
  readonly path: string
  /** The size lstat reported before the file was read. */
  readonly expectedBytes: number
  /**
   * The size found instead: when more, the file's size when it was read (files under 1 MiB) or
   * the bytes read before the change was noticed (larger files); when fewer, all the bytes there
   * were.
   */
  readonly observedBytes: number
}> {
  override get message(): string {
    const how =
      this.observedBytes > this.expectedBytes
        ? `grew past its listed ${this.expectedBytes} bytes`
        : `shrank to ${this.observedBytes} of its listed ${this.expectedBytes} bytes`
    return `${this.path} changed while the build context was hashed (it ${how}): stop whatever writes to it and retry, or list it in .dockerignore`
  }
}

/**
 * Every way {@link directory} can fail.
 * @since 0.1.0
 * @category errors
 */
export type DirectoryError =
  ContextNotFound | ContextNotADirectory | ContextUnreadable | DockerfileNotFound | FileChangedWhileHashing

// ---------------------------------------------------------------------------------------------
// Segment hasher
// ---------------------------------------------------------------------------------------------

/**
 * SHA-256 over length-prefixed segments, byte-compatible with ociman's `SegmentHasher`: each
 * `push` feeds the segment's byte length as u64 little-endian, then its bytes (strings as UTF-8).
 * It is mutable, like the `node:crypto` hash it wraps; {@link SegmentHasher.digestHex} can be
 * called at any time and does not end the hash.
 *
 * @example
 * ```ts
 * import { ContentHash } from "ociman"
 *
 * const hex = ContentHash.SegmentHasher.make().push("ab").push("c").digestHex()
 * // "43ee655579de01ca739b3f95c1c2d3f46d353b2c0df818064ea594506cdb2617"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class SegmentHasher {
  private constructor(private readonly hash: Sha256) {}

  /**
   * A hasher with no segments yet.
   *
   * @example
   * ```ts
   * import { ContentHash } from "ociman"
   *
   * const empty = ContentHash.SegmentHasher.make().digestHex() // SHA-256 of nothing: "e3b0c442…b855"
   * ```
   */
  static make(): SegmentHasher {
    return new SegmentHasher(makeSha256())
  }

  /**
   * Absorbs one segment; returns the same hasher, for chaining.
   *
   * @example
   * ```ts
   * import { ContentHash } from "ociman"
   *
   * const hasher = ContentHash.SegmentHasher.make()
   * hasher.push("labels").push(new TextEncoder().encode("com.example.role")).push("primary")
   * ```
   */
  push(segment: Uint8Array | string): SegmentHasher {
    pushSegment(this.hash, segment)
    return this
  }

  /**
   * The raw 32-byte digest of the segments pushed so far.
   *
   * @example
   * ```ts
   * import { ContentHash } from "ociman"
   *
   * const bytes = ContentHash.SegmentHasher.make().push("hello").digest() // Uint8Array(32)
   * ```
   */
  digest(): Uint8Array {
    // Digest a copy: a node:crypto hash cannot be used after `digest()`.
    return this.hash.copy().digest()
  }

  /**
   * The digest as 64 lowercase hex characters: the form used as an image tag.
   *
   * @example
   * ```ts
   * import { ContentHash } from "ociman"
   *
   * const tag = ContentHash.SegmentHasher.make().push("hello").digestHex()
   * // "fe745503750fdbf3e6ef676d16d85ee0d63626c594222f7e991908bdffef7ac9"
   * ```
   */
  digestHex(): string {
    return this.hash.copy().digest("hex")
  }
}

// ---------------------------------------------------------------------------------------------
// Instruction hash
// ---------------------------------------------------------------------------------------------

/**
 * What {@link instructions} hashes. Build arguments and labels are deduped (the later pair
 * wins) and ordered by the UTF-8 bytes of their keys, so their order does not matter.
 *
 * @since 0.1.0
 * @category models
 */
export interface InstructionsOptions {
  /** The Dockerfile text, hashed byte for byte (whitespace and comments count). */
  readonly dockerfile: string
  readonly buildArgs?: Iterable<readonly [string, string]> | undefined
  readonly labels?: Iterable<readonly [string, string]> | undefined
  /** The `--target` stage; hashed only when given (ociman has none). */
  readonly target?: string | undefined
  /** The `--platform`, e.g. `linux/arm64`; hashed only when given (ociman has none). */
  readonly platform?: string | undefined
}

/**
 * The content tag of an image built from an inline Dockerfile with no context: ociman's
 * `from_instructions_hash`, as 64 lowercase hex characters.
 *
 * Segments: `"content"`, the Dockerfile, [`"build.target"`, target], [`"build.platform"`,
 * platform], `"build-arguments"`, each key and value, `"labels"`, each key and value.
 *
 * @example
 * ```ts
 * import { ContentHash } from "ociman"
 *
 * const tag = ContentHash.instructions({ dockerfile: "FROM alpine:latest\n", buildArgs: [["VERSION", "1.0"]] })
 * // "47392ae7d1d59b9a9d66d02bfe869afb053fb1180626c2a059ee16228de1d511"
 * ```
 *
 * @since 0.1.0
 * @category hashing
 */
export const instructions = (options: InstructionsOptions): string => {
  const hash = makeSha256()
  pushSegment(hash, "content")
  pushSegment(hash, options.dockerfile)
  pushTargetAndPlatform(hash, options)
  pushArgumentsAndLabels(hash, options)
  return hash.digest("hex")
}

// ---------------------------------------------------------------------------------------------
// Directory hash
// ---------------------------------------------------------------------------------------------

/**
 * How far {@link directory} has got. The totals are known once the context has been walked,
 * before any byte is read. `files` counts regular files and symbolic links; `bytes` counts
 * file content.
 *
 * @since 0.1.0
 * @category models
 */
export interface Progress {
  readonly files: number
  readonly bytes: number
  readonly totalFiles: number
  readonly totalBytes: number
}

/**
 * What {@link directory} hashes besides the context's files.
 *
 * @since 0.1.0
 * @category models
 */
export interface DirectoryOptions<E = never, R = never> {
  readonly buildArgs?: Iterable<readonly [string, string]> | undefined
  readonly labels?: Iterable<readonly [string, string]> | undefined
  /**
   * The Dockerfile passed as `--file`, relative to the context directory (or absolute). When
   * omitted, the runtime's default (`Dockerfile`) is used and nothing extra is hashed.
   */
  readonly dockerfilePath?: string | undefined
  /** The `--target` stage; hashed only when given. */
  readonly target?: string | undefined
  /** The `--platform`, e.g. `linux/arm64`; hashed only when given. */
  readonly platform?: string | undefined
  /**
   * Called once the context has been walked, after every 1 MiB chunk of a file of 1 MiB or
   * more and after it, and after every run of smaller files and links (a run ends at a larger
   * file or after a few milliseconds). Hashing waits for it, so keep it quick (throttle
   * rendering yourself).
   */
  readonly onProgress?: ((progress: Progress) => Effect.Effect<void, E, R>) | undefined
}

/**
 * The result of {@link directory}.
 *
 * @since 0.1.0
 * @category models
 */
export interface DirectoryHash {
  /** 64 lowercase hex characters. */
  readonly tag: string
  /** Regular files and symbolic links hashed (ignored ones excluded). */
  readonly files: number
  /** How many of `files` are symbolic links. */
  readonly symlinks: number
  /** File content bytes hashed. */
  readonly bytes: number
}

/** Chunk size for reading larger files: 1 MiB reads measured 2–3x faster than 64 KiB ones. */
const CHUNK_SIZE = 1024 * 1024

/**
 * How long one run of files smaller than a chunk may read synchronously before yielding (see
 * `internal/hashRead.ts` for why those reads are synchronous). With the files in the page cache
 * a run reads a few MiB; a cold disk makes runs shorter, not the event loop's pauses longer
 * (beyond the one file being read).
 */
const RUN_MILLIS = 4

type FileEntry = Extract<ContextEntry, { readonly _tag: "File" }>

const unreadable = (path: string) => (error: PlatformError) =>
  new ContextUnreadable({
    path: error._tag === "SystemError" && typeof error.pathOrDescriptor === "string" ? error.pathOrDescriptor : path,
    reason: error._tag === "SystemError" ? error.reason : error._tag,
    detail: error.message
  })

const changed = (file: { readonly absolutePath: string; readonly size: number }, observedBytes: number) =>
  new FileChangedWhileHashing({ path: file.absolutePath, expectedBytes: file.size, observedBytes })

/**
 * Feeds a file's bytes to `onChunk` in chunks of up to 1 MiB, all read into the one `buffer`
 * (each chunk is a view that is valid only during its `onChunk` call): memory stays flat and
 * nothing is allocated per chunk. Reading on to end of file is what detects a file that grew or
 * shrank since its lstat. A plain read loop rather than a `Stream` per file: the stream
 * machinery's garbage measured +90 MB peak RSS over 4,096 files of 256 KiB, the loop +20 MB.
 */
const readChunks = <E, R>(
  fs: FileSystem.FileSystem,
  file: { readonly absolutePath: string; readonly size: number },
  buffer: Buffer,
  onChunk: (chunk: Uint8Array) => Effect.Effect<void, E, R>
): Effect.Effect<void, ContextUnreadable | FileChangedWhileHashing | E, R> =>
  Effect.scoped(
    Effect.gen(function* () {
      const handle = yield* fs.open(file.absolutePath).pipe(Effect.mapError(unreadable(file.absolutePath)))
      let done = 0
      while (true) {
        const read = Number(yield* handle.read(buffer).pipe(Effect.mapError(unreadable(file.absolutePath))))
        if (read === 0) break
        done += read
        if (done > file.size) return yield* changed(file, done)
        yield* onChunk(buffer.subarray(0, read))
      }
      if (done !== file.size) return yield* changed(file, done)
    })
  )

const pushFileHeader = (hash: Sha256, file: FileEntry): void => {
  pushSegment(hash, "file.path")
  pushSegment(hash, file.path)
  if (file.executable) pushSegment(hash, "file.executable")
  pushSegment(hash, "file.content")
  hash.update(lengthPrefix(file.size))
}

/** A file that does not fit in one chunk (with the byte that detects growth): it is streamed. */
const isLarge = (entry: ContextEntry, buffer: Buffer): boolean =>
  entry._tag === "File" && entry.size >= buffer.byteLength

/**
 * Hashes entries from `start` on, in walk order, while they are links or files smaller than
 * `buffer` (each read whole into it), for at most {@link RUN_MILLIS}. Returns the index of the
 * first entry left and the file bytes hashed. One effect per run, not per file: on 20,000 small
 * files the per-file cost of an effect showed as much as the reads.
 */
const hashRun = (
  hash: Sha256,
  entries: ReadonlyArray<ContextEntry>,
  start: number,
  buffer: Buffer
): Effect.Effect<{ readonly next: number; readonly bytes: number }, ContextUnreadable | FileChangedWhileHashing> =>
  Effect.suspend((): Effect.Effect<{ next: number; bytes: number }, ContextUnreadable | FileChangedWhileHashing> => {
    const deadline = performance.now() + RUN_MILLIS
    let index = start
    let bytes = 0
    for (let entry = entries[index]; entry !== undefined && !isLarge(entry, buffer); entry = entries[index]) {
      if (index > start && performance.now() > deadline) break
      if (entry._tag === "SymbolicLink") {
        pushSegment(hash, "symlink.path")
        pushSegment(hash, entry.path)
        pushSegment(hash, "symlink.target")
        pushSegment(hash, entry.target)
      } else {
        const read = readWholeSync(entry, buffer)
        if (read._tag === "Failed") return Effect.fail(unreadable(entry.absolutePath)(read.error))
        if (read._tag === "Changed") return Effect.fail(changed(entry, read.observedBytes))
        pushFileHeader(hash, entry)
        hash.update(read.bytes)
        bytes += read.bytes.byteLength
      }
      index += 1
    }
    return Effect.succeed({ next: index, bytes })
  })

/**
 * Hashes the walked entries in order: runs of links and small files synchronously (see
 * {@link hashRun}), each larger file streamed through the `FileSystem` service in 1 MiB chunks.
 * Both read into one reused buffer, so nothing is allocated per file or per chunk.
 */
const hashEntries = <E, R>(
  fs: FileSystem.FileSystem,
  hash: Sha256,
  entries: ReadonlyArray<ContextEntry>,
  report: (files: number, bytes: number) => Effect.Effect<void, E, R>
) =>
  Effect.gen(function* () {
    const buffer = Buffer.allocUnsafeSlow(CHUNK_SIZE)
    let files = 0
    let bytes = 0
    let index = 0
    for (let entry = entries[index]; entry !== undefined; entry = entries[index]) {
      if (entry._tag === "File" && isLarge(entry, buffer)) {
        pushFileHeader(hash, entry)
        yield* readChunks(fs, entry, buffer, (chunk) => {
          hash.update(chunk)
          bytes += chunk.byteLength
          return report(files, bytes)
        })
        files += 1
        index += 1
      } else {
        const run = yield* hashRun(hash, entries, index, buffer)
        files += run.next - index
        bytes += run.bytes
        index = run.next
      }
      yield* report(files, bytes)
    }
    return { files, bytes }
  })

/**
 * The content tag of an image built from the directory `context`: ociman's
 * `from_directory_hash`, extended as listed in the module documentation.
 *
 * Segments: `"directory"`; per entry in walk order (depth-first, siblings sorted by the UTF-8
 * bytes of their names) either `"file.path"`, path, [`"file.executable"`], `"file.content"`,
 * bytes, or `"symlink.path"`, path, `"symlink.target"`, target; then [`"dockerfile.path"`, path,
 * [`"dockerfile.content"`, bytes]], [`"build.target"`, target], [`"build.platform"`, platform],
 * `"build-arguments"`, keys and values, `"labels"`, keys and values.
 *
 * The context is walked first (listing and lstat), so progress has totals; then files are read
 * in order. Memory grows with the number of files (the walked list, a few hundred bytes per
 * file), never with their size.
 *
 * @example
 * ```ts
 * import { NodeContext } from "@effect/platform-node"
 * import { Effect } from "effect"
 * import { ContentHash } from "ociman"
 *
 * const program = Effect.gen(function* () {
 *   const { tag, files, bytes } = yield* ContentHash.directory("./docker/app", {
 *     dockerfilePath: "Dockerfile.prod",
 *     target: "runtime",
 *     labels: [["com.example.role", "api"]]
 *   })
 *   return `app:${tag} (${files} files, ${bytes} bytes)`
 * }).pipe(Effect.provide(NodeContext.layer))
 * ```
 *
 * @since 0.1.0
 * @category hashing
 */
export const directory = <E = never, R = never>(
  context: string,
  options: DirectoryOptions<E, R> = {}
): Effect.Effect<DirectoryHash, DirectoryError | E, FileSystem.FileSystem | Path.Path | R> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const root = path.resolve(context)

    // `stat` follows a symlinked root, as ociman (walkdir) and docker do.
    const rootInfo = yield* fs
      .stat(root)
      .pipe(
        Effect.mapError((error) =>
          error._tag === "SystemError" && error.reason === "NotFound"
            ? new ContextNotFound({ path: root })
            : unreadable(root)(error)
        )
      )
    if (rootInfo.type !== "Directory") return yield* new ContextNotADirectory({ path: root })

    const dockerfile = options.dockerfilePath === undefined ? undefined : path.resolve(root, options.dockerfilePath)
    const dockerfileInfo =
      dockerfile === undefined
        ? undefined
        : yield* fs.stat(dockerfile).pipe(
            Effect.filterOrFail(
              (info) => info.type === "File",
              () => new DockerfileNotFound({ path: dockerfile })
            ),
            Effect.catchIf(
              (error) => error._tag === "SystemError" && error.reason === "NotFound",
              () => new DockerfileNotFound({ path: dockerfile })
            ),
            Effect.mapError((error) => (error._tag === "DockerfileNotFound" ? error : unreadable(dockerfile)(error)))
          )

    const rules = yield* loadIgnoreRules(fs, path, root, dockerfile).pipe(Effect.mapError(unreadable(root)))
    const entries = yield* walk(fs, path, root, rules).pipe(Effect.mapError(unreadable(root)))

    let totalFiles = 0
    let totalBytes = 0
    let symlinks = 0
    for (const entry of entries) {
      totalFiles += 1
      if (entry._tag === "File") totalBytes += entry.size
      else symlinks += 1
    }
    const onProgress = options.onProgress
    const report = (files: number, bytes: number): Effect.Effect<void, E, R> =>
      onProgress === undefined ? Effect.void : onProgress({ files, bytes, totalFiles, totalBytes })

    yield* report(0, 0)
    const hash = makeSha256()
    pushSegment(hash, "directory")
    const { files, bytes } = yield* hashEntries(fs, hash, entries, report)

    if (dockerfile !== undefined && dockerfileInfo !== undefined) {
      const relative = path.relative(root, dockerfile).split(path.sep).join("/")
      pushSegment(hash, "dockerfile.path")
      pushSegment(hash, relative)
      const walked = entries.some((entry) => entry._tag === "File" && entry.path === relative)
      if (!walked) {
        // Outside the context, or a link (the walk hashed the link, but the build reads its
        // target): hash what the build will read.
        const size = Number(dockerfileInfo.size)
        pushSegment(hash, "dockerfile.content")
        hash.update(lengthPrefix(size))
        yield* readChunks(fs, { absolutePath: dockerfile, size }, Buffer.allocUnsafeSlow(CHUNK_SIZE), (chunk) =>
          Effect.sync(() => hash.update(chunk))
        )
      }
    }
    pushTargetAndPlatform(hash, options)
    pushArgumentsAndLabels(hash, options)
    return { tag: hash.digest("hex"), files, symlinks, bytes }
  })
