/**
 * Container operations for the Docker and Podman CLIs. Argv, patterns and what differs per runtime
 * come from the dialect (`dialect/containers.ts`); this module runs the argv and classifies
 * failures into typed errors. Stderr matching is the last resort, as in ociman: the CLIs exit 125
 * for every runtime error.
 */
import type { CommandExecutor, FileSystem, Path } from "@effect/platform"
import { type Context, Effect, Either, Option, Ref, Schedule, type Scope } from "effect"
import { type CliError, CommandFailed, UnexpectedOutput } from "../../CliError.js"
import {
  BindMountOnRemoteEngine,
  ContainerNotFound,
  ContainerNotPaused,
  ContainerNotRunning,
  ContainerPaused,
  ContainerStartFailed,
  ImageNotFound,
  NameInUse,
  PauseUnsupported
} from "../../ContainerError.js"
import * as ContainerInspect from "../../ContainerInspect.js"
import * as ImageReference from "../../ImageReference.js"
import { HealthcheckMissing } from "../../WaitError.js"
import {
  CANNOT_PAUSE,
  commitArgs,
  commitPauseFlagNeedsVersion,
  CONTAINER_NOT_FOUND,
  containerDialects,
  dockerExists,
  execArgs,
  idArgs,
  RUN_IMAGE_NOT_FOUND,
  inspectArgs,
  labeledContainers,
  listArgs,
  logsArgs,
  keepsOutputLog,
  NAME_IN_USE,
  parseList,
  REMOVAL_IN_PROGRESS,
  removeArgs,
  runArgs,
  ttyInputRefusal,
  RUNTIME_ERROR_EXIT,
  stopArgs,
  waitArgs
} from "../dialect/containers.js"
import {
  EXEC_PAUSED,
  execRefusedAmbiguously,
  killArgs,
  lifecycleRefusalOf,
  pauseArgs,
  restartArgs,
  unpauseArgs
} from "../dialect/containers.js"
import { dialectOf } from "../dialect/index.js"
import { labelFilterArg } from "../dialect/values.js"
import { onLiveClock } from "../clock.js"
import { outcomeOf, tail } from "../healthcheck.js"
import { probeFromHost } from "../hostProbe.js"
import { firstBindingOf } from "../hostPorts.js"
import { execResultOf } from "../execResult.js"
import { makeContainerStreams } from "./containerStreams.js"
import { makeCliFileOperations } from "./files.js"
import { makeCliObservationOperations } from "./observation.js"
import { runDetachedStaged, runForegroundStaged, type StagedRunDeps } from "./stagedRun.js"
import { makeNetworkOperations } from "./networks.js"
import { isStaged } from "../stagedStart.js"
import { envPlan } from "./env.js"
import { listLabeled } from "./labeled.js"
import { logRefused, outputLogPath, withOutputFromLog } from "./outputLog.js"
import { askingAgainAfterStorageRace } from "./storageRace.js"
import { clientVersionOfBackend } from "./probe.js"
import { decodeText, nonEmptyLines } from "../bytes.js"
import type {
  Backend,
  CliOptions,
  CliResult,
  ContainerOperations,
  HealthcheckOutcome,
  ListedContainer,
  LogLine,
  RunSpec,
  Service
} from "../../ContainerRuntime.js"

type Cli = Service["cli"]

/**
 * Queries (inspect, exists, list, logs) answer in milliseconds; a CLI still running after this
 * waits on an engine that hangs, and is killed with a typed `CommandTimedOut` instead.
 */
const QUERY_TIMEOUT = "60 seconds"

export const failed = (result: CliResult): CommandFailed =>
  new CommandFailed({
    argv: result.argv,
    exitCode: result.exitCode,
    signal: result.signal,
    stdout: decodeText(result.stdout),
    stderr: decodeText(result.stderr)
  })

/** A call about one container that must succeed; "no such container" becomes `ContainerNotFound`. */
const onContainer = (
  cli: Cli,
  container: string,
  args: ReadonlyArray<string>,
  options?: CliOptions
): Effect.Effect<CliResult, ContainerNotFound | CliError> =>
  Effect.flatMap(cli(args, options), (result): Effect.Effect<CliResult, ContainerNotFound | CliError> =>
    result.exitCode === 0
      ? Effect.succeed(result)
      : CONTAINER_NOT_FOUND.test(decodeText(result.stderr))
        ? Effect.fail(new ContainerNotFound({ container }))
        : Effect.fail(failed(result))
  )

/**
 * A lifecycle operation (restart, pause, unpause, kill) refused for the container's state, as the
 * typed error the engine's message names (CLI stderr or API message); `undefined` for anything else.
 */
export const lifecycleFailure = (
  container: string,
  operation: string,
  message: string
): LifecycleFailure | undefined => {
  const stderr = message.trim()
  switch (lifecycleRefusalOf(message)) {
    case "Paused":
      return new ContainerPaused({ container, operation, stderr })
    case "NotPaused":
      return new ContainerNotPaused({ container, stderr })
    case "NotRunning":
      return new ContainerNotRunning({ container, operation, stderr })
    case "PauseUnsupported":
      return new PauseUnsupported({ container, stderr })
    case undefined:
      return undefined
  }
}

/** The typed refusals of lifecycle operations. */
export type LifecycleFailure = ContainerPaused | ContainerNotPaused | ContainerNotRunning | PauseUnsupported

/**
 * The refusal `message` names, when it is one of those `accepted` for this operation (the others
 * stay the caller's untyped failure: an engine would not say them here).
 */
export const acceptedFailure = <T extends LifecycleFailure["_tag"]>(
  container: string,
  operation: string,
  message: string,
  accepted: ReadonlyArray<T>
): Extract<LifecycleFailure, { readonly _tag: T }> | undefined => {
  const refusal = lifecycleFailure(container, operation, message)
  const isAccepted = (r: LifecycleFailure): r is Extract<LifecycleFailure, { readonly _tag: T }> =>
    accepted.some((tag) => tag === r._tag)
  return refusal !== undefined && isAccepted(refusal) ? refusal : undefined
}

/** A lifecycle call through the CLI: a refusal its stderr names is typed (see `lifecycleFailure`). */
const onLifecycle = <T extends LifecycleFailure["_tag"]>(
  cli: Cli,
  container: string,
  operation: string,
  args: ReadonlyArray<string>,
  options: CliOptions,
  accepted: ReadonlyArray<T>
): Effect.Effect<void, ContainerNotFound | CliError | Extract<LifecycleFailure, { readonly _tag: T }>> =>
  Effect.asVoid(
    onContainer(cli, container, args, options).pipe(
      Effect.catchTag(
        "CommandFailed",
        (error): Effect.Effect<never, CommandFailed | Extract<LifecycleFailure, { readonly _tag: T }>> => {
          const refusal = acceptedFailure(container, operation, error.stderr, accepted)
          return refusal === undefined ? Effect.fail(error) : Effect.fail(refusal)
        }
      )
    )
  )

/** Classifies a failed `container run` (ociman's classify_run_failure, extended). */
export const classifyRunFailure = (
  spec: RunSpec,
  result: CliResult
): NameInUse | ImageNotFound | ContainerStartFailed => {
  const stderr = decodeText(result.stderr)
  if (spec.name !== undefined && NAME_IN_USE.test(stderr)) return new NameInUse({ name: spec.name, stderr })
  if (RUN_IMAGE_NOT_FOUND.test(stderr)) return new ImageNotFound({ image: ImageReference.format(spec.image), stderr })
  return new ContainerStartFailed({ argv: result.argv, exitCode: result.exitCode, stderr })
}

type Platform = FileSystem.FileSystem | Path.Path

const TIMESTAMPED = /^(\S+) (.*)$/

/** Merges `logs --timestamps` stdout and stderr into one time-ordered list of lines. */
export const mergeTimestamped = (stdout: string, stderr: string): ReadonlyArray<LogLine> => {
  const parse = (stream: "stdout" | "stderr") => (line: string, index: number) => {
    const match = TIMESTAMPED.exec(line)
    const text = match?.[2] ?? line
    // RFC 3339 with nanoseconds sorts correctly as text within one runtime's format.
    return { stream, at: match?.[1] ?? "", text, index }
  }
  return [...nonEmptyLines(stdout).map(parse("stdout")), ...nonEmptyLines(stderr).map(parse("stderr"))]
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.index - b.index))
    .map(({ stream, text }) => ({ stream, text }))
}

/** A bind of a local path is refused on an engine that may be on another machine (see `Mount.Bind.onEngineHost`). */
export const bindsOnEngineOf =
  (backend: Backend) =>
  (spec: RunSpec): Effect.Effect<void, BindMountOnRemoteEngine> => {
    const local = backend.endpoint.remote
      ? spec.mounts.find((mount) => mount._tag === "Bind" && !mount.onEngineHost)
      : undefined
    return local === undefined || local._tag !== "Bind"
      ? Effect.void
      : Effect.fail(
          new BindMountOnRemoteEngine({
            source: local.source,
            target: local.target,
            endpoint: backend.endpoint.url ?? "(unknown)"
          })
        )
  }

/**
 * The health check through an `inspect` of the caller's (either transport's): runs the check once
 * through the CLI where the engine only runs it on request (Podman), else its last status stands.
 */
export const healthcheckWith =
  (
    backend: Backend,
    cli: Cli,
    inspect: (
      container: string
    ) => Effect.Effect<
      ContainerInspect.ContainerInspect,
      ContainerNotFound | CliError | ContainerInspect.InvalidInspect
    >
  ): ContainerOperations["healthcheck"] =>
  (container) =>
    Effect.flatMap(inspect(container), (info) => {
      const dialect = dialectOf(backend.kind)
      const health = info.state.health
      if (health === undefined) return Effect.fail(new HealthcheckMissing({ container }))
      const runArgs = dialect.healthcheckRunArgs
      if (health.status === "healthy" || runArgs === undefined) return Effect.succeed(outcomeOf(health))
      return Effect.flatMap(
        cli(runArgs(container), { timeout: QUERY_TIMEOUT }),
        (result): Effect.Effect<HealthcheckOutcome, HealthcheckMissing> => {
          if (result.exitCode === 0) return Effect.succeed({ _tag: "Healthy" })
          const stderr = decodeText(result.stderr)
          if (dialect.healthcheckMissing.test(stderr)) return Effect.fail(new HealthcheckMissing({ container }))
          const said = tail(stderr === "" ? decodeText(result.stdout) : stderr)
          return Effect.succeed({
            _tag: "Unhealthy",
            reason: `${backend.kind} healthcheck run exited with ${result.exitCode ?? "a signal"}: ${said}`
          })
        }
      )
    })

/** The container operations of a CLI runtime. */
export const makeContainerOperations = (
  backend: Backend,
  cli: Cli,
  platform: Context.Context<Platform | CommandExecutor.CommandExecutor>
): ContainerOperations => {
  const provided = <A, E>(effect: Effect.Effect<A, E, Platform | Scope.Scope>): Effect.Effect<A, E> =>
    effect.pipe(Effect.scoped, Effect.provide(platform))

  const inspect = (
    container: string
  ): Effect.Effect<ContainerInspect.ContainerInspect, ContainerNotFound | CliError | ContainerInspect.InvalidInspect> =>
    onContainer(cli, container, inspectArgs(container), { timeout: QUERY_TIMEOUT }).pipe(
      Effect.flatMap(
        (
          result
        ): Effect.Effect<ContainerInspect.ContainerInspect, ContainerNotFound | ContainerInspect.InvalidInspect> =>
          Either.match(ContainerInspect.decodeArray(decodeText(result.stdout)), {
            onLeft: Effect.fail,
            onRight: (all) =>
              all[0] === undefined ? Effect.fail(new ContainerNotFound({ container })) : Effect.succeed(all[0])
          })
      )
    )

  /** Containers matching the `--filter` values, parsed. */
  const listed = (
    filters: ReadonlyArray<string>
  ): Effect.Effect<ReadonlyArray<ListedContainer>, CliError | UnexpectedOutput> =>
    Effect.flatMap(
      cli(listArgs(filters), {
        timeout: QUERY_TIMEOUT
      }),
      (result): Effect.Effect<ReadonlyArray<ListedContainer>, CliError | UnexpectedOutput> =>
        result.exitCode === 0
          ? Either.match(parseList(decodeText(result.stdout)), {
              onLeft: (line) =>
                Effect.fail(new UnexpectedOutput({ argv: result.argv, expected: "ID<TAB>NAMES lines", output: line })),
              onRight: Effect.succeed
            })
          : Effect.fail(failed(result))
    )

  const existsStrategy = containerDialects[backend.kind].exists

  const exists = (container: string): Effect.Effect<boolean, CliError | UnexpectedOutput> => {
    // no container has an empty name or id (Podman would fail, Docker's empty filter match all)
    if (container === "") return Effect.succeed(false)
    if (existsStrategy._tag === "ListLookup") return dockerExists(container, (filter) => listed([filter]))
    return Effect.flatMap(
      cli(existsStrategy.args(container), { timeout: QUERY_TIMEOUT }),
      (result): Effect.Effect<boolean, CliError> => {
        const present = existsStrategy.present(result.exitCode)
        return present === undefined ? Effect.fail(failed(result)) : Effect.succeed(present)
      }
    )
  }

  const healthcheck = healthcheckWith(backend, cli, inspect)

  /**
   * Whether a failed exec was refused because the container is paused: Docker says so; Podman's
   * CLI says the same of a paused and a stopped one, so its state decides (a stopped container's
   * exec stays a failed result).
   */
  const execRefusedAsPaused = (container: string, stderr: string): Effect.Effect<boolean> => {
    if (EXEC_PAUSED.test(stderr)) return Effect.succeed(true)
    const ambiguous = execRefusedAmbiguously[backend.kind]
    if (ambiguous === undefined || !ambiguous.test(stderr)) return Effect.succeed(false)
    return inspect(container).pipe(
      Effect.map((info) => info.state.status === "paused"),
      Effect.orElseSucceed(() => false)
    )
  }

  const bindsOnThisEngine = bindsOnEngineOf(backend)

  // set once the engine failed a run for the log it was given (see `logRefused`)
  const engineRefusedLog = Ref.unsafeMake(false)

  // a definition with other networks or files: create, prepare, start (`./stagedRun.ts`)
  const staged: StagedRunDeps = {
    kind: backend.kind,
    cli,
    putArchive: makeCliFileOperations(backend.kind, cli, exists, failed).putArchive,
    connect: makeNetworkOperations(backend, cli).connect,
    statusOf: (container) =>
      inspect(container).pipe(
        Effect.map((info) => info.state.status),
        Effect.orElseSucceed(() => undefined)
      ),
    classifyRunFailure
  }

  return {
    ...makeCliFileOperations(backend.kind, cli, exists, failed),
    ...makeCliObservationOperations(backend, cli),
    healthcheck,
    probePort: (container, probe) =>
      inspect(container).pipe(
        Effect.flatMap((info) => firstBindingOf(container, info, probe.port, backend.endpoint)),
        Effect.flatMap((target) => probeFromHost(target, probe))
      ),
    ...makeContainerStreams(
      backend,
      (container) => onContainer(cli, container, idArgs(container), { timeout: QUERY_TIMEOUT }),
      execRefusedAsPaused,
      platform
    ),
    runForeground: (spec, options) =>
      provided(
        Effect.gen(function* () {
          yield* ttyInputRefusal(backend.kind, "run", spec)
          yield* bindsOnThisEngine(spec)
          const env = yield* envPlan(spec.env)
          if (isStaged(spec)) return yield* runForegroundStaged(staged, spec, env, options)
          const logPath =
            keepsOutputLog(backend.kind, spec, backend.endpoint.url, process.platform === "linux") &&
            !(yield* Ref.get(engineRefusedLog))
              ? Option.getOrUndefined(yield* outputLogPath)
              : undefined
          const run = (outputLog: string | undefined) =>
            cli(runArgs(spec, { detach: false, envArgs: env.args, outputLog }), {
              env: env.env,
              secrets: env.secrets,
              stdin: options.stdin,
              timeout: options.timeout
            })
          const first = yield* run(logPath)
          // an engine that cannot use the log: asked again without it, and never given one again
          const refused = logPath !== undefined && (yield* logRefused(first, logPath))
          if (refused) yield* Ref.set(engineRefusedLog, true)
          const result = refused ? yield* run(undefined) : first
          const readFrom = refused ? undefined : logPath
          // 125 (or no exit code at all) is the runtime failing, not the container's command
          if (result.exitCode === RUNTIME_ERROR_EXIT || result.exitCode === undefined) {
            return yield* classifyRunFailure(spec, result)
          }
          return execResultOf(readFrom === undefined ? result : yield* withOutputFromLog(result, readFrom))
        })
      ),

    runDetached: (spec) =>
      provided(
        Effect.gen(function* () {
          yield* bindsOnThisEngine(spec)
          const env = yield* envPlan(spec.env)
          if (isStaged(spec)) return yield* runDetachedStaged(staged, spec, env)
          const result = yield* cli(runArgs(spec, { detach: true, envArgs: env.args }), {
            env: env.env,
            secrets: env.secrets
          })
          if (result.exitCode !== 0) return yield* classifyRunFailure(spec, result)
          const id = decodeText(result.stdout).trim()
          if (!/^[0-9a-f]{12,64}$/.test(id)) {
            return yield* new UnexpectedOutput({ argv: result.argv, expected: "a container id", output: id })
          }
          return { id, argv: result.argv }
        })
      ),

    exec: (container, spec, options = {}) =>
      provided(
        Effect.gen(function* () {
          yield* ttyInputRefusal(backend.kind, "exec", spec)
          const env = yield* envPlan(spec.env)
          const result = yield* cli(execArgs(container, spec, env.args), {
            env: env.env,
            secrets: env.secrets,
            stdin: spec.stdin,
            timeout: options.timeout
          })
          // The exec itself failed, not the command (Docker exits 1, Podman 125); the message is
          // specific, so a command that prints "No such file" is not mistaken for it.
          if (result.exitCode !== 0 && CONTAINER_NOT_FOUND.test(decodeText(result.stderr))) {
            return yield* new ContainerNotFound({ container })
          }
          if (result.exitCode !== 0 && (yield* execRefusedAsPaused(container, decodeText(result.stderr)))) {
            return yield* new ContainerPaused({
              container,
              operation: "exec",
              stderr: decodeText(result.stderr).trim()
            })
          }
          return execResultOf(result)
        })
      ),

    stop: (container, { timeoutSeconds }) =>
      Effect.asVoid(
        onContainer(cli, container, stopArgs(container, timeoutSeconds), {
          // the CLI waits for the grace period; never longer than that plus a margin
          timeout: `${timeoutSeconds + 30} seconds`
        })
      ),

    remove: (container, options) =>
      onContainer(cli, container, removeArgs(backend.kind, container, options), { timeout: "60 seconds" }).pipe(
        // another removal is finishing: ask again until the container is gone (ContainerNotFound)
        Effect.retry({
          while: (error) => error._tag === "CommandFailed" && REMOVAL_IN_PROGRESS.test(error.stderr),
          schedule: Schedule.spaced("250 millis"),
          times: 40
        }),
        onLiveClock,
        Effect.asVoid
      ),

    inspect,

    exists,

    list: (filters) => listed(filters.map(labelFilterArg)),

    listLabeled: (filters) =>
      listLabeled(askingAgainAfterStorageRace(backend.kind, cli), labeledContainers[backend.kind], filters),

    logs: (container) =>
      Effect.map(onContainer(cli, container, logsArgs(container), { timeout: QUERY_TIMEOUT }), (result) =>
        mergeTimestamped(decodeText(result.stdout), decodeText(result.stderr))
      ),

    wait: (container) =>
      Effect.flatMap(onContainer(cli, container, waitArgs(container)), (result) => {
        const text = decodeText(result.stdout).trim()
        const code = Number(text.split("\n").at(-1))
        return Number.isInteger(code)
          ? Effect.succeed(code)
          : Effect.fail(new UnexpectedOutput({ argv: result.argv, expected: "an exit code", output: text }))
      }),

    // lifecycle (issue #17): each a short engine call; a restart waits for the stop's grace
    restart: (container, { timeoutSeconds }) =>
      onLifecycle(
        cli,
        container,
        "restart",
        restartArgs(container, timeoutSeconds),
        { timeout: `${timeoutSeconds + 60} seconds` },
        ["ContainerPaused"]
      ),
    pause: (container) =>
      onLifecycle(cli, container, "pause", pauseArgs(container), { timeout: "60 seconds" }, [
        "ContainerPaused",
        "ContainerNotRunning",
        "PauseUnsupported"
      ]),
    unpause: (container) =>
      onLifecycle(cli, container, "unpause", unpauseArgs(container), { timeout: "60 seconds" }, [
        "ContainerNotPaused",
        "PauseUnsupported"
      ]),
    kill: (container, signal) =>
      onLifecycle(cli, container, "kill", killArgs(container, signal), { timeout: "60 seconds" }, [
        "ContainerNotRunning"
      ]),

    commit: (container, reference, { pause }) => {
      // where the flags depend on the CLI's version, which a probe over the API did not ask, it is
      // asked now (once per process); should the CLI not say it, the engine's (Docker ships both
      // together). Where they do not, no version is read.
      const versionFor = (paused: boolean) =>
        backend.clientVersion !== undefined || !commitPauseFlagNeedsVersion(backend.kind, paused)
          ? Effect.succeed(backend.clientVersion ?? backend.engineVersion)
          : clientVersionOfBackend(backend).pipe(Effect.orElseSucceed(() => backend.engineVersion))
      const commit = (paused: boolean) =>
        Effect.flatMap(versionFor(paused), (version) =>
          onContainer(cli, container, commitArgs(backend.kind, version, container, reference, paused))
        )
      return Effect.asVoid(
        commit(pause).pipe(
          Effect.catchIf(
            (error) => pause && error._tag === "CommandFailed" && CANNOT_PAUSE.test(error.stderr),
            () => commit(false)
          )
        )
      )
    }
  }
}
