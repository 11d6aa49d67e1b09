/**
 * Acceptance: each runtime layer resolves against the real runtime, the environment selects
 * correctly, and `ociman info --json` reports what the runtime itself reports.
 */
import { NodeContext } from "@effect/platform-node"
import { expect, it, layer } from "@effect/vitest"
import { ConfigProvider, Effect } from "effect"
import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { ContainerRuntime } from "ociman"
import { describeEachRuntime, runtimeLayer } from "./support/backends.js"

/** What the runtime itself says, asked directly (not through the library). */
const reported = (kind: "docker" | "podman") => {
  const ask = (args: ReadonlyArray<string>) => execFileSync(kind, args, { encoding: "utf8" }).trim()
  return kind === "docker"
    ? {
        clientVersion: ask(["version", "--format", "{{.Client.Version}}"]),
        engineVersion: ask(["version", "--format", "{{.Server.Version}}"]),
        rootless: ask(["info", "--format", "{{json .SecurityOptions}}"]).includes("name=rootless")
      }
    : {
        clientVersion: ask(["version", "--format", "{{.Client.Version}}"]),
        engineVersion: ask(["version", "--format", "{{.Client.Version}}"]),
        rootless: ask(["info", "--format", "{{.Host.Security.Rootless}}"]) === "true"
      }
}

const cliLauncher = fileURLToPath(new URL("../packages/cli/bin/ociman.js", import.meta.url))

/** Runs the built `ociman` command with an isolated HOME so no user config interferes. */
const ocimanCli = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const home = mkdtempSync(join(tmpdir(), "ociman-cli-home-"))
  try {
    return execFileSync(process.execPath, [cliLauncher, ...args], {
      encoding: "utf8",
      env: { ...process.env, HOME: home, XDG_CONFIG_HOME: "", OCIMAN_BACKEND: "", ...env }
    })
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
}

describeEachRuntime("runtime resolution", (kind) => {
  layer(runtimeLayer(kind), { excludeTestServices: true })((it) => {
    it.effect("the layer reports the kind, versions and rootless flag the runtime reports", () =>
      Effect.gen(function* () {
        const runtime = yield* ContainerRuntime.ContainerRuntime
        const expected = reported(kind)
        expect(runtime.backend.kind).toBe(kind)
        expect(runtime.backend.executable).toBe(kind)
        // the probe over the API leaves the client's version to be asked when needed
        expect((yield* ContainerRuntime.clientVersion(runtime.backend)).raw).toBe(expected.clientVersion)
        expect(runtime.backend.engineVersion.raw).toBe(expected.engineVersion)
        expect(runtime.backend.rootless).toBe(expected.rootless)
      })
    )

    it.effect("the raw CLI escape hatch runs the runtime", () =>
      Effect.gen(function* () {
        const runtime = yield* ContainerRuntime.ContainerRuntime
        const result = yield* runtime.cli(["version"])
        expect(result.exitCode).toBe(0)
        expect(result.argv.slice(0, 2)).toEqual([kind, "version"])
      })
    )
  })

  it.live(`OCIMAN_BACKEND=${kind} selects ${kind}`, () =>
    Effect.gen(function* () {
      const backend = yield* ContainerRuntime.resolve().pipe(
        Effect.withConfigProvider(ConfigProvider.fromJson({ OCIMAN_BACKEND: kind, HOME: "/nonexistent" }))
      )
      expect(backend.kind).toBe(kind)
      expect(backend.source).toBe("environment")
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it(`ociman info --json --backend ${kind} prints the runtime's own figures`, () => {
    const printed: unknown = JSON.parse(ocimanCli(["info", "--json", "--backend", kind]))
    expect(printed).toMatchObject({ kind, ...reported(kind) })
  })

  it(`OCIMAN_BACKEND=${kind} ociman info --json selects ${kind}`, () => {
    const printed: unknown = JSON.parse(ocimanCli(["info", "--json"], { OCIMAN_BACKEND: kind }))
    expect(printed).toMatchObject({ kind })
  })
})

it("ociman info fails with one clear line and a non-zero exit for a bad OCIMAN_BACKEND", () => {
  let status = 0
  let stderr = ""
  try {
    ocimanCli(["info"], { OCIMAN_BACKEND: "kubernetes" })
  } catch (error) {
    status = typeof error === "object" && error !== null && "status" in error ? Number(error.status) : -1
    stderr = typeof error === "object" && error !== null && "stderr" in error ? String(error.stderr) : ""
  }
  expect(status).toBe(1)
  expect(stderr.trim()).toBe('ociman: invalid backend "kubernetes" in OCIMAN_BACKEND: expected "docker" or "podman"')
})
