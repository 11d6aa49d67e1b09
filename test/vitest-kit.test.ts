/**
 * `@ociman/vitest` on the real runtimes:
 * - the fixture project `test/fixtures/vitest-suite/` (three test files sharing one web server
 *   through the global setup) run as a user runs it, in a subprocess: the service starts once,
 *   every file sees it, teardown removes it; a run killed midway (SIGKILL) leaves a container that
 *   the next run's automatic sweep removes;
 * - ociman's deadlines and readiness polls on a real runtime keep real time under
 *   `@effect/vitest`'s TestClock (`layer()` and `it.effect` without `excludeTestServices`).
 */
import { NodeContext } from "@effect/platform-node"
import { expect, it as vitestIt, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { execFile, spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { Container, ContainerDefinition as Def, ContainerRuntime, Port, Wait } from "ociman"
import { describeRuntimes } from "@ociman/vitest"
import { containersLabelled, removeLabelled } from "./support/labelled.js"

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL("..", import.meta.url))
const VITEST = fileURLToPath(new URL("../node_modules/vitest/vitest.mjs", import.meta.url))
const CONFIG = fileURLToPath(new URL("fixtures/vitest-suite/vitest.config.ts", import.meta.url))
const IMAGE = process.env["OCIMAN_TEST_IMAGE"] ?? "localhost/ociman-test/busybox:1"

type Kind = ContainerRuntime.Kind

/** The environment of one fixture run on `kind`, logging to `log`, its containers labelled with `marker`. */
const fixtureEnv = (kind: Kind, log: string, marker: string, hold = false): NodeJS.ProcessEnv => ({
  ...process.env,
  NO_COLOR: "1",
  FORCE_COLOR: "0",
  OCIMAN_BACKEND: kind,
  OCIMAN_TEST_BACKENDS: kind,
  OCIMAN_FIXTURE_LOG: log,
  OCIMAN_FIXTURE_MARKER: marker,
  OCIMAN_FIXTURE_HOLD: hold ? "1" : "0"
})

const lines = (log: string): ReadonlyArray<string> =>
  existsSync(log)
    ? readFileSync(log, "utf8")
        .split("\n")
        .filter((line) => line.length > 0)
    : []

/** The containers carrying the marker, as the runtime lists them. */
const withMarker = (kind: Kind, marker: string) => containersLabelled(kind, `ociman-test.fixture=${marker}`)

const removeMarked = (kind: Kind, marker: string) => removeLabelled(kind, `ociman-test.fixture=${marker}`)

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))

/** Polls `check` every 250 ms until it holds or `millis` have passed; returns whether it held. */
const eventually = async (check: () => Promise<boolean> | boolean, millis: number): Promise<boolean> => {
  const deadline = Date.now() + millis
  while (Date.now() < deadline) {
    if (await check()) return true
    await sleep(250)
  }
  return check()
}

describeRuntimes("vitest kit: the fixture project", (_it, runtime) => {
  const kind = runtime.kind
  const directory = mkdtempSync(join(tmpdir(), "ociman-vitest-kit-"))

  vitestIt(
    "three test files share one service, started once; teardown removes it",
    async () => {
      const log = join(directory, `${kind}-shared.log`)
      const marker = `kit-shared-${kind}-${process.pid}`
      try {
        const { stdout } = await run(process.execPath, [VITEST, "run", "--config", CONFIG], {
          cwd: ROOT,
          env: fixtureEnv(kind, log, marker),
          timeout: 170_000
        })
        expect(stdout).toMatch(/Test Files\s+3 passed \(3\)/)
        const started = lines(log).filter((line) => line.startsWith("started "))
        expect(started.length).toBe(1)
        const id = started[0]?.split(" ")[1] ?? ""
        const seen = lines(log).filter((line) => line.startsWith("seen "))
        expect(seen.map((line) => line.split(" ")[1]).sort()).toEqual(["one", "three", "two"])
        expect(new Set(seen.map((line) => line.split(" ")[2]))).toEqual(new Set([id]))
        expect(await withMarker(kind, marker)).toEqual([])
      } finally {
        await removeMarked(kind, marker)
      }
    },
    200_000
  )

  vitestIt(
    "a run killed midway leaves its service to the next run's sweep",
    async () => {
      const log = join(directory, `${kind}-killed.log`)
      const marker = `kit-killed-${kind}-${process.pid}`
      try {
        const child = spawn(process.execPath, [VITEST, "run", "--config", CONFIG], {
          cwd: ROOT,
          env: fixtureEnv(kind, log, marker, true),
          stdio: "ignore",
          // its own process group: the kill takes vitest and its workers, as a CI runner's would
          detached: true
        })
        const exited = new Promise((resolve) => child.on("exit", resolve))
        const holding = await eventually(() => lines(log).includes("holding"), 150_000)
        expect(holding).toBe(true)
        const left = lines(log)
          .filter((line) => line.startsWith("started "))
          .map((line) => line.split(" ")[1] ?? "")
        expect(left.length).toBe(1)
        process.kill(-(child.pid ?? 0), "SIGKILL")
        await exited
        expect(await withMarker(kind, marker)).toEqual(left)

        // the next run: its layer's automatic sweep removes what the killed run's process left
        const next = join(directory, `${kind}-next.log`)
        await run(process.execPath, [VITEST, "run", "--config", CONFIG], {
          cwd: ROOT,
          env: fixtureEnv(kind, next, `${marker}-next`),
          timeout: 170_000
        })
        expect(await eventually(async () => (await withMarker(kind, marker)).length === 0, 30_000)).toBe(true)
      } finally {
        await removeMarked(kind, marker)
        await removeMarked(kind, `${marker}-next`)
        rmSync(directory, { recursive: true, force: true })
      }
    },
    400_000
  )
})

// Under `layer()` and `it.effect` WITHOUT excludeTestServices: the TestClock is in place, and
// ociman's real-runtime deadlines and polls must not wait for it.
describeRuntimes("vitest kit: real runtimes keep real time under the TestClock", (_it, runtime) => {
  const Runtime = ContainerRuntime.layerResolved(runtime.backend).pipe(Layer.provideMerge(NodeContext.layer))
  const web = Def.make(IMAGE).pipe(
    Def.publish(Port.tcp(8080)),
    Def.command(["sh", "-c", "sleep 1; mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www"])
  )

  layer(Runtime, { timeout: "60 seconds" })((it) => {
    it.scoped("a readiness poll (after a one-second start) completes", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(web, {
          waitFor: Wait.http({ port: Port.tcp(8080), path: "/index.html" }),
          timeout: "30 seconds"
        })
        yield* Wait.forContainer(c, Wait.tcp(Port.tcp(8080)), { timeout: "10 seconds" })
        expect((yield* c.exec(["cat", "/www/index.html"], { timeout: "10 seconds" })).stdout).toBe("ok\n")
      })
    )

    it.scoped("a deadline passes: a wait that can never pass fails after its two seconds", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(Def.make(IMAGE).pipe(Def.command(["sleep", "60"])))
        const started = Date.now()
        const error = yield* Effect.flip(Wait.forContainer(c, Wait.command(["false"]), { timeout: "2 seconds" }))
        expect(error._tag).toBe("WaitTimedOut")
        expect(Date.now() - started).toBeGreaterThanOrEqual(1_900)
      })
    )

    it.effect("a CLI timeout passes: an exec longer than its timeout is cut", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const c = yield* Container.start(Def.make(IMAGE).pipe(Def.command(["sleep", "60"])))
          const error = yield* Effect.flip(c.exec(["sleep", "30"], { timeout: "1 second" }))
          expect(error._tag).toBe("CommandTimedOut")
        })
      )
    )
  })
})
