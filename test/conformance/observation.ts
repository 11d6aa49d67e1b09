/**
 * Conformance: the handle's observation of a running container, `top` and `stats` (issue #17).
 * Part of the suite in `suite.ts`, run on Docker, Podman (both transports) and the in-memory runtime.
 *
 * What the engines answer (Docker 20.10, Podman 4.3 with runc on this machine's cgroup v1/v2
 * hybrid, rootful; both give every figure here):
 * - `top` lists the main process and what an exec left running, pids and users as the host sees
 *   them; the in-memory runtime lists the main process alone (pid 1): its execs leave nothing running;
 * - `stats` gives the definition's memory limit exactly and a non-zero usage; the in-memory runtime
 *   a fixed sample (4 MiB in use, the limit given);
 * - a stopped container: Docker's `top` says `is not running`, Podman's `top can only be used on
 *   running containers`; both engines answer `stats` with an empty sample (no error): all are
 *   `ContainerNotRunning`; a missing one is `ContainerNotFound`.
 */
import { expect } from "@effect/vitest"
import { Effect } from "effect"
import { Container, ContainerDefinition as Def, ContainerRuntime, TestRuntime } from "ociman"
import { type Part, partLayer, whereOf } from "./part.js"
import * as fs from "node:fs"
import * as os from "node:os"

const MAIN = ["sleep", "60"]
/** Leaves `sleep 30` running in the container after the exec itself has ended. */
const BACKGROUND = ["sh", "-c", "sleep 30 >/dev/null 2>&1 &"]
const LIMIT = 64 * 1024 * 1024

/** How the in-memory runtime answers the commands of these tests (it keeps nothing running after an exec). */
export const observationHandlers: ReadonlyArray<TestRuntime.Handler> = [
  TestRuntime.handler("*", BACKGROUND, { exitCode: 0 })
]

/**
 * Rootless Podman on a cgroup v1 host (this machine's hybrid hierarchy, the rootless slice) has
 * no per-container cgroup to sample: `stats` is `StatsUnsupported`, refused before the engine even
 * looks for the container. A stats test then asserts that, and can go no further here.
 */
const statsUnsupported = (c: Container.Container) =>
  Effect.gen(function* () {
    const runtime = yield* ContainerRuntime.ContainerRuntime
    if (!runtime.backend.rootless || fs.existsSync("/sys/fs/cgroup/cgroup.controllers")) return false
    expect((yield* Effect.flip(c.stats))._tag).toBe("StatsUnsupported")
    return true
  })

/** Declares these tests for one runtime (see `conformance` in `suite.ts`). */
export const observationConformance: Part = (kind, runtime, capabilities, image) => {
  const where = whereOf(kind, capabilities)
  const sleeper = Def.make(image).pipe(Def.command(MAIN))

  partLayer(runtime)(`observation ${where}`, (it) => {
    it.scoped("observation: top lists the main process (sleep 60) and a process an exec left running", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(sleeper)
        yield* c.execSuccess(BACKGROUND)
        const processes = yield* c.top
        const main = processes.filter((p) => p.command === "sleep 60")
        expect(main).toHaveLength(1)
        expect(main[0]?.pid).toBeGreaterThan(0)
        expect(main[0]?.user).not.toBe("")
        if (capabilities.processes) {
          // as the host sees it: the engine's host pid, the host's user (rootless: the caller's)
          const rootless = (yield* ContainerRuntime.ContainerRuntime).backend.rootless
          expect(rootless ? [os.userInfo().username, String(os.userInfo().uid)] : ["root"]).toContain(main[0]?.user)
          const background = processes.filter((p) => p.command === "sleep 30")
          expect(background).toHaveLength(1)
          expect(background[0]?.pid).not.toBe(main[0]?.pid)
        } else {
          // the in-memory runtime: the main process alone, as pid 1
          expect(processes).toEqual([{ pid: 1, user: "root", command: "sleep 60" }])
        }
      })
    )

    it.scoped("observation: stats of a container with a 64 MiB limit reports that limit and a non-zero usage", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(sleeper.pipe(Def.memory(LIMIT)))
        if (yield* statsUnsupported(c)) return
        const stats = yield* c.stats
        expect(stats.memoryLimit).toBe(LIMIT)
        expect(stats.memoryUsage).toBeGreaterThan(0)
        expect(stats.memoryUsage).toBeLessThanOrEqual(LIMIT)
        expect(stats.cpu).toBeGreaterThanOrEqual(0)
        expect(Number.isFinite(stats.cpu)).toBe(true)
        // every figure is there on both engines here (and in the in-memory sample)
        expect(stats.pids).toBeGreaterThanOrEqual(1)
        expect(stats.network?.received).toBeGreaterThanOrEqual(0)
        expect(stats.network?.sent).toBeGreaterThanOrEqual(0)
        expect(stats.blockIo?.read).toBeGreaterThanOrEqual(0)
        expect(stats.blockIo?.written).toBeGreaterThanOrEqual(0)
      })
    )

    it.scoped("observation: stats without a limit reports the host's memory as the limit", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(sleeper)
        if (yield* statsUnsupported(c)) return
        const stats = yield* c.stats
        expect(stats.memoryLimit).toBeGreaterThan(LIMIT)
        expect(stats.memoryUsage).toBeGreaterThan(0)
      })
    )

    it.scoped("observation: top and stats of a stopped container are ContainerNotRunning", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(sleeper)
        // sleep as pid 1 ignores SIGTERM: the stop kills it after a second
        yield* c.stop({ timeout: "1 second" })
        const top = yield* Effect.flip(c.top)
        expect(top._tag).toBe("ContainerNotRunning")
        if (yield* statsUnsupported(c)) return
        const stats = yield* Effect.flip(c.stats)
        expect(stats._tag).toBe("ContainerNotRunning")
        expect(stats.message).toContain("not running")
      })
    )

    it.effect("observation: top and stats of a missing container are ContainerNotFound", () =>
      Effect.gen(function* () {
        const missing = yield* Container.handle(`ociman-observation-missing-${where}`)
        expect((yield* Effect.flip(missing.top))._tag).toBe("ContainerNotFound")
        if (yield* statsUnsupported(missing)) return
        expect((yield* Effect.flip(missing.stats))._tag).toBe("ContainerNotFound")
      })
    )
  })
}
