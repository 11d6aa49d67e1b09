/**
 * Runs of a definition with files (`ContainerDefinition.files`) through the CLI: `container
 * create` (`run`'s flags), the files put in (`cp -` at `/`), then `container start`, detached or
 * attached (`--attach`: the foreground run's outputs and exit code). Whatever fails after the
 * create removes the container: nobody else would own it.
 */
import { type Duration, Effect } from "effect"
import { UnexpectedOutput } from "../../CliError.js"
import { ContainerStartFailed, type ImageNotFound, type NameInUse } from "../../ContainerError.js"
import type {
  CliOptions,
  CliResult,
  ContainerOperations,
  ExecResult,
  RunFiles,
  RunSpec,
  Service
} from "../../ContainerRuntime.js"
import { decodeText } from "../bytes.js"
import { placeFiles } from "../definitionFiles.js"
import { createArgs, removeArgs, startArgs } from "../dialect/containers.js"
import { execResultOf } from "../execResult.js"
import type { Kind } from "../kind.js"

type Cli = Service["cli"]

/** What a run with files needs of the CLI wing. */
export interface RunWithFilesDeps {
  readonly kind: Kind
  readonly cli: Cli
  readonly putArchive: ContainerOperations["putArchive"]
  /** The container's state (`created`: its start failed, its command never ran), or `undefined`. */
  readonly statusOf: (container: string) => Effect.Effect<string | undefined>
  readonly classifyRunFailure: (spec: RunSpec, result: CliResult) => NameInUse | ImageNotFound | ContainerStartFailed
}

/** The plan of the spec's environment (`envPlan`): `--env NAME` arguments and the CLI's own environment. */
export interface EnvOfRun extends Pick<CliOptions, "env" | "secrets"> {
  readonly args: ReadonlyArray<string>
}

const ID = /^[0-9a-f]{12,64}$/

/** Creates the container and puts the files in: its id and the create's argv (the container removed on failure). */
const createWithFiles = (deps: RunWithFilesDeps, spec: RunSpec, files: RunFiles, env: EnvOfRun) =>
  Effect.gen(function* () {
    const created = yield* deps.cli(createArgs(spec, { envArgs: env.args }), { env: env.env, secrets: env.secrets })
    if (created.exitCode !== 0) return yield* deps.classifyRunFailure(spec, created)
    // the id is stdout's last line (a pull's progress goes to stderr, on both CLIs)
    const id = decodeText(created.stdout).trim().split("\n").pop() ?? ""
    const remove = removeQuietly(deps, id)
    if (!ID.test(id)) {
      return yield* new UnexpectedOutput({ argv: created.argv, expected: "a container id", output: id })
    }
    yield* placeFiles(deps.putArchive, id, files, created.argv).pipe(Effect.onError(() => remove))
    return { id, argv: created.argv, remove }
  })

const removeQuietly = (deps: RunWithFilesDeps, id: string) =>
  deps.cli(removeArgs(deps.kind, id, { force: true, volumes: true }), { timeout: "60 seconds" }).pipe(Effect.ignore)

/** `runDetached` of a spec with files: create, put, start. */
export const runDetachedWithFiles = (deps: RunWithFilesDeps, spec: RunSpec, files: RunFiles, env: EnvOfRun) =>
  Effect.gen(function* () {
    const { id, argv, remove } = yield* createWithFiles(deps, spec, files, env)
    const started = yield* deps
      .cli(startArgs(id, { attach: false, interactive: false }))
      .pipe(Effect.onError(() => remove))
    if (started.exitCode !== 0) {
      yield* remove
      return yield* new ContainerStartFailed({
        argv: started.argv,
        exitCode: started.exitCode,
        stderr: decodeText(started.stderr)
      })
    }
    return { id, argv }
  })

/**
 * `runForeground` of a spec with files: created without `--rm` (removed here once it ended, when
 * the spec says so), so that a failed start is told from a command's exit code by the container's
 * state: still `created`, its command never ran (`ContainerStartFailed`).
 */
export const runForegroundWithFiles = (
  deps: RunWithFilesDeps,
  spec: RunSpec,
  files: RunFiles,
  env: EnvOfRun,
  options: { readonly stdin?: Uint8Array | undefined; readonly timeout?: Duration.DurationInput | undefined }
) =>
  Effect.gen(function* () {
    const { id, remove } = yield* createWithFiles(deps, { ...spec, remove: false }, files, env)
    const result = yield* deps
      .cli(startArgs(id, { attach: true, interactive: spec.interactive }), {
        stdin: options.stdin,
        timeout: options.timeout
      })
      .pipe(Effect.onError(() => remove))
    if (result.exitCode !== 0 && (yield* deps.statusOf(id)) === "created") {
      yield* remove
      return yield* new ContainerStartFailed({
        argv: result.argv,
        exitCode: result.exitCode,
        stderr: decodeText(result.stderr)
      })
    }
    if (spec.remove) yield* remove
    const outcome: ExecResult = execResultOf(result)
    return outcome
  })
