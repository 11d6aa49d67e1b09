/**
 * What `ociman hash` and `ociman build` share: the options that describe a build (context or
 * instructions, Dockerfile, build arguments, labels, stage, platform), turned into an
 * `BuildDefinition.BuildDefinition`, and progress output that only a terminal sees.
 */
import { Args, Options } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { Data, Effect, Option, Redacted } from "effect"
import { BuildDefinition, type Image } from "ociman"
import { text } from "node:stream/consumers"

/** A command line that cannot describe a build (both a directory and instructions, a bad K=V, …). */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly detail: string }> {
  override get message(): string {
    return this.detail
  }
}

/** The instructions could not be read from the file or stdin. */
export class InstructionsUnreadable extends Data.TaggedError("InstructionsUnreadable")<{
  readonly source: string
  readonly detail: string
}> {
  override get message(): string {
    return `cannot read the instructions from ${this.source === "-" ? "stdin" : this.source}: ${this.detail}`
  }
}

export const directoryArg = Args.text({ name: "DIR" }).pipe(
  Args.withDescription("The build context directory (default: the current directory, unless --instructions is given)"),
  Args.optional
)

export const definitionOptions = {
  instructions: Options.text("instructions").pipe(
    Options.withDescription(
      "Build from this Dockerfile text instead of a directory (a file, or - for stdin); no context"
    ),
    Options.optional
  ),
  file: Options.text("file").pipe(
    Options.withAlias("f"),
    Options.withDescription("The Dockerfile, relative to DIR (or absolute); default DIR/Dockerfile"),
    Options.optional
  ),
  buildArg: Options.text("build-arg").pipe(
    Options.withDescription(
      "A build argument KEY=VALUE (repeatable); a bare KEY takes its value from the environment and keeps it out of argv"
    ),
    Options.repeated
  ),
  label: Options.text("label").pipe(Options.withDescription("An image label KEY=VALUE (repeatable)"), Options.repeated),
  target: Options.text("target").pipe(
    Options.withDescription("The stage of a multi-stage Dockerfile to build"),
    Options.optional
  ),
  platform: Options.text("platform").pipe(
    Options.withDescription("The platform to build for, e.g. linux/arm64"),
    Options.optional
  )
}

export interface DefinitionInput {
  readonly directory: Option.Option<string>
  readonly instructions: Option.Option<string>
  readonly file: Option.Option<string>
  readonly buildArg: ReadonlyArray<string>
  readonly label: ReadonlyArray<string>
  readonly target: Option.Option<string>
  readonly platform: Option.Option<string>
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

const readInstructions = (source: string): Effect.Effect<string, InstructionsUnreadable, FileSystem.FileSystem> =>
  source === "-"
    ? Effect.tryPromise({
        try: () => text(process.stdin),
        catch: (error) => new InstructionsUnreadable({ source, detail: String(error) })
      })
    : Effect.flatMap(FileSystem.FileSystem, (fs) =>
        fs
          .readFileString(source)
          .pipe(Effect.mapError((error) => new InstructionsUnreadable({ source, detail: error.message })))
      )

/** The build definition the options describe, targeting `target`. */
export const toDefinition = (
  input: DefinitionInput,
  target: BuildDefinition.TargetInput
): Effect.Effect<BuildDefinition.BuildDefinition, UsageError | InstructionsUnreadable, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    if (Option.isSome(input.directory) && Option.isSome(input.instructions)) {
      return yield* new UsageError({ detail: "give either DIR or --instructions, not both" })
    }
    if (Option.isSome(input.instructions) && Option.isSome(input.file)) {
      return yield* new UsageError({ detail: "--file needs DIR: --instructions already is the Dockerfile" })
    }
    const base = Option.isSome(input.instructions)
      ? BuildDefinition.fromInstructions(yield* readInstructions(input.instructions.value), target)
      : BuildDefinition.fromDirectory(
          Option.getOrElse(input.directory, () => "."),
          target
        )
    const buildArgs = yield* Effect.forEach(input.buildArg, buildArgPair)
    const labels = yield* Effect.forEach(input.label, (raw) => splitPair("label", raw))
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
