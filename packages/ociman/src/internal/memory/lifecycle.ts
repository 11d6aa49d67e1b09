/**
 * Restart, pause, unpause and kill in the in-memory runtime (issue #17). A container's state has
 * `paused` besides running or exited; a refusal carries what the real CLI prints
 * (`messagesOf(kind)`) as the typed error the CLI wing classifies it into.
 *
 * - `restart`: a running container is stopped as `stop` does (its `stopExitCode`), then its main
 *   process runs again: the handler answers anew, its output is appended to the logs (as the real
 *   logs keep both runs), `startedAt` is new, the id the same. A paused one: Docker restarts it,
 *   Podman refuses (`restartPaused`).
 * - `kill`: `SIGKILL` ends it with 137; another signal is what the main process's handler says
 *   (`ResultCommon.signals`), or its default action: exit with 128 + the signal's number. A signal
 *   to a paused container is answered at once (a real engine delivers it when it is thawed).
 * - Manual restarts leave `RestartCount` alone on both engines (it counts restart-policy restarts),
 *   so nothing here counts them.
 */
import { Deferred, Effect, Either, Ref } from "effect"
import { ContainerNotPaused, ContainerNotRunning, ContainerPaused } from "../../ContainerError.js"
import type { ContainerOperations, LogLine } from "../../ContainerRuntime.js"
import { killArgs, pauseArgs, restartArgs, unpauseArgs } from "../dialect/containers.js"
import { messagesOf } from "../dialect/messages.js"
import { parseSignal } from "../signal.js"
import { answer } from "./handlers.js"
import { allocateAddress } from "./ports.js"
import { exit, found } from "./processes.js"
import { type ContainerRecord, findNetwork, lines, type Memory, now, record, type State } from "./state.js"
import type { SignalAnswer } from "./types.js"

/** The handler's answer to a signal, whatever form its key takes (`SIGUSR1`, `USR1`, `10`). */
const signalAnswerOf = (c: ContainerRecord, number: number): SignalAnswer | undefined =>
  Object.entries(c.signals ?? {}).find(([key]) =>
    Either.match(parseSignal(key), { onLeft: () => false, onRight: (signal) => signal.number === number })
  )?.[1]

/** An answer's output as log lines (stdout first, then stderr). */
const outputOf = (reply: SignalAnswer): ReadonlyArray<LogLine> => [
  ...lines(reply.stdout ?? "").map((text): LogLine => ({ stream: "stdout", text })),
  ...lines(reply.stderr ?? "").map((text): LogLine => ({ stream: "stderr", text }))
]

/** Updates one container's record, if it is still there. */
const update = (
  memory: Memory,
  id: string,
  f: (c: ContainerRecord, state: State) => readonly [ContainerRecord, State]
) =>
  Ref.update(memory.state, (state) => {
    const c = state.containers.get(id)
    if (c === undefined) return state
    const [next, withState] = f(c, state)
    return { ...withState, containers: new Map(withState.containers).set(id, next) }
  })

export const makeMemoryLifecycleOperations = (
  memory: Memory
): Pick<ContainerOperations, "restart" | "pause" | "unpause" | "kill"> => {
  const messages = messagesOf(memory.kind)

  /** Runs the main process of an exited container again (same id, a new start). */
  const startAgain = (id: string) =>
    Effect.gen(function* () {
      const c = yield* found(memory, id)
      const exited = yield* Deferred.make<number>()
      const at = yield* now
      // a start in the same millisecond still shows as a new start
      const startedAt = at === c.startedAt ? new Date(Date.parse(at) + 1).toISOString() : at
      yield* update(memory, id, (current, state) => {
        const network = findNetwork(state, current.network)
        const [withAddress, ipAddress] = network === undefined ? [state, ""] : allocateAddress(state, network)
        return [
          { ...current, status: "running", paused: false, exitCode: 0, startedAt, ipAddress, exited },
          withAddress
        ]
      })
      const outcome = yield* answer(memory, {
        operation: "run",
        kind: memory.kind,
        image: c.image,
        command: c.command,
        container: { id: c.id, name: c.name },
        env: c.env,
        user: c.user,
        workdir: c.workdir,
        stdin: undefined,
        stdinText: "",
        detached: true
      })
      yield* update(memory, id, (current, state) => [
        {
          ...current,
          logs: [...current.logs, ...outcome.output],
          stopExitCode: outcome.stopExitCode,
          httpStatus: outcome.httpStatus,
          signals: outcome.signals
        },
        state
      ])
      if (outcome.exitCode !== undefined) yield* exit(memory, id, outcome.exitCode)
    })

  const setPaused = (id: string, paused: boolean) => update(memory, id, (c, state) => [{ ...c, paused }, state])

  return {
    restart: (container, { timeoutSeconds }) =>
      Effect.gen(function* () {
        yield* record(memory, "containers.restart", restartArgs(container, timeoutSeconds))
        const c = yield* found(memory, container)
        if (c.paused === true && messages.restartPaused !== undefined) {
          return yield* new ContainerPaused({ container, operation: "restart", stderr: messages.restartPaused(c.id) })
        }
        if (c.status === "running") yield* exit(memory, c.id, c.stopExitCode)
        yield* startAgain(c.id)
      }),

    pause: (container) =>
      Effect.gen(function* () {
        yield* record(memory, "containers.pause", pauseArgs(container))
        const c = yield* found(memory, container)
        if (c.status !== "running") {
          return yield* new ContainerNotRunning({
            container,
            operation: "pause",
            stderr: messages.pauseRefused(c.id, "exited")
          })
        }
        if (c.paused === true) {
          return yield* new ContainerPaused({
            container,
            operation: "pause",
            stderr: messages.pauseRefused(c.id, "paused")
          })
        }
        yield* setPaused(c.id, true)
      }),

    unpause: (container) =>
      Effect.gen(function* () {
        yield* record(memory, "containers.unpause", unpauseArgs(container))
        const c = yield* found(memory, container)
        if (c.status !== "running" || c.paused !== true) {
          return yield* new ContainerNotPaused({ container, stderr: messages.unpauseNotPaused(c.id) })
        }
        yield* setPaused(c.id, false)
      }),

    kill: (container, signal) =>
      Effect.gen(function* () {
        yield* record(memory, "containers.kill", killArgs(container, signal))
        const c = yield* found(memory, container)
        if (c.status !== "running") {
          return yield* new ContainerNotRunning({ container, operation: "kill", stderr: messages.killNotRunning(c.id) })
        }
        // the handle checked it; a signal it would refuse is SIGKILL's
        const number = Either.match(parseSignal(signal), { onLeft: () => 9, onRight: (checked) => checked.number })
        const reply = number === 9 ? undefined : signalAnswerOf(c, number)
        if (reply === undefined) return yield* exit(memory, c.id, 128 + number)
        const output = outputOf(reply)
        if (reply.exitCode !== undefined) return yield* exit(memory, c.id, reply.exitCode, output)
        yield* update(memory, c.id, (current, state) => [{ ...current, logs: [...current.logs, ...output] }, state])
      })
  }
}
