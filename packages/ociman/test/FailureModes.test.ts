/**
 * How the library fails when the runtime misbehaves, with fake executables instead of a runtime:
 * each failure is a typed error, and nothing hangs.
 */
import { FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer } from "effect"
import * as Container from "../src/Container.js"
import * as ContainerRuntime from "../src/ContainerRuntime.js"
import * as Label from "../src/Label.js"
import * as Sweeper from "../src/Sweeper.js"
import { fakeExecutable } from "./support/fakeExecutable.js"

/** Sets `PATH` to exactly these directories for the scope (spawned CLIs find executables there). */
const withPath = (directories: ReadonlyArray<string>) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const previous = process.env["PATH"]
      process.env["PATH"] = directories.join(":")
      return previous
    }),
    (previous) =>
      Effect.sync(() => {
        if (previous === undefined) delete process.env["PATH"]
        else process.env["PATH"] = previous
      })
  )

/** A Docker that probes fine, and answers everything else with `script` (sh, `$1` is the subcommand). */
const fakeDockerWith = (script: string) =>
  fakeExecutable(
    "docker",
    `case "$1" in
  version) echo '{"Client":{"Version":"28.2.2"},"Server":{"Version":"20.10.24"}}' ;;
  info) echo '[]' ;;
  *) ${script} ;;
esac`
  )

/** The runtime service on a fake Docker (no automatic sweep: these tests call the sweeper themselves). */
const runtimeOn = (executable: string) =>
  Layer.build(
    ContainerRuntime.layer({ transport: "cli", backend: "docker", executables: { docker: executable }, sweep: false })
  ).pipe(Effect.map((context) => Layer.succeedContext(context)))

const managed = Either.getOrThrow(
  Either.map(Either.all([Label.key("ociman.managed"), Label.value("true")]), ([k, v]) => Label.exact(k, v))
)

describe("the runtime binary is missing", () => {
  it.scoped("docker not on PATH is RuntimeUnavailable(NotInstalled), and says what to do", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const empty = yield* fs.makeTempDirectoryScoped({ prefix: "ociman-empty-path-" })
      yield* withPath([empty])
      const error = yield* Effect.flip(ContainerRuntime.resolve({ transport: "cli", backend: "docker" }))
      expect(error._tag).toBe("RuntimeUnavailable")
      if (error._tag === "RuntimeUnavailable") {
        expect(error.reason).toBe("NotInstalled")
        expect(error.message).toContain("install docker or put it on PATH")
      }
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("a binary removed after the layer was built: each call is ExecutableNotFound", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const docker = yield* fakeDockerWith("exit 0")
      const layer = yield* runtimeOn(docker)
      yield* fs.remove(docker)
      const error = yield* Effect.flip(Container.list([managed]).pipe(Effect.provide(layer)))
      expect(error._tag).toBe("ExecutableNotFound")
      expect(error.message).toContain("is not installed or not on PATH")
    }).pipe(Effect.provide(NodeContext.layer))
  )
})

describe("permission denied", () => {
  it.scoped("an executable that may not be run is RuntimeUnavailable(PermissionDenied)", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const docker = yield* fakeDockerWith("exit 0")
      yield* fs.chmod(docker, 0o644)
      const error = yield* Effect.flip(
        ContainerRuntime.resolve({ transport: "cli", backend: "docker", executables: { docker } })
      )
      expect(error._tag === "RuntimeUnavailable" && error.reason).toBe("PermissionDenied")
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("an engine that refuses this user mid-session is a CommandFailed carrying the CLI's words", () =>
    Effect.gen(function* () {
      const docker = yield* fakeDockerWith(
        `echo 'permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock' >&2; exit 1`
      )
      const layer = yield* runtimeOn(docker)
      const error = yield* Effect.flip(Sweeper.sweep().pipe(Effect.provide(layer)))
      expect(error._tag).toBe("CommandFailed")
      expect(error.message).toContain("permission denied")
    }).pipe(Effect.provide(NodeContext.layer))
  )
})

describe("a CLI that prints garbage", () => {
  it.scoped("PATH pointing at a garbage-printing docker: the probe is RuntimeUnavailable(ProbeFailed)", () =>
    Effect.gen(function* () {
      const path = yield* Path.Path
      const docker = yield* fakeExecutable("docker", "echo '<html>502 Bad Gateway</html>'")
      yield* withPath([path.dirname(docker), "/usr/bin", "/bin"])
      const error = yield* Effect.flip(ContainerRuntime.resolve({ transport: "cli", backend: "docker" }))
      expect(error._tag === "RuntimeUnavailable" && error.reason).toBe("ProbeFailed")
      expect(error.message).toContain("502 Bad Gateway")
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("listing, inspecting and sweeping on a CLI that prints garbage are UnexpectedOutput / InvalidInspect", () =>
    Effect.gen(function* () {
      const docker = yield* fakeDockerWith(`echo 'garbage: not what anyone expected'`)
      const layer = yield* runtimeOn(docker)
      const listed = yield* Effect.flip(Container.list([managed]).pipe(Effect.provide(layer)))
      expect(listed._tag).toBe("UnexpectedOutput")
      const swept = yield* Effect.flip(Sweeper.sweep().pipe(Effect.provide(layer)))
      expect(swept._tag).toBe("UnexpectedOutput")
      expect(swept.message).toContain("garbage: not what anyone expected")
      const inspected = yield* Effect.flip(
        Effect.flatMap(Container.handle("abc"), (c) => c.inspect).pipe(Effect.provide(layer))
      )
      expect(inspected._tag).toBe("InvalidInspect")
    }).pipe(Effect.provide(NodeContext.layer))
  )
})

describe("a CLI that hangs", () => {
  it.live("times out with CommandTimedOut, even when it ignores SIGTERM (SIGKILL follows)", () =>
    Effect.gen(function* () {
      const docker = yield* fakeDockerWith(`trap '' TERM; while true; do sleep 1; done`)
      const layer = yield* runtimeOn(docker)
      const runtime = yield* ContainerRuntime.ContainerRuntime.pipe(Effect.provide(layer))
      const started = Date.now()
      const error = yield* Effect.flip(runtime.cli(["container", "list"], { timeout: "300 millis" }))
      expect(error._tag).toBe("CommandTimedOut")
      expect(error.message).toContain("did not finish within 300 ms and was killed")
      // 300 ms, then SIGTERM, then SIGKILL after the 2 s grace
      expect(Date.now() - started).toBeLessThan(10_000)
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer))
  )
})
