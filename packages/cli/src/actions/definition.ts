/**
 * What `ociman hash` and `ociman build` share: the build options turned into a
 * `BuildDefinition.BuildDefinition`, and progress output that only a terminal sees.
 */
import { FileSystem, Path } from "@effect/platform"
import { Data, Effect, Option, Redacted } from "effect"
import * as BuildDefinition from "ociman/BuildDefinition"
import type * as Image from "ociman/Image"
import { constants, open } from "node:fs"
import { readFile, stat } from "node:fs/promises"
import { Socket } from "node:net"
import { text } from "node:stream/consumers"
import { promisify } from "node:util"
import type { DefinitionInput } from "../commands/buildOptions.js"
import { UsageError } from "./errors.js"

export { UsageError }

/** The instructions could not be read from the file or stdin. */
export class InstructionsUnreadable extends Data.TaggedError("InstructionsUnreadable")<{
  readonly source: string
  readonly detail: string
}> {
  override get message(): string {
    return `cannot read the instructions from ${this.source === "-" ? "stdin" : this.source}: ${this.detail}`
  }
}

/** The build context has no Dockerfile: there is nothing to build, so no tag to print either. */
export class DockerfileMissing extends Data.TaggedError("DockerfileMissing")<{
  readonly directory: string
  readonly file: string | undefined
}> {
  override get message(): string {
    return this.file === undefined
      ? `${this.directory} has no Dockerfile (nor Containerfile): a build context needs one; name another with --file, or give Dockerfile text with --instructions`
      : `the Dockerfile ${this.file} does not exist (--file is relative to DIR, ${this.directory})`
  }
}

const splitPair = (flag: string, raw: string): Effect.Effect<readonly [string, string], UsageError> => {
  const at = raw.indexOf("=")
  return at < 0
    ? Effect.fail(new UsageError({ detail: `--${flag} expects KEY=VALUE, got ${JSON.stringify(raw)}` }))
    : Effect.succeed([raw.slice(0, at), raw.slice(at + 1)] as const)
}

/** `KEY=VALUE`, or a bare `KEY` whose value comes from the environment (as Docker does), kept secret. */
const buildArgPair = (
  raw: string
): Effect.Effect<readonly [string, string | Redacted.Redacted<string>], UsageError> => {
  if (raw.includes("=")) return splitPair("build-arg", raw)
  const value = process.env[raw]
  return value === undefined
    ? Effect.fail(
        new UsageError({ detail: `--build-arg ${raw}: ${raw} is not set in the environment (or pass ${raw}=VALUE)` })
      )
    : Effect.succeed([raw, Redacted.make(value)] as const)
}

const unreadable = (source: string) => (error: unknown) =>
  new InstructionsUnreadable({ source, detail: error instanceof Error ? error.message : String(error) })

const openFd = promisify(open)

/**
 * A FIFO is read through the event loop, opened without blocking: a blocking `open()` (until a
 * writer comes) would hold a libuv pool thread, and the process's exit joins those threads, so
 * Ctrl-C could not end the command. Linux reports no hang-up to a reader that opened before any
 * writer, so the read still waits for one, as `cat FIFO` does.
 */
const readFifo = async (source: string, signal: AbortSignal): Promise<string> => {
  const socket = new Socket({ fd: await openFd(source, constants.O_RDONLY | constants.O_NONBLOCK), writable: false })
  signal.addEventListener("abort", () => socket.destroy(), { once: true })
  return text(socket)
}

const readPath = async (source: string, signal: AbortSignal): Promise<string> =>
  (await stat(source)).isFIFO() ? readFifo(source, signal) : readFile(source, { encoding: "utf8", signal })

/** Reads the instructions (a file, a FIFO, or `-` for stdin), interruptibly: Ctrl-C ends the wait. */
const readInstructions = (source: string): Effect.Effect<string, InstructionsUnreadable> =>
  Effect.tryPromise({
    try: (signal) => (source === "-" ? text(process.stdin) : readPath(source, signal)),
    catch: unreadable(source)
  })

/** Fails when the directory exists but its Dockerfile does not (a missing directory is the library's error). */
const requireDockerfile = (
  directory: string,
  file: Option.Option<string>
): Effect.Effect<void, DockerfileMissing, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const exists = (target: string) => fs.exists(target).pipe(Effect.orElseSucceed(() => true))
    if (!(yield* exists(directory))) return
    const candidates = Option.match(file, {
      onNone: () => [path.join(directory, "Dockerfile"), path.join(directory, "Containerfile")],
      onSome: (name) => [path.resolve(directory, name)]
    })
    for (const candidate of candidates) if (yield* exists(candidate)) return
    return yield* new DockerfileMissing({ directory, file: Option.getOrUndefined(file) })
  })

/** The build definition the options describe, targeting `target`. */
export const toDefinition = (
  input: DefinitionInput,
  target: BuildDefinition.TargetInput
): Effect.Effect<
  BuildDefinition.BuildDefinition,
  UsageError | InstructionsUnreadable | DockerfileMissing,
  FileSystem.FileSystem | Path.Path
> =>
  Effect.gen(function* () {
    if (Option.isSome(input.directory) && Option.isSome(input.instructions)) {
      return yield* new UsageError({ detail: "give either DIR or --instructions, not both" })
    }
    if (Option.isSome(input.instructions) && Option.isSome(input.file)) {
      return yield* new UsageError({ detail: "--file needs DIR: --instructions already is the Dockerfile" })
    }
    const buildArgs = yield* Effect.forEach(input.buildArg, buildArgPair)
    const labels = yield* Effect.forEach(input.label, (raw) => splitPair("label", raw))
    let base: BuildDefinition.BuildDefinition
    if (Option.isSome(input.instructions)) {
      base = BuildDefinition.fromInstructions(yield* readInstructions(input.instructions.value), target)
    } else {
      const directory = Option.getOrElse(input.directory, () => ".")
      yield* requireDockerfile(directory, input.file)
      base = BuildDefinition.fromDirectory(directory, target)
    }
    let def = base.pipe(BuildDefinition.buildArgs(buildArgs), BuildDefinition.labels(labels))
    if (Option.isSome(input.file)) def = BuildDefinition.dockerfile(def, input.file.value)
    if (Option.isSome(input.target)) def = BuildDefinition.target(def, input.target.value)
    if (Option.isSome(input.platform)) def = BuildDefinition.platform(def, input.platform.value)
    return def
  })

/** Progress goes to a terminal only: piped output stays clean. */
export const interactive = (): boolean => process.stderr.isTTY === true

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

/** A throttled one-line "hashing" status on stderr, on a terminal only; `done` clears it. */
export const hashProgress = (): {
  readonly onProgress: Image.HashOptions["onProgress"]
  readonly done: Effect.Effect<void>
} => {
  if (!interactive()) return { onProgress: undefined, done: Effect.void }
  let last = 0
  let shown = false
  return {
    onProgress: (p) =>
      Effect.sync(() => {
        const now = Date.now()
        if (now - last < 100 && p.files !== p.totalFiles) return
        last = now
        shown = true
        process.stderr.write(
          `\r\u001b[2Khashing ${p.files}/${p.totalFiles} files, ${mib(p.bytes)}/${mib(p.totalBytes)}`
        )
      }),
    done: Effect.sync(() => {
      if (shown) process.stderr.write("\r\u001b[2K")
    })
  }
}
