/**
 * The build-context walk of the content hash: depth-first, pre-order, siblings sorted by the
 * UTF-8 bytes of their names (walkdir's `sort_by_file_name`, which ociman uses), so `a/b` comes
 * before `a-c`. Links are reported as links and never followed.
 */
import { SystemError, type PlatformError, type SystemErrorReason } from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import { Effect } from "effect"
// `FileSystem` has no lstat (its `stat` follows links), and the walk must see a link as a link:
// following one would hash files outside the context, fail on a dangling link, or loop forever.
// This module is the only use of `node:fs` in the hash (Bun implements it too). It uses the
// callback API, several calls per Effect: one Effect (or promise) per lstat made walking 20,000
// files 3–5x slower than the calls themselves.
import * as nodeFs from "node:fs"
import type { IgnoreRules } from "./hashIgnore.js"

/** What `lstat` says about a path, without following a final link. */
export interface LinkStat {
  readonly type: "File" | "Directory" | "SymbolicLink" | "Other"
  readonly size: number
  readonly mode: number
}

const errnoReason = (code: string | undefined): SystemErrorReason => {
  switch (code) {
    case "ENOENT":
      return "NotFound"
    case "EACCES":
    case "EPERM":
      return "PermissionDenied"
    case "ENOTDIR":
    case "ELOOP":
      return "BadResource"
    default:
      return "Unknown"
  }
}

/** The same `SystemError` the `FileSystem` service fails with. */
const lstatError = (error: NodeJS.ErrnoException, path: string): PlatformError =>
  new SystemError({
    reason: errnoReason(error.code),
    module: "FileSystem",
    method: "lstat",
    pathOrDescriptor: path,
    syscall: "lstat",
    description: error.message,
    cause: error
  })

const linkStat = (stats: nodeFs.Stats): LinkStat => ({
  type: stats.isFile() ? "File" : stats.isDirectory() ? "Directory" : stats.isSymbolicLink() ? "SymbolicLink" : "Other",
  size: stats.size,
  mode: stats.mode
})

/** How many lstat calls one {@link lstatAll} keeps in flight. */
const LSTAT_CONCURRENCY = 16

/**
 * `lstat(2)` of every path, in order, at most {@link LSTAT_CONCURRENCY} at a time; the first
 * failure fails the whole batch.
 */
export const lstatAll = (paths: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<LinkStat>, PlatformError> =>
  Effect.async<ReadonlyArray<LinkStat>, PlatformError>((resume) => {
    const results = new Array<LinkStat>(paths.length)
    let next = 0
    let done = 0
    let failed = false
    const launch = (): void => {
      while (!failed && next < paths.length && next - done < LSTAT_CONCURRENCY) {
        const index = next
        const path = paths[index] ?? ""
        next += 1
        nodeFs.lstat(path, (error, stats) => {
          if (failed) return
          if (error !== null) {
            failed = true
            resume(Effect.fail(lstatError(error, path)))
            return
          }
          results[index] = linkStat(stats)
          done += 1
          if (done === paths.length) resume(Effect.succeed(results))
          else launch()
        })
      }
    }
    if (paths.length === 0) resume(Effect.succeed(results))
    else launch()
  })

/** One hashed entry of the context, in walk order. `path` is relative to the root, `/`-separated. */
export type ContextEntry =
  | {
      readonly _tag: "File"
      readonly path: string
      readonly absolutePath: string
      /** The size lstat reported; reading more or fewer bytes is an error. */
      readonly size: number
      readonly executable: boolean
    }
  | { readonly _tag: "SymbolicLink"; readonly path: string; readonly target: string }

/** How many subdirectories are walked at once, per directory. */
const DIRECTORY_CONCURRENCY = 4

/**
 * Lists the hashed entries below `root` (an existing directory). Regular files and symbolic
 * links are reported; directories are descended into unless the rules prune them; sockets,
 * FIFOs and devices are skipped (Docker does not send them either).
 */
export const walk = (
  fs: FileSystem.FileSystem,
  path: Path.Path,
  root: string,
  rules: IgnoreRules
): Effect.Effect<ReadonlyArray<ContextEntry>, PlatformError> => {
  const walkDirectory = (absolute: string, relative: string): Effect.Effect<Array<ContextEntry>, PlatformError> =>
    Effect.gen(function* () {
      const names = (yield* fs.readDirectory(absolute))
        .map((name) => ({ name, bytes: Buffer.from(name, "utf8") }))
        .sort((left, right) => Buffer.compare(left.bytes, right.bytes))
        .map(({ name }) => ({
          absolute: path.join(absolute, name),
          relative: relative === "" ? name : `${relative}/${name}`
        }))
      const stats = yield* lstatAll(names.map((child) => child.absolute))
      // Files are resolved in place; only directories and links need more calls, and only
      // those run as concurrent effects (a fiber per plain file costs more than its lstat).
      const slots: Array<Array<ContextEntry> | Effect.Effect<Array<ContextEntry>, PlatformError>> = names.map(
        (child, index) => {
          const stat = stats[index]
          switch (stat?.type) {
            case "Directory":
              return rules.prunes(child.relative) ? [] : walkDirectory(child.absolute, child.relative)
            case "File":
              return rules.excludes(child.relative)
                ? []
                : [
                    {
                      _tag: "File",
                      path: child.relative,
                      absolutePath: child.absolute,
                      size: stat.size,
                      executable: (stat.mode & 0o111) !== 0
                    }
                  ]
            case "SymbolicLink":
              return rules.excludes(child.relative)
                ? []
                : Effect.map(fs.readLink(child.absolute), (target) => [
                    { _tag: "SymbolicLink", path: child.relative, target }
                  ])
            default:
              return []
          }
        }
      )
      const children = yield* Effect.forEach(slots, (slot) => (Array.isArray(slot) ? Effect.succeed(slot) : slot), {
        concurrency: DIRECTORY_CONCURRENCY
      })
      return children.flat()
    })

  return walkDirectory(root, "")
}
