/**
 * Container operations over the engine's API (Docker's, or Podman's Docker-compatible service):
 * the same `ContainerOperations` as the CLI wing, with the same typed errors, each call a request
 * on a kept-alive connection instead of a CLI process.
 *
 * What stays on the CLI (`cliOps`): a foreground run (attached output, stdin; with a TTY fed
 * stdin on Docker, whose CLI cannot take one from a pipe, `hijack.ts`, wired in
 * `../cli/runtime.ts`), an exec with stdin or a TTY (but a TTY fed stdin on Docker: over a
 * taken-over connection here, see `startExec`), commit, a run whose fields only the CLI can
 * express (see `createBody.ts`) or that must pull its image, and the engine's refusals whose exact CLI error is part of the contract (removing
 * a running container, an exec in a stopped one): the call is repeated through the CLI, so the
 * error is the CLI's own.
 */
import { Duration, Effect, Either, Schema, type Scope, Stream } from "effect"
import { type CliError, CommandTimedOut } from "../../CliError.js"
import {
  ContainerExitedNonZero,
  ContainerNotFound,
  ContainerPaused,
  ContainerStartFailed,
  ImageNotFound,
  NameInUse
} from "../../ContainerError.js"
import * as ContainerInspect from "../../ContainerInspect.js"
import type {
  Backend,
  ContainerOperations,
  ExecResult,
  ExecSpec,
  LabeledContainer,
  ListedContainer,
  LogLine,
  RunSpec,
  Service
} from "../../ContainerRuntime.js"
import type * as EnvVar from "../../EnvVar.js"
import * as ImageReference from "../../ImageReference.js"
import type * as Label from "../../Label.js"
import { compareUtf8, decodeText } from "../bytes.js"
import { bindsOnEngineOf, healthcheckWith, mergeTimestamped } from "../cli/containers.js"
import { acceptedFailure, type LifecycleFailure } from "../cli/containers.js"
import { STREAM_TAIL_LINES } from "../cli/containerStreams.js"
import { apiDialects } from "../dialect/api.js"
import { execArgs, NAME_IN_USE, RUN_IMAGE_NOT_FOUND, runArgs, ttyInputOverApi } from "../dialect/containers.js"
import { isStaged, prepareCreated } from "../stagedStart.js"
import { makeNetworkOperations } from "../cli/networks.js"
import { EXEC_PAUSED } from "../dialect/containers.js"
import { envPlan } from "../dialect/env.js"
import { onLiveClock } from "../clock.js"
import { firstBindingOf } from "../hostPorts.js"
import { probeFromHost } from "../hostProbe.js"
import { createRequestOf, envOf } from "./createBody.js"
import { makeApiFileOperations } from "./files.js"
import { makeApiObservationOperations } from "./observation.js"
import { demuxAll, Demuxer, LineSplitter } from "./framing.js"
import {
  decodeJson,
  type EngineClient,
  type EngineRequest,
  type EngineResponse,
  engineMessageOf,
  isSuccess,
  requestFailed
} from "./http.js"

/** Queries answer in milliseconds; one still unanswered after this waits on an engine that hangs. */
const QUERY_TIMEOUT = "60 seconds"
/** Create, start, remove: the engine may be busy (storage, networks), but not for minutes. */
export const CHANGE_TIMEOUT = "120 seconds"

const id = (container: string): string => encodeURIComponent(container)

export const IdAnswer = Schema.Struct({ Id: Schema.String })
/** A wait's answer; Docker says in `Error` why an auto-removal failed. */
export const WaitAnswer = Schema.Struct({
  StatusCode: Schema.Int,
  Error: Schema.optional(Schema.NullOr(Schema.Struct({ Message: Schema.optional(Schema.String) })))
})
const ExecInspectAnswer = Schema.Struct({ Running: Schema.Boolean, ExitCode: Schema.NullOr(Schema.Int) })
const Labels = Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.String }))
const ListAnswer = Schema.Array(
  Schema.Struct({
    Id: Schema.String,
    Names: Schema.NullOr(Schema.Array(Schema.String)),
    ImageID: Schema.optional(Schema.String),
    Labels: Schema.optional(Labels)
  })
)

/** The CLI's `--filter label=…` values as the API's `filters` query. */
export const labelFilters = (filters: ReadonlyArray<Label.Filter>): string =>
  JSON.stringify({
    label: filters.map((filter) => (filter.value === undefined ? filter.key : `${filter.key}=${filter.value}`))
  })

const withoutSlash = (name: string): string => name.replace(/^\//, "")

/** The CLI command equivalent to an API call, for errors and results (env names only, never values). */
const envNameArgs = (vars: EnvVar.EnvVars): ReadonlyArray<string> =>
  Either.match(envPlan(vars), { onLeft: () => [], onRight: (plan) => plan.args })

/**
 * Classifies a failed create: a name in use, a missing image, or another refusal (a missing
 * network, an invalid mount: the container cannot start).
 */
export const classifyCreateFailure = (
  spec: RunSpec,
  argv: ReadonlyArray<string>,
  response: EngineResponse
): NameInUse | ImageNotFound | ContainerStartFailed => {
  const message = engineMessageOf(response.body)
  // Docker answers 409, Podman's compatible service 500 with the CLI's wording
  if (spec.name !== undefined && (response.status === 409 || NAME_IN_USE.test(message))) {
    return new NameInUse({ name: spec.name, stderr: message })
  }
  if (response.status === 404 && RUN_IMAGE_NOT_FOUND.test(message)) {
    return new ImageNotFound({ image: ImageReference.format(spec.image), stderr: message })
  }
  return new ContainerStartFailed({ argv, exitCode: undefined, stderr: message })
}

/** The last lines of each output, kept while a stream flows (for `ContainerExitedNonZero`). */
class Tail {
  private readonly lines = { stdout: new Array<string>(), stderr: new Array<string>() }
  keep(line: LogLine): void {
    const lines = this.lines[line.stream]
    lines.push(line.text)
    if (lines.length > STREAM_TAIL_LINES) lines.shift()
  }
  text(stream: "stdout" | "stderr"): string {
    return this.lines[stream].map((line) => `${line}\n`).join("")
  }
}

/** A framed body as lines, each output split on its own. */
const linesOf = <E, R>(body: Stream.Stream<Uint8Array, E, R>): Stream.Stream<LogLine, E, R> =>
  Stream.suspend(() => {
    const demuxer = new Demuxer()
    const splitter = new LineSplitter()
    return body.pipe(
      Stream.mapConcat((chunk) => demuxer.push(chunk).flatMap((frame) => splitter.push(frame))),
      Stream.concat(
        Stream.suspend(() =>
          Stream.fromIterable([...demuxer.end().flatMap((frame) => splitter.push(frame)), ...splitter.end()])
        )
      )
    )
  })

/** A TTY's raw output as lines (all of it stdout). */
const rawLinesOf = <E, R>(body: Stream.Stream<Uint8Array, E, R>): Stream.Stream<LogLine, E, R> =>
  Stream.suspend(() => {
    const splitter = new LineSplitter()
    return body.pipe(
      Stream.mapConcat((bytes) => splitter.push({ stream: "stdout", bytes })),
      Stream.concat(Stream.suspend(() => Stream.fromIterable(splitter.end())))
    )
  })

/**
 * Removes a container this transport created and nobody else owns (forced, with its volumes); one
 * already gone is removed. A refusal is the engine's answer (`EngineRequestFailed`).
 */
export const removeContainer = (client: EngineClient, containerId: string): Effect.Effect<void, CliError> => {
  const request: EngineRequest = {
    method: "DELETE",
    template: "/containers/{id}",
    path: `/containers/${id(containerId)}`,
    query: { force: "1", v: "1" },
    timeout: CHANGE_TIMEOUT,
    shielded: true
  }
  return Effect.flatMap(client.request(request), (response) =>
    isSuccess(response.status) || response.status === 404 ? Effect.void : Effect.fail(requestFailed(request, response))
  )
}

/** `removeContainer`, its failures ignored (a clean-up after another failure). */
export const removeContainerQuietly = (client: EngineClient, containerId: string): Effect.Effect<void> =>
  Effect.ignore(removeContainer(client, containerId))

/** The container operations over the API; `cliOps` are the CLI wing's, for what stays there. */
export const makeApiContainerOperations = (
  backend: Backend,
  client: EngineClient,
  cli: Service["cli"],
  cliOps: ContainerOperations
): ContainerOperations => {
  const cliArgv = (args: ReadonlyArray<string>): ReadonlyArray<string> => [backend.executable, ...args]
  const paths = apiDialects[backend.kind]

  const inspectRequest = (container: string): EngineRequest => ({
    method: "GET",
    template: paths.inspectTemplate,
    path: paths.inspectTemplate.replace("{id}", id(container)),
    timeout: QUERY_TIMEOUT
  })

  /** A request whose 404 means the container is gone; any other failure status is `EngineRequestFailed`. */
  const onContainer = (
    container: string,
    request: EngineRequest
  ): Effect.Effect<EngineResponse, ContainerNotFound | CliError> =>
    Effect.flatMap(client.request(request), (response): Effect.Effect<EngineResponse, ContainerNotFound | CliError> =>
      isSuccess(response.status) || response.status === 304
        ? Effect.succeed(response)
        : response.status === 404
          ? Effect.fail(new ContainerNotFound({ container }))
          : Effect.fail(requestFailed(request, response))
    )

  const inspect = (
    container: string
  ): Effect.Effect<
    ContainerInspect.ContainerInspect,
    ContainerNotFound | CliError | ContainerInspect.InvalidInspect
  > => {
    const request = inspectRequest(container)
    return onContainer(container, request).pipe(
      Effect.flatMap((response) => decodeJson(Schema.Unknown, request, response)),
      Effect.flatMap(ContainerInspect.decodeEffect)
    )
  }

  const exists = (container: string): Effect.Effect<boolean, CliError> => {
    // no container has an empty name or id; the path would name the list instead
    if (container === "") return Effect.succeed(false)
    const request = inspectRequest(withoutSlash(container))
    return Effect.flatMap(client.request(request), (response) =>
      isSuccess(response.status)
        ? Effect.succeed(true)
        : response.status === 404
          ? Effect.succeed(false)
          : Effect.fail(requestFailed(request, response))
    )
  }

  const listed = (filters: ReadonlyArray<Label.Filter>) => {
    const request: EngineRequest = {
      method: "GET",
      template: paths.listTemplate,
      path: paths.listTemplate,
      query: { all: "true", filters: labelFilters(filters) },
      timeout: QUERY_TIMEOUT
    }
    return Effect.flatMap(client.request(request), (response) =>
      isSuccess(response.status)
        ? decodeJson(ListAnswer, request, response)
        : Effect.fail(requestFailed(request, response))
    )
  }

  const bindsOnThisEngine = bindsOnEngineOf(backend)
  const cliConnect = makeNetworkOperations(backend, cli).connect

  const removeQuietly = (containerId: string) => removeContainerQuietly(client, containerId)

  const runDetached: ContainerOperations["runDetached"] = (spec) =>
    Effect.gen(function* () {
      yield* bindsOnThisEngine(spec)
      const translated = yield* createRequestOf(spec)
      if (Either.isLeft(translated)) return yield* cliOps.runDetached(spec)
      const { query, body } = translated.right
      const argv = cliArgv(runArgs(spec, { detach: true, envArgs: envNameArgs(spec.env) }))
      const create: EngineRequest = {
        method: "POST",
        template: "/containers/create",
        path: "/containers/create",
        query,
        body,
        timeout: CHANGE_TIMEOUT,
        // interrupted, the engine would still create it: wait for the id, so the caller can remove it
        shielded: true
      }
      const created = yield* client.request(create)
      if (!isSuccess(created.status)) {
        const failure = classifyCreateFailure(spec, argv, created)
        // The CLI pulls a missing image unless told `--pull never`; the API's create never does.
        if (failure._tag === "ImageNotFound" && spec.pullPolicy !== "never") return yield* cliOps.runDetached(spec)
        return yield* failure
      }
      const { Id: containerId } = yield* decodeJson(IdAnswer, create, created)
      // other networks and a definition's files go in between create and start (networks stay on
      // the CLI; the files go over the CLI's `cp -`, as `putArchive` does)
      if (isStaged(spec)) {
        yield* prepareCreated({ connect: cliConnect, putArchive: cliOps.putArchive }, containerId, spec, argv).pipe(
          Effect.onError(() => removeQuietly(containerId))
        )
      }
      const start: EngineRequest = {
        method: "POST",
        template: "/containers/{id}/start",
        path: `/containers/${id(containerId)}/start`,
        timeout: CHANGE_TIMEOUT,
        shielded: true
      }
      const started = yield* client.request(start)
      if (!isSuccess(started.status) && started.status !== 304) {
        // The CLI leaves the created container behind; nobody would own it here, so it goes.
        yield* removeQuietly(containerId)
        return yield* new ContainerStartFailed({ argv, exitCode: undefined, stderr: engineMessageOf(started.body) })
      }
      return { id: containerId, argv }
    })

  /** A TTY fed stdin that this engine's CLI cannot take: over a taken-over connection here (see `startExec`). */
  const overHijack = (spec: ExecSpec): boolean => ttyInputOverApi(backend.kind, "exec", spec)

  /** What the API exec leaves to the CLI: stdin bytes, a TTY, an open stdin (except `overHijack`). */
  const execOnCli = (spec: ExecSpec): boolean =>
    !overHijack(spec) && (spec.stdin !== undefined || spec.tty || spec.interactive)

  /**
   * The CLI's answer to an exec the engine refused (a container that is not running). A TTY fed
   * stdin goes there without its TTY, which Docker's CLI would refuse before asking the engine:
   * the engine refuses the same way with or without it.
   */
  const execRefusedOnCli = (
    container: string,
    spec: ExecSpec,
    options: { readonly timeout?: Duration.DurationInput | undefined }
  ) => cliOps.exec(container, overHijack(spec) ? { ...spec, tty: false } : spec, options)

  /**
   * Creates the exec; `undefined` when the engine refuses it (a container that is not running):
   * the caller repeats it through the CLI, whose result (an exit code and its message) that is.
   */
  const createExec = (
    container: string,
    spec: ExecSpec
  ): Effect.Effect<string | undefined, ContainerNotFound | ContainerPaused | EnvVar.InvalidEnvVar | CliError> =>
    Effect.gen(function* () {
      const env = yield* envOf(spec.env)
      const request: EngineRequest = {
        method: "POST",
        template: "/containers/{id}/exec",
        path: `/containers/${id(container)}/exec`,
        body: {
          AttachStdin: overHijack(spec),
          AttachStdout: true,
          AttachStderr: true,
          Tty: spec.tty,
          Cmd: spec.command,
          Env: env,
          ...(spec.user === undefined ? {} : { User: spec.user }),
          ...(spec.workdir === undefined ? {} : { WorkingDir: spec.workdir })
        },
        timeout: QUERY_TIMEOUT
      }
      const response = yield* client.request(request)
      if (response.status === 404) return yield* new ContainerNotFound({ container })
      // an exec into a paused container: the engine names it; typed here, as the CLI wing types it
      const refusal = isSuccess(response.status) ? "" : engineMessageOf(response.body)
      if (EXEC_PAUSED.test(refusal)) {
        return yield* new ContainerPaused({ container, operation: "exec", stderr: refusal })
      }
      // refused (not running: Docker 409, Podman 500): the CLI's result is the contract
      if (!isSuccess(response.status)) return undefined
      return (yield* decodeJson(IdAnswer, request, response)).Id
    })

  /**
   * Starts the exec and returns its output as it comes: framed, or raw with a TTY. A TTY fed stdin
   * takes the connection over, writes the bytes and leaves the write side open: Docker stops
   * forwarding a TTY's output as soon as its stdin ends, and a TTY does not pass the end of a
   * stream on as an end of file anyway (`"\x04"` in the bytes is the terminal's); the engine
   * closes the connection when the command exits.
   */
  const startExec = (
    execId: string,
    spec: ExecSpec
  ): Effect.Effect<Stream.Stream<Uint8Array, CliError>, CliError, Scope.Scope> => {
    const request: EngineRequest = {
      method: "POST",
      template: "/exec/{id}/start",
      path: `/exec/${id(execId)}/start`,
      body: { Detach: false, Tty: spec.tty },
      timeout: QUERY_TIMEOUT
    }
    if (overHijack(spec)) return client.hijack(request, spec.stdin ?? new Uint8Array(), { endInput: false })
    return Effect.flatMap(client.open(request), (opened) =>
      isSuccess(opened.status)
        ? Effect.succeed(opened.body)
        : Effect.flatMap(Stream.runCollect(opened.body), (chunks): Effect.Effect<never, CliError> =>
            Effect.fail(requestFailed(request, { status: opened.status, body: Buffer.concat(Array.from(chunks)) }))
          )
    )
  }

  /** The exec's exit code; the engine may still be recording it just after the output ended. */
  const exitCodeOf = (execId: string): Effect.Effect<number | undefined, CliError> => {
    const request: EngineRequest = {
      method: "GET",
      template: "/exec/{id}/json",
      path: `/exec/${id(execId)}/json`,
      timeout: QUERY_TIMEOUT
    }
    const once = Effect.flatMap(client.request(request), (response) =>
      isSuccess(response.status)
        ? decodeJson(ExecInspectAnswer, request, response)
        : Effect.fail(requestFailed(request, response))
    )
    return Effect.gen(function* () {
      for (let attempt = 0; attempt < 50; attempt++) {
        const answer = yield* once
        if (!answer.Running && answer.ExitCode !== null) return answer.ExitCode
        yield* onLiveClock(Effect.sleep("10 millis"))
      }
      return undefined
    })
  }

  /**
   * An exec's own timeout: the same `CommandTimedOut` as the CLI's, naming the equivalent command
   * (callers match it). The output is abandoned, as the CLI's killed client abandons it.
   */
  const execTimedOut = (argv: ReadonlyArray<string>, timeout: Duration.DurationInput): CommandTimedOut =>
    new CommandTimedOut({ argv, timeoutMillis: Duration.toMillis(Duration.decode(timeout)) })

  const timed = <A, E, R>(
    effect: Effect.Effect<A, E, R>,
    timeout: Duration.DurationInput | undefined,
    argv: ReadonlyArray<string>
  ): Effect.Effect<A, E | CommandTimedOut, R> =>
    timeout === undefined
      ? effect
      : onLiveClock(Effect.timeoutFail(effect, { duration: timeout, onTimeout: () => execTimedOut(argv, timeout) }))

  const exec: ContainerOperations["exec"] = (container, spec, options = {}) => {
    if (execOnCli(spec)) return cliOps.exec(container, spec, options)
    const argv = cliArgv(execArgs(container, spec, envNameArgs(spec.env)))
    return timed(
      Effect.gen(function* () {
        const execId = yield* createExec(container, spec)
        if (execId === undefined) return yield* execRefusedOnCli(container, spec, options)
        const output = yield* Effect.scoped(Effect.flatMap(startExec(execId, spec), Stream.runCollect))
        // a TTY's output is one raw stream (the engine frames nothing)
        const { stdout, stderr } = spec.tty
          ? { stdout: Buffer.concat(Array.from(output)), stderr: new Uint8Array() }
          : demuxAll(Array.from(output))
        const exitCode = yield* exitCodeOf(execId)
        const result: ExecResult = {
          exitCode,
          stdout: decodeText(stdout),
          stderr: decodeText(stderr),
          stdoutBytes: stdout,
          stderrBytes: stderr,
          argv
        }
        return result
      }),
      options.timeout,
      argv
    )
  }

  const streamExec: ContainerOperations["streamExec"] = (container, spec, options = {}) => {
    if (execOnCli(spec)) return cliOps.streamExec(container, spec, options)
    const argv = cliArgv(execArgs(container, spec, envNameArgs(spec.env)))
    const lines = Stream.unwrapScoped(
      Effect.gen(function* () {
        const execId = yield* createExec(container, spec)
        if (execId === undefined)
          return cliOps.streamExec(container, overHijack(spec) ? { ...spec, tty: false } : spec, options)
        const body = yield* startExec(execId, spec)
        const kept = new Tail()
        const ending = Effect.flatMap(exitCodeOf(execId), (exitCode) =>
          exitCode === 0
            ? Effect.succeed([])
            : Effect.fail(
                new ContainerExitedNonZero({ argv, exitCode, stdout: kept.text("stdout"), stderr: kept.text("stderr") })
              )
        )
        return (spec.tty ? rawLinesOf(body) : linesOf(body)).pipe(
          Stream.tap((line) => Effect.sync(() => kept.keep(line))),
          Stream.concat(Stream.flattenIterables(Stream.fromEffect(ending)))
        )
      })
    )
    const timeout = options.timeout
    return timeout === undefined
      ? lines
      : Stream.interruptWhen(
          lines,
          Effect.flatMap(onLiveClock(Effect.sleep(timeout)), () => Effect.fail(execTimedOut(argv, timeout)))
        )
  }

  const logsRequest = (
    container: string,
    query: Readonly<Record<string, string | undefined>>,
    timeout: Duration.DurationInput | undefined
  ): EngineRequest => ({
    method: "GET",
    template: "/containers/{id}/logs",
    path: `/containers/${id(container)}/logs`,
    query: { stdout: "1", stderr: "1", ...query },
    timeout
  })

  // Podman runs a check only on request: through its CLI, as the CLI wing does
  const healthcheck = healthcheckWith(backend, cli, inspect)

  /**
   * `POST /containers/{id}/<action>` (restart, pause, unpause, kill: the compatible API on both
   * engines): 204, or 404 (`ContainerNotFound`), or a refusal its message names (Docker 409 or 500,
   * Podman 500), typed as the CLI wing types the CLI's (see `lifecycleFailure`).
   */
  const lifecycle = <T extends LifecycleFailure["_tag"]>(
    container: string,
    action: string,
    query: Readonly<Record<string, string | undefined>>,
    timeout: Duration.DurationInput,
    accepted: ReadonlyArray<T>
  ): Effect.Effect<void, ContainerNotFound | CliError | Extract<LifecycleFailure, { readonly _tag: T }>> => {
    const request: EngineRequest = {
      method: "POST",
      template: `/containers/{id}/${action}`,
      path: `/containers/${id(container)}/${action}`,
      query,
      timeout
    }
    return Effect.flatMap(
      client.request(request),
      (
        response
      ): Effect.Effect<void, ContainerNotFound | CliError | Extract<LifecycleFailure, { readonly _tag: T }>> => {
        if (isSuccess(response.status) || response.status === 304) return Effect.void
        if (response.status === 404) return Effect.fail(new ContainerNotFound({ container }))
        const refusal = acceptedFailure(container, action, engineMessageOf(response.body), accepted)
        return Effect.fail(refusal ?? requestFailed(request, response))
      }
    )
  }

  return {
    runForeground: cliOps.runForeground,
    runDetached,
    exec,
    streamExec,

    stop: (container, { timeoutSeconds }) =>
      Effect.asVoid(
        onContainer(container, {
          method: "POST",
          template: "/containers/{id}/stop",
          path: `/containers/${id(container)}/stop`,
          query: { t: String(timeoutSeconds) },
          // the engine waits for the grace period; never longer than that plus a margin
          timeout: `${timeoutSeconds + 30} seconds`
        })
      ),

    remove: (container, options) => {
      const request: EngineRequest = {
        method: "DELETE",
        template: "/containers/{id}",
        path: `/containers/${id(container)}`,
        query: { force: options.force ? "1" : undefined, v: options.volumes ? "1" : undefined },
        timeout: CHANGE_TIMEOUT
      }
      return Effect.flatMap(client.request(request), (response): Effect.Effect<void, ContainerNotFound | CliError> => {
        if (isSuccess(response.status)) return Effect.void
        // `rm --force` of a missing container succeeds on both CLIs
        if (response.status === 404)
          return options.force ? Effect.void : Effect.fail(new ContainerNotFound({ container }))
        // Refused (running without force, a removal already under way; Docker 409, Podman 500): the
        // CLI's own error, which callers match (a sweep retries "already in progress")
        return cliOps.remove(container, options)
      })
    },

    inspect,
    exists,
    list: (filters) =>
      Effect.map(listed(filters), (all): ReadonlyArray<ListedContainer> =>
        all.map((c) => ({ id: c.Id, names: (c.Names ?? []).map(withoutSlash) }))
      ),
    listLabeled: (filters) =>
      Effect.map(listed(filters), (all): ReadonlyArray<LabeledContainer> =>
        all.map((c) => ({
          id: c.Id,
          // the CLI's inspect prints one name per container
          names: (c.Names ?? []).slice(0, 1).map(withoutSlash),
          image: c.ImageID ?? "",
          labels: new Map(Object.entries(c.Labels ?? {}).sort(([a], [b]) => compareUtf8(a, b)))
        }))
      ),

    logs: (container) => {
      const request = logsRequest(container, { timestamps: "1" }, QUERY_TIMEOUT)
      return Effect.map(onContainer(container, request), (response) => {
        const { stdout, stderr } = demuxAll([response.body])
        return mergeTimestamped(decodeText(stdout), decodeText(stderr))
      })
    },

    streamLogs: (container, options) =>
      Stream.unwrapScoped(
        Effect.gen(function* () {
          const request = logsRequest(
            container,
            {
              follow: options.follow ? "1" : undefined,
              tail: options.tail === undefined ? undefined : String(options.tail)
            },
            QUERY_TIMEOUT
          )
          const opened = yield* client.open(request)
          if (opened.status === 404) return yield* new ContainerNotFound({ container })
          if (!isSuccess(opened.status)) {
            const chunks = yield* Stream.runCollect(opened.body)
            return yield* requestFailed(request, { status: opened.status, body: Buffer.concat(Array.from(chunks)) })
          }
          return linesOf(opened.body)
        })
      ),

    wait: (container) => {
      // as long as the container runs: no timeout (the caller's deadline bounds it)
      const request: EngineRequest = {
        method: "POST",
        template: "/containers/{id}/wait",
        path: `/containers/${id(container)}/wait`,
        timeout: undefined
      }
      return onContainer(container, request).pipe(
        Effect.flatMap((response) => decodeJson(WaitAnswer, request, response)),
        Effect.map((answer) => answer.StatusCode)
      )
    },

    commit: cliOps.commit,

    // lifecycle (issue #17)
    restart: (container, { timeoutSeconds }) =>
      lifecycle(container, "restart", { t: String(timeoutSeconds) }, `${timeoutSeconds + 60} seconds`, [
        "ContainerPaused"
      ]),
    pause: (container) =>
      lifecycle(container, "pause", {}, CHANGE_TIMEOUT, ["ContainerPaused", "ContainerNotRunning", "PauseUnsupported"]),
    unpause: (container) =>
      lifecycle(container, "unpause", {}, CHANGE_TIMEOUT, ["ContainerNotPaused", "PauseUnsupported"]),
    kill: (container, signal) => lifecycle(container, "kill", { signal }, CHANGE_TIMEOUT, ["ContainerNotRunning"]),

    ...makeApiFileOperations(client, cliOps),
    ...makeApiObservationOperations(backend, client, cliOps),
    healthcheck,
    probePort: (container, probe) =>
      inspect(container).pipe(
        Effect.flatMap((info) => firstBindingOf(container, info, probe.port, backend.endpoint)),
        Effect.flatMap((target) => probeFromHost(target, probe))
      )
  }
}
