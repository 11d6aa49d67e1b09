/**
 * The probe over the engine's API (`transport` `auto` or `api`): a fake engine on a unix socket
 * (named by `DOCKER_HOST` / `CONTAINER_HOST`) and a fake CLI that records every call, so a test
 * sees what was asked of each.
 */
import { FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect } from "effect"
import type * as http from "node:http"
import * as ContainerRuntime from "../../src/ContainerRuntime.js"
import { fakeEngineServer } from "../support/fakeEngine.js"
import { fakeExecutable } from "../support/fakeExecutable.js"

const withEnv = (env: Record<string, string>) => Effect.withConfigProvider(ConfigProvider.fromJson(env))

/** Puts `directory` first on `PATH` for the scope: spawns and the probe's `locate` find its executables first. */
const firstOnPath = (directory: string) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const previous = process.env["PATH"]
      process.env["PATH"] = `${directory}:${previous ?? ""}`
      return previous
    }),
    (previous) =>
      Effect.sync(() => {
        if (previous === undefined) delete process.env["PATH"]
        else process.env["PATH"] = previous
      })
  )

/** An engine that answers `/_ping` naming itself `server`, and `info` paths with `info`; 404 elsewhere. */
const engine = (server: string, info: Record<string, unknown>) => {
  const asked: Array<string> = []
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = req.url ?? ""
    asked.push(path)
    if (path.endsWith("/_ping")) {
      res.writeHead(200, { Server: server, "Content-Type": "text/plain" }).end("OK")
    } else if (path.endsWith("/info")) {
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(info))
    } else {
      res.writeHead(404).end(JSON.stringify({ message: "not here" }))
    }
  }
  return Effect.map(fakeEngineServer(handler), (started) => ({ ...started, asked }))
}

/** A CLI that appends each argv to a file and answers `--version` and the CLI probe's calls; first on `PATH` for the scope. */
const recordingCli = (name: "docker" | "podman") =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "ociman-calls-" })
    const callsFile = path.join(dir, "calls")
    const executable = yield* fakeExecutable(
      name,
      `echo "$*" >> '${callsFile}'
case "$1" in
  --version) echo "${name === "docker" ? "Docker version 28.2.2, build e6534b4" : "podman version 5.4.0"}" ;;
  version) echo '{"Client":{"Version":"28.2.2"},"Server":{"Version":"27.5.1"}}' ;;
  info) echo '[]' ;;
  *) exit 2 ;;
esac`
    )
    const calls = fs.readFileString(callsFile).pipe(
      Effect.map((text) => text.split("\n").filter((line) => line !== "")),
      Effect.orElseSucceed((): ReadonlyArray<string> => [])
    )
    yield* firstOnPath(path.dirname(executable))
    return { executable, calls }
  })

describe("the probe over the engine's API", () => {
  it.scoped("auto, a socket that answers: the API, the engine's version from /_ping, the CLI found but not run", () =>
    Effect.gen(function* () {
      const fake = yield* engine("Docker/27.5.1 (linux)", { SecurityOptions: ["name=seccomp,profile=default"] })
      const cli = yield* recordingCli("docker")
      const backend = yield* ContainerRuntime.resolve({ backend: "docker" }).pipe(withEnv({ DOCKER_HOST: fake.url }))
      expect(backend.transport).toBe("api")
      expect(backend.executable).toBe("docker")
      expect(backend.engineVersion.raw).toBe("27.5.1")
      expect(backend.rootless).toBe(false)
      expect(backend.clientVersion).toBeUndefined()
      expect(yield* cli.calls).toEqual([])
      // a named socket may be a rootless daemon's: the engine was asked; one /_ping told both its
      // version and that the API transport answers
      expect(fake.asked.some((path) => path.endsWith("/info"))).toBe(true)
      expect(fake.asked.filter((path) => path.endsWith("/_ping")).length).toBe(1)
      expect(backend.endpoint).toMatchObject({ url: fake.url })

      // the CLI's version, when asked for, comes from `--version`, once per process: callers at
      // once share the one process
      const client = ContainerRuntime.clientVersion(backend)
      const [first, second] = yield* Effect.all([client, client], { concurrency: 2 })
      expect([first.raw, second.raw, (yield* client).raw]).toEqual(["28.2.2", "28.2.2", "28.2.2"])
      expect(yield* cli.calls).toEqual(["--version"])
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("a rootless engine says so in its info (Docker's SecurityOptions, Podman's host.security)", () =>
    Effect.gen(function* () {
      const docker = yield* engine("Docker/27.5.1 (linux)", { SecurityOptions: ["name=seccomp", "name=rootless"] })
      const dockerCli = yield* recordingCli("docker")
      const rootlessDocker = yield* ContainerRuntime.resolve({ backend: "docker" }).pipe(
        withEnv({ DOCKER_HOST: docker.url })
      )
      expect(rootlessDocker).toMatchObject({ transport: "api", rootless: true })
      expect(yield* dockerCli.calls).toEqual([])

      const podman = yield* engine("Libpod/5.4.0 (linux)", { host: { security: { rootless: true } } })
      const podmanCli = yield* recordingCli("podman")
      const remotePodman = yield* ContainerRuntime.resolve({ backend: "podman" }).pipe(
        withEnv({ CONTAINER_HOST: podman.url })
      )
      expect(remotePodman).toMatchObject({ transport: "api", rootless: true })
      expect(remotePodman.engineVersion.raw).toBe("5.4.0")
      expect(podman.asked.some((path) => path.endsWith("/libpod/info"))).toBe(true)
      expect(yield* podmanCli.calls).toEqual([])
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("auto with an executable of the caller's own is the CLI, though the socket answers; api is the API", () =>
    Effect.gen(function* () {
      const fake = yield* engine("Docker/27.5.1 (linux)", { SecurityOptions: [] })
      const cli = yield* recordingCli("docker")
      const own = yield* ContainerRuntime.resolve({ backend: "docker", executables: { docker: cli.executable } }).pipe(
        withEnv({ DOCKER_HOST: fake.url })
      )
      expect(own.transport).toBe("cli")
      expect(own.clientVersion?.raw).toBe("28.2.2")
      const asked = yield* ContainerRuntime.resolve({
        backend: "docker",
        transport: "api",
        executables: { docker: cli.executable }
      }).pipe(withEnv({ DOCKER_HOST: fake.url }))
      expect(asked.transport).toBe("api")
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("auto, a socket that does not answer: the CLI probe decides, and the CLI transport is used", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "ociman-no-engine-" })
      const cli = yield* recordingCli("docker")
      const backend = yield* ContainerRuntime.resolve({ backend: "docker" }).pipe(
        withEnv({ DOCKER_HOST: `unix://${dir}/absent.sock` })
      )
      expect(backend.transport).toBe("cli")
      expect(backend.clientVersion?.raw).toBe("28.2.2")
      expect(backend.engineVersion.raw).toBe("27.5.1")
      expect((yield* cli.calls).some((call) => call.startsWith("version"))).toBe(true)
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("api required, a socket that does not answer: RuntimeUnavailable, never the CLI transport", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "ociman-no-engine-" })
      yield* recordingCli("docker")
      const error = yield* Effect.flip(
        ContainerRuntime.resolve({ backend: "docker", transport: "api" }).pipe(
          withEnv({ DOCKER_HOST: `unix://${dir}/absent.sock` })
        )
      )
      expect(error._tag === "RuntimeUnavailable" && error.reason).toBe("DaemonUnreachable")
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("the engine answers but the CLI is missing or may not be run: NotInstalled, PermissionDenied", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const fake = yield* engine("Docker/27.5.1 (linux)", { SecurityOptions: [] })
      const missing = yield* Effect.flip(
        ContainerRuntime.resolve({
          backend: "docker",
          transport: "api",
          executables: { docker: "/nonexistent/ociman-test/docker" }
        }).pipe(withEnv({ DOCKER_HOST: fake.url }))
      )
      expect(missing._tag === "RuntimeUnavailable" && missing.reason).toBe("NotInstalled")

      const cli = yield* recordingCli("docker")
      yield* fs.chmod(cli.executable, 0o644)
      const denied = yield* Effect.flip(
        ContainerRuntime.resolve({ backend: "docker", transport: "api", executables: { docker: cli.executable } }).pipe(
          withEnv({ DOCKER_HOST: fake.url })
        )
      )
      expect(denied._tag === "RuntimeUnavailable" && denied.reason).toBe("PermissionDenied")
    }).pipe(Effect.provide(NodeContext.layer))
  )
})
