/**
 * Container operations of the in-memory runtime. A container is a record in the state: created
 * running (detached) or exited (foreground), its main process and every exec answered by the
 * handlers (see `processes.ts`). Failures carry what the real CLIs print (observed with Docker
 * 20.10 and Podman 4.3, `messagesOf(kind)`) and are the typed errors the CLI wing classifies them
 * into. Readiness is answered here too: nothing listens on the host, so a running container's
 * published port counts as reached.
 */
import { Deferred, Effect, Either, Ref, Stream } from "effect"
import { CommandFailed } from "../../CliError.js"
import { ContainerNotFound } from "../../ContainerError.js"
import * as ContainerInspect from "../../ContainerInspect.js"
import type {
  ContainerOperations,
  HealthcheckOutcome,
  LabeledContainer,
  ListedContainer,
  LogLine
} from "../../ContainerRuntime.js"
import * as ImageReference from "../../ImageReference.js"
import { HealthcheckMissing } from "../../WaitError.js"
import {
  commitArgs,
  containerDialects,
  dockerExists,
  inspectArgs,
  labeledContainers,
  listArgs,
  logsArgs,
  removeArgs,
  stopArgs,
  streamLogsArgs,
  waitArgs
} from "../dialect/containers.js"
import { labeledListArgs } from "../dialect/labeled.js"
import { messagesOf } from "../dialect/messages.js"
import { labelFilterArg } from "../dialect/values.js"
import { execResultOf, exitedNonZero } from "../execResult.js"
import { outcomeOf } from "../healthcheck.js"
import { firstBindingOf } from "../hostPorts.js"
import { containerInspectJson } from "./containerInspect.js"
import { answer } from "./handlers.js"
import { makeMemoryFileOperations } from "./files.js"
import { makeMemoryLifecycleOperations } from "./lifecycle.js"
import { makeMemoryObservationOperations } from "./observation.js"
import { printedImageId, storedName } from "./names.js"
import { execOutcome, exit, found, runContainer } from "./processes.js"
import { addImage, findContainer, matchesFilters, type Memory, newId, now, record } from "./state.js"

/** `logs --tail N`: the last N lines, both outputs counted together. */
const lastLines = (logs: ReadonlyArray<LogLine>, tail: number | undefined): ReadonlyArray<LogLine> =>
  tail === undefined ? logs : tail <= 0 ? [] : logs.slice(-tail)

export const makeMemoryContainerOperations = (memory: Memory): ContainerOperations => {
  const { kind } = memory
  const messages = messagesOf(kind)

  const inspect = (container: string) =>
    Effect.gen(function* () {
      yield* record(memory, "containers.inspect", inspectArgs(container))
      const c = yield* found(memory, container)
      const state = yield* Ref.get(memory.state)
      return yield* ContainerInspect.decode(containerInspectJson(kind, state, c))
    })

  /** The containers `container list` prints for one `--filter` (`id=prefix` or `name=part`). */
  const listedBy = (filter: string) =>
    Effect.gen(function* () {
      yield* record(memory, "containers.exists", listArgs([filter]))
      const state = yield* Ref.get(memory.state)
      const [key, value = ""] = filter.split(/=(.*)/s)
      return Array.from(state.containers.values())
        .filter((c) => (key === "id" ? c.id.startsWith(value) : c.name.includes(value)))
        .map((c): ListedContainer => ({ id: c.id, names: [c.name] }))
    })

  const existsStrategy = containerDialects[kind].exists

  return {
    ...makeMemoryFileOperations(memory),
    ...makeMemoryLifecycleOperations(memory),
    ...makeMemoryObservationOperations(memory),
    // a TTY fed stdin runs on both kinds, as over a reachable engine socket (see `ttyInputRoutes`)
    runForeground: (spec, options) =>
      Effect.map(runContainer(memory, spec, { detach: false, ...options }), ({ exitCode, stdout, stderr, argv }) =>
        execResultOf({ exitCode, stdout, stderr, argv })
      ),

    runDetached: (spec) => Effect.map(runContainer(memory, spec, { detach: true }), ({ id, argv }) => ({ id, argv })),

    exec: (container, spec, options = {}) =>
      Effect.map(execOutcome(memory, container, spec, options.timeout), ({ exitCode, stdout, stderr, argv }) =>
        execResultOf({ exitCode, stdout, stderr, argv })
      ),

    streamExec: (container, spec, options = {}) =>
      Stream.unwrap(
        Effect.map(execOutcome(memory, container, spec, options.timeout), (outcome) =>
          Stream.concat(
            Stream.fromIterable(outcome.output),
            outcome.exitCode === 0 ? Stream.empty : Stream.fail(exitedNonZero(execResultOf(outcome)))
          )
        )
      ),

    stop: (container, { timeoutSeconds }) =>
      Effect.gen(function* () {
        yield* record(memory, "containers.stop", stopArgs(container, timeoutSeconds))
        const c = yield* found(memory, container)
        if (c.status === "running") yield* exit(memory, c.id, c.stopExitCode)
      }),

    remove: (container, options) =>
      Effect.gen(function* () {
        const { force } = options
        // no volumes here: the options shape the recorded argv only
        const argv = yield* record(memory, "containers.remove", removeArgs(kind, container, options))
        const state = yield* Ref.get(memory.state)
        const c = findContainer(state, container)
        // `rm --force` of a missing container exits 0 on both CLIs.
        if (c === undefined) return force ? undefined : yield* new ContainerNotFound({ container })
        if (c.status === "running" && !force) {
          return yield* new CommandFailed({ argv, signal: undefined, stdout: "", ...messages.removeRunning(c.id) })
        }
        yield* Ref.update(memory.state, (state) => {
          const containers = new Map(state.containers)
          containers.delete(c.id)
          return { ...state, containers }
        })
        yield* Deferred.succeed(c.exited, c.status === "running" ? 137 : c.exitCode)
      }),

    inspect,

    // Only a definition's health check (the Dockerfile interpreter keeps no HEALTHCHECK): its
    // shell command is answered by the handlers, as `/bin/sh -c` runs it in the real runtimes.
    healthcheck: (container) =>
      Effect.flatMap(inspect(container), (info) =>
        Effect.flatMap(found(memory, container), (c) =>
          c.healthcheck !== undefined
            ? Effect.map(
                answer(memory, {
                  operation: "exec",
                  kind,
                  image: c.image,
                  command: ["/bin/sh", "-c", c.healthcheck],
                  container: { id: c.id, name: c.name },
                  env: c.env,
                  user: c.user,
                  workdir: c.workdir,
                  stdin: undefined,
                  stdinText: "",
                  detached: false
                }),
                (outcome): HealthcheckOutcome =>
                  (outcome.exitCode ?? 0) === 0
                    ? { _tag: "Healthy" }
                    : { _tag: "Unhealthy", reason: `the health check exited with ${outcome.exitCode}` }
              )
            : info.state.health === undefined
              ? Effect.fail(new HealthcheckMissing({ container }))
              : Effect.succeed(outcomeOf(info.state.health))
        )
      ),

    // Nothing listens on the host: a running container's published port answers (HTTP with the
    // status its main process's handler gives, 200 by default); a stopped container's does not.
    probePort: (container, probe) =>
      Effect.gen(function* () {
        const info = yield* inspect(container)
        const { httpStatus } = yield* found(memory, container)
        const target = yield* firstBindingOf(container, info, probe.port, memory.backend.endpoint)
        if (!info.state.running) {
          return {
            _tag: "Unreachable",
            reason: `cannot connect to ${target.host}:${target.port}: the container is not running`
          } as const
        }
        const where = `${target.host}:${target.port}`
        return {
          _tag: "Reached",
          target: probe._tag === "Http" ? `http://${where}${probe.path}` : where,
          status: probe._tag === "Http" ? httpStatus : undefined
        } as const
      }),

    exists: (container) => {
      switch (existsStrategy._tag) {
        case "ListLookup":
          return dockerExists(container, listedBy)
        case "ExistsCommand":
          return Effect.gen(function* () {
            yield* record(memory, "containers.exists", existsStrategy.args(container))
            return findContainer(yield* Ref.get(memory.state), container) !== undefined
          })
      }
    },

    list: (filters) =>
      Effect.gen(function* () {
        yield* record(memory, "containers.list", listArgs(filters.map(labelFilterArg)))
        const state = yield* Ref.get(memory.state)
        // Newest first, as both CLIs list.
        return Array.from(state.containers.values())
          .reverse()
          .filter((c) => matchesFilters(c.labels, filters))
          .map((c): ListedContainer => ({ id: c.id, names: [c.name] }))
      }),

    listLabeled: (filters) =>
      Effect.gen(function* () {
        yield* record(memory, "containers.listLabeled", labeledListArgs(labeledContainers[kind], filters))
        const state = yield* Ref.get(memory.state)
        return Array.from(state.containers.values())
          .reverse()
          .filter((c) => matchesFilters(c.labels, filters))
          .map((c): LabeledContainer => ({
            id: c.id,
            names: [c.name],
            image: printedImageId(kind, c.imageId),
            labels: c.labels
          }))
      }),

    logs: (container) =>
      Effect.gen(function* () {
        yield* record(memory, "containers.logs", logsArgs(container))
        return (yield* found(memory, container)).logs
      }),

    streamLogs: (container, { follow = false, tail }) =>
      Stream.unwrap(
        Effect.gen(function* () {
          yield* record(memory, "containers.streamLogs", streamLogsArgs(container, { follow, tail }))
          const c = yield* found(memory, container)
          const now = lastLines(c.logs, tail)
          if (!follow || c.status === "exited") return Stream.fromIterable(now)
          // What the container writes after this point arrives when it exits (the in-memory
          // processes write everything at once); a removed container has nothing more to give.
          const later = Effect.gen(function* () {
            yield* Deferred.await(c.exited)
            const after = (yield* Ref.get(memory.state)).containers.get(c.id)
            return after === undefined ? [] : after.logs.slice(c.logs.length)
          })
          return Stream.concat(Stream.fromIterable(now), Stream.flattenIterables(Stream.fromEffect(later)))
        })
      ),

    wait: (container) =>
      Effect.gen(function* () {
        yield* record(memory, "containers.wait", waitArgs(container))
        const c = yield* found(memory, container)
        return c.status === "exited" ? c.exitCode : yield* Deferred.await(c.exited)
      }),

    commit: (container, reference, { pause }) =>
      Effect.gen(function* () {
        const argv = yield* record(
          memory,
          "containers.commit",
          // the in-memory backend always has its client version
          commitArgs(kind, memory.backend.clientVersion ?? memory.backend.engineVersion, container, reference, pause)
        )
        const c = yield* found(memory, container)
        const parsed = ImageReference.parse(reference)
        if (Either.isLeft(parsed)) {
          return yield* new CommandFailed({
            argv,
            signal: undefined,
            stdout: "",
            ...messages.commitInvalidReference(reference, parsed.left.message)
          })
        }
        const state = yield* Ref.get(memory.state)
        const base = state.images.get(c.imageId)
        const created = yield* now
        yield* Ref.update(memory.state, (s) =>
          addImage(
            s,
            {
              id: newId(),
              created,
              size: 0,
              labels: c.labels,
              cmd: c.cmd,
              entrypoint: c.entrypoint,
              env: Array.from(c.env, ([k, v]) => `${k}=${v}`),
              workdir: c.workdir,
              user: c.user,
              exposedPorts: base?.exposedPorts ?? []
            },
            [storedName(kind, parsed.right)]
          )
        )
      })
  }
}
