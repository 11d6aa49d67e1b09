/**
 * Files of the in-memory runtime's containers: a map of absolute paths to files, directories and
 * links per container, filled by `putArchive` and read by `getArchive` with the same tar archives
 * the real engines take and give. The image's own file system is not simulated beyond its top
 * directories (`/`, `/tmp`, `/etc`, …, which exist from the start): a path no archive put there
 * is `PathNotFound`, as is a write into a directory that does not exist.
 */
import { Effect, Either, Ref } from "effect"
import { CommandFailed } from "../../CliError.js"
import { PathNotFound } from "../../ContainerError.js"
import type { ContainerOperations } from "../../ContainerRuntime.js"
import { compareUtf8 } from "../bytes.js"
import { getArchiveArgs, putArchiveArgs } from "../dialect/containers.js"
import { readTar, type TarEntry, writeTar } from "../tar.js"
import { found } from "./processes.js"
import { type ContainerRecord, type Memory, record } from "./state.js"

/** One path of a container's file system. */
export type FileNode =
  | { readonly _tag: "File"; readonly mode: number; readonly mtime: number; readonly content: Uint8Array }
  | { readonly _tag: "Directory"; readonly mode: number; readonly mtime: number }
  | { readonly _tag: "Symlink"; readonly mode: number; readonly mtime: number; readonly target: string }

/** The directories every container has (busybox's top level). */
const BASE_DIRECTORIES: ReadonlyMap<string, FileNode> = new Map(
  ["/", "/bin", "/dev", "/etc", "/home", "/proc", "/root", "/sys", "/tmp", "/usr", "/var"].map((path) => [
    path,
    { _tag: "Directory", mode: path === "/tmp" ? 0o1777 : path === "/root" ? 0o700 : 0o755, mtime: 0 }
  ])
)

const filesOf = (c: ContainerRecord): ReadonlyMap<string, FileNode> => c.files ?? BASE_DIRECTORIES

const join = (directory: string, relative: string): string =>
  relative === "" ? directory : directory === "/" ? `/${relative}` : `${directory}/${relative}`

const parentOf = (path: string): string => {
  const cut = path.lastIndexOf("/")
  return cut <= 0 ? "/" : path.slice(0, cut)
}

const baseName = (path: string): string => path.slice(path.lastIndexOf("/") + 1)

const nodeOf = (entry: TarEntry): FileNode =>
  entry._tag === "File"
    ? { _tag: "File", mode: entry.mode, mtime: entry.mtime, content: entry.content }
    : entry._tag === "Directory"
      ? { _tag: "Directory", mode: entry.mode, mtime: entry.mtime }
      : { _tag: "Symlink", mode: entry.mode, mtime: entry.mtime, target: entry.target }

const entryOf = (path: string, node: FileNode): TarEntry =>
  node._tag === "File"
    ? { _tag: "File", path, mode: node.mode, mtime: node.mtime, content: node.content }
    : node._tag === "Directory"
      ? { _tag: "Directory", path, mode: node.mode, mtime: node.mtime }
      : { _tag: "Symlink", path, mode: node.mode, mtime: node.mtime, target: node.target }

/** The map with `entries` extracted into `directory`, missing parents created (as tar does). */
const extracted = (
  files: ReadonlyMap<string, FileNode>,
  directory: string,
  entries: ReadonlyArray<TarEntry>
): ReadonlyMap<string, FileNode> => {
  const next = new Map(files)
  for (const entry of entries) {
    const path = join(directory, entry.path)
    for (let parent = parentOf(path); !next.has(parent); parent = parentOf(parent)) {
      next.set(parent, { _tag: "Directory", mode: 0o755, mtime: entry.mtime })
    }
    // a file or link replaces what was there; a directory over a directory keeps its contents
    if (entry._tag !== "Directory") {
      for (const key of Array.from(next.keys())) if (key.startsWith(`${path}/`)) next.delete(key)
    }
    next.set(path, nodeOf(entry))
  }
  return next
}

/** `putArchive` and `getArchive` of the in-memory runtime. */
export const makeMemoryFileOperations = (memory: Memory): Pick<ContainerOperations, "putArchive" | "getArchive"> => ({
  putArchive: (container, directory, archive) =>
    Effect.gen(function* () {
      const argv = yield* record(memory, "containers.putArchive", putArchiveArgs(memory.kind, container, directory))
      const c = yield* found(memory, container)
      if (filesOf(c).get(directory)?._tag !== "Directory") {
        return yield* new PathNotFound({
          container,
          path: directory,
          detail: `destination "${container}:${directory}" must be a directory`
        })
      }
      const read = readTar(archive)
      if (Either.isLeft(read)) {
        return yield* new CommandFailed({
          argv,
          exitCode: 1,
          signal: undefined,
          stdout: "",
          stderr: `invalid tar archive: ${read.left.reason}`
        })
      }
      yield* Ref.update(memory.state, (state) => {
        const current = state.containers.get(c.id)
        if (current === undefined) return state
        const containers = new Map(state.containers)
        containers.set(c.id, { ...current, files: extracted(filesOf(current), directory, read.right.entries) })
        return { ...state, containers }
      })
    }),

  getArchive: (container, path) =>
    Effect.gen(function* () {
      yield* record(memory, "containers.getArchive", getArchiveArgs(container, path))
      const files = filesOf(yield* found(memory, container))
      const node = files.get(path)
      if (node === undefined) {
        return yield* new PathNotFound({
          container,
          path,
          detail: `Could not find the file ${path} in container ${container}`
        })
      }
      const name = path === "/" ? "." : baseName(path)
      const below =
        node._tag === "Directory"
          ? Array.from(files.entries())
              .filter(([key]) => key !== path && key.startsWith(path === "/" ? "/" : `${path}/`))
              .sort(([a], [b]) => compareUtf8(a, b))
              .map(([key, child]) => entryOf(`${name}/${key.slice(path === "/" ? 1 : path.length + 1)}`, child))
          : []
      return writeTar([entryOf(name, node), ...below])
    })
})

/**
 * A new container's file map with a definition's files (`ContainerDefinition.files`, one archive
 * extracted at `/`) in place before it starts; or why the engines would refuse them (an entry
 * below a file, as tar's extraction fails there).
 */
export const initialFiles = (archive: Uint8Array): Either.Either<ReadonlyMap<string, FileNode>, string> =>
  Either.flatMap(
    Either.mapLeft(readTar(archive), (error) => `invalid tar archive: ${error.reason}`),
    ({ entries }) => {
      const files = extracted(BASE_DIRECTORIES, "/", entries)
      const blocked = entries
        .map((entry) => join("/", entry.path))
        .find((path) => {
          for (let parent = parentOf(path); parent !== "/"; parent = parentOf(parent)) {
            const node = files.get(parent)
            if (node !== undefined && node._tag !== "Directory") return true
          }
          return false
        })
      return blocked === undefined
        ? Either.right(files)
        : Either.left(`extracting ${blocked} into the container: not a directory: a parent is a file`)
    }
  )
