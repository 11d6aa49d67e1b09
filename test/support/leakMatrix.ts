/**
 * Acceptance: no leaked containers, networks or images, however a program ends. A program holding
 * scoped containers, a scoped network and a scoped image (`test/fixtures/programs/scoped.ts`, under
 * `NodeRuntime.runMain`) is ended six ways, 10 times each per runtime: normal exit, a failure, a
 * fiber interruption, SIGINT, SIGTERM and SIGKILL. After each (after a SIGKILL: after the next
 * process's automatic sweep), nothing carrying the program's session label remains. Also: 50
 * scoped containers started concurrently by a program that is then SIGKILLed are all swept.
 *
 * The runs of one runtime go four at a time (the machine has 2 cores), modes interleaved. Declared by
 * `test/leaks-docker.test.ts` and `test/leaks-podman.test.ts`; the harness is `leaks.ts`.
 */
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { describeRuntime, type Kind } from "./backends.js"
import { leakedCount, MODES, type RunResult, runMatrix, runOnce } from "./leaks.js"

/**
 * `OCIMAN_LEAK_MODES=SIGKILL` (comma-separated) runs only those modes: the rootless slice proves
 * the SIGKILL mode and the sweep without running the whole matrix again.
 */
const selectedModes = (() => {
  const wanted = process.env["OCIMAN_LEAK_MODES"]?.split(",").map((mode) => mode.trim())
  return wanted === undefined ? MODES : MODES.filter((mode) => wanted.includes(mode))
})()

/**
 * `OCIMAN_LEAK_RUNS=3` runs each mode fewer times: the CLI slice (`OCIMAN_TRANSPORT=cli`) proves the matrix on that
 * transport without paying for all of it again.
 */
const RUNS = Number(process.env["OCIMAN_LEAK_RUNS"] ?? "10")
const CONCURRENCY = 4
/**
 * Each test waits for the whole matrix of its runtime (~5 min here, 60 programs), so each gets a
 * budget for all of it: a machine twice as loaded must not turn a slow matrix into a failure.
 */
const MATRIX_BUDGET_MS = 1_200_000

const explain = (results: ReadonlyArray<RunResult>): string =>
  results
    .filter((r) => leakedCount(r) > 0 || r.problem !== undefined)
    .map(
      (r) =>
        `${r.mode} session=${r.session ?? "?"} exit=${r.exitCode ?? r.signal} leaked=${JSON.stringify(r.leaked)} problem=${r.problem ?? "none"}\n${r.stderr}`
    )
    .join("\n---\n")

/** How each mode ends the program: runMain exits 0 after an interruption or a signal, 1 after a failure. */
const expectedEnd: Record<
  (typeof MODES)[number],
  { readonly exitCode: number | null; readonly signal: string | null }
> = {
  exit: { exitCode: 0, signal: null },
  fail: { exitCode: 1, signal: null },
  interrupt: { exitCode: 0, signal: null },
  SIGINT: { exitCode: 0, signal: null },
  SIGTERM: { exitCode: 0, signal: null },
  SIGKILL: { exitCode: null, signal: "SIGKILL" }
}

/** Declares the matrix for one runtime (a file per runtime; `npm test` runs the two side by side, after every other file, see `vitest.workspace.ts`). */
export const leakMatrix = (kind: Kind): void =>
  describeRuntime(kind, "no leaks", () => {
    let matrix: Promise<ReadonlyArray<RunResult>> = Promise.resolve([])
    beforeAll(() => {
      matrix = runMatrix(kind, { runs: RUNS, concurrency: CONCURRENCY, modes: selectedModes })
      // failures are reported by the tests below, per mode
      matrix.catch(() => undefined)
    })

    describe.each(selectedModes)("%s", (mode) => {
      it(
        `${RUNS} runs end as ${mode} and leave no container, network or image behind`,
        { timeout: MATRIX_BUDGET_MS },
        async () => {
          const results = (await matrix).filter((r) => r.mode === mode)
          expect(results.length).toBe(RUNS)
          expect(explain(results)).toBe("")
          for (const result of results) {
            expect({ exitCode: result.exitCode, signal: result.signal }).toEqual(expectedEnd[mode])
          }
        }
      )
    })

    it(
      "50 scoped containers started concurrently, then SIGKILL: the next process's sweep removes them all",
      { timeout: MATRIX_BUDGET_MS },
      async () => {
        await matrix
        const result = await runOnce(kind, "SIGKILL", 50)
        expect(result.session).toBeDefined()
        expect(explain([result])).toBe("")
        expect(result.leaked).toEqual({ containers: 0, networks: 0, images: 0, volumes: 0 })
      }
    )
  })
