/**
 * Staged runs through the CLI, for a definition that one `run` cannot make (other networks, files:
 * see `../stagedStart.ts`): `container create` (`run`'s flags), the container prepared (`network
 * connect`, `cp -` at `/`), then `container start`, detached or attached (`--attach`: the
 * foreground run's outputs and exit code). Whatever fails after the create removes the container:
 * nobody else would own it.
 */
import { type Duration, Effect } from "effect"
import { UnexpectedOutput } from "../../CliError.js"
import { ContainerStartFailed, type ImageNotFound, type NameInUse } from "../../ContainerError.js"
import type {
  CliOptions,
  CliResult,
  ContainerOperations,
  ExecResult,
  NetworkOperations,
  RunSpec,
  Service
} from "../../ContainerRuntime.js"
import { decodeText } from "../bytes.js"
import { withoutPodmanOwnLines } from "../dialect/podmanLog.js"
import { prepareCreated } from "../stagedStart.js"
import { containerDialects, createArgs, removeArgs, startArgs, streamLogsArgs } from "../dialect/containers.js"
import { execResultOf } from "../execResult.js"
import type { Kind } from "../kind.js"
import { broughtNothing, withLoggedOutput } from "./outputLog.js"

type Cli = Service["cli"]

/** What a staged run needs of the CLI wing. */
export interface StagedRunDeps {
  readonly kind: Kind
  readonly cli: Cli
  readonly putArchive: ContainerOperations["putArchive"]
  readonly connect: NetworkOperations["connect"]
  /** The container's state (`created`: its start failed, its command never ran), or `undefined`. */
  readonly statusOf: (container: string) => Effect.Effect<string | undefined>
  readonly classifyRunFailure: (spec: RunSpec, result: CliResult) => NameInUse | ImageNotFound | ContainerStartFailed
}

/** The plan of the spec's environment (`envPlan`): `--env NAME` arguments and the CLI's own environment. */
export interface EnvOfRun extends Pick<CliOptions, "env" | "secrets"> {
  readonly args: ReadonlyArray<string>
}

const ID = /^[0-9a-f]{12,64}$/

/** Creates the container and prepares it: its id and the create's argv (the container removed on failure). */
const createPrepared = (deps: StagedRunDeps, spec: RunSpec, env: EnvOfRun) =>
  Effect.gen(function* () {
    const created = yield* deps.cli(createArgs(spec, { envArgs: env.args }), { env: env.env, secrets: env.secrets })
    if (created.exitCode !== 0) return yield* deps.classifyRunFailure(spec, created)
    // the id is stdout's last line (a pull's progress goes to stderr, on both CLIs)
    const id = decodeText(created.stdout).trim().split("\n").pop() ?? ""
    const remove = removeQuietly(deps, id)
    if (!ID.test(id)) {
      return yield* new UnexpectedOutput({ argv: created.argv, expected: "a container id", output: id })
    }
    yield* prepareCreated(deps, id, spec, created.argv).pipe(Effect.onError(() => remove))
    return { id, argv: created.argv, remove }
  })

const removeQuietly = (deps: StagedRunDeps, id: string) =>
  deps.cli(removeArgs(deps.kind, id, { force: true, volumes: true }), { timeout: "60 seconds" }).pipe(Effect.ignore)

/** `runDetached` of a staged spec: create, prepare, start. */
export const runDetachedStaged = (deps: StagedRunDeps, spec: RunSpec, env: EnvOfRun) =>
  Effect.gen(function* () {
    const { id, argv, remove } = yield* createPrepared(deps, spec, env)
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
 * `runForeground` of a staged spec: created without `--rm` (removed here once it ended, when
 * the spec says so), so that a failed start is told from a command's exit code by the container's
 * state: still `created`, its command never ran (`ContainerStartFailed`).
 */
export const runForegroundStaged = (
  deps: StagedRunDeps,
  spec: RunSpec,
  env: EnvOfRun,
  options: { readonly stdin?: Uint8Array | undefined; readonly timeout?: Duration.DurationInput | undefined }
) =>
  Effect.gen(function* () {
    const { id, remove } = yield* createPrepared(deps, { ...spec, remove: false }, env)
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
    const output = yield* readBackLostOutput(deps, id, result)
    if (spec.remove) yield* remove
    const outcome: ExecResult = execResultOf(output)
    return outcome
  })

/**
 * Podman's attached start can lose all of a short command's output, its exit code intact (see
 * `keepsOutputLog` in `../dialect/containers.ts`). A staged container is still there when its
 * start returns, log and all, so a start that brought nothing back on either output reads the
 * container's log: one more call, only for a run that printed nothing.
 */
const readBackLostOutput = (deps: StagedRunDeps, id: string, result: CliResult): Effect.Effect<CliResult> =>
  containerDialects[deps.kind].attachMayLoseOutput && broughtNothing(result)
    ? deps.cli(streamLogsArgs(id, {}), { timeout: LOG_READ_TIMEOUT }).pipe(
        Effect.map((logged) =>
          logged.exitCode === 0
            ? withLoggedOutput(result, {
                stdout: logged.stdout,
                // the command's own, not the `logs` call's warnings
                stderr: encoder.encode(withoutPodmanOwnLines(decodeText(logged.stderr)))
              })
            : result
        ),
        // no log to read (`--log-driver none`): what the start brought back stands
        Effect.orElseSucceed(() => result)
      )
    : Effect.succeed(result)

const LOG_READ_TIMEOUT = "30 seconds"

const encoder = new TextEncoder()
