/**
 * A definition's files (`ContainerDefinition.files`): read into one tar archive before the runtime
 * is asked anything, and put into the created container before it starts. Every wing and
 * transport does the same three steps (create, `putArchive` at `/`, start), with this module's
 * archive and this module's failure.
 */
import { Clock, Effect, Either } from "effect"
import * as nodePath from "node:path"
import type { CliError } from "../CliError.js"
import { type ContainerFile, InvalidContainerDefinition } from "../ContainerDefinition.js"
import { ContainerStartFailed, type HostFileFailed, type HostPathNotFound } from "../ContainerError.js"
import type { ContainerOperations, RunFiles } from "../ContainerRuntime.js"
import { lengthPrefix, makeSha256 } from "./hash/segments.js"
import { readHostTree } from "./hostFiles.js"
import { readTar, type TarEntry, writeTar } from "./tar.js"

/** A target as its archive entry name: normalized, without the leading `/` (extracted at `/`) or a trailing one. */
export const entryNameOf = (target: string): string =>
  nodePath.posix.normalize(target).replace(/^\/+/, "").replace(/\/+$/, "")

/** A segment that climbs (`..`): outside the archive's target (the reader strips a leading `/`). */
const outside = (path: string) => path.split("/").includes("..")

/**
 * An archive's entries under `name` (its target's entry name; `""`: the root). A path that
 * leaves the target is refused: extracted by the engine, it would land elsewhere in the container.
 */
const archiveEntries = (
  archive: Uint8Array,
  name: string,
  target: string
): Effect.Effect<ReadonlyArray<TarEntry>, InvalidContainerDefinition> => {
  const refused = new InvalidContainerDefinition({
    field: "files.archive",
    input: target,
    reason: "FileArchiveInvalid"
  })
  return Either.match(readTar(archive), {
    onLeft: () => Effect.fail(refused),
    onRight: ({ entries, skipped }) => {
      // (a link may point anywhere in the container: the engine extracts inside its root); devices
      // and FIFOs are entries this archive cannot carry
      if (skipped > 0 || entries.some((entry) => outside(entry.path))) return Effect.fail(refused)
      return Effect.succeed(
        entries
          // the archive's own root (`./`) would give the target, or `/`, the archive's mode
          .filter((entry) => entry.path !== "")
          .map((entry) => ({ ...entry, path: name === "" ? entry.path : `${name}/${entry.path}` }))
      )
    }
  })
}

const entriesOf = (
  file: ContainerFile,
  mtime: number
): Effect.Effect<ReadonlyArray<TarEntry>, HostPathNotFound | HostFileFailed | InvalidContainerDefinition> => {
  const name = entryNameOf(file.target)
  if ("archive" in file) return archiveEntries(file.archive, name, file.target)
  const owned = (entries: ReadonlyArray<TarEntry>): ReadonlyArray<TarEntry> =>
    file.owner === undefined
      ? entries
      : entries.map((entry) => ({ ...entry, uid: file.owner?.uid, gid: file.owner?.gid }))
  if ("content" in file) {
    const content = typeof file.content === "string" ? new TextEncoder().encode(file.content) : file.content
    return Effect.succeed(owned([{ _tag: "File", path: name, mode: file.mode ?? 0o644, mtime, content }]))
  }
  return Effect.map(Effect.map(readHostTree(nodePath.resolve(file.source), name), owned), (entries) =>
    // `mode` is the top entry's (a directory's own mode; its contents keep theirs)
    file.mode === undefined
      ? entries
      : entries.map((entry, i) => (i === 0 ? { ...entry, mode: file.mode ?? entry.mode } : entry))
  )
}

/** SHA-256 of what the entries put in the container (paths, kinds, modes, contents, link targets), not when. */
const digestOf = (entries: ReadonlyArray<TarEntry>): string => {
  const sha = makeSha256()
  for (const entry of entries) {
    // the owner only when one is set: the digest of files without one stays what it was
    const owner = entry.uid === undefined && entry.gid === undefined ? [] : [entry.uid ?? 0, entry.gid ?? 0]
    const head = JSON.stringify([
      entry._tag,
      entry.path,
      entry.mode,
      entry._tag === "Symlink" ? entry.target : null,
      ...owner
    ])
    const headBytes = new TextEncoder().encode(head)
    sha.update(lengthPrefix(headBytes.length)).update(headBytes)
    if (entry._tag === "File") sha.update(lengthPrefix(entry.content.length)).update(entry.content)
  }
  return sha.digest("hex")
}

/** The definition's files read into one archive (`undefined`: none); a missing `source` is `HostPathNotFound`. */
export const readDefinitionFiles = (
  files: ReadonlyArray<ContainerFile>
): Effect.Effect<RunFiles | undefined, HostPathNotFound | HostFileFailed | InvalidContainerDefinition> =>
  files.length === 0
    ? Effect.succeed(undefined)
    : Effect.gen(function* () {
        const mtime = Math.floor((yield* Clock.currentTimeMillis) / 1000)
        const entries: Array<TarEntry> = []
        for (const file of files) entries.push(...(yield* entriesOf(file, mtime)))
        return { archive: writeTar(entries), digest: digestOf(entries) }
      })

/**
 * Puts the files into the created container `id`; a refusal (a target whose parent is a file, a
 * read-only root, the container gone) is `ContainerStartFailed`, carrying the `cp` argv where the
 * CLI ran one, else `argv` (the create's). The caller removes the container on any failure.
 */
export const placeFiles = (
  putArchive: ContainerOperations["putArchive"],
  id: string,
  files: RunFiles,
  argv: ReadonlyArray<string>
): Effect.Effect<void, ContainerStartFailed | CliError> => {
  const failed = (failedArgv: ReadonlyArray<string>, exitCode: number | undefined, detail: string) =>
    new ContainerStartFailed({
      argv: failedArgv,
      exitCode,
      stderr: `putting the definition's files into the created container failed: ${detail.trim()}`
    })
  return putArchive(id, "/", files.archive).pipe(
    Effect.catchTags({
      PathNotFound: (error) => Effect.fail(failed(argv, undefined, error.detail)),
      ContainerNotFound: () => Effect.fail(failed(argv, undefined, `container ${id} is gone`)),
      CommandFailed: (error) => Effect.fail(failed(error.argv, error.exitCode, error.stderr))
    })
  )
}
