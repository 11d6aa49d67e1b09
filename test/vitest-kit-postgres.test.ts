/**
 * A shared PostgreSQL (`@ociman/postgres`) through `@ociman/vitest`'s global setup: the fixture
 * project `test/fixtures/vitest-postgres/` (two test files querying one seeded server) run as a
 * user runs it, in a subprocess, on each runtime: one server for both files, gone after teardown.
 */
import { expect, it as vitestIt } from "@effect/vitest"
import { execFile } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { describeRuntimes } from "@ociman/vitest"

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL("..", import.meta.url))
const VITEST = fileURLToPath(new URL("../node_modules/vitest/vitest.mjs", import.meta.url))
const CONFIG = fileURLToPath(new URL("fixtures/vitest-postgres/vitest.config.ts", import.meta.url))

const lines = (log: string): ReadonlyArray<string> =>
  existsSync(log)
    ? readFileSync(log, "utf8")
        .split("\n")
        .filter((line) => line.length > 0)
    : []

describeRuntimes("vitest kit: a shared PostgreSQL", (_it, runtime) => {
  const kind = runtime.kind

  vitestIt(
    "two test files query one seeded server, started once; teardown removes it",
    async () => {
      const directory = mkdtempSync(join(tmpdir(), "ociman-vitest-postgres-"))
      const log = join(directory, "run.log")
      try {
        const { stdout } = await run(process.execPath, [VITEST, "run", "--config", CONFIG], {
          cwd: ROOT,
          env: {
            ...process.env,
            NO_COLOR: "1",
            FORCE_COLOR: "0",
            OCIMAN_BACKEND: kind,
            OCIMAN_TEST_BACKENDS: kind,
            OCIMAN_FIXTURE_LOG: log
          },
          timeout: 170_000
        })
        expect(stdout).toMatch(/Test Files\s+2 passed \(2\)/)
        const started = lines(log).filter((line) => line.startsWith("started "))
        expect(started.length).toBe(1)
        const id = started[0]?.split(" ")[1] ?? ""
        const seen = lines(log).filter((line) => line.startsWith("seen "))
        expect(seen.map((line) => line.split(" ")[1]).sort()).toEqual(["one", "two"])
        expect(new Set(seen.map((line) => line.split(" ")[2]))).toEqual(new Set([id]))
        const left = await run(kind, ["ps", "--all", "--quiet", "--no-trunc", "--filter", `id=${id}`])
        expect(left.stdout.trim()).toBe("")
      } finally {
        rmSync(directory, { recursive: true, force: true })
      }
    },
    200_000
  )
})
