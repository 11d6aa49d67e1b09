/**
 * The build-context walk of the content hash: depth-first, pre-order, siblings sorted by the
 * UTF-8 bytes of their names (walkdir's `sort_by_file_name`, which ociman uses), so `a/b` comes
 * before `a-c`. Links are reported as links and never followed.
 */
import type { PlatformError } from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import { Effect } from "effect"
import type { IgnoreRules } from "./ignore.js"
// `FileSystem` has no lstat (its `stat` follows links), and the walk must see a link as a link:
// following one would hash files outside the context, fail on a dangling link, or loop forever.
import { LSTAT_SLICE, lstatSlice, type LinkStat } from "./read.js"

/**
 * `lstat(2)` of every path, in order; the first failure fails the whole list. Synchronous calls
 * in slices, one effect per slice: an effect (or a thread-pool round trip) per lstat made walking
 * 20,000 files 3–5x slower than the calls themselves (see `hashRead.ts`).
 */
const lstatAll = (paths: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<LinkStat>, PlatformError> =>
  Effect.gen(function* () {
    const stats: Array<LinkStat> = []
    for (let start = 0; start < paths.length; start += LSTAT_SLICE) {
      const slice = yield* Effect.suspend(() => {
        const result = lstatSlice(paths, start)
        return result._tag === "Failed" ? Effect.fail(result.error) : Effect.succeed(result.stats)
      })
      stats.push(...slice)
    }
    return stats
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
      const children = slots.map((slot) => (Array.isArray(slot) ? slot : []))
      const pending = slots.flatMap((slot, index) => (Array.isArray(slot) ? [] : [{ index, slot }]))
      const walked = yield* Effect.forEach(pending, ({ slot }) => slot, { concurrency: DIRECTORY_CONCURRENCY })
      pending.forEach(({ index }, done) => (children[index] = walked[done] ?? []))
      return children.flat()
    })

  return walkDirectory(root, "")
}
