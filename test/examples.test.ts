/**
 * Acceptance: the runnable programs in `examples/` that need only the local test image run to
 * completion on each runtime (`OCIMAN_BACKEND=<kind>`), exactly as their headers say to run them
 * (`node --import tsx --conditions source examples/X.ts`, from the repository root), print what
 * they promise, and leave no image, container or network behind.
 */
import { expect, it } from "@effect/vitest"
import { execFileSync, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describeEachRuntime, type Kind } from "./support/backends.js"

const root = fileURLToPath(new URL("..", import.meta.url))

interface Outcome {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs `examples/<name>.ts` on one runtime with an isolated HOME (no user config). Asynchronously:
 * a worker blocked in `spawnSync` for many seconds cannot answer vitest's RPC calls.
 */
const runExample = (name: string, kind: Kind): Promise<Outcome> => {
  const home = mkdtempSync(join(tmpdir(), "ociman-example-home-"))
  return new Promise<Outcome>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--conditions", "source", `examples/${name}.ts`], {
      cwd: root,
      env: { ...process.env, HOME: home, XDG_CONFIG_HOME: "", OCIMAN_BACKEND: kind }
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.on("close", (status) => resolve({ status, stdout, stderr }))
  }).finally(() => rmSync(home, { recursive: true, force: true }))
}

/** The images the examples build (all under localhost/ociman-examples/), asked of the runtime directly. */
const exampleImages = (kind: Kind): ReadonlyArray<string> =>
  execFileSync(kind, ["image", "ls", "--format", "{{.Repository}}:{{.Tag}}"], { encoding: "utf8" })
    .split("\n")
    .filter((line) => line.startsWith("localhost/ociman-examples/"))

const labelled = (kind: Kind, what: "container" | "network", label: string): string =>
  execFileSync(
    kind,
    [what, "ls", ...(what === "container" ? ["--all"] : []), "--quiet", "--filter", `label=${label}`],
    {
      encoding: "utf8"
    }
  ).trim()

describeEachRuntime("examples", (kind) => {
  it("demo.ts builds, starts, waits, execs, fetches and cleans up", async () => {
    const { status, stderr, stdout } = await runExample("demo", kind)
    expect(stderr).toBe("")
    expect(status).toBe(0)
    expect(stdout).toMatch(new RegExp(`^runtime: +${kind} `, "m"))
    expect(stdout).toMatch(/^image: +localhost\/ociman-examples\/demo:[0-9a-f]{64} \(built\)$/m)
    expect(stdout).toContain("exec:     wc -c /www/index.html -> 33 /www/index.html\n")
    expect(stdout).toMatch(/^fetched: +http:\/\/127\.0\.0\.1:\d+\/index\.html -> hello from an image ociman built$/m)
    expect(exampleImages(kind)).toEqual([])
  })

  it("network.ts: a client reaches a server by its alias on a scoped network", async () => {
    const { status, stderr, stdout } = await runExample("network", kind)
    expect(stderr).toBe("")
    expect(status).toBe(0)
    expect(stdout).toContain("client:   wget http://web:8080/index.html -> hello from web\n")
    expect(stdout).toContain("cleaned up: client, server and network removed\n")
    expect(labelled(kind, "network", "com.example.example=network")).toBe("")
  })

  it("build-cache.ts: the second build of the same content is a hit, a change is a miss", async () => {
    const { status, stderr, stdout } = await runExample("build-cache", kind)
    expect(stderr).toBe("")
    expect(status).toBe(0)
    expect(stdout).toContain("summary:  first miss, second hit (same tag: true), changed miss (new tag: true)\n")
    expect(stdout).toContain("content hash of the changed context = its tag: true\n")
    expect(exampleImages(kind)).toEqual([])
  })

  it("postgres-readiness.ts: ready only after both start-up phases of a real server; a failure ends the wait at once", async () => {
    const { status, stderr, stdout } = await runExample("postgres-readiness", kind)
    expect(stderr).toBe("")
    expect(status).toBe(0)
    expect(stdout).toMatch(/^ready: +after [\d.]+ s: 127\.0\.0\.1:5432 - accepting connections; published on /m)
    expect(stdout).toContain('"ready to accept connections" logged 2 times by then')
    expect(stdout).toMatch(
      /^crashed: +ContainerExitedBeforeReady after [\d.]+ s \(exit code 1\); FATAL: +unrecognized configuration parameter "no_such_parameter"$/m
    )
    expect(exampleImages(kind)).toEqual([])
  })

  it("postgres.ts: a seeded server queried through PgClient; the second start runs no seed", async () => {
    const { status, stderr, stdout } = await runExample("postgres", kind)
    expect(stderr).toBe("")
    expect(status).toBe(0)
    // the cache (`examples`) may hold the seeds from an earlier run: the second start always does
    expect(stdout).toMatch(/^first: +seeds ran: (schema, books; from the cache: 0|none; from the cache: 2)$/m)
    expect(stdout).toMatch(/^second: seeds ran: none; from the cache: 2$/m)
    expect(stdout).toContain("          1985 Structure and Interpretation of Computer Programs\n")
    expect(stdout.match(/^fresh: +4 books in the clone, still 3 in the seeded database$/gm)).toHaveLength(2)
    // the example's own containers (its cache is `examples`), whatever else runs on the engine
    expect(labelled(kind, "container", "ociman-postgres.cache=examples")).toBe("")
  })
})
