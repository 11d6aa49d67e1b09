/**
 * The in-memory runtime beyond the conformance suite: handlers, the call recorder, the simulated
 * registry, independent instances, versions, Dockerfile interpretation, timeouts.
 */
import type { FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Either, Exit, Fiber, Layer, Redacted, Ref, Stream, TestClock } from "effect"
import { connect, createServer } from "node:net"
import {
  BuildDefinition,
  Container,
  ContainerDefinition as Def,
  ContainerRuntime,
  Image,
  Label,
  Port,
  Wait
} from "../src/index.js"
import * as TestRuntime from "../src/TestRuntime.js"

const IMAGE = "localhost/ociman-test/busybox:1"
const busybox: TestRuntime.ImageSeed = { reference: IMAGE, cmd: ["sh"], env: { PATH: "/bin" } }

describe("handlers", () => {
  it.effect("the first matching handler answers; images compare as references; predicates and '*' match", () =>
    Effect.gen(function* () {
      const seen = yield* Ref.make<ReadonlyArray<string>>([])
      const handlers = [
        TestRuntime.handler("busybox", ["hello"], { stdout: "from busybox\n" }),
        TestRuntime.handler("*", ["hello"], { stdout: "from anywhere\n" }),
        TestRuntime.handler("*", ["hello"], { stdout: "never: shadowed\n" }),
        TestRuntime.handler(
          "*",
          (command) => command[0] === "count",
          (ctx) =>
            Effect.as(
              Ref.update(seen, (all) => [...all, ctx.command.join(" ")]),
              { exitCode: 7 }
            )
        )
      ]
      const layer = TestRuntime.layer({ images: [busybox, "docker.io/library/busybox:latest"], handlers })
      const outcome = yield* Effect.gen(function* () {
        const a = yield* Container.run(Def.make("busybox").pipe(Def.command(["hello"])))
        const b = yield* Container.run(Def.make(IMAGE).pipe(Def.command(["hello"])))
        const c = yield* Effect.flip(Container.run(Def.make(IMAGE).pipe(Def.command(["count", "1"]))))
        return { a: a.stdout, b: b.stdout, c: c._tag === "ContainerExitedNonZero" ? c.exitCode : undefined }
      }).pipe(Effect.provide(layer))
      expect(outcome).toEqual({ a: "from busybox\n", b: "from anywhere\n", c: 7 })
      expect(yield* Ref.get(seen)).toEqual(["count 1"])
    })
  )

  it.effect("without a handler: exit 0, no output; a detached main process keeps running", () =>
    Effect.gen(function* () {
      const run = yield* Container.run(Def.make(IMAGE).pipe(Def.command(["anything"])))
      expect([run.exitCode, run.stdout, run.stderr]).toEqual([0, "", ""])
      const c = yield* Container.startDetached(Def.make(IMAGE).pipe(Def.command(["server"])))
      expect((yield* c.inspect).state.status).toBe("running")
      expect(yield* c.logs).toEqual([])
    }).pipe(Effect.provide(TestRuntime.layer({ images: [busybox] })))
  )

  it.effect("the context: operation, command (entrypoint and CMD), merged environment, container, user, stdin", () =>
    Effect.gen(function* () {
      const contexts = yield* Ref.make<ReadonlyArray<TestRuntime.HandlerContext>>([])
      const record = TestRuntime.handler("*", "*", (ctx) =>
        Effect.as(
          Ref.update(contexts, (all) => [...all, ctx]),
          {}
        )
      )
      const seeded: TestRuntime.ImageSeed = {
        reference: "localhost/app:1",
        entrypoint: ["/entry"],
        cmd: ["serve"],
        env: { FROM_IMAGE: "1", SHARED: "image" },
        user: "app"
      }
      yield* Effect.gen(function* () {
        const c = yield* Container.startDetached(
          Def.make("localhost/app:1").pipe(Def.name("app-1"), Def.env({ SHARED: "run", TOKEN: Redacted.make("t0k") }))
        )
        yield* c.exec(["cat"], { stdin: "input", env: { EXTRA: "x" }, workdir: "/w" })
        yield* Container.run(Def.make("localhost/app:1").pipe(Def.entrypoint("sh"), Def.command(["-c", "true"])))
      }).pipe(Effect.provide(TestRuntime.layer({ images: [seeded], handlers: [record] })))
      const [main, exec, overridden] = yield* Ref.get(contexts)
      expect(main?.operation).toBe("run")
      expect(main?.detached).toBe(true)
      expect(main?.command).toEqual(["/entry", "serve"])
      expect(main?.container?.name).toBe("app-1")
      expect(Object.fromEntries(main?.env ?? [])).toMatchObject({ FROM_IMAGE: "1", SHARED: "run", TOKEN: "t0k" })
      expect(main?.user).toBe("app")
      expect(exec?.operation).toBe("exec")
      expect(exec?.command).toEqual(["cat"])
      expect(exec?.stdinText).toBe("input")
      expect(exec?.workdir).toBe("/w")
      expect(exec?.env.get("EXTRA")).toBe("x")
      expect(exec?.container?.id).toBe(main?.container?.id)
      // --entrypoint replaces the image's entrypoint and its CMD.
      expect(overridden?.command).toEqual(["sh", "-c", "true"])
      expect(overridden?.detached).toBe(false)
    })
  )

  it.effect("ordered output becomes the logs; stopExitCode is the exit code after a stop", () =>
    Effect.gen(function* () {
      const handlers = [
        TestRuntime.handler("*", ["server"], {
          output: [
            { stream: "stderr", text: "warming up" },
            { stream: "stdout", text: "listening" }
          ],
          stopExitCode: 143
        })
      ]
      yield* Effect.gen(function* () {
        const c = yield* Container.startDetached(Def.make(IMAGE).pipe(Def.command(["server"])))
        expect(yield* c.logs).toEqual([
          { stream: "stderr", text: "warming up" },
          { stream: "stdout", text: "listening" }
        ])
        yield* c.stop()
        expect(yield* c.wait).toBe(143)
      }).pipe(Effect.provide(TestRuntime.layer({ images: [busybox], handlers })))
    })
  )

  it.effect("a run that outlives its timeout is CommandTimedOut, and the container is removed (by its nonce)", () =>
    Effect.gen(function* () {
      const handlers = [TestRuntime.handler("*", ["slow"], () => Effect.as(Effect.sleep("10 seconds"), {}))]
      yield* Effect.gen(function* () {
        const fiber = yield* Effect.fork(
          Container.run(Def.make(IMAGE).pipe(Def.name("slow"), Def.command(["slow"])), { timeout: "1 second" })
        )
        yield* TestClock.adjust("2 seconds")
        const exit = yield* Fiber.await(fiber)
        expect(Exit.isFailure(exit) && Exit.causeOption(exit)).toBeTruthy()
        const error = yield* Effect.flip(Fiber.join(fiber))
        expect(error._tag).toBe("CommandTimedOut")
        // the killed CLI would leave it running on a real engine: the run removes what carries its nonce
        expect(yield* Container.exists("slow")).toBe(false)
      }).pipe(Effect.provide(TestRuntime.layer({ images: [busybox], handlers })))
    })
  )
})

describe("the recorder", () => {
  layer(TestRuntime.layer({ images: [busybox] }))((it) => {
    it.effect("records each call as the real CLI's argv, never an environment value", () =>
      Effect.gen(function* () {
        yield* TestRuntime.clearCalls
        yield* Image.exists(IMAGE)
        yield* Container.run(Def.make(IMAGE).pipe(Def.withRemove, Def.env({ TOKEN: Redacted.make("s3cr3t") })))
        const runtime = yield* ContainerRuntime.ContainerRuntime
        expect((yield* Effect.flip(runtime.cli(["ps"])))._tag).toBe("CliUnsupported")
        const calls = yield* TestRuntime.calls
        expect(calls.map((call) => call.operation)).toEqual(["images.exists", "containers.run", "cli"])
        expect(calls[0]?.argv).toEqual(["docker", "image", "ls", "--filter", `reference=${IMAGE}`, "--quiet"])
        const run = calls[1]?.argv ?? []
        expect(run.slice(0, 6)).toEqual(["docker", "container", "run", "--rm", "--env", "TOKEN"])
        // a foreground run carries the ownership labels too (scoped: it is --rm)
        expect(run).toContain("ociman.lifecycle=scoped")
        expect(run.at(-1)).toBe(IMAGE)
        expect(calls[2]?.argv).toEqual(["docker", "ps"])
        expect(JSON.stringify(calls)).not.toContain("s3cr3t")
        yield* TestRuntime.clearCalls
        expect(yield* TestRuntime.calls).toEqual([])
      })
    )

    it.effect("a secret build argument stays out of the recorded argv", () =>
      Effect.gen(function* () {
        yield* TestRuntime.clearCalls
        yield* Image.build(
          BuildDefinition.fromInstructions(`FROM ${IMAGE}\nARG TOKEN\n`, {
            reference: "localhost/secret-build:1"
          }).pipe(
            BuildDefinition.buildArg("TOKEN", Redacted.make("hunter2")),
            BuildDefinition.buildArg("PLAIN", "visible")
          )
        ).pipe(Effect.provide(NodeContext.layer))
        const [build] = yield* TestRuntime.calls
        expect(build?.operation).toBe("images.build")
        expect(build?.argv).toContain("PLAIN=visible")
        expect(build?.argv).toContain("TOKEN")
        expect(JSON.stringify(build)).not.toContain("hunter2")
      })
    )
  })
})

describe("instances", () => {
  it.effect("two layers are two independent runtimes; make gives one by hand", () =>
    Effect.gen(function* () {
      const a = yield* TestRuntime.make({ images: [busybox] })
      const b = yield* TestRuntime.make({ kind: "podman" })
      const inA = Image.exists(IMAGE).pipe(Effect.provideService(ContainerRuntime.ContainerRuntime, a.runtime))
      const inB = Image.exists(IMAGE).pipe(Effect.provideService(ContainerRuntime.ContainerRuntime, b.runtime))
      expect([yield* inA, yield* inB]).toEqual([true, false])
      expect([a.runtime.backend.kind, b.runtime.backend.kind]).toEqual(["docker", "podman"])
      expect((yield* b.recorder.calls).map((call) => call.argv)).toEqual([["podman", "image", "exists", "--", IMAGE]])
    })
  )

  it.effect("an invalid seeded reference fails the layer with InvalidImageReference", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Layer.build(TestRuntime.layer({ images: ["Not Valid"] })).pipe(Effect.scoped))
      expect(error._tag).toBe("InvalidImageReference")
    })
  )

  it.effect("the backend: executable named after the dialect, default versions, capabilities", () =>
    Effect.gen(function* () {
      const docker = yield* TestRuntime.make()
      const podman = yield* TestRuntime.make({ kind: "podman", rootless: true })
      expect(docker.runtime.backend).toMatchObject({ kind: "docker", executable: "docker", rootless: false })
      expect(docker.runtime.backend.clientVersion?.raw).toBe("20.10.24")
      expect(podman.runtime.backend.engineVersion.raw).toBe("4.3.1")
      expect(podman.runtime.backend.rootless).toBe(true)
      expect(docker.runtime.capabilities).toEqual({ processes: false, networking: false, cli: false })
    })
  )

  it.effect("Docker 29 commits with --no-pause (the version option)", () =>
    Effect.gen(function* () {
      yield* Effect.gen(function* () {
        const c = yield* Container.startDetached(Def.make(IMAGE))
        yield* c.commit("localhost/snapshot:1", { pause: false })
        const commit = (yield* TestRuntime.calls).find((call) => call.operation === "containers.commit")
        expect(commit?.argv).toEqual(["docker", "commit", "--no-pause", c.id, "localhost/snapshot:1"])
        expect(yield* Image.exists("localhost/snapshot:1")).toBe(true)
      }).pipe(Effect.provide(TestRuntime.layer({ images: [busybox], version: TestRuntime.version(29, 1) })))
    })
  )
})

describe("the simulated registry", () => {
  const registry: ReadonlyArray<string | TestRuntime.ImageSeed> = [
    { reference: "postgres:17", labels: { "org.opencontainers.image.title": "postgres" } },
    `docker.io/library/busybox:1.36.1@sha256:${"a".repeat(64)}`
  ]

  it.effect("pull fetches what the registry has; anything else is PullFailed NotFound", () =>
    Effect.gen(function* () {
      expect(yield* Image.exists("postgres:17")).toBe(false)
      expect(yield* Image.pullIfAbsent("postgres:17")).toBe(true)
      expect(yield* Image.exists("docker.io/library/postgres:17")).toBe(true)
      expect((yield* Image.labelsOf("postgres:17")).get("org.opencontainers.image.title")).toBe("postgres")
      const missing = yield* Effect.flip(Image.pull("postgres:99"))
      expect(missing._tag === "PullFailed" && missing.reason).toBe("NotFound")
    }).pipe(Effect.provide(TestRuntime.layer({ registry })))
  )

  it.effect("pull by digest, then tag it (what Testing.ensureTestImage does without a static busybox)", () =>
    Effect.gen(function* () {
      const pinned = `docker.io/library/busybox:1.36.1@sha256:${"a".repeat(64)}`
      yield* Image.pull(pinned)
      yield* Image.tag(pinned, IMAGE)
      expect(yield* Image.exists(IMAGE)).toBe(true)
      expect((yield* Image.inspect(IMAGE)).repoDigests).toEqual([`busybox@sha256:${"a".repeat(64)}`])
    }).pipe(Effect.provide(TestRuntime.layer({ registry })))
  )

  it.effect("a run pulls a missing image under the default policy, never under 'never'", () =>
    Effect.gen(function* () {
      const never = yield* Effect.flip(Container.run(Def.make("postgres:17").pipe(Def.pullPolicy("never"))))
      expect(never._tag).toBe("ImageNotFound")
      yield* Container.run(Def.make("postgres:17"))
      expect(yield* Image.exists("postgres:17")).toBe(true)
    }).pipe(Effect.provide(TestRuntime.layer({ kind: "podman", registry })))
  )

  it.effect("push puts a local image in the registry", () =>
    Effect.gen(function* () {
      yield* Image.tag(IMAGE, "ghcr.io/org/app:1")
      yield* Image.push("ghcr.io/org/app:1")
      yield* Image.remove("ghcr.io/org/app:1")
      expect(yield* Image.exists("ghcr.io/org/app:1")).toBe(false)
      yield* Image.pull("ghcr.io/org/app:1")
      expect(yield* Image.exists("ghcr.io/org/app:1")).toBe(true)
    }).pipe(Effect.provide(TestRuntime.layer({ images: [busybox] })))
  )
})

describe("builds", () => {
  const provided = <A, E>(
    effect: Effect.Effect<
      A,
      E,
      ContainerRuntime.ContainerRuntime | TestRuntime.Recorder | FileSystem.FileSystem | Path.Path
    >
  ) =>
    effect.pipe(
      Effect.provide(Layer.merge(TestRuntime.layer({ kind: "podman", images: [busybox], handlers }), NodeContext.layer))
    )
  const handlers = [
    TestRuntime.handler("*", ["/bin/sh", "-c", 'test "$MODE" = fast'], (ctx) => ({
      exitCode: ctx.env.get("MODE") === "fast" ? 0 : 1
    })),
    TestRuntime.handler("*", ["make", "all"], { stdout: "compiled\n" }),
    TestRuntime.handler("*", ["/bin/sh", "-c", "exit 5"], { stderr: "failing\n", exitCode: 5 })
  ]

  it.effect("Dockerfile text: stages and --target, ENTRYPOINT/CMD/WORKDIR/USER/EXPOSE, RUN answered by handlers", () =>
    provided(
      Effect.gen(function* () {
        const dockerfile = [
          `FROM ${IMAGE} AS build`,
          'RUN ["make", "all"]',
          "",
          `FROM ${IMAGE} AS runtime`,
          "# a comment",
          "ARG MODE",
          'RUN test "$MODE" = fast',
          "WORKDIR /srv",
          "USER 1000",
          "EXPOSE 8080 53/udp",
          'LABEL a=1 b="two words"',
          'ENTRYPOINT ["/srv/app"]',
          'CMD ["--port", \\',
          '  "8080"]'
        ].join("\n")
        const lines: Array<string> = []
        const ref = yield* Image.build(
          BuildDefinition.fromInstructions(dockerfile, { reference: "localhost/app:1" }).pipe(
            BuildDefinition.target("runtime"),
            BuildDefinition.buildArg("MODE", "fast")
          ),
          { onOutput: (output) => Effect.sync(() => void lines.push(output.line)) }
        )
        expect(lines).toContain("compiled")
        expect(lines[0]).toBe(`STEP 1/11: FROM ${IMAGE} AS build`)
        const inspected = yield* Image.inspect(ref)
        expect(inspected.entrypoint).toEqual(["/srv/app"])
        expect(inspected.cmd).toEqual(["--port", "8080"])
        expect(inspected.workingDir).toBe("/srv")
        expect(inspected.user).toBe("1000")
        expect(inspected.exposedPorts).toEqual(["8080/tcp", "53/udp"])
        expect(Object.fromEntries(inspected.labels)).toEqual({ a: "1", b: "two words", "io.buildah.version": "1.28.2" })
        expect(inspected.id).toMatch(/^sha256:[0-9a-f]{64}$/)

        const slow = yield* Effect.flip(
          Image.build(
            BuildDefinition.fromInstructions(dockerfile, { reference: "localhost/app:2" }).pipe(
              BuildDefinition.buildArg("MODE", "slow")
            )
          )
        )
        expect(slow._tag === "BuildFailed" && slow.exitCode).toBe(1)
        const unknown = yield* Effect.flip(
          Image.build(BuildDefinition.fromInstructions(`FROM ${IMAGE}\nFROBNICATE\n`, { reference: "localhost/app:3" }))
        )
        expect(unknown._tag === "BuildFailed" && unknown.lastLines.join("\n")).toContain("FROBNICATE")
        const noStage = yield* Effect.flip(
          Image.build(
            BuildDefinition.fromInstructions(dockerfile, { reference: "localhost/app:4" }).pipe(
              BuildDefinition.target("nope")
            )
          )
        )
        expect(noStage._tag).toBe("BuildFailed")
      })
    )
  )

  it.effect("FROM an earlier stage starts from what that stage built", () =>
    provided(
      Effect.gen(function* () {
        const ref = yield* Image.build(
          BuildDefinition.fromInstructions(
            `FROM ${IMAGE} AS base\nLABEL layer=base\nENV A=1\nFROM base\nLABEL layer=top\n`,
            {
              reference: "localhost/staged:1"
            }
          )
        )
        const inspected = yield* Image.inspect(ref)
        expect(inspected.labels.get("layer")).toBe("top")
        expect(inspected.env).toEqual(["PATH=/bin", "A=1"])
        expect(inspected.cmd).toEqual(["sh"])
      })
    )
  )

  it.effect("a build's stream fails after its output; FROM scratch needs no base", () =>
    provided(
      Effect.gen(function* () {
        const runtime = yield* ContainerRuntime.ContainerRuntime
        const ok = yield* Image.build(
          BuildDefinition.fromInstructions('FROM scratch\nCMD ["x"]\n', { name: "localhost/scratch" })
        )
        expect((yield* Image.inspect(ok)).cmd).toEqual(["x"])
        const prepared = yield* Image.prepare(
          BuildDefinition.fromInstructions(`FROM ${IMAGE}\nRUN exit 5\n`, { reference: "localhost/failing:1" })
        )
        const collected = yield* Stream.runCollect(runtime.images.build(prepared.request).pipe(Stream.either))
        const all = Array.from(collected)
        expect(all.slice(0, -1).every(Either.isRight)).toBe(true)
        expect(all.slice(0, -1).map((e) => (Either.isRight(e) ? e.right.line : ""))).toContain("failing")
        const last = all.at(-1)
        expect(last !== undefined && Either.isLeft(last) && last.left._tag).toBe("BuildFailed")
        expect(yield* Image.exists("localhost/failing:1")).toBe(false)
      })
    )
  )
})

describe("containers", () => {
  layer(Layer.merge(TestRuntime.layer({ images: [busybox] }), NodeContext.layer))((it) => {
    it.effect("a requested host port in use is ContainerStartFailed; it is free again after a stop", () =>
      Effect.gen(function* () {
        const fixed = Either.getOrThrow(Port.publish(Port.tcp(80), { hostPort: 8080 }))
        const first = yield* Container.startDetached(Def.make(IMAGE).pipe(Def.publish(fixed)))
        expect((yield* first.hostPort(Port.tcp(80))).port).toBe(8080)
        const taken = yield* Effect.flip(Container.startDetached(Def.make(IMAGE).pipe(Def.publish(fixed))))
        expect(taken._tag === "ContainerStartFailed" && taken.stderr).toContain("port is already allocated")
        yield* first.stop()
        const second = yield* Container.startDetached(Def.make(IMAGE).pipe(Def.publish(fixed)))
        expect((yield* second.hostPort(Port.tcp(80))).port).toBe(8080)
      })
    )

    it.effect("listLabeled reports each container's labels and its image ID", () =>
      Effect.gen(function* () {
        const key = Either.getOrThrow(Label.key("test.listed"))
        const c = yield* Container.startDetached(Def.make(IMAGE).pipe(Def.labels({ "test.listed": "yes" })))
        const runtime = yield* ContainerRuntime.ContainerRuntime
        const listed = yield* runtime.containers.listLabeled([Label.keyOnly(key)])
        expect(listed.map((l) => [l.id, l.names, l.labels.get("test.listed")])).toEqual([
          [c.id, [yield* c.name], "yes"]
        ])
        expect(listed[0]?.image).toBe((yield* Image.inspect(IMAGE)).id)
      })
    )
  })
})

describe("Dockerfiles the builders reject", () => {
  /** The build's failure, and every line it printed. */
  const failure = (kind: "docker" | "podman", dockerfile: string) =>
    Effect.gen(function* () {
      const runtime = yield* ContainerRuntime.ContainerRuntime
      const prepared = yield* Image.prepare(
        BuildDefinition.fromInstructions(dockerfile, { reference: "localhost/rejected:1" })
      )
      const collected = Array.from(yield* Stream.runCollect(runtime.images.build(prepared.request).pipe(Stream.either)))
      const last = collected.at(-1)
      const error = last !== undefined && Either.isLeft(last) ? last.left : undefined
      const lines = collected.flatMap((e) => (Either.isRight(e) ? [e.right.line] : []))
      const stored = yield* Image.exists("localhost/rejected:1")
      return { error, lines, stored }
    }).pipe(
      Effect.provide(Layer.merge(TestRuntime.layer({ kind, images: [busybox] }), NodeContext.layer)),
      Effect.map(({ error, lines, stored }) => ({
        tag: error?._tag,
        exitCode: error?._tag === "BuildFailed" ? error.exitCode : undefined,
        lastLines: error?._tag === "BuildFailed" ? error.lastLines : [],
        lines,
        stored
      }))
    )

  it.effect("an empty Dockerfile, or one with only comments, is BuildFailed as each builder prints it", () =>
    Effect.gen(function* () {
      const dockerEmpty = yield* failure("docker", "")
      expect(dockerEmpty).toMatchObject({ tag: "BuildFailed", exitCode: 1, stored: false })
      expect(dockerEmpty.lastLines).toEqual(["Error response from daemon: the Dockerfile (Dockerfile) cannot be empty"])
      const podmanEmpty = yield* failure("podman", "")
      expect(podmanEmpty).toMatchObject({ tag: "BuildFailed", exitCode: 125, stored: false })
      expect(podmanEmpty.lastLines.join("\n")).toMatch(/^Error: stat .*Dockerfile: no such file or directory$/)

      const dockerComments = yield* failure("docker", "# nothing here\n\n   \n")
      expect(dockerComments).toMatchObject({ tag: "BuildFailed", exitCode: 1 })
      expect(dockerComments.lastLines).toEqual([
        "Error response from daemon: failed to parse Dockerfile: file with no instructions"
      ])
      const podmanComments = yield* failure("podman", "# nothing here\n\n")
      expect(podmanComments).toMatchObject({ tag: "BuildFailed", exitCode: 125 })
      expect(podmanComments.lastLines).toEqual(["Error: building: no stages to build"])
    })
  )

  it.effect("an instruction without arguments fails: Docker when parsing, Podman at its step", () =>
    Effect.gen(function* () {
      const docker = yield* failure("docker", `FROM ${IMAGE}\nLABEL a=b\nENV\n`)
      expect(docker).toMatchObject({ tag: "BuildFailed", exitCode: 1 })
      // nothing of the build before the error: no step ran
      expect(docker.lines).toEqual([
        "Error response from daemon: dockerfile parse error line 3: ENV requires at least one argument"
      ])
      const podman = yield* failure("podman", `FROM ${IMAGE}\nLABEL a=b\nENV\n`)
      expect(podman).toMatchObject({ tag: "BuildFailed", exitCode: 125 })
      expect(podman.lines).toEqual([
        `STEP 1/3: FROM ${IMAGE}`,
        "STEP 2/3: LABEL a=b",
        "STEP 3/3: ENV",
        'Error: building at STEP "ENV ": ENV requires at least one argument'
      ])

      expect((yield* failure("docker", `FROM ${IMAGE}\nLABEL\n`)).lastLines).toEqual([
        "Error response from daemon: dockerfile parse error line 2: LABEL requires at least one argument"
      ])
      expect((yield* failure("podman", `FROM ${IMAGE}\nLABEL\n`)).lastLines.at(-1)).toBe(
        'Error: building at STEP "LABEL ": LABEL requires at least one argument'
      )
      expect((yield* failure("docker", `FROM ${IMAGE}\nWORKDIR\n`)).lastLines).toEqual([
        "Error response from daemon: dockerfile parse error line 2: WORKDIR requires exactly one argument"
      ])
      expect((yield* failure("docker", `FROM ${IMAGE}\nCOPY\n`)).lastLines).toEqual([
        "Error response from daemon: dockerfile parse error line 2: COPY requires at least two arguments, but only one was provided. Destination could not be determined"
      ])
      expect((yield* failure("podman", "FROM\n")).lastLines).toEqual([
        "Error: FROM requires either one argument, or three: FROM <source> [as <name>]"
      ])
    })
  )

  it.effect("an empty RUN runs a shell without a command: exit 2, whatever the handlers say", () =>
    Effect.gen(function* () {
      const docker = yield* failure("docker", `FROM ${IMAGE}\nRUN\n`)
      expect(docker).toMatchObject({ tag: "BuildFailed", exitCode: 2, stored: false })
      expect(docker.lastLines.slice(-2)).toEqual([
        "/bin/sh: -c requires an argument",
        "The command '/bin/sh -c' returned a non-zero code: 2"
      ])
      const podman = yield* failure("podman", `FROM ${IMAGE}\nRUN\n`)
      expect(podman).toMatchObject({ tag: "BuildFailed", exitCode: 2 })
      expect(podman.lines).toEqual([
        `STEP 1/2: FROM ${IMAGE}`,
        "STEP 2/2: RUN",
        "/bin/sh: -c requires an argument",
        'Error: building at STEP "RUN ": while running runtime: exit status 2'
      ])
    })
  )

  it.effect("CMD and ENTRYPOINT may be empty, as on both builders", () =>
    Effect.gen(function* () {
      const built = yield* failure("podman", `FROM ${IMAGE}\nCMD\nENTRYPOINT\n`)
      expect(built).toMatchObject({ tag: undefined, stored: true })
    })
  )
})

describe("readiness without a host network", () => {
  /** A port nothing on this host listens on (bound, then released). */
  const freePort = Effect.async<number>((resume) => {
    const server = createServer()
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resume(Effect.succeed(port)))
    })
  })

  /** Whether something accepts a TCP connection on the port. */
  const listening = (port: number) =>
    Effect.async<boolean>((resume) => {
      const socket = connect({ host: "127.0.0.1", port })
      socket.once("connect", () => {
        socket.destroy()
        resume(Effect.succeed(true))
      })
      socket.once("error", () => resume(Effect.succeed(false)))
    })

  layer(Layer.merge(TestRuntime.layer({ images: [busybox] }), NodeContext.layer))((it) => {
    it.effect("Wait.tcp and Wait.http are ready on a running container's published port, nothing listening", () =>
      Effect.gen(function* () {
        const hostPort = yield* freePort
        const published = Either.getOrThrow(Port.publish(Port.tcp(8080), { hostPort }))
        const c = yield* Container.startDetached(Def.make(IMAGE).pipe(Def.publish(published)))
        expect((yield* c.hostPort(Port.tcp(8080))).port).toBe(hostPort)
        yield* Wait.forContainer(c, Wait.tcp(Port.tcp(8080)), { timeout: "1 second" })
        yield* Wait.forContainer(c, Wait.http({ port: Port.tcp(8080), path: "/health" }), { timeout: "1 second" })
        expect(yield* listening(hostPort)).toBe(false)
        const runtime = yield* ContainerRuntime.ContainerRuntime
        const probed = yield* runtime.containers.probePort(c.id, {
          _tag: "Http",
          port: Port.tcp(8080),
          method: "GET",
          path: "/health",
          headers: {}
        })
        expect(probed).toEqual({ _tag: "Reached", target: `http://127.0.0.1:${hostPort}/health`, status: 200 })
      })
    )
  })

  it.effect("the main process's handler decides the HTTP status its ports answer", () =>
    Effect.gen(function* () {
      const c = yield* Container.startDetached(
        Def.make(IMAGE).pipe(Def.command(["serve"]), Def.publish(Port.tcp(8080)))
      )
      const runtime = yield* ContainerRuntime.ContainerRuntime
      const probed = yield* runtime.containers.probePort(c.id, {
        _tag: "Http",
        port: Port.tcp(8080),
        method: "GET",
        path: "/",
        headers: {}
      })
      expect(probed._tag === "Reached" && probed.status).toBe(503)
      yield* Wait.forContainer(c, Wait.http({ port: Port.tcp(8080), status: 503 }), { timeout: "1 second" })
    }).pipe(
      Effect.provide(
        TestRuntime.layer({ images: [busybox], handlers: [TestRuntime.handler("*", ["serve"], { httpStatus: 503 })] })
      )
    )
  )

  it.effect("a stopped container's port is not ready (Docker no longer reports its bindings)", () =>
    Effect.gen(function* () {
      const stopped = (kind: "docker" | "podman") =>
        Effect.gen(function* () {
          const c = yield* Container.startDetached(Def.make(IMAGE).pipe(Def.publish(Port.tcp(8080))))
          yield* c.stop()
          const runtime = yield* ContainerRuntime.ContainerRuntime
          const probed = yield* Effect.either(runtime.containers.probePort(c.id, { _tag: "Tcp", port: Port.tcp(8080) }))
          const waited = yield* Effect.flip(Wait.forContainer(c, Wait.tcp(Port.tcp(8080)), { timeout: "1 second" }))
          return {
            probed: Either.isRight(probed) ? probed.right._tag : probed.left._tag,
            waited: waited._tag
          }
        }).pipe(Effect.provide(TestRuntime.layer({ kind, images: [busybox] })))
      expect(yield* stopped("podman")).toEqual({ probed: "Unreachable", waited: "ContainerExitedBeforeReady" })
      // as on Docker itself: a stopped container has no bindings left to probe
      expect(yield* stopped("docker")).toEqual({ probed: "PortNotPublished", waited: "PortNotPublished" })
    })
  )
})
