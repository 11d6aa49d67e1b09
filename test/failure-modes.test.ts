/**
 * Acceptance: how the library fails on real runtimes that misbehave. Every failure is a typed
 * error, and nothing hangs: the Docker daemon frozen or killed in the middle of an operation and
 * down between two operations (dockerd is restarted, with its own argv, before each test ends),
 * its socket unreadable, an image that does not exist, and invalid input from the user.
 */
import { NodeContext } from "@effect/platform-node"
import { expect, it, layer } from "@effect/vitest"
import { Effect, Either, Exit, Fiber, Layer, Scope } from "effect"
import { spawnSync } from "node:child_process"
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  BuildDefinition,
  Container,
  ContainerDefinition as Def,
  ContainerRuntime,
  Image,
  Label,
  Network,
  Port
} from "ociman"
import { Sweeper } from "ociman"
import { describeEachRuntime, type Kind, runtimeLayer, TEST_IMAGE } from "./support/backends.js"
import {
  argvOf,
  canControlDockerd,
  dockerdPid,
  engineAnswers,
  forceRemove,
  restartDockerd,
  signalDockerd
} from "./support/dockerd.js"

const sleeper = Def.make(TEST_IMAGE).pipe(Def.command(["sh", "-c", "trap 'exit 0' TERM; sleep 600 & wait"]))

const DOCKER_DOWN = /cannot connect to the docker daemon|is the docker daemon running/i

/** What the runtime itself lists with this session's label (asked directly, not through the library). */
const ofThisSession = (kind: Kind, what: "container" | "network" | "image"): ReadonlyArray<string> =>
  spawnSync(
    kind,
    what === "container"
      ? ["container", "list", "--all", "--quiet", "--filter", `label=ociman.session=${Sweeper.session}`]
      : [what, "ls", "--quiet", "--filter", `label=ociman.session=${Sweeper.session}`],
    { encoding: "utf8" }
  )
    .stdout.split("\n")
    .filter((line) => line.length > 0)

const dockerRequired = (process.env["OCIMAN_TEST_BACKENDS"] ?? "").split(",").includes("docker")
const controllable = canControlDockerd()
if (!controllable && !dockerRequired) {
  process.stderr.write("[ociman tests] skipping the dockerd stop/restart tests: not root, or no single dockerd\n")
}

/**
 * Stops dockerd with `signal` for the scope, and restarts it (same argv) when the scope closes,
 * waiting until it answers: the tests after this one find the engine as it was.
 */
const dockerdStopped = (signal: "SIGSTOP" | "SIGKILL") =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const pid = dockerdPid()
      if (pid === undefined) return undefined
      const argv = argvOf(pid)
      signalDockerd(pid, signal)
      return argv
    }),
    (argv) => Effect.sync(() => (argv === undefined ? undefined : restartDockerd(argv)))
  )

/** What a dead engine's calls fail with, on each transport (the CLI's words, or the socket's). */
const downOn = {
  cli: { tag: "CommandFailed", message: DOCKER_DOWN },
  api: { tag: "EngineUnreachable", message: /could not reach the engine at unix:\/\/\/var\/run\/docker\.sock/ }
} as const

for (const transport of ["cli", "api"] as const) {
  const dockerLayer = ContainerRuntime.layer({ backend: "docker", transport }).pipe(Layer.provide(NodeContext.layer))
  const down = downOn[transport]
  layer(Layer.merge(dockerLayer, NodeContext.layer), { excludeTestServices: true, timeout: "60 seconds" })(
    `dockerd stopped (${transport} transport)`,
    (it) => {
      // a CLI call's own timeout: the CLI transport's
      if (transport === "cli") {
        it.scoped.runIf(controllable || dockerRequired)(
          "a frozen daemon (SIGSTOP): a CLI call with a timeout fails with CommandTimedOut instead of hanging",
          () =>
            Effect.gen(function* () {
              expect(controllable).toBe(true)
              const runtime = yield* ContainerRuntime.ContainerRuntime
              yield* dockerdStopped("SIGSTOP")
              const started = Date.now()
              const error = yield* Effect.flip(runtime.cli(["container", "list"], { timeout: "2 seconds" }))
              expect(error._tag).toBe("CommandTimedOut")
              expect(Date.now() - started).toBeLessThan(15_000)
            }),
          120_000
        )
      }

      it.scoped.runIf(controllable || dockerRequired)(
        "a daemon killed mid-operation, then down between operations: typed errors, no hang, the scope still closes",
        () =>
          Effect.gen(function* () {
            expect(controllable).toBe(true)
            expect((yield* ContainerRuntime.ContainerRuntime).backend.transport).toBe(transport)
            const scope = yield* Scope.make()
            const container = yield* Container.start(sleeper).pipe(Scope.extend(scope))
            // after the engine is back: the container it stopped is this test's to remove
            yield* Effect.addFinalizer(() => Effect.sync(() => forceRemove([container.id])))
            const waiting = yield* Effect.fork(Effect.either(container.wait))
            yield* Effect.sleep("1 second")

            yield* dockerdStopped("SIGKILL")
            // mid-operation: the wait (`docker container wait`, or its request) loses its connection
            const waited = yield* Fiber.join(waiting).pipe(Effect.timeout("30 seconds"))
            expect(Either.isLeft(waited) && waited.left._tag).toBe(down.tag)

            // between operations: each call fails at once, with a typed error that says what is wrong
            const started = yield* Effect.flip(Container.start(sleeper).pipe(Effect.scoped))
            expect(["ContainerStartFailed", down.tag]).toContain(started._tag)
            expect(started.message).toMatch(down.message)
            const swept = yield* Effect.flip(Sweeper.sweep())
            expect(swept._tag).toBe(down.tag)
            expect(swept.message).toMatch(down.message)
            // images are the CLI's on both transports
            const present = yield* Effect.flip(Image.exists(TEST_IMAGE))
            expect(present._tag).toBe("CommandFailed")
            const resolved = yield* Effect.flip(ContainerRuntime.resolve({ backend: "docker", transport }))
            expect(resolved._tag === "RuntimeUnavailable" && resolved.reason).toBe("DaemonUnreachable")
            // no answer on the socket either: the CLI probe says why
            expect(resolved.message).toContain("start the Docker engine")

            // release while the engine is down: stop and remove fail fast, the scope closes
            const closing = Date.now()
            yield* Scope.close(scope, Exit.void)
            expect(Date.now() - closing).toBeLessThan(20_000)
          }),
        180_000
      )

      it.effect("the engine answers again after the tests above", () =>
        Effect.sync(() => {
          expect(engineAnswers()).toBe(true)
        })
      )
    }
  )
}

it.runIf(process.getuid?.() === 0 && (controllable || dockerRequired))(
  "a Docker socket this user may not open is RuntimeUnavailable(PermissionDenied), with what to do",
  async () => {
    // the real client, run as nobody: /var/run/docker.sock is root:docker 0660
    const dir = mkdtempSync(join(tmpdir(), "ociman-nobody-"))
    const wrapper = join(dir, "docker")
    writeFileSync(wrapper, '#!/bin/sh\nHOME=/tmp exec setpriv --reuid=65534 --regid=65534 --clear-groups docker "$@"\n')
    chmodSync(wrapper, 0o755)
    try {
      const result = await Effect.runPromise(
        Effect.either(ContainerRuntime.resolve({ backend: "docker", executables: { docker: wrapper } })).pipe(
          Effect.provide(NodeContext.layer)
        )
      )
      expect(Either.isLeft(result) && result.left._tag === "RuntimeUnavailable" && result.left.reason).toBe(
        "PermissionDenied"
      )
      if (Either.isLeft(result)) expect(result.left.message).toContain("add the user to the docker group")
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
)

describeEachRuntime("failure modes", (kind) => {
  layer(Layer.merge(runtimeLayer(kind), NodeContext.layer), { excludeTestServices: true, timeout: "60 seconds" })(
    (it) => {
      it.effect("an image that does not exist is a typed error, and nothing is left behind", () =>
        Effect.gen(function* () {
          const missing = "localhost/ociman-test/does-not-exist:1"
          const never = yield* Effect.flip(
            Container.start(sleeper.pipe(Def.image(missing), Def.pullPolicy("never"))).pipe(Effect.scoped)
          )
          expect(never._tag).toBe("ImageNotFound")
          // with pulls allowed the start pulls first, from an unreachable registry: still typed, still bounded
          const pulled = yield* Effect.flip(Container.start(sleeper.pipe(Def.image(missing))).pipe(Effect.scoped))
          expect(pulled._tag).toBe("PullFailed")
          expect(pulled.message).toContain("does-not-exist")
          const inspected = yield* Effect.flip(Image.inspect(missing))
          expect(inspected._tag).toBe("ImageNotFound")
          const built = yield* Effect.flip(
            Image.buildScoped(
              BuildDefinition.fromInstructions(`FROM ${missing}\n`, {
                reference: "localhost/ociman-test/never-built:1"
              })
            ).pipe(Effect.scoped)
          )
          expect(built._tag).toBe("BuildFailed")
          expect(ofThisSession(kind, "container")).toEqual([])
          expect(ofThisSession(kind, "image")).toEqual([])
        })
      )

      it.effect("invalid input from the user is a typed error before anything runs", () =>
        Effect.gen(function* () {
          const start = (def: Def.ContainerDefinition) => Effect.flip(Container.start(def).pipe(Effect.scoped))
          expect((yield* start(Def.make("Not A Reference")))._tag).toBe("InvalidImageReference")
          expect((yield* start(sleeper.pipe(Def.name("bad name"))))._tag).toBe("InvalidContainerName")
          expect((yield* start(sleeper.pipe(Def.labels({ "bad=key": "x" }))))._tag).toBe("InvalidLabel")
          expect((yield* start(sleeper.pipe(Def.publish(Port.tcp(70_000)))))._tag).toBe("InvalidPort")
          expect((yield* Effect.flip(Network.make({ name: "bad name" }).pipe(Effect.scoped)))._tag).toBe(
            "InvalidNetworkName"
          )
          expect((yield* Effect.flip(Network.make({ labels: { "": "x" } }).pipe(Effect.scoped)))._tag).toBe(
            "InvalidLabel"
          )
          expect(Either.isLeft(Label.key("bad=key"))).toBe(true)
          const scopedContentAddressed = yield* Effect.flip(
            Image.buildScoped(
              BuildDefinition.fromInstructions(`FROM ${TEST_IMAGE}\n`, { name: "localhost/ociman-test/x" })
            ).pipe(Effect.scoped)
          )
          expect(scopedContentAddressed._tag).toBe("InvalidBuildDefinition")
          expect(ofThisSession(kind, "container")).toEqual([])
          expect(ofThisSession(kind, "network")).toEqual([])
        })
      )
    }
  )
})
