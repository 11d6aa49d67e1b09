/**
 * `top` and `stats` in the in-memory runtime (issue #17). There are no processes to look at:
 *
 * - `top` lists the main process alone: pid 1, the container's user (`root` when it has none), its
 *   command. An exec is answered when it is run and leaves nothing running, so no exec is listed
 *   (a real engine lists what an exec left running in the background).
 * - `stats` is a fixed sample: 4 MiB of memory in use (never more than the limit), the definition's
 *   `memory` limit or else 2 GiB as the host's memory, 0.1% of a CPU, 1 process, no network or
 *   block I/O (0 bytes each way).
 *
 * A stopped container is `ContainerNotRunning`, with what the real CLI prints for `top` and the
 * library's words for the empty sample the engines give for `stats`.
 */
import { Effect } from "effect"
import { ContainerNotRunning } from "../../ContainerError.js"
import type { ContainerOperations, ContainerStats } from "../../ContainerRuntime.js"
import { EMPTY_SAMPLE, observationDialects } from "../dialect/observation.js"
import { found } from "./processes.js"
import { type Memory, record } from "./state.js"

const MIB = 1024 * 1024
/** The memory in use the sample reports. */
export const MEMORY_SAMPLE_USAGE = 4 * MIB
/** The limit of a container without one: the "host's" memory. */
export const MEMORY_SAMPLE_HOST = 2048 * MIB

export const makeMemoryObservationOperations = (memory: Memory): Pick<ContainerOperations, "top" | "stats"> => {
  const dialect = observationDialects[memory.kind]
  return {
    top: (container) =>
      Effect.gen(function* () {
        yield* record(memory, "containers.top", dialect.topArgs(container))
        const c = yield* found(memory, container)
        if (c.status !== "running") {
          return yield* new ContainerNotRunning({ container, operation: "top", stderr: dialect.topNotRunning(c.id) })
        }
        return [{ pid: 1, user: c.user ?? "root", command: c.command.join(" ") }]
      }),

    stats: (container) =>
      Effect.gen(function* () {
        yield* record(memory, "containers.stats", dialect.statsArgs(container))
        const c = yield* found(memory, container)
        if (c.status !== "running") {
          return yield* new ContainerNotRunning({ container, operation: "stats", stderr: EMPTY_SAMPLE })
        }
        const memoryLimit = c.memoryLimit ?? MEMORY_SAMPLE_HOST
        const stats: ContainerStats = {
          memoryUsage: Math.min(MEMORY_SAMPLE_USAGE, memoryLimit),
          memoryLimit,
          cpu: 0.001,
          pids: 1,
          network: { received: 0, sent: 0 },
          blockIo: { read: 0, written: 0 }
        }
        return stats
      })
  }
}
