/**
 * A foreground run with a TTY fed stdin over the Engine API, on a taken-over connection
 * (`EngineClient.hijack`): what Docker's CLI cannot do from a pipe (see `ttyInputRoutes`). As its
 * CLI does for `run -it`: create with stdin open and attached, wait for the next exit (asked
 * before the start, so that it is not missed) and, for an auto-removed container, for its removal,
 * attach, start, read the output until the engine closes the connection, then the exit code from
 * the wait, and return once the container is gone.
 *
 * With a TTY the output is one raw stream (no framing), and the write side stays open after the
 * bytes: Docker stops forwarding a TTY's output once its stdin ends, and a TTY does not pass the
 * end of a stream on as an end of file anyway (`"\x04"` in the bytes is the terminal's).
 */
import { Duration, Effect, Either, Stream } from "effect"
import { CommandTimedOut } from "../../CliError.js"
import { ContainerStartFailed, TtyInputUnsupported } from "../../ContainerError.js"
import type {
  Backend,
  ContainerOperations,
  ExecResult,
  ImageOperations,
  NetworkOperations
} from "../../ContainerRuntime.js"
import { decodeText } from "../bytes.js"
import { onLiveClock } from "../clock.js"
import { bindsOnEngineOf } from "../cli/containers.js"
import { runArgs } from "../dialect/containers.js"
import { isStaged, prepareCreated } from "../stagedStart.js"
import { envPlan } from "../dialect/env.js"
import {
  CHANGE_TIMEOUT,
  classifyCreateFailure,
  IdAnswer,
  removeContainer,
  removeContainerQuietly,
  WaitAnswer
} from "./containers.js"
import { createRequestOf, type CreateRequest } from "./createBody.js"
import { decodeJson, type EngineClient, type EngineRequest, engineMessageOf, isSuccess } from "./http.js"

/**
 * How long a run waits, after its output ended, for the engine to remove an auto-removed
 * container: Docker answers a removal wait when the removal is done or failed at its last step,
 * not for every failure, and a run must not hang on it.
 */
const REMOVAL_TIMEOUT = "60 seconds"

const id = (container: string): string => encodeURIComponent(container)

/**
 * `runForeground` for a spec with a TTY and `interactive`, over `client`. Of the rest of the
 * runtime: `cliOps` puts a definition's files in and `runtime.connect` joins its other networks
 * between create and start (`../stagedStart.ts`), `runtime.pull` pulls an image the create did not
 * find (as the CLI's run does unless `pullPolicy` is `never`).
 */
export const makeTtyInputRun =
  (
    backend: Backend,
    client: EngineClient,
    cliOps: ContainerOperations,
    runtime: { readonly pull: ImageOperations["pull"]; readonly connect: NetworkOperations["connect"] }
  ): ContainerOperations["runForeground"] =>
  (spec, options) => {
    const argv = [
      backend.executable,
      ...runArgs(spec, {
        detach: false,
        envArgs: Either.match(envPlan(spec.env), { onLeft: () => [], onRight: (plan) => plan.args })
      })
    ]
    const pull = Stream.runDrain(runtime.pull(spec.image))

    const removeQuietly = (containerId: string) => removeContainerQuietly(client, containerId)

    const createRequest = (request: CreateRequest): EngineRequest => ({
      method: "POST",
      template: "/containers/create",
      path: "/containers/create",
      query: request.query,
      body: {
        ...request.body,
        // stdin attached and closed with the attachment, as `run --interactive` without `--detach`
        OpenStdin: true,
        StdinOnce: true,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true
      },
      timeout: CHANGE_TIMEOUT,
      // interrupted, the engine would still create it: wait for the id, so that it can be removed
      shielded: true
    })

    const created = Effect.gen(function* () {
      // the API's create never pulls: `always` pulls first, a missing image is pulled and created again
      if (spec.pullPolicy === "always") yield* pull
      const translated = yield* createRequestOf(
        spec.pullPolicy === "always" ? { ...spec, pullPolicy: "missing" } : spec
      )
      // a field only the CLI can say: neither way can run it
      if (Either.isLeft(translated)) return yield* new TtyInputUnsupported({ kind: backend.kind, operation: "run" })
      const request = createRequest(translated.right)
      const first = yield* client.request(request)
      const answer =
        !isSuccess(first.status) &&
        classifyCreateFailure(spec, argv, first)._tag === "ImageNotFound" &&
        spec.pullPolicy !== "never"
          ? yield* Effect.zipRight(pull, client.request(request))
          : first
      if (!isSuccess(answer.status)) return yield* classifyCreateFailure(spec, argv, answer)
      return (yield* decodeJson(IdAnswer, request, answer)).Id
    })

    /** Asks, before the start, to be told when `condition` is reached (the engine answers the headers at once). */
    const openWait = (containerId: string, condition: "next-exit" | "removed") => {
      const request: EngineRequest = {
        method: "POST",
        template: "/containers/{id}/wait",
        path: `/containers/${id(containerId)}/wait`,
        query: { condition },
        timeout: CHANGE_TIMEOUT
      }
      return Effect.map(client.open(request), (waiting) => ({ request, waiting }))
    }

    type OpenWait = Effect.Effect.Success<ReturnType<typeof openWait>>

    const answerOf = ({ request, waiting }: OpenWait) =>
      Effect.flatMap(Stream.runCollect(waiting.body), (chunks) =>
        decodeJson(WaitAnswer, request, { status: waiting.status, body: Buffer.concat(Array.from(chunks)) })
      )

    /**
     * Returns once an auto-removed container is gone, as Docker's CLI waits for `run --rm`: the
     * engine removes it after its exit. If the engine says its removal failed, or does not say
     * within `REMOVAL_TIMEOUT`, the run removes it; a failure of that is the run's.
     */
    const gone = (containerId: string, removal: OpenWait) => {
      const removedByEngine = answerOf(removal).pipe(
        Effect.map((answer) => answer.Error === undefined || answer.Error === null),
        Effect.timeoutTo({ duration: REMOVAL_TIMEOUT, onSuccess: (removed) => removed, onTimeout: () => false }),
        Effect.orElseSucceed(() => false)
      )
      return Effect.flatMap(onLiveClock(removedByEngine), (removed) =>
        removed ? Effect.void : removeContainer(client, containerId)
      )
    }

    const runCreated = (containerId: string) =>
      Effect.scoped(
        Effect.gen(function* () {
          const { exit, removal, output } = yield* attachedAndStarted(containerId).pipe(
            // the CLI's `run` leaves a container that never started behind; nobody would own it here
            Effect.onError(() => removeQuietly(containerId))
          )
          const chunks = yield* Stream.runCollect(output)
          const { StatusCode } = yield* answerOf(exit)
          if (removal !== undefined) yield* gone(containerId, removal)
          const stdout = new Uint8Array(Buffer.concat(Array.from(chunks)))
          const result: ExecResult = {
            exitCode: StatusCode,
            stdout: decodeText(stdout),
            stderr: "",
            stdoutBytes: stdout,
            stderrBytes: new Uint8Array(),
            argv
          }
          return result
        })
      )

    const attachedAndStarted = (containerId: string) =>
      Effect.gen(function* () {
        if (isStaged(spec)) {
          yield* prepareCreated({ connect: runtime.connect, putArchive: cliOps.putArchive }, containerId, spec, argv)
        }
        const exit = yield* openWait(containerId, "next-exit")
        const removal = spec.remove ? yield* openWait(containerId, "removed") : undefined
        const output = yield* client.hijack(
          {
            method: "POST",
            template: "/containers/{id}/attach",
            path: `/containers/${id(containerId)}/attach`,
            query: { stream: "1", stdin: "1", stdout: "1", stderr: "1" },
            timeout: CHANGE_TIMEOUT
          },
          options.stdin ?? new Uint8Array(),
          { endInput: false }
        )
        const started = yield* client.request({
          method: "POST",
          template: "/containers/{id}/start",
          path: `/containers/${id(containerId)}/start`,
          timeout: CHANGE_TIMEOUT,
          shielded: true
        })
        if (!isSuccess(started.status) && started.status !== 304) {
          return yield* new ContainerStartFailed({ argv, exitCode: undefined, stderr: engineMessageOf(started.body) })
        }
        return { exit, removal, output }
      })

    const run = Effect.gen(function* () {
      yield* bindsOnEngineOf(backend)(spec)
      const containerId = yield* created
      // interrupted or timed out, a container that was to be removed goes now rather than at its end
      return yield* runCreated(containerId).pipe(
        Effect.onError(() => (spec.remove ? removeQuietly(containerId) : Effect.void))
      )
    })

    const timeout = options.timeout
    return timeout === undefined
      ? run
      : onLiveClock(
          Effect.timeoutFail(run, {
            duration: timeout,
            onTimeout: () => new CommandTimedOut({ argv, timeoutMillis: Duration.toMillis(Duration.decode(timeout)) })
          })
        )
  }
