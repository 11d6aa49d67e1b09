/**
 * Acceptance: the README examples that need only the local test image run, on each runtime, as a
 * user would run them (`npm run check:examples` type-checks them all). Each is taken from the
 * README as it stands, written to a module of its own and run with tsx against the packages'
 * sources; one that only defines `program` gets a runner appended (the runtime from the
 * environment, the Node platform, and the result printed as JSON). The README's testing example
 * is a test file of its own (`packages/ociman/test/readme-example.test.ts`).
 */
import { expect, it } from "@effect/vitest"
import { execFileSync, spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { type ReadmeBlock, isCompleteExample, readmeBlocks } from "../scripts/readme-examples.js"
import { describeEachRuntime, type Kind, TEST_IMAGE } from "./support/backends.js"

const root = fileURLToPath(new URL("..", import.meta.url))

/** The complete TypeScript example under a heading of a README. */
const example = (file: string, heading: string): ReadmeBlock => {
  const found = readmeBlocks(file, readFileSync(join(root, file), "utf8")).filter(
    (block) => block.heading === heading && isCompleteExample(block)
  )
  expect(found, `one complete example under "${heading}" in ${file}`).toHaveLength(1)
  const [block] = found
  return block ?? expect.fail(`no example under "${heading}" in ${file}`)
}

/** Runs `program` (the README's) on the runtime the environment selects and prints its result as JSON. */
const RUNNER = `
import * as ReadmeRunnerPlatform from "@effect/platform-node"
import * as ReadmeRunnerEffect from "effect"
import * as ReadmeRunnerOciman from "ociman"

program.pipe(
  ReadmeRunnerEffect.Effect.tap((result) => ReadmeRunnerEffect.Console.log(JSON.stringify(result))),
  ReadmeRunnerEffect.Effect.provide(ReadmeRunnerOciman.ContainerRuntime.layerFromEnv),
  ReadmeRunnerEffect.Effect.provide(ReadmeRunnerPlatform.NodeContext.layer),
  ReadmeRunnerPlatform.NodeRuntime.runMain
)
`

interface Outcome {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * Writes the block (plus `suffix`) under node_modules/.cache (so "ociman" resolves to the
 * workspace, with the `source` condition to its sources) and runs it with tsx, an isolated HOME and
 * the given environment. Asynchronously: a worker blocked in `spawnSync` cannot answer vitest.
 */
const runBlock = (block: ReadmeBlock, env: NodeJS.ProcessEnv, suffix = ""): Promise<Outcome> => {
  const cache = join(root, "node_modules", ".cache")
  mkdirSync(cache, { recursive: true })
  const dir = mkdtempSync(join(cache, "readme-example-"))
  const home = mkdtempSync(join(tmpdir(), "ociman-readme-home-"))
  const file = join(dir, `${block.file.replaceAll("/", "_")}.${block.line}.ts`)
  writeFileSync(file, `${block.code}\n${suffix}`)
  return new Promise<Outcome>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--conditions", "source", file], {
      cwd: root,
      env: { ...env, HOME: home, XDG_CONFIG_HOME: "" }
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.on("close", (status) => resolve({ status, stdout, stderr }))
  }).finally(() => {
    rmSync(dir, { recursive: true, force: true })
    rmSync(home, { recursive: true, force: true })
  })
}

/** The environment of this process for one runtime, without a backend choice of its own. */
const envFor = (kind: Kind): NodeJS.ProcessEnv => ({ ...process.env, OCIMAN_BACKEND: kind })

const lastJsonLine = (stdout: string): unknown => JSON.parse(stdout.trim().split("\n").at(-1) ?? "null")

const labelled = (kind: Kind, label: string): string =>
  execFileSync(kind, ["container", "ls", "--all", "--quiet", "--filter", `label=${label}`], {
    encoding: "utf8"
  }).trim()

it("Choosing the runtime: with no runtime on PATH, the NoRuntimeAvailable handler prints why", async () => {
  const emptyPath = mkdtempSync(join(tmpdir(), "ociman-empty-path-"))
  try {
    const { OCIMAN_BACKEND: _chosen, ...rest } = process.env
    const { status, stderr, stdout } = await runBlock(example("README.md", "Choosing the runtime"), {
      ...rest,
      PATH: emptyPath
    })
    expect(stdout).toBe("")
    expect(stderr).toMatch(/^no usable container runtime: .*docker.*; .*podman.*\n$/)
    expect(status).toBe(0)
  } finally {
    rmSync(emptyPath, { recursive: true, force: true })
  }
})

describeEachRuntime("README examples", (kind) => {
  it("Choosing the runtime: prints the runtime the environment selects", async () => {
    const { status, stderr, stdout } = await runBlock(example("README.md", "Choosing the runtime"), envFor(kind))
    expect(stderr).toBe("")
    expect(stdout).toMatch(new RegExp(`^${kind} \\S+ \\(rootless: (true|false)\\)$`, "m"))
    expect(status).toBe(0)
  })

  it("Containers: serves, execs, reads the port, logs and labels, and removes the container", async () => {
    const { status, stderr, stdout } = await runBlock(example("README.md", "Containers"), envFor(kind), RUNNER)
    expect(stderr).toBe("")
    expect(status).toBe(0)
    expect(lastJsonLine(stdout)).toEqual({
      host: expect.stringMatching(/^(127\.0\.0\.1|localhost|::1|\[::1\])$/),
      port: expect.any(Number),
      stdout: "hi\n",
      exitCode: 0,
      logs: expect.any(Array),
      role: "web"
    })
    expect(labelled(kind, "com.example.role=web")).toBe("")
  })

  it("Networks: a client reaches a server by its alias", async () => {
    const { status, stderr, stdout } = await runBlock(example("README.md", "Networks"), envFor(kind), RUNNER)
    expect(stderr).toBe("")
    expect(status).toBe(0)
    expect(lastJsonLine(stdout)).toBe("hi\n")
  })

  it("ociman's package README: the complete program runs", async () => {
    const { status, stderr, stdout } = await runBlock(example("packages/ociman/README.md", "A complete program"), {
      ...envFor(kind),
      IMAGE: TEST_IMAGE
    })
    expect(stderr).toBe("")
    // the automatic sweep may log what it removed first (other processes' leftovers)
    expect(stdout).toMatch(/^\S+: hello from a container$/m)
    expect(status).toBe(0)
  })
})
