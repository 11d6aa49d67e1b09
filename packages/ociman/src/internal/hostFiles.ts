/**
 * The host's side of `copyTo` and `copyFrom`: a file or directory tree of this machine read into
 * tar entries, and tar entries written out as one. Symbolic links are kept as links (their target
 * verbatim, never followed), as `docker cp` does; a device file, FIFO or socket in a tree to copy
 * in is `HostFileFailed`, and one in an archive copied out was already skipped by the reader.
 *
 * `node:fs` because the `FileSystem` service has no `lstat` (a link must not be followed); every
 * failure is a typed value.
 */
import { Effect } from "effect"
import * as fs from "node:fs/promises"
import * as nodePath from "node:path"
import { HostFileFailed, HostPathNotFound } from "../ContainerError.js"
import type { TarEntry } from "./tar.js"

const codeOf = (cause: unknown): unknown =>
  typeof cause === "object" && cause !== null && "code" in cause ? cause.code : undefined

const detailOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))

const attempt = <A>(path: string, operation: string, run: () => Promise<A>): Effect.Effect<A, HostFileFailed> =>
  Effect.tryPromise({ try: run, catch: (cause) => new HostFileFailed({ path, operation, detail: detailOf(cause) }) })

/** `lstat`, with a missing path as `HostPathNotFound`. */
const lstat = (path: string) =>
  Effect.tryPromise({
    try: () => fs.lstat(path),
    catch: (cause): HostPathNotFound | HostFileFailed =>
      codeOf(cause) === "ENOENT" || codeOf(cause) === "ENOTDIR"
        ? new HostPathNotFound({ path })
        : new HostFileFailed({ path, operation: "lstat", detail: detailOf(cause) })
  })

const seconds = (millis: number): number => Math.floor(millis / 1000)

/**
 * The tree at `hostPath` as tar entries, the top one named `name` (parents before children, names
 * sorted so the archive is the same for the same tree).
 */
export const readHostTree = (
  hostPath: string,
  name: string
): Effect.Effect<ReadonlyArray<TarEntry>, HostPathNotFound | HostFileFailed> =>
  Effect.gen(function* () {
    const entries: Array<TarEntry> = []
    const visit = (path: string, entryPath: string): Effect.Effect<void, HostPathNotFound | HostFileFailed> =>
      Effect.gen(function* () {
        const stat = yield* lstat(path)
        const mode = stat.mode & 0o7777
        const mtime = seconds(stat.mtimeMs)
        if (stat.isFile()) {
          const content = yield* attempt(path, "read", () => fs.readFile(path))
          entries.push({ _tag: "File", path: entryPath, mode, mtime, content: new Uint8Array(content) })
        } else if (stat.isSymbolicLink()) {
          const target = yield* attempt(path, "readlink", () => fs.readlink(path))
          entries.push({ _tag: "Symlink", path: entryPath, mode, mtime, target })
        } else if (stat.isDirectory()) {
          entries.push({ _tag: "Directory", path: entryPath, mode, mtime })
          const children = yield* attempt(path, "readdir", () => fs.readdir(path))
          for (const child of [...children].sort()) {
            yield* visit(nodePath.join(path, child), `${entryPath}/${child}`)
          }
        } else {
          yield* new HostFileFailed({
            path,
            operation: "copy",
            detail: "not a regular file, directory or symbolic link (device files, FIFOs and sockets are not copied)"
          })
        }
      })
    yield* visit(hostPath, name)
    return entries
  })

/** Fails with `HostPathNotFound` unless `directory` exists and is a directory. */
export const requireHostDirectory = (directory: string): Effect.Effect<void, HostPathNotFound | HostFileFailed> =>
  Effect.flatMap(lstat(directory), (stat) =>
    stat.isDirectory() ? Effect.void : Effect.fail(new HostPathNotFound({ path: directory }))
  )

/**
 * Writes `entries` (one tree: the first entry is its top) so that its top becomes `hostPath`,
 * whose parent directory must exist. Modes are set exactly (the umask does not apply), file mtimes
 * kept; a file or link replaces what is there, a directory is merged into an existing one.
 */
export const writeHostTree = (
  entries: ReadonlyArray<TarEntry>,
  hostPath: string
): Effect.Effect<void, HostPathNotFound | HostFileFailed> =>
  Effect.gen(function* () {
    yield* requireHostDirectory(nodePath.dirname(hostPath))
    const top = entries[0]?.path ?? ""
    const directories: Array<{ readonly path: string; readonly mode: number }> = []
    for (const entry of entries) {
      const relative =
        entry.path === top ? "" : entry.path.startsWith(`${top}/`) ? entry.path.slice(top.length + 1) : undefined
      if (relative === undefined) continue
      const target = relative === "" ? hostPath : nodePath.join(hostPath, relative)
      if (entry._tag === "Directory") {
        yield* attempt(target, "mkdir", () => fs.mkdir(target, { recursive: true, mode: 0o700 }))
        directories.push({ path: target, mode: entry.mode })
        continue
      }
      yield* attempt(target, "remove", () => fs.rm(target, { force: true }))
      if (entry._tag === "File") {
        yield* attempt(target, "write", () => fs.writeFile(target, entry.content, { mode: 0o600 }))
        yield* attempt(target, "chmod", () => fs.chmod(target, entry.mode))
        yield* attempt(target, "utimes", () => fs.utimes(target, entry.mtime, entry.mtime))
      } else {
        yield* attempt(target, "symlink", () => fs.symlink(entry.target, target))
      }
    }
    // modes last, deepest first: a read-only directory must not stop its own children being written
    for (const directory of directories.reverse()) {
      yield* attempt(directory.path, "chmod", () => fs.chmod(directory.path, directory.mode))
    }
  })
