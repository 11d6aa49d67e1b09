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

/** Permission bits and the sticky bit: a container's archive never makes a set-user-ID file here. */
const SAFE_MODE_BITS = 0o1777

/**
 * Writes `entries` (one tree: the first entry is its top) so that its top becomes `hostPath`,
 * whose parent directory must exist. Modes are set exactly (the umask does not apply) except the
 * set-user-ID and set-group-ID bits, file mtimes kept; a file or link replaces what is there, a
 * directory is merged into an existing one.
 *
 * The archive comes from a container, so it is not trusted: an entry that would land outside
 * `hostPath` is refused, links are made last, so no later entry is written through a link the
 * archive itself made, and an entry whose way down from `hostPath` passes a link already there
 * (an earlier copy's) is refused too.
 */
/**
 * Fails if a path part between `hostPath` and `relative` (the last part too, for a directory,
 * whose mode is set through it) is a symbolic link: nothing is written through one.
 */
const refuseLinksOnTheWay = (
  hostPath: string,
  relative: string,
  includingLast: boolean
): Effect.Effect<void, HostFileFailed> =>
  Effect.gen(function* () {
    const parts = relative.split("/")
    const checked = includingLast ? parts : parts.slice(0, -1)
    let at = hostPath
    for (const part of checked) {
      at = nodePath.join(at, part)
      const stat = yield* Effect.promise(() => fs.lstat(at).catch(() => undefined))
      // not there yet: nothing below it can be a link either
      if (stat === undefined) return
      if (stat.isSymbolicLink()) {
        return yield* new HostFileFailed({
          path: nodePath.join(hostPath, relative),
          operation: "write",
          detail: `${at} is a symbolic link: nothing is written through one`
        })
      }
    }
  })

export const writeHostTree = (
  entries: ReadonlyArray<TarEntry>,
  hostPath: string
): Effect.Effect<void, HostPathNotFound | HostFileFailed> =>
  Effect.gen(function* () {
    yield* requireHostDirectory(nodePath.dirname(hostPath))
    const top = entries[0]?.path ?? ""
    const directories: Array<{ readonly path: string; readonly mode: number }> = []
    const links: Array<{ readonly path: string; readonly target: string }> = []
    for (const entry of entries) {
      const relative =
        entry.path === top ? "" : entry.path.startsWith(`${top}/`) ? entry.path.slice(top.length + 1) : undefined
      if (relative === undefined) continue
      const target = relative === "" ? hostPath : nodePath.join(hostPath, relative)
      const inside = nodePath.relative(hostPath, target)
      if (inside === ".." || inside.startsWith(`..${nodePath.sep}`) || nodePath.isAbsolute(inside)) {
        return yield* new HostFileFailed({ path: target, operation: "write", detail: "outside the destination" })
      }
      if (relative !== "") yield* refuseLinksOnTheWay(hostPath, relative, entry._tag === "Directory")
      if (entry._tag === "Symlink") {
        links.push({ path: target, target: entry.target })
        continue
      }
      if (entry._tag === "Directory") {
        yield* attempt(target, "mkdir", () => fs.mkdir(target, { recursive: true, mode: 0o700 }))
        directories.push({ path: target, mode: entry.mode })
        continue
      }
      yield* attempt(target, "remove", () => fs.rm(target, { force: true }))
      yield* attempt(target, "write", () => fs.writeFile(target, entry.content, { mode: 0o600 }))
      yield* attempt(target, "chmod", () => fs.chmod(target, entry.mode & SAFE_MODE_BITS))
      yield* attempt(target, "utimes", () => fs.utimes(target, entry.mtime, entry.mtime))
    }
    for (const link of links) {
      yield* attempt(link.path, "remove", () => fs.rm(link.path, { force: true }))
      yield* attempt(link.path, "symlink", () => fs.symlink(link.target, link.path))
    }
    // modes last, deepest first: a read-only directory must not stop its own children being written
    for (const directory of directories.reverse()) {
      yield* attempt(directory.path, "chmod", () => fs.chmod(directory.path, directory.mode & SAFE_MODE_BITS))
    }
  })
