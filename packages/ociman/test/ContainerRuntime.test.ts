import { FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect } from "effect"
import { ContainerRuntime } from "../src/index.js"
import { dockerRootless } from "../src/internal/dialect/probe.js"
import { fakeDocker, fakeDockerDaemonDown, fakeExecutable, fakePodman } from "./support/fakeExecutable.js"

/** Runs with exactly these "environment variables" (the real environment is not consulted). */
// The fakes here are CLIs, so every runtime is asked over the CLI transport (`transport: "cli"`):
// with the default, the engine's socket on this machine would answer instead. The probe over a
// socket is tested in internal/api-probe.test.ts.
const withEnv = (env: Record<string, string>) => Effect.withConfigProvider(ConfigProvider.fromJson(env))

/** A temp HOME with `.config/ociman.toml` holding `text` (or no file when text is undefined). */
const homeWithConfig = (text: string | undefined) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const home = yield* fs.makeTempDirectoryScoped({ prefix: "ociman-home-" })
    if (text !== undefined) {
      yield* fs.makeDirectory(path.join(home, ".config"), { recursive: true })
      yield* fs.writeFileString(path.join(home, ".config", "ociman.toml"), text)
    }
    return home
  })

const fakes = Effect.gen(function* () {
  const docker = yield* fakeDocker({
    client: "28.2.2",
    engine: "24.0.5-1ubuntu1~22.04",
    securityOptions: ["name=seccomp,profile=builtin", "name=rootless"]
  })
  const podman = yield* fakePodman({ version: "4.3.1", rootless: false })
  return { docker, podman }
})

const missing = "/nonexistent/ociman-test/bin"

describe("ContainerRuntime.resolve", () => {
  it.scoped("with no env and no config file, autodetects Docker first", () =>
    Effect.gen(function* () {
      const executables = yield* fakes
      const home = yield* homeWithConfig(undefined)
      const backend = yield* ContainerRuntime.resolve({ transport: "cli", executables }).pipe(withEnv({ HOME: home }))
      expect(backend.kind).toBe("docker")
      expect(backend.clientVersion?.raw).toBe("28.2.2")
      expect(backend.engineVersion.raw).toBe("24.0.5-1ubuntu1~22.04")
      expect(backend.engineVersion.major).toBe(24)
      expect(backend.rootless).toBe(true)
      expect(backend.source).toBe("default")
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("OCIMAN_BACKEND wins over the config file", () =>
    Effect.gen(function* () {
      const executables = yield* fakes
      const home = yield* homeWithConfig('default_backend = "docker"\n')
      const backend = yield* ContainerRuntime.resolve({ transport: "cli", executables }).pipe(
        withEnv({ HOME: home, OCIMAN_BACKEND: "podman" })
      )
      expect(backend.kind).toBe("podman")
      expect(backend.engineVersion.raw).toBe("4.3.1")
      expect(backend.rootless).toBe(false)
      expect(backend.source).toBe("environment")
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("an explicit OCIMAN_BACKEND does not fall back to the other runtime", () =>
    Effect.gen(function* () {
      const { podman } = yield* fakes
      const home = yield* homeWithConfig(undefined)
      const error = yield* Effect.flip(
        ContainerRuntime.resolve({ transport: "cli", executables: { docker: missing, podman } }).pipe(
          withEnv({ HOME: home, OCIMAN_BACKEND: "docker" })
        )
      )
      expect(error._tag).toBe("RuntimeUnavailable")
      if (error._tag === "RuntimeUnavailable") expect(error.reason).toBe("NotInstalled")
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("respects the config file's default_backend", () =>
    Effect.gen(function* () {
      const executables = yield* fakes
      const home = yield* homeWithConfig('default_backend = "podman"\n')
      const backend = yield* ContainerRuntime.resolve({ transport: "cli", executables }).pipe(withEnv({ HOME: home }))
      expect(backend.kind).toBe("podman")
      expect(backend.source).toBe("config-file")
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("reads $XDG_CONFIG_HOME/ociman.toml when XDG_CONFIG_HOME is set", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const executables = yield* fakes
      const home = yield* homeWithConfig('default_backend = "docker"\n')
      const xdg = yield* fs.makeTempDirectoryScoped({ prefix: "ociman-xdg-" })
      yield* fs.writeFileString(`${xdg}/ociman.toml`, 'default_backend = "podman"\n')
      const backend = yield* ContainerRuntime.resolve({ transport: "cli", executables }).pipe(
        withEnv({ HOME: home, XDG_CONFIG_HOME: xdg })
      )
      expect(backend.kind).toBe("podman")
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("a preferred runtime in the config file falls back to the other", () =>
    Effect.gen(function* () {
      const { docker } = yield* fakes
      const home = yield* homeWithConfig('default_backend = "podman"\n')
      const backend = yield* ContainerRuntime.resolve({
        transport: "cli",
        executables: { docker, podman: missing }
      }).pipe(withEnv({ HOME: home }))
      expect(backend.kind).toBe("docker")
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped.each(["", "auto", "Docker", "podman ", "containerd"])(
    "OCIMAN_BACKEND=%j is a typed error naming the allowed values",
    (value) =>
      Effect.gen(function* () {
        const executables = yield* fakes
        const home = yield* homeWithConfig(undefined)
        const error = yield* Effect.flip(
          ContainerRuntime.resolve({ transport: "cli", executables }).pipe(
            withEnv({ HOME: home, OCIMAN_BACKEND: value })
          )
        )
        expect(error._tag).toBe("InvalidBackendSelection")
        if (error._tag === "InvalidBackendSelection") {
          expect(error.value).toBe(value)
          expect(error.allowed).toEqual(["docker", "podman"])
          expect(error.message).toContain('expected "docker" or "podman"')
        }
      }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped.each([
    ['default_backend = "kubernetes"\n', "kubernetes"],
    ['default_backend = "docker"\nextra = 1\n', "extra"],
    ["default_backend = docker\n", "not valid TOML"],
    ["default_backend = 3\n", "default_backend"]
  ])("a bad config file %j is InvalidConfigFile", ([text, mentioned]) =>
    Effect.gen(function* () {
      const executables = yield* fakes
      const home = yield* homeWithConfig(text)
      const error = yield* Effect.flip(
        ContainerRuntime.resolve({ transport: "cli", executables }).pipe(withEnv({ HOME: home }))
      )
      expect(error._tag).toBe("InvalidConfigFile")
      if (error._tag === "InvalidConfigFile") {
        expect(error.path).toBe(`${home}/.config/ociman.toml`)
        expect(error.message).toContain(mentioned)
      }
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("an empty config file means auto", () =>
    Effect.gen(function* () {
      const executables = yield* fakes
      const home = yield* homeWithConfig("")
      const backend = yield* ContainerRuntime.resolve({ transport: "cli", executables }).pipe(withEnv({ HOME: home }))
      expect(backend.kind).toBe("docker")
      expect(backend.source).toBe("config-file")
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("when both candidates fail, the error names each one's reason", () =>
    Effect.gen(function* () {
      const docker = yield* fakeDockerDaemonDown
      const home = yield* homeWithConfig(undefined)
      const error = yield* Effect.flip(
        ContainerRuntime.resolve({ transport: "cli", executables: { docker, podman: missing } }).pipe(
          withEnv({ HOME: home })
        )
      )
      expect(error._tag).toBe("NoRuntimeAvailable")
      if (error._tag === "NoRuntimeAvailable") {
        expect(error.attempts.map((a) => [a.kind, a.reason])).toEqual([
          ["docker", "DaemonUnreachable"],
          ["podman", "NotInstalled"]
        ])
        expect(error.message).toContain("Cannot connect to the Docker daemon")
        expect(error.message).toContain("podman is not usable (NotInstalled)")
      }
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("a CLI that prints garbage is ProbeFailed, not a crash", () =>
    Effect.gen(function* () {
      const docker = yield* fakeExecutable("docker", "echo 'this is not json'")
      const error = yield* Effect.flip(
        ContainerRuntime.resolve({ transport: "cli", backend: "docker", executables: { docker } })
      )
      expect(error._tag).toBe("RuntimeUnavailable")
      if (error._tag === "RuntimeUnavailable") {
        expect(error.reason).toBe("ProbeFailed")
        expect(error.detail).toContain("this is not json")
      }
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("permission denied on the Docker socket is its own reason", () =>
    Effect.gen(function* () {
      const docker = yield* fakeExecutable(
        "docker",
        `echo 'permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock' >&2; exit 1`
      )
      const error = yield* Effect.flip(
        ContainerRuntime.resolve({ transport: "cli", backend: "docker", executables: { docker } })
      )
      expect(error._tag === "RuntimeUnavailable" && error.reason).toBe("PermissionDenied")
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("two runtimes side by side: two layers, two independent services", () =>
    Effect.gen(function* () {
      const executables = yield* fakes
      const docker = yield* ContainerRuntime.ContainerRuntime.pipe(
        Effect.provide(ContainerRuntime.layer({ transport: "cli", backend: "docker", executables }))
      )
      const podman = yield* ContainerRuntime.ContainerRuntime.pipe(
        Effect.provide(ContainerRuntime.layer({ transport: "cli", backend: "podman", executables }))
      )
      expect([docker.backend.kind, podman.backend.kind]).toEqual(["docker", "podman"])
      const [fromDocker, fromPodman] = yield* Effect.all([docker.cli(["version"]), podman.cli(["info"])])
      expect(fromDocker.argv[0]).toBe(executables.docker)
      expect(fromPodman.argv[0]).toBe(executables.podman)
    }).pipe(Effect.provide(NodeContext.layer))
  )
})

describe("Podman's rootless flag", () => {
  const asRoot = process.geteuid?.() === 0

  it.scoped("a local Podman (no server version) runs as its caller: info is not asked", () =>
    Effect.gen(function* () {
      // `info` fails here: the probe must not need it
      const podman = yield* fakeExecutable(
        "podman",
        `case "$1" in
  version) echo '{"Client":{"Version":"4.3.1"}}' ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac`
      )
      const home = yield* homeWithConfig(undefined)
      const backend = yield* ContainerRuntime.resolve({
        transport: "cli",
        backend: "podman",
        executables: { podman }
      }).pipe(withEnv({ HOME: home }))
      expect(backend.rootless).toBe(!asRoot)
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("a remote Podman (a server version) is asked with info", () =>
    Effect.gen(function* () {
      const podman = yield* fakeExecutable(
        "podman",
        `case "$1" in
  version) echo '{"Client":{"Version":"4.3.1"},"Server":{"Version":"5.2.0"}}' ;;
  info) echo '${String(asRoot)}' ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac`
      )
      const home = yield* homeWithConfig(undefined)
      const backend = yield* ContainerRuntime.resolve({
        transport: "cli",
        backend: "podman",
        executables: { podman }
      }).pipe(withEnv({ HOME: home }))
      // the engine's answer, which here differs from what the caller's uid would say
      expect(backend.rootless).toBe(asRoot)
      expect(backend.engineVersion.raw).toBe("5.2.0")
    }).pipe(Effect.provide(NodeContext.layer))
  )
})

describe("Docker rootless detection", () => {
  it("finds name=rootless among comma-separated pairs (ociman compared whole lines)", () => {
    expect(dockerRootless(["name=seccomp,profile=default"])).toBe(false)
    expect(dockerRootless(["name=seccomp,profile=builtin", "name=rootless"])).toBe(true)
    expect(dockerRootless(["name=rootless,foo=bar"])).toBe(true)
    expect(dockerRootless(["rootless"])).toBe(false)
    expect(dockerRootless([])).toBe(false)
  })
})
