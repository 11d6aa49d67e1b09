/**
 * The handle's file methods (`writeFile`, `readFile`, `readFileString`, `copyTo`, `copyFrom`) on
 * top of the seam's two archive operations: every path becomes a tar built or read here, so each
 * runtime and transport moves the same bytes, modes and links, and follows the same naming rule:
 * the destination path names the copy itself (never "into" an existing directory), its parent
 * must exist.
 */
import { Clock, type Duration, Effect, Either } from "effect"
import * as nodePath from "node:path"
import type { CliError } from "../CliError.js"
import { type ContainerNotFound, InvalidArchive, NotARegularFile, PathNotFound } from "../ContainerError.js"
import type { ContainerOperations } from "../ContainerRuntime.js"
import { readHostTree, requireHostDirectory, writeHostTree } from "./hostFiles.js"
import { readTar, type TarEntry, writeTar } from "./tar.js"

/** Options of the file methods. */
export interface FileOptions {
  readonly timeout?: Duration.DurationInput | undefined
}

/** Bounds one operation by the call's timeout, else the runtime's `exec` deadline. */
export type Within = (
  operation: string,
  perCall: Duration.DurationInput | undefined
) => <A, E>(effect: Effect.Effect<A, E>) => Effect.Effect<A, E | CliError>

/** A container path, absolute and normalized: relative paths start at the container's root. */
export const containerPathOf = (path: string): string => nodePath.posix.resolve("/", path)

const splitPath = (
  container: string,
  path: string
): Effect.Effect<{ readonly directory: string; readonly name: string }, PathNotFound> => {
  const absolute = containerPathOf(path)
  return absolute === "/"
    ? Effect.fail(new PathNotFound({ container, path: absolute, detail: "the root directory cannot be written over" }))
    : Effect.succeed({ directory: nodePath.posix.dirname(absolute), name: nodePath.posix.basename(absolute) })
}

/** The archive of `path`, read: its entries, or `InvalidArchive`. */
const entriesOf = (
  ops: ContainerOperations,
  container: string,
  path: string
): Effect.Effect<ReadonlyArray<TarEntry>, ContainerNotFound | PathNotFound | InvalidArchive | CliError> =>
  Effect.flatMap(ops.getArchive(container, path), (archive) =>
    Either.match(readTar(archive), {
      onLeft: (error) => Effect.fail(new InvalidArchive({ container, path, reason: error.reason })),
      onRight: (read) =>
        read.entries.length === 0
          ? Effect.fail(new InvalidArchive({ container, path, reason: "the archive is empty" }))
          : Effect.as(
              // device files, FIFOs and sockets have no copy here: say so rather than drop them unseen
              read.skipped === 0
                ? Effect.void
                : Effect.logWarning(
                    `ociman: ${read.skipped} special file(s) under ${path} in ${container} were not copied`
                  ),
              read.entries
            )
    })
  )

/** The handle's file methods for container `id`. */
export const fileMethods = (ops: ContainerOperations, id: string, within: Within) => {
  const readFile = (path: string, options: FileOptions = {}) => {
    const absolute = containerPathOf(path)
    return entriesOf(ops, id, absolute).pipe(
      Effect.flatMap((entries) => {
        const top = entries[0]
        if (top?._tag === "File") return Effect.succeed(top.content)
        const found = top?._tag === "Directory" ? "directory" : top?._tag === "Symlink" ? "symlink" : "other"
        return Effect.fail(new NotARegularFile({ container: id, path: absolute, found }))
      }),
      within("readFile", options.timeout)
    )
  }
  return {
    writeFile: (
      path: string,
      content: string | Uint8Array,
      options: FileOptions & { readonly mode?: number | undefined } = {}
    ) =>
      Effect.gen(function* () {
        const { directory, name } = yield* splitPath(id, path)
        const mtime = Math.floor((yield* Clock.currentTimeMillis) / 1000)
        const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content
        const archive = writeTar([{ _tag: "File", path: name, mode: options.mode ?? 0o644, mtime, content: bytes }])
        yield* ops.putArchive(id, directory, archive)
      }).pipe(within("writeFile", options.timeout)),
    readFile,
    readFileString: (path: string, options: FileOptions = {}) =>
      Effect.map(readFile(path, options), (bytes) => new TextDecoder().decode(bytes)),
    copyTo: (hostPath: string, containerPath: string, options: FileOptions = {}) =>
      Effect.gen(function* () {
        const { directory, name } = yield* splitPath(id, containerPath)
        // the host's tree is read before the runtime is asked anything
        const entries = yield* readHostTree(nodePath.resolve(hostPath), name)
        yield* ops.putArchive(id, directory, writeTar(entries))
      }).pipe(within("copyTo", options.timeout)),
    copyFrom: (containerPath: string, hostPath: string, options: FileOptions = {}) =>
      Effect.gen(function* () {
        const target = nodePath.resolve(hostPath)
        yield* requireHostDirectory(nodePath.dirname(target))
        const entries = yield* entriesOf(ops, id, containerPathOf(containerPath))
        yield* writeHostTree(entries, target)
      }).pipe(within("copyFrom", options.timeout))
  }
}
