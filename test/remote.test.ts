/**
 * Acceptance: engines reached the ways users reach engines on other machines, all on this
 * machine's loopback (`npm run test:remote`, `scripts/remote-slice.sh`, sets them up):
 * - Docker through a context whose endpoint is `tcp://127.0.0.2:2375` (a forwarder to the local
 *   socket: published ports must be reached on 127.0.0.2, not 127.0.0.1);
 * - Docker over ssh (`DOCKER_HOST=ssh://root@127.0.0.1:2222`);
 * - Podman through a named connection over ssh to its API service (`CONTAINER_CONNECTION`);
 * - Podman through its API socket (`CONTAINER_HOST=unix://…`: another endpoint, not a remote one).
 * For each: the endpoint the library reports, a start with a published port that answers from
 * this host at the reported address, exec, and the sweep through that endpoint. Outside the slice
 * (OCIMAN_TEST_REMOTE unset) the file says it is skipped; inside, a missing endpoint fails.
 */
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Either, Layer } from "effect"
import { spawnSync } from "node:child_process"
import { Socket } from "node:net"
import { hostname } from "node:os"
import { fileURLToPath } from "node:url"
import { Container, ContainerDefinition as Def, ContainerRuntime, Mount, Port, Sweeper, Wait } from "ociman"
import { TEST_IMAGE } from "./support/backends.js"

interface RemoteCase {
  readonly title: string
  readonly kind: ContainerRuntime.Kind
  readonly env: Readonly<Record<string, string>>
  readonly endpoint: Partial<ContainerRuntime.Endpoint>
  /** Where published ports answer from this host. */
  readonly host: string
}

const CASES: ReadonlyArray<RemoteCase> = [
  {
    title: "Docker through a tcp context",
    kind: "docker",
    env: { DOCKER_CONTEXT: "ociman-tcp" },
    endpoint: { url: "tcp://127.0.0.2:2375", source: "context", name: "ociman-tcp", remote: true, host: "127.0.0.2" },
    host: "127.0.0.2"
  },
  {
    title: "Docker over ssh",
    kind: "docker",
    env: { DOCKER_HOST: "ssh://root@127.0.0.1:2222" },
    endpoint: { source: "environment", name: "DOCKER_HOST", remote: true, host: "127.0.0.1" },
    host: "127.0.0.1"
  },
  {
    title: "Podman through a named connection over ssh",
    kind: "podman",
    env: { CONTAINER_CONNECTION: "ociman-ssh" },
    endpoint: {
      url: "ssh://root@127.0.0.1:2222/run/podman/podman.sock",
      source: "connection",
      name: "ociman-ssh",
      remote: true,
      host: "127.0.0.1"
    },
    host: "127.0.0.1"
  },
  {
    title: "Podman through its API socket",
    kind: "podman",
    env: { CONTAINER_HOST: "unix:///run/podman/podman.sock" },
    endpoint: { url: "unix:///run/podman/podman.sock", source: "environment", remote: false, host: undefined },
    host: "127.0.0.1"
  }
]

const inSlice = process.env["OCIMAN_TEST_REMOTE"] === "1"
const cliLauncher = fileURLToPath(new URL("../packages/cli/bin/ociman.js", import.meta.url))
/** A pid no process has any more: the owner of the sweep test's container. */
const deadPid = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" }).stdout.trim()

/** The case's variables set for the layer's lifetime (every CLI call inherits them), then restored. */
const withEnvironment = (env: Readonly<Record<string, string>>) =>
  Layer.scopedDiscard(
    Effect.acquireRelease(
      Effect.sync(() => {
        const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]))
        Object.assign(process.env, env)
        return saved
      }),
      (saved) =>
        Effect.sync(() => {
          for (const [name, value] of Object.entries(saved)) {
            if (value === undefined) delete process.env[name]
            else process.env[name] = value
          }
        })
    )
  )

const connects = (host: string, port: number) =>
  Effect.async<boolean>((resume) => {
    const socket = new Socket()
    const done = (ok: boolean) => {
      socket.destroy()
      resume(Effect.succeed(ok))
    }
    socket.setTimeout(3_000, () => done(false))
    socket.once("error", () => done(false))
    socket.connect(port, host, () => done(true))
  })

const httpd = Def.make(TEST_IMAGE).pipe(
  Def.command(["httpd", "-f", "-p", "80", "-h", "/www"]),
  Def.publish(Port.tcp(80))
)

if (!inSlice) {
  describe.skip("remote engines (run by `npm run test:remote`, which sets them up)", () => {
    it("is skipped outside the remote slice", () => {})
  })
  process.stderr.write("[ociman tests] skipping remote engines: run `npm run test:remote` (as root) to set them up\n")
} else {
  for (const testCase of CASES) {
    const runtime = ContainerRuntime.layer({ backend: testCase.kind }).pipe(
      Layer.provideMerge(withEnvironment(testCase.env)),
      Layer.provide(NodeContext.layer)
    )
    layer(Layer.merge(runtime, NodeContext.layer), { excludeTestServices: true, timeout: "120 seconds" })(
      `remote engines: ${testCase.title}`,
      (it) => {
        it.effect("the backend reports the endpoint the CLI uses", () =>
          Effect.gen(function* () {
            const { backend } = yield* ContainerRuntime.ContainerRuntime
            expect(backend.kind).toBe(testCase.kind)
            expect(backend.endpoint).toMatchObject(testCase.endpoint)
          })
        )

        it("ociman info --json shows the same endpoint", () => {
          const result = spawnSync(process.execPath, [cliLauncher, "info", "--json", "--backend", testCase.kind], {
            encoding: "utf8",
            env: { ...process.env, ...testCase.env },
            timeout: 60_000
          })
          expect(result.stderr).toBe("")
          const info: unknown = JSON.parse(result.stdout)
          // JSON leaves out the fields that are undefined, as the printed document does.
          const endpoint: unknown = JSON.parse(JSON.stringify(testCase.endpoint))
          expect(info).toMatchObject({ kind: testCase.kind, endpoint })
        })

        it.scoped("a published port answers from this host at the reported address; exec works", () =>
          Effect.gen(function* () {
            const web = yield* Container.start(httpd, { waitFor: Wait.tcp(Port.tcp(80)) })
            const address = yield* web.hostPort(Port.tcp(80))
            expect(address.host).toBe(testCase.host)
            expect(yield* connects(address.host, address.port)).toBe(true)
            const echoed = yield* web.execSuccess(["echo", "over the endpoint"])
            expect(echoed.stdout.trim()).toBe("over the endpoint")
          })
        )

        it.scoped("a port bound to the engine's loopback is not reported as reachable from here", () =>
          Effect.gen(function* () {
            const { backend } = yield* ContainerRuntime.ContainerRuntime
            const local = Def.make(TEST_IMAGE).pipe(
              Def.command(["httpd", "-f", "-p", "80", "-h", "/www"]),
              Def.publish(Either.getOrThrow(Port.publish(Port.tcp(80), { hostIp: "127.0.0.1" })))
            )
            // Wait.none: the default wait would probe the port, which a remote engine's loopback hides
            const web = yield* Container.start(local, { waitFor: Wait.none })
            const address = yield* Effect.either(web.hostPort(Port.tcp(80)))
            if (backend.endpoint.remote) {
              if (address._tag === "Right") return expect.fail(`reported reachable at ${address.right.host}`)
              if (address.left._tag !== "PortNotPublished") return expect.fail(address.left.message)
              expect(address.left.remoteLoopback?.[0]).toMatch(/^127\.0\.0\.1:\d+$/)
            } else {
              expect(address._tag).toBe("Right")
            }
          })
        )

        it.scoped(
          "a bind mount of a local path on a remote engine is refused, unless the path is said to be there",
          () =>
            Effect.gen(function* () {
              const { backend } = yield* ContainerRuntime.ContainerRuntime
              const mounted = Def.make(TEST_IMAGE).pipe(
                Def.withRemove,
                Def.mount(Either.getOrThrow(Mount.bind({ source: "/etc", target: "/host-etc", readOnly: true }))),
                Def.command(["ls", "/host-etc/hostname"])
              )
              const run = yield* Effect.either(Container.run(mounted))
              if (backend.endpoint.remote) {
                expect(run._tag === "Left" && run.left._tag).toBe("BindMountOnRemoteEngine")
                const onEngine = Def.make(TEST_IMAGE).pipe(
                  Def.withRemove,
                  Def.mount(
                    Either.getOrThrow(
                      Mount.bind({ source: "/etc", target: "/host-etc", readOnly: true, onEngineHost: true })
                    )
                  ),
                  Def.command(["ls", "/host-etc/hostname"])
                )
                expect((yield* Container.run(onEngine)).exitCode).toBe(0)
              } else {
                expect(run._tag).toBe("Right")
              }
            })
        )

        it.effect("the sweep runs through this endpoint: a dead owner's container made through it is removed", () =>
          Effect.gen(function* () {
            const runtime = yield* ContainerRuntime.ContainerRuntime
            const session = `remote-dead-${process.pid}-${Date.now()}`
            const labels = [
              `ociman.managed=true`,
              `ociman.session=${session}`,
              `ociman.pid=${deadPid}`,
              `ociman.host=${hostname()}`,
              `ociman.created=${new Date(Date.now() - 60_000).toISOString()}`
            ].flatMap((label) => ["--label", label])
            const created = yield* runtime.cli(["container", "run", "--detach", ...labels, TEST_IMAGE, "sleep", "600"])
            expect(created.exitCode).toBe(0)
            const id = new TextDecoder().decode(created.stdout).trim()
            const report = yield* Sweeper.sweep()
            const entry = report.entries.find((e) => e.kind === "container" && e.session === session)
            expect(entry).toMatchObject({ outcome: "Removed" })
            expect(yield* runtime.containers.exists(id)).toBe(false)
          })
        )
      }
    )
  }
}
