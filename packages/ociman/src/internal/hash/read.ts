/**
 * Synchronous `node:fs` calls of the content hash, for the two steps that run once per file:
 * the walk's `lstat` and reading a file smaller than one chunk. Both return their failures as
 * values (the same `SystemError` the `FileSystem` service fails with), never as exceptions.
 *
 * Why synchronous: each asynchronous fs call is a round trip through libuv's thread pool, which
 * costs more than the call itself when the data is in the page cache. On a 2-core machine,
 * hashing 20,000 files of 4 KiB took 1.5–2 s through `FileSystem.readFile` (open, fstat, read,
 * close: four round trips per file), and 1–1.4 s with raw `node:fs` callbacks, against 0.5 s for
 * `find | sort | xargs cat | sha256sum`; the same reads made synchronously take 0.3–0.6 s. Callers bound how long they block the event loop: they run these
 * calls in short slices (see `RUN_MILLIS` in `ContentHash.ts` and {@link LSTAT_SLICE}) and yield
 * between slices, so other fibers, progress reports and interruption get their turn.
 *
 * `FileSystem` has neither `lstat` nor synchronous calls, hence `node:fs` (Bun implements it too).
 */
import { SystemError, type PlatformError, type SystemErrorReason } from "@effect/platform/Error"
import * as nodeFs from "node:fs"

const errnoReason = (code: unknown): SystemErrorReason => {
  switch (code) {
    case "ENOENT":
      return "NotFound"
    case "EACCES":
    case "EPERM":
      return "PermissionDenied"
    case "ENOTDIR":
    case "ELOOP":
    case "EISDIR":
      return "BadResource"
    default:
      return "Unknown"
  }
}

/** The `SystemError` the `FileSystem` service would fail with, from what a sync call threw. */
const systemError = (cause: unknown, method: string, path: string): PlatformError =>
  new SystemError({
    reason: errnoReason(typeof cause === "object" && cause !== null && "code" in cause ? cause.code : undefined),
    module: "FileSystem",
    method,
    pathOrDescriptor: path,
    syscall: method,
    description: cause instanceof Error ? cause.message : String(cause),
    cause
  })

/** What `lstat` says about a path, without following a final link. */
export interface LinkStat {
  readonly type: "File" | "Directory" | "SymbolicLink" | "Other"
  readonly size: number
  readonly mode: number
}

const linkStat = (stats: nodeFs.Stats): LinkStat => ({
  type: stats.isFile() ? "File" : stats.isDirectory() ? "Directory" : stats.isSymbolicLink() ? "SymbolicLink" : "Other",
  size: stats.size,
  mode: stats.mode
})

/** How many paths one synchronous {@link lstatSlice} call stats (about 1–5 ms when cached). */
export const LSTAT_SLICE = 512

/** `lstat(2)` of `paths[start]` up to {@link LSTAT_SLICE} paths, in order; or the first failure. */
export const lstatSlice = (
  paths: ReadonlyArray<string>,
  start: number
):
  | { readonly _tag: "Stats"; readonly stats: ReadonlyArray<LinkStat> }
  | { readonly _tag: "Failed"; readonly error: PlatformError } => {
  const stats: Array<LinkStat> = []
  for (const path of paths.slice(start, start + LSTAT_SLICE)) {
    try {
      // `throwIfNoEntry: false` would turn a vanished entry into `undefined`; it is an error here.
      stats.push(linkStat(nodeFs.lstatSync(path)))
    } catch (cause) {
      return { _tag: "Failed", error: systemError(cause, "lstat", path) }
    }
  }
  return { _tag: "Stats", stats }
}

/** A file to read whole, with the size lstat reported for it. */
export interface SizedFile {
  readonly absolutePath: string
  readonly size: number
}

/** The outcome of {@link readWholeSync}. `bytes` is a view of the caller's buffer. */
export type WholeRead =
  | { readonly _tag: "Read"; readonly bytes: Uint8Array }
  | { readonly _tag: "Changed"; readonly observedBytes: number }
  | { readonly _tag: "Failed"; readonly error: PlatformError }

/**
 * Reads a file of at most `buffer.byteLength - 1` bytes into `buffer`. It asks for one byte more
 * than lstat reported and reads until a read comes back short (end of file), so a file that grew
 * or shrank since its lstat is `Changed` (for a file that grew, `observedBytes` is its size now,
 * as `readFile` would see).
 */
export const readWholeSync = (file: SizedFile, buffer: Buffer): WholeRead => {
  let fd: number | undefined
  try {
    fd = nodeFs.openSync(file.absolutePath, "r")
    let done = 0
    while (done <= file.size) {
      const read = nodeFs.readSync(fd, buffer, done, file.size + 1 - done, done)
      if (read === 0) break
      done += read
      // The read that reached `size` was asked for one byte more and returned short: it stopped
      // at end of file (a regular file's read is short only there), so no read of 0 is needed.
      if (done === file.size) break
    }
    if (done === file.size) return { _tag: "Read", bytes: buffer.subarray(0, done) }
    return { _tag: "Changed", observedBytes: done > file.size ? nodeFs.fstatSync(fd).size : done }
  } catch (cause) {
    return { _tag: "Failed", error: systemError(cause, fd === undefined ? "open" : "read", file.absolutePath) }
  } finally {
    // A read-only descriptor has nothing to flush: a failed close loses no data, so it is ignored.
    if (fd !== undefined) closeQuietly(fd)
  }
}

const closeQuietly = (fd: number): void => {
  try {
    nodeFs.closeSync(fd)
  } catch {
    // See above.
  }
}
