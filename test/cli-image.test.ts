/**
 * Acceptance: `ociman hash` and `ociman build`, run as the built command (`npm run build` first),
 * agree with the library, stay quiet when piped, and fail with one line and a non-zero exit.
 */
import { NodeContext } from "@effect/platform-node"
import { expect, it, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { execFileSync, spawn, spawnSync } from "node:child_process"
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { BuildDefinition, Image } from "ociman"
import { describeEachRuntime, runtimeLayer, TEST_IMAGE } from "./support/backends.js"

const cliLauncher = fileURLToPath(new URL("../packages/cli/bin/ociman.js", import.meta.url))
const fixture = (name: string) => fileURLToPath(new URL(`fixtures/images/${name}`, import.meta.url))

/** Runs the built `ociman` (stdout and stderr piped, so not a terminal) with an isolated HOME. */
const ocimanCli = (args: ReadonlyArray<string>, input?: string) => {
  const home = mkdtempSync(join(tmpdir(), "ociman-cli-home-"))
  try {
    const result = spawnSync(process.execPath, [cliLauncher, ...args], {
      encoding: "utf8",
      input,
      env: { ...process.env, HOME: home, XDG_CONFIG_HOME: "", OCIMAN_BACKEND: "" }
    })
    return { status: result.status, stdout: result.stdout, stderr: result.stderr }
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
}

it.live("ociman hash --json prints the library's content tag, files and bytes, and nothing on stderr", () =>
  Effect.gen(function* () {
    const expected = yield* Image.contentHash(
      BuildDefinition.fromDirectory(fixture("build"), { name: "x" }).pipe(
        BuildDefinition.buildArg("A", "1"),
        BuildDefinition.label("k", "v")
      )
    )
    const printed = ocimanCli(["hash", "--json", "--build-arg", "A=1", "--label", "k=v", fixture("build")])
    expect(printed.stderr).toBe("")
    expect(printed.status).toBe(0)
    expect(JSON.parse(printed.stdout)).toEqual({ tag: expected.tag, files: 2, bytes: expected.bytes })
    expect(expected.bytes).toBeGreaterThan(0)
  }).pipe(Effect.provide(NodeContext.layer))
)

it("ociman hash reads instructions from stdin and prints the bare tag (ociman's vector)", () => {
  const printed = ocimanCli(["hash", "--instructions", "-"], "FROM alpine:latest\n")
  expect(printed.stdout).toBe("afebbeab875bca34d9148b626a501d2008f0e5f2da1e0edfc37150a5bc409187\n")
  expect(JSON.parse(ocimanCli(["hash", "--json", "--instructions", "-"], "FROM alpine:latest\n").stdout)).toEqual({
    tag: "afebbeab875bca34d9148b626a501d2008f0e5f2da1e0edfc37150a5bc409187",
    files: 0,
    bytes: 19
  })
})

it("ociman hash fails with one clear line and a non-zero exit", () => {
  const missing = ocimanCli(["hash", "/nonexistent/ociman-context"])
  expect(missing.status).toBe(1)
  expect(missing.stdout).toBe("")
  expect(missing.stderr.trim().split("\n")).toHaveLength(1)
  expect(missing.stderr).toMatch(/^ociman: build context \/nonexistent\/ociman-context does not exist/)
  const both = ocimanCli(["hash", "--instructions", "-", fixture("build")], "FROM scratch\n")
  expect(both.status).toBe(1)
  expect(both.stderr.trim()).toBe("ociman: give either DIR or --instructions, not both")
  const badArg = ocimanCli(["hash", "--label", "novalue", fixture("build")])
  expect(badArg.stderr.trim()).toBe('ociman: --label expects KEY=VALUE, got "novalue"')
})

it("ociman hash of a directory without a Dockerfile says so instead of printing a tag", () => {
  const empty = mkdtempSync(join(tmpdir(), "ociman-cli-no-dockerfile-"))
  try {
    const bare = ocimanCli(["hash", empty])
    expect(bare.status).toBe(1)
    expect(bare.stdout).toBe("")
    expect(bare.stderr).toBe(
      `ociman: ${empty} has no Dockerfile (nor Containerfile): a build context needs one; name another with --file, or give Dockerfile text with --instructions\n`
    )
    const named = ocimanCli(["hash", "--file", "Other.Dockerfile", fixture("build")])
    expect(named.status).toBe(1)
    expect(named.stderr).toBe(
      `ociman: the Dockerfile Other.Dockerfile does not exist (--file is relative to DIR, ${fixture("build")})\n`
    )
  } finally {
    rmSync(empty, { recursive: true, force: true })
  }
})

/** Whether process `pid` has `path` open (Linux's /proc); a descriptor closed meanwhile is not. */
const hasOpen = (pid: number, path: string): boolean =>
  readdirSync(`/proc/${pid}/fd`).some((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`) === path
    } catch {
      return false
    }
  })

/** Starts `ociman hash --instructions FIFO` and resolves once it has the FIFO open (up to 20 s). */
const hashFromFifo = async (fifo: string) => {
  const child = spawn(process.execPath, [cliLauncher, "hash", "--instructions", fifo])
  let stdout = ""
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
  const closed = new Promise<{ readonly code: number | null; readonly signal: string | null; readonly stdout: string }>(
    (resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout }))
  )
  for (let i = 0; i < 200 && child.pid !== undefined && !hasOpen(child.pid, fifo); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { child, closed, opened: child.pid !== undefined && hasOpen(child.pid, fifo) }
}

it("ociman hash --instructions FIFO waits for a writer, and Ctrl-C (SIGINT) ends the wait with 130", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ociman-cli-fifo-"))
  const fifo = join(dir, "instructions")
  execFileSync("mkfifo", [fifo])
  try {
    const waiting = await hashFromFifo(fifo)
    try {
      expect(waiting.opened).toBe(true)
      waiting.child.kill("SIGINT")
      expect(await waiting.closed).toEqual({ code: 130, signal: null, stdout: "" })
    } finally {
      waiting.child.kill("SIGKILL")
    }
    const reading = await hashFromFifo(fifo)
    try {
      expect(reading.opened).toBe(true)
      writeFileSync(fifo, "FROM alpine:latest\n")
      expect(await reading.closed).toEqual({
        code: 0,
        signal: null,
        stdout: "afebbeab875bca34d9148b626a501d2008f0e5f2da1e0edfc37150a5bc409187\n"
      })
    } finally {
      reading.child.kill("SIGKILL")
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

it("ociman hash --help and ociman build --help describe the commands", () => {
  for (const command of ["hash", "build"]) {
    const help = ocimanCli([command, "--help"])
    expect(help.status).toBe(0)
    expect(help.stdout).toContain("--build-arg")
  }
  expect(ocimanCli(["build", "--help"]).stdout).toContain("--backend")
})

describeEachRuntime("ociman build", (kind) => {
  const name = `localhost/ociman-test/cli-image-${process.pid}-${kind}`

  layer(Layer.merge(runtimeLayer(kind), NodeContext.layer), { excludeTestServices: true })((it) => {
    it.scoped("builds a content-addressed image, prints NAME:<hash>, and skips it with --if-absent", () =>
      Effect.gen(function* () {
        yield* Effect.addFinalizer(() =>
          Image.listByName(name).pipe(
            Effect.flatMap(Effect.forEach((ref) => Image.remove(ref, { force: true }))),
            Effect.ignore
          )
        )
        const tag = ocimanCli(["hash", fixture("build")]).stdout.trim()
        const built = ocimanCli(["build", "--backend", kind, "--name", name, fixture("build")])
        expect(built.stderr).toBe("")
        expect(built.status).toBe(0)
        expect(built.stdout).toBe(`${name}:${tag}\n`)
        expect(yield* Image.exists(`${name}:${tag}`)).toBe(true)

        const again = ocimanCli(["build", "--backend", kind, "--json", "--if-absent", "--name", name, fixture("build")])
        expect(JSON.parse(again.stdout)).toEqual({ reference: `${name}:${tag}`, built: false })

        const fixed = ocimanCli(
          ["build", "--backend", kind, "--json", "--tag", `${name}:fixed`, "--instructions", "-"],
          `FROM ${TEST_IMAGE}\nLABEL ociman-test.cli=1\n`
        )
        expect(JSON.parse(fixed.stdout)).toEqual({ reference: `${name}:fixed`, built: true })
        expect((yield* Image.labelsOf(`${name}:fixed`)).get("ociman-test.cli")).toBe("1")
      })
    )

    it.scoped("a failed build is one line on stderr and exit 1", () =>
      Effect.gen(function* () {
        const failed = ocimanCli(
          ["build", "--backend", kind, "--tag", `${name}:failing`, "--instructions", "-"],
          `FROM ${TEST_IMAGE}\nRUN exit 4\n`
        )
        expect(failed.status).toBe(1)
        expect(failed.stdout).toBe("")
        const lines = failed.stderr.trim().split("\n")
        expect(lines).toHaveLength(1)
        expect(lines[0]).toMatch(new RegExp(`^ociman: build of ${name}:failing failed: ${kind} build exited with 4`))
        expect(yield* Image.exists(`${name}:failing`)).toBe(false)
      })
    )
  })
})
