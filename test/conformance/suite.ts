/**
 * The conformance suite: one set of behavioural tests of the `ContainerRuntime` service, written
 * once and run against Docker and Podman (`transports.ts`) and against the in-memory
 * runtime in both dialects (`packages/ociman/test/TestRuntime.conformance.test.ts`), so the mock
 * cannot drift from the real runtimes unnoticed.
 *
 * - Where the real runtimes legitimately differ, a test asserts each one's behaviour, by
 *   `backend.kind` (the in-memory runtime simulates both dialects).
 * - What the in-memory runtime cannot do is a capability (`runtime.capabilities`): a test that
 *   needs it asserts the real behaviour when the runtime has it, and otherwise asserts that the
 *   runtime declares it lacks it (never a silent skip).
 * - Commands run in the busybox test image. The in-memory runtime answers them with the handlers
 *   of `busyboxHandlers` below: each command the suite runs is declared next to the answer the
 *   real busybox gives, so a wrong answer shows up as a failure on the real runtimes.
 */
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Chunk, Deferred, Effect, Either, Exit, Fiber, Layer, Option, Redacted, Schedule, Scope, Stream } from "effect"
import { fileURLToPath } from "node:url"
import {
  BuildDefinition,
  Container,
  ContainerDefinition as Def,
  ContainerRuntime,
  Image,
  ImageReference,
  Label,
  Network,
  Port,
  Sweeper,
  Wait
} from "ociman"
import { TestRuntime } from "ociman"
import { Testing } from "ociman"
import { definitionConformance, definitionHandlers } from "./definition.js"
import { definitionFilesConformance, definitionFilesHandlers } from "./definitionFiles.js"
import { networksConformance } from "./networks.js"
import { filesConformance, filesHandlers } from "./files.js"
import { lifecycleConformance, lifecycleHandlers } from "./lifecycle.js"
import { observationConformance, observationHandlers } from "./observation.js"
import { volumesConformance } from "./volumes.js"
import { waitsConformance, waitsHandlers } from "./waits.js"
import { ttyConformance, ttyHandlers } from "./tty.js"
import { labelKey, removeContainersOnExit } from "./part.js"

export type Kind = ContainerRuntime.Kind

/** The busybox image every test runs (built locally on the real runtimes, seeded in memory). */
export const SUITE_IMAGE = process.env["OCIMAN_TEST_IMAGE"] ?? Testing.TEST_IMAGE

// ---------------------------------------------------------------------------------------------
// The commands the suite runs, and how the in-memory runtime answers them
// ---------------------------------------------------------------------------------------------

/** Runs until stopped, and exits 0 at once on SIGTERM (so stops are fast). */
const SLEEPER = ["sh", "-c", "trap 'exit 0' TERM; sleep 60 & wait"]
const HELLO = ["echo", "Hello, World!"]
const FAILING = ["sh", "-c", "echo oops >&2; exit 3"]
const ENV_ECHO = ["sh", "-c", 'echo "$TEST_VAR $SECRET"']
const ENV_PAIR = ["sh", "-c", 'echo "$A-$B"']
const LOGS = ["sh", "-c", "echo one; sleep 0.1; echo two >&2; sleep 0.1; echo three; exit 4"]
const READY = ["sh", "-c", "trap 'exit 0' TERM; echo ready; sleep 60 & wait"]
const CRASH = ["sh", "-c", "echo starting; exit 2"]
const HTTPD = [
  "sh",
  "-c",
  "trap 'exit 0' TERM; mkdir -p /www && echo hello > /www/index.html && httpd -f -p 8080 -h /www & wait"
]
/** Writes to both outputs, then keeps running until stopped. */
const CHATTY = ["sh", "-c", "trap 'exit 0' TERM; echo first; echo warning >&2; sleep 60 & wait"]
const EXEC_LINES = ["sh", "-c", "echo a; echo b >&2; echo c"]
const TOUCH = ["touch", "/committed-file"]
/** A failing build step, as a shell-form `RUN` reaches the runtime. */
const FAILING_STEP = "echo ociman-failing-step && exit 3"

const first = (command: ReadonlyArray<string>, word: string) => command[0] === word

/**
 * The in-memory busybox: the answers the real image gives to the commands above. Anything else
 * exits 0 with no output (and a detached main process keeps running), the runtime's default.
 */
export const busyboxHandlers: ReadonlyArray<TestRuntime.Handler> = [
  TestRuntime.handler("*", FAILING, { stderr: "oops\n", exitCode: 3 }),
  TestRuntime.handler("*", ENV_ECHO, (ctx) => ({
    stdout: `${ctx.env.get("TEST_VAR") ?? ""} ${ctx.env.get("SECRET") ?? ""}\n`
  })),
  TestRuntime.handler("*", ENV_PAIR, (ctx) => ({ stdout: `${ctx.env.get("A") ?? ""}-${ctx.env.get("B") ?? ""}\n` })),
  TestRuntime.handler("*", LOGS, {
    output: [
      { stream: "stdout", text: "one" },
      { stream: "stderr", text: "two" },
      { stream: "stdout", text: "three" }
    ],
    exitCode: 4
  }),
  TestRuntime.handler("*", READY, { stdout: "ready\n" }),
  TestRuntime.handler("*", CHATTY, {
    output: [
      { stream: "stdout", text: "first" },
      { stream: "stderr", text: "warning" }
    ]
  }),
  TestRuntime.handler("*", EXEC_LINES, {
    output: [
      { stream: "stdout", text: "a" },
      { stream: "stderr", text: "b" },
      { stream: "stdout", text: "c" }
    ]
  }),
  TestRuntime.handler("*", CRASH, { stdout: "starting\n", exitCode: 2 }),
  TestRuntime.handler("*", ["/bin/sh", "-c", FAILING_STEP], { stdout: "ociman-failing-step\n", exitCode: 3 }),
  TestRuntime.handler(
    "*",
    (command) => first(command, "echo"),
    (ctx) => ({ stdout: `${ctx.command.slice(1).join(" ")}\n` })
  ),
  TestRuntime.handler("*", ["true"], { exitCode: 0 }),
  TestRuntime.handler("*", ["false"], { exitCode: 1 }),
  TestRuntime.handler("*", ["cat"], (ctx) => ({ stdout: ctx.stdin ?? "" })),
  TestRuntime.handler("*", ["pwd"], (ctx) => ({ stdout: `${ctx.workdir ?? "/"}\n` })),
  TestRuntime.handler(
    "*",
    (command) => first(command, "id") && (command[1] === "-u" || command[1] === "-g"),
    (ctx) => {
      const [uid = "0", gid = uid] = (ctx.user ?? "0").split(":")
      return { stdout: `${ctx.command[1] === "-u" ? uid : gid}\n` }
    }
  )
]

/** The in-memory runtime the suite runs against: the test image seeded as busybox, and the busybox answers. */
export const memoryLayer = (kind: Kind) =>
  TestRuntime.layer({
    kind,
    images: [{ ...Testing.testImageSeed, reference: SUITE_IMAGE }],
    handlers: [
      ...busyboxHandlers,
      ...definitionHandlers,
      ...lifecycleHandlers,
      ...filesHandlers,
      ...waitsHandlers,
      ...ttyHandlers,
      ...observationHandlers,
      ...definitionFilesHandlers
    ]
  })

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/images/${name}`, import.meta.url))

const labelValue = (value: string) => Either.getOrThrow(Label.value(value))

/** Removes every image of this name when the test's scope closes. */
const removeImagesOnExit = (name: string) =>
  Effect.addFinalizer(() =>
    Image.listByName(name).pipe(
      Effect.flatMap(Effect.forEach((ref) => Image.remove(ref, { force: true }).pipe(Effect.ignore))),
      Effect.ignore
    )
  )

/** The calls the in-memory runtime recorded (none for a real runtime). */
const recorded = Effect.map(
  Effect.serviceOption(TestRuntime.Recorder),
  Option.map((recorder) => recorder.calls)
).pipe(Effect.flatMap(Option.match({ onNone: () => Effect.succeed(Option.none()), onSome: Effect.asSome })))

/** Docker removes a `--rm` container after it stops, asynchronously: poll briefly. */
const eventually = <E, R>(check: Effect.Effect<boolean, E, R>) =>
  check.pipe(
    Effect.filterOrFail((ok) => ok),
    Effect.retry({ schedule: Schedule.spaced("100 millis"), times: 50 }),
    Effect.orElseSucceed(() => false)
  )

// ---------------------------------------------------------------------------------------------
// The suite
// ---------------------------------------------------------------------------------------------

/**
 * Declares the conformance tests for one runtime: `kind` is the dialect it must follow, `runtime`
 * provides it, `capabilities` is what it is expected to be able to do.
 */
export const conformance = (
  kind: Kind,
  runtime: Layer.Layer<ContainerRuntime.ContainerRuntime, unknown>,
  capabilities: ContainerRuntime.Capabilities
): void => {
  const docker = kind === "docker"
  const where = capabilities.processes ? kind : `memory-${kind}`
  let counter = 0
  const next = (base: string) => `conformance-${where}-${base}-${(counter += 1)}`
  const unique = (base: string) => Either.getOrThrow(Testing.testName(next(base)))
  const imageName = (base: string) => `localhost/ociman-test/${Testing.runId}-${next(base)}`
  const sleeper = Def.make(SUITE_IMAGE).pipe(Def.command(SLEEPER))

  layer(Layer.merge(runtime, NodeContext.layer), { excludeTestServices: true, timeout: "120 seconds" })(where, (it) => {
    // -----------------------------------------------------------------------------------------
    // The runtime
    // -----------------------------------------------------------------------------------------

    it.effect("reports its dialect and its capabilities", () =>
      Effect.gen(function* () {
        const service = yield* ContainerRuntime.ContainerRuntime
        expect(service.backend.kind).toBe(kind)
        expect(service.capabilities).toEqual(capabilities)
      })
    )

    it.effect("the cli escape hatch runs the CLI (capability: cli), or fails with CliUnsupported", () =>
      Effect.gen(function* () {
        const service = yield* ContainerRuntime.ContainerRuntime
        const result = yield* Effect.either(service.cli(["version"]))
        if (capabilities.cli) {
          if (Either.isLeft(result)) return expect.fail(result.left.message)
          expect(result.right.exitCode).toBe(0)
          expect(result.right.argv.slice(0, 2)).toEqual([kind, "version"])
        } else {
          if (Either.isRight(result)) return expect.fail("the cli must fail without a CLI")
          expect(result.left._tag).toBe("CliUnsupported")
          expect(result.left.message).toContain("version")
        }
      })
    )

    // -----------------------------------------------------------------------------------------
    // Containers: lifecycle, output, exec
    // -----------------------------------------------------------------------------------------

    it.effect("a foreground run returns its stdout and exit code 0", () =>
      Effect.gen(function* () {
        const result = yield* Container.run(Def.make(SUITE_IMAGE).pipe(Def.withRemove, Def.command(HELLO)))
        expect(result.stdout).toBe("Hello, World!\n")
        expect(result.exitCode).toBe(0)
        expect(result.argv.slice(0, 3)).toEqual([kind, "container", "run"])
        expect(result.argv).toContain("--rm")
      })
    )

    it.effect("a non-zero foreground exit is ContainerExitedNonZero with its code and stderr", () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(
          Container.run(Def.make(SUITE_IMAGE).pipe(Def.withRemove, Def.command(FAILING)))
        )
        if (error._tag !== "ContainerExitedNonZero") return expect.fail(`${error._tag}: ${error.message}`)
        expect(error.exitCode).toBe(3)
        expect(error.stderr.trim()).toBe("oops")
      })
    )

    it.effect("environment values reach the container, never the CLI's argv", () =>
      Effect.gen(function* () {
        const result = yield* Container.run(
          Def.make(SUITE_IMAGE).pipe(
            Def.withRemove,
            Def.env({ TEST_VAR: "test_value", SECRET: Redacted.make("hunter2-secret") }),
            Def.command(ENV_ECHO)
          )
        )
        expect(result.stdout.trim()).toBe("test_value hunter2-secret")
        expect(result.argv).toContain("TEST_VAR")
        expect(result.argv.join(" ")).not.toContain("test_value")
        expect(result.argv.join(" ")).not.toContain("hunter2-secret")
        const calls = yield* recorded
        if (Option.isSome(calls)) {
          expect(JSON.stringify(calls.value)).not.toContain("hunter2-secret")
        }
      })
    )

    it.scoped("exec: output, exit codes, execSuccess", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(sleeper)
        const echoed = yield* c.exec(["echo", "Container is running!"])
        expect(echoed.stdout).toBe("Container is running!\n")
        expect(echoed.argv.slice(0, 3)).toEqual([kind, "container", "exec"])
        expect((yield* c.exec(["true"])).exitCode).toBe(0)
        expect((yield* c.exec(["false"])).exitCode).toBe(1)
        const failed = yield* Effect.flip(c.execSuccess(["false"]))
        expect(failed._tag).toBe("ContainerExitedNonZero")
      })
    )

    it.scoped("exec: stdin text and bytes arrive unchanged", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(sleeper)
        expect((yield* c.exec(["cat"], { stdin: "hello from stdin" })).stdout).toBe("hello from stdin")
        const bytes = new Uint8Array([0, 1, 2, 250, 255, 10])
        expect(Array.from((yield* c.exec(["cat"], { stdin: bytes })).stdoutBytes)).toEqual(Array.from(bytes))
      })
    )

    it.scoped("exec: user, workdir, and environment values outside argv", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(sleeper)
        expect((yield* c.exec(["id", "-u"], { user: "1234:5678" })).stdout.trim()).toBe("1234")
        expect((yield* c.exec(["id", "-g"], { user: "1234:5678" })).stdout.trim()).toBe("5678")
        expect((yield* c.exec(["pwd"], { workdir: "/tmp" })).stdout.trim()).toBe("/tmp")
        const env = yield* c.exec(ENV_PAIR, { env: { A: "1", B: Redacted.make("2") } })
        expect(env.stdout.trim()).toBe("1-2")
        expect(env.argv).toContain("A")
        expect(env.argv.join(" ")).not.toContain("1-2")
      })
    )

    it.effect("exec in a stopped container is a failed result (Docker exit 1, Podman 255), not an error", () =>
      Effect.gen(function* () {
        const c = yield* Container.startDetached(sleeper)
        yield* c.stop({ timeout: "5 seconds" })
        const result = yield* c.exec(["true"])
        yield* c.remove({ force: true })
        expect(result.exitCode).toBe(docker ? 1 : 255)
        expect(result.stderr).toMatch(docker ? /is not running/ : /container state improper/)
      })
    )

    it.effect("every operation on a missing container is ContainerNotFound; a forced remove succeeds", () =>
      Effect.gen(function* () {
        const missing = yield* Container.handle(unique("missing"))
        const tags = yield* Effect.all([
          Effect.flip(missing.exec(["true"])),
          Effect.flip(missing.inspect),
          Effect.flip(missing.stop()),
          Effect.flip(missing.remove()),
          Effect.flip(missing.logs),
          Effect.flip(missing.wait),
          Effect.flip(missing.commit(`${imageName("never")}:1`, { pause: false }))
        ])
        expect(tags.map((error) => error._tag)).toEqual(Array.from({ length: 7 }, () => "ContainerNotFound"))
        // `rm --force` of a missing container exits 0 on both CLIs.
        yield* missing.remove({ force: true })
      })
    )

    it.scoped("a name lands as given; Docker's inspect prints it with a leading slash, Podman's without", () =>
      Effect.gen(function* () {
        const name = unique("named")
        const c = yield* Container.start(sleeper.pipe(Def.name(name)))
        expect(yield* c.name).toBe(name)
        const info = yield* c.inspect
        expect(info.raw).toMatchObject({ Name: docker ? `/${name}` : name })
        expect(info.image).toBe(SUITE_IMAGE)
        expect(info.id).toBe(c.id)
        expect(c.id).toMatch(/^[0-9a-f]{64}$/)
      })
    )

    it.scoped("a name in use (running or exited) is NameInUse", () =>
      Effect.gen(function* () {
        const name = unique("duplicate")
        const first = yield* Container.start(sleeper.pipe(Def.name(name)))
        const error = yield* Effect.flip(Container.start(sleeper.pipe(Def.name(name))))
        if (error._tag !== "NameInUse") return expect.fail(`${error._tag}: ${error.message}`)
        expect(error.name).toBe(name)
        yield* first.stop({ timeout: "5 seconds" })
        expect((yield* Effect.flip(Container.startDetached(sleeper.pipe(Def.name(name)))))._tag).toBe("NameInUse")
      })
    )

    it.scoped("labels round-trip, with the ownership labels added", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(
          sleeper.pipe(Def.labels({ "ociman-test.session": "conformance", "ociman-test.empty": "" }))
        )
        const labels = yield* c.labels
        expect(labels.get("ociman-test.session")).toBe("conformance")
        expect(labels.get("ociman-test.empty")).toBe("")
        expect(labels.get("ociman.managed")).toBe("true")
        expect(labels.get("ociman.pid")).toBe(String(process.pid))
        expect(labels.get("ociman.session")).toMatch(/^[0-9a-f-]{36}$/)
      })
    )

    it.scoped("list and listLabeled by label: key only, exact, no match, stopped ones too", () =>
      Effect.gen(function* () {
        const marker = labelKey(`ociman-test.list-${Testing.runId}-${where}`)
        const role = labelKey("ociman-test.role")
        const [a, b] = yield* Effect.all(
          [
            Container.start(sleeper.pipe(Def.labels({ [marker]: "1", [role]: "alpha" }))),
            Container.start(sleeper.pipe(Def.labels({ [marker]: "1", [role]: "beta" }))),
            Container.start(sleeper.pipe(Def.labels({ [marker]: "1" })))
          ],
          { concurrency: "unbounded" }
        )
        const all = yield* Container.list([Label.keyOnly(marker)])
        expect(all.length).toBe(3)
        const alpha = yield* Container.list([Label.keyOnly(marker), Label.exact(role, labelValue("alpha"))])
        expect(alpha.map((c) => c.id)).toEqual([a.id])
        expect(yield* Container.list([Label.keyOnly(marker), Label.exact(role, labelValue("gamma"))])).toEqual([])
        yield* b.stop({ timeout: "5 seconds" })
        expect((yield* Container.list([Label.keyOnly(marker)])).length).toBe(3)

        const service = yield* ContainerRuntime.ContainerRuntime
        const labeled = yield* service.containers.listLabeled([Label.exact(role, labelValue("beta"))])
        const mine = labeled.filter((c) => c.labels.get(marker) === "1")
        expect(mine.map((c) => c.id)).toEqual([b.id])
        expect(mine[0]?.labels.get("ociman.managed")).toBe("true")
        const imageId = (yield* Image.inspect(SUITE_IMAGE)).id
        expect(docker ? mine[0]?.image : `sha256:${mine[0]?.image ?? ""}`).toBe(imageId)
      })
    )

    it.scoped("exists: by id, id prefix and exact name; absent ids and names are false, not errors", () =>
      Effect.gen(function* () {
        const name = unique("exists")
        const c = yield* Container.start(sleeper.pipe(Def.name(name)))
        expect(yield* Container.exists(c.id)).toBe(true)
        expect(yield* Container.exists(c.id.slice(0, 12))).toBe(true)
        expect(yield* Container.exists(name)).toBe(true)
        // Docker's name filter is a substring match: only the exact name counts
        expect(yield* Container.exists(name.slice(0, -1))).toBe(false)
        expect(yield* Container.exists("0".repeat(64))).toBe(false)
        expect(yield* Container.exists(unique("absent"))).toBe(false)
        expect(yield* Container.exists("")).toBe(false)
      })
    )

    it.effect("remove: a running container needs force (CommandFailed); a stopped one goes; then it is gone", () =>
      Effect.gen(function* () {
        const c = yield* Container.startDetached(sleeper)
        expect((yield* c.inspect).state.running).toBe(true)
        const refused = yield* Effect.flip(c.remove())
        expect(refused._tag).toBe("CommandFailed")
        expect(yield* Container.exists(c.id)).toBe(true)
        yield* c.stop({ timeout: "5 seconds" })
        const stopped = yield* c.inspect
        expect(stopped.state.running).toBe(false)
        expect(stopped.state.status).toBe("exited")
        expect(stopped.state.exitCode).toBe(0)
        yield* c.remove()
        expect(yield* Container.exists(c.id)).toBe(false)
        expect((yield* Effect.flip(c.inspect))._tag).toBe("ContainerNotFound")
        const forced = yield* Container.startDetached(sleeper)
        yield* forced.remove({ force: true })
        expect(yield* Container.exists(forced.id)).toBe(false)
      })
    )

    it.scoped("logs are time-ordered lines tagged stdout / stderr; wait returns the exit code", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(Def.make(SUITE_IMAGE).pipe(Def.command(LOGS)))
        expect(yield* c.wait).toBe(4)
        expect(yield* c.logs).toEqual([
          { stream: "stdout", text: "one" },
          { stream: "stderr", text: "two" },
          { stream: "stdout", text: "three" }
        ])
        const info = yield* c.inspect
        expect(info.state.status).toBe("exited")
        expect(info.state.exitCode).toBe(4)
      })
    )

    it.scoped(
      "streamLogs: each output in its order, the last lines, and ContainerNotFound for a missing container",
      () =>
        Effect.gen(function* () {
          const c = yield* Container.start(Def.make(SUITE_IMAGE).pipe(Def.command(LOGS)))
          expect(yield* c.wait).toBe(4)
          const all = Chunk.toReadonlyArray(yield* Stream.runCollect(c.streamLogs()))
          expect(all.filter((l) => l.stream === "stdout").map((l) => l.text)).toEqual(["one", "three"])
          expect(all.filter((l) => l.stream === "stderr").map((l) => l.text)).toEqual(["two"])
          // --tail counts the lines of both outputs together
          const tail = Chunk.toReadonlyArray(yield* Stream.runCollect(c.streamLogs({ tail: 1 })))
          expect(tail).toEqual([{ stream: "stdout", text: "three" }])
          const missing = yield* Container.handle(unique("missing"))
          expect((yield* Effect.flip(Stream.runDrain(missing.streamLogs())))._tag).toBe("ContainerNotFound")
          expect((yield* Effect.flip(Stream.runDrain(missing.streamLogs({ follow: true }))))._tag).toBe(
            "ContainerNotFound"
          )
        })
    )

    it.scoped("streamLogs with follow: lines arrive while the container runs; the stream ends when it exits", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(Def.make(SUITE_IMAGE).pipe(Def.command(CHATTY)))
        const seen = yield* Deferred.make<void>()
        const following = yield* Effect.fork(
          c.streamLogs({ follow: true }).pipe(
            Stream.tap(() => Deferred.succeed(seen, undefined)),
            Stream.runCollect
          )
        )
        yield* Deferred.await(seen)
        expect((yield* c.inspect).state.running).toBe(true)
        expect(Option.isNone(yield* Fiber.poll(following))).toBe(true)
        yield* c.stop({ timeout: "5 seconds" })
        const lines = Chunk.toReadonlyArray(yield* Fiber.join(following))
        expect([...lines].sort((a, b) => a.text.localeCompare(b.text))).toEqual([
          { stream: "stdout", text: "first" },
          { stream: "stderr", text: "warning" }
        ])
      })
    )

    it.scoped("streamExec: lines of both outputs, env outside argv; a non-zero exit fails with its code", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(sleeper)
        const lines = Chunk.toReadonlyArray(yield* Stream.runCollect(c.streamExec(EXEC_LINES)))
        expect(lines.filter((l) => l.stream === "stdout").map((l) => l.text)).toEqual(["a", "c"])
        expect(lines.filter((l) => l.stream === "stderr").map((l) => l.text)).toEqual(["b"])
        const env = yield* Stream.runCollect(
          c.streamExec(ENV_PAIR, { env: { A: "streamed", B: Redacted.make("streamed-secret") } })
        )
        expect(Chunk.toReadonlyArray(env)).toEqual([{ stream: "stdout", text: "streamed-streamed-secret" }])
        const failed = yield* Effect.flip(Stream.runDrain(c.streamExec(FAILING)))
        expect(failed).toMatchObject({ _tag: "ContainerExitedNonZero", exitCode: 3, stderr: "oops\n" })
        const missing = yield* Container.handle(unique("missing"))
        expect((yield* Effect.flip(Stream.runDrain(missing.streamExec(["true"]))))._tag).toBe("ContainerNotFound")
        const calls = yield* recorded
        if (Option.isSome(calls)) expect(JSON.stringify(calls.value)).not.toContain("streamed-secret")
      })
    )

    it.scoped("wait on a running container returns when it is stopped", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(sleeper)
        const waiting = yield* Effect.fork(c.wait)
        yield* c.stop({ timeout: "5 seconds" })
        expect(yield* Fiber.join(waiting)).toBe(0)
      })
    )

    it.scoped("a foreground run without --rm leaves an exited container; with --rm none is left", () =>
      Effect.gen(function* () {
        const marker = `ociman-test.foreground-${Testing.runId}-${where}`
        yield* removeContainersOnExit(marker)
        const kept = Def.make(SUITE_IMAGE).pipe(Def.labels({ [marker]: "kept" }), Def.command(HELLO))
        yield* Container.run(kept)
        yield* Container.run(Def.make(SUITE_IMAGE).pipe(Def.labels({ [marker]: "removed" }), Def.withRemove))
        const left = yield* Container.list([Label.keyOnly(labelKey(marker))])
        expect(left.length).toBe(1)
        const c = yield* Container.handle(left[0]?.id ?? "")
        const info = yield* c.inspect
        expect(info.state.status).toBe("exited")
        expect(info.labels.get(marker)).toBe("kept")
        // the library's, kept on purpose: a sweep leaves it unless told to include detached ones
        expect(info.labels.get("ociman.lifecycle")).toBe("detached")
        expect(info.labels.get("ociman.pid")).toBe(String(process.pid))
        expect(yield* c.logs).toEqual([{ stream: "stdout", text: "Hello, World!" }])
      })
    )

    it.effect("a detached container run with --rm is gone once stopped", () =>
      Effect.gen(function* () {
        const c = yield* Container.startDetached(sleeper.pipe(Def.withRemove))
        expect(yield* Container.exists(c.id)).toBe(true)
        yield* c.stop({ timeout: "5 seconds" })
        expect(yield* eventually(Effect.map(Container.exists(c.id), (present) => !present))).toBe(true)
      })
    )

    it.effect("scoped containers are removed after success, failure and interruption", () =>
      Effect.gen(function* () {
        const marker = `ociman-test.scoped-${Testing.runId}-${where}`
        const def = sleeper.pipe(Def.labels({ [marker]: "1" }))
        const listed = Container.list([Label.keyOnly(labelKey(marker))])
        yield* Effect.scoped(Effect.zipRight(Container.start(def), Effect.void))
        yield* Effect.scoped(Effect.zipRight(Container.start(def), Effect.fail("boom"))).pipe(Effect.ignore)
        expect(yield* listed).toEqual([])
        const fiber = yield* Effect.fork(Effect.scoped(Effect.zipRight(Container.start(def), Effect.never)))
        expect(yield* eventually(Effect.map(listed, (all) => all.length === 1))).toBe(true)
        yield* Fiber.interrupt(fiber)
        expect(yield* listed).toEqual([])
      })
    )

    it.effect("five containers start concurrently with distinct ids and host ports, and are all removed", () =>
      Effect.gen(function* () {
        const marker = `ociman-test.concurrent-${Testing.runId}-${where}`
        const scope = yield* Scope.make()
        const started = yield* Effect.all(
          Array.from({ length: 5 }, () =>
            Container.start(sleeper.pipe(Def.labels({ [marker]: "1" }), Def.publish(Port.tcp(8080))), {
              waitFor: Wait.none // nothing listens on the sleeper's port
            })
          ),
          { concurrency: "unbounded" }
        ).pipe(Scope.extend(scope))
        expect(new Set(started.map((c) => c.id)).size).toBe(5)
        const ports = yield* Effect.forEach(started, (c) => Effect.map(c.hostPort(Port.tcp(8080)), (hp) => hp.port))
        expect(new Set(ports).size).toBe(5)
        yield* Scope.close(scope, Exit.void)
        expect(yield* Container.list([Label.keyOnly(labelKey(marker))])).toEqual([])
      })
    )

    it.effect("reuse: four starts at once share one container, which outlives its scope and every sweep", () =>
      Effect.gen(function* () {
        const marker = `ociman-test.reuse-${Testing.runId}-${where}`
        const listed = Container.list([Label.keyOnly(labelKey(marker))])
        const removeAll = Effect.flatMap(listed, (all) =>
          Effect.forEach(all, (c) => Effect.flatMap(Container.handle(c.id), (h) => h.remove({ force: true })))
        ).pipe(Effect.ignore)
        const def = (variant: string) => sleeper.pipe(Def.labels({ [marker]: variant }))
        const startReused = (variant: string) =>
          Effect.scoped(Effect.map(Container.start(def(variant), { reuse: true }), (c) => c.id))
        yield* Effect.gen(function* () {
          const ids = yield* Effect.all(
            Array.from({ length: 4 }, () => startReused("a")),
            { concurrency: "unbounded" }
          )
          expect(new Set(ids).size).toBe(1)
          expect((yield* listed).map((c) => c.id)).toEqual([ids[0]])
          expect(yield* startReused("a")).toBe(ids[0])
          const changed = yield* startReused("b")
          expect(changed).not.toBe(ids[0])
          const handle = yield* Container.handle(changed)
          expect((yield* handle.labels).get(Label.reuseKey)).toMatch(/^[0-9a-f]{64}$/)
          expect((yield* handle.inspect).state.status).toBe("running")
          const report = yield* Sweeper.sweep({ allSessions: true, includeDetached: true, dryRun: true })
          expect(report.entries.filter((entry) => entry.id === changed || entry.id === ids[0])).toEqual([])
          const reused = (yield* Sweeper.listReused).map((c) => c.id)
          expect(reused).toContain(changed)
          expect(reused).toContain(ids[0])
        }).pipe(Effect.ensuring(removeAll))
        expect(yield* listed).toEqual([])
      })
    )

    // -----------------------------------------------------------------------------------------
    // Ports
    // -----------------------------------------------------------------------------------------

    it.scoped("a port published on an address gets a host port there; unpublished is PortNotPublished", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(
          sleeper.pipe(Def.publish(Either.getOrThrow(Port.publish(Port.tcp(8080), { hostIp: "127.0.0.1" })))),
          { waitFor: Wait.none } // nothing listens on the sleeper's port
        )
        const { host, port } = yield* c.hostPort(Port.tcp(8080))
        expect(host).toBe("127.0.0.1")
        expect(port).toBeGreaterThan(0)
        expect((yield* c.inspect).ports.get("8080/tcp")).toEqual([{ hostIp: "127.0.0.1", hostPort: port }])
        const unpublished = yield* Effect.flip(c.hostPort(Port.tcp(9090)))
        expect(unpublished._tag).toBe("PortNotPublished")
      })
    )

    it.scoped("a port published on every address: Docker binds IPv4 and IPv6 apart, Podman once", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(sleeper.pipe(Def.publish(Port.tcp(8080), Port.udp(5353))), {
          waitFor: Wait.none // nothing listens on the sleeper's ports
        })
        const tcp = yield* c.hostPorts(Port.tcp(8080))
        expect(tcp.map((binding) => binding.host)).toEqual(docker ? ["127.0.0.1", "::1"] : ["127.0.0.1"])
        expect(tcp.every((binding) => binding.port > 0)).toBe(true)
        expect((yield* c.hostPorts(Port.udp(5353))).length).toBe(docker ? 2 : 1)
        const raw = (yield* c.inspect).ports.get("8080/tcp")
        expect(raw?.map((binding) => binding.hostIp)).toEqual(docker ? ["0.0.0.0", "::"] : [""])
      })
    )

    it.scoped("a stopped container: Docker no longer reports its host ports, Podman still does", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(sleeper.pipe(Def.publish(Port.tcp(8080))), { waitFor: Wait.none })
        const running = yield* c.hostPorts(Port.tcp(8080))
        expect(running.length).toBeGreaterThan(0)
        yield* c.stop({ timeout: "5 seconds" })
        const stopped = yield* c.hostPorts(Port.tcp(8080))
        expect(stopped).toEqual(docker ? [] : running)
      })
    )

    it.scoped("networking: a published port answers from this host (capability: networking)", () =>
      Effect.gen(function* () {
        const service = yield* ContainerRuntime.ContainerRuntime
        const web = yield* Container.start(
          Def.make(SUITE_IMAGE).pipe(
            Def.command(HTTPD),
            Def.publish(Either.getOrThrow(Port.publish(Port.tcp(8080), { hostIp: "127.0.0.1" })))
          ),
          capabilities.networking
            ? { waitFor: Wait.http({ port: Port.tcp(8080), path: "/" }), timeout: "30 seconds" }
            : { waitFor: Wait.none }
        )
        const { port } = yield* web.hostPort(Port.tcp(8080))
        expect(port).toBeGreaterThan(0)
        // Without networking nothing listens: the runtime must say so rather than pretend.
        expect(service.capabilities.networking).toBe(capabilities.networking)
      })
    )

    // -----------------------------------------------------------------------------------------
    // Commit, images of runs, readiness
    // -----------------------------------------------------------------------------------------

    it.scoped("commit: the image exists, runs, carries the labels (and the files: capability processes)", () =>
      Effect.gen(function* () {
        const image = imageName("commit")
        yield* removeImagesOnExit(image)
        const c = yield* Container.startDetached(sleeper.pipe(Def.labels({ "ociman-test.committed": "yes" })))
        yield* Effect.addFinalizer(() => Effect.ignore(c.remove({ force: true })))
        yield* c.execSuccess(TOUCH)
        yield* c.commit(`${image}:running`) // pauses while committing (the default)
        yield* c.stop({ timeout: "5 seconds" })
        yield* c.commit(`${image}:stopped`, { pause: false })
        expect(yield* Image.exists(`${image}:running`)).toBe(true)
        expect(yield* Image.exists(`${image}:stopped`)).toBe(true)
        expect((yield* Image.labelsOf(`${image}:stopped`)).get("ociman-test.committed")).toBe("yes")
        const ls = yield* Container.run(
          Def.make(`${image}:stopped`).pipe(Def.withRemove, Def.command(["ls", "/committed-file"]))
        )
        if (capabilities.processes) expect(ls.stdout.trim()).toBe("/committed-file")
        const calls = yield* recorded
        if (Option.isSome(calls)) {
          // The documented pause flags: Docker before 29 `--pause=false`, Podman `--pause`.
          const commits = calls.value
            .filter((call) => call.operation === "containers.commit" && call.argv.includes(c.id))
            .map((call) => call.argv)
          expect(commits).toEqual(
            docker
              ? [
                  [kind, "commit", c.id, `${image}:running`],
                  [kind, "commit", "--pause=false", c.id, `${image}:stopped`]
                ]
              : [
                  [kind, "commit", "--pause", c.id, `${image}:running`],
                  [kind, "commit", c.id, `${image}:stopped`]
                ]
          )
        }
      })
    )

    it.effect("a missing image under pull policy never is ImageNotFound; no container is left", () =>
      Effect.gen(function* () {
        const marker = `ociman-test.no-image-${Testing.runId}-${where}`
        const error = yield* Effect.flip(
          Container.run(
            Def.make(`${imageName("does-not-exist")}:1`).pipe(
              Def.withRemove,
              Def.pullPolicy("never"),
              Def.labels({ [marker]: "1" })
            )
          )
        )
        expect(error._tag).toBe("ImageNotFound")
        expect(yield* Container.list([Label.keyOnly(labelKey(marker))])).toEqual([])
      })
    )

    it.effect("invalid input is a typed error before the runtime is asked anything", () =>
      Effect.gen(function* () {
        const before = yield* recorded
        expect((yield* Effect.flip(Container.run(Def.make("Not A Ref"))))._tag).toBe("InvalidImageReference")
        expect((yield* Effect.flip(Container.run(sleeper.pipe(Def.name("-bad")))))._tag).toBe("InvalidContainerName")
        const after = yield* recorded
        expect(Option.map(after, (calls) => calls.length)).toEqual(Option.map(before, (calls) => calls.length))
      })
    )

    it.scoped("readiness: a log line, a command; a container that exits first is ContainerExitedBeforeReady", () =>
      Effect.gen(function* () {
        const ready = yield* Container.start(Def.make(SUITE_IMAGE).pipe(Def.command(READY)), {
          waitFor: Wait.all(Wait.logLine(/^ready$/), Wait.command(["true"])),
          timeout: "30 seconds"
        })
        expect((yield* ready.logs).map((line) => line.text)).toContain("ready")
        const error = yield* Effect.flip(
          Container.start(Def.make(SUITE_IMAGE).pipe(Def.command(CRASH)), {
            waitFor: Wait.logLine("never printed"),
            timeout: "30 seconds"
          })
        )
        if (error._tag !== "ContainerExitedBeforeReady") return expect.fail(`${error._tag}: ${error.message}`)
        expect(error.exitCode).toBe(2)
        expect(error.lastLogs.map((line) => line.text)).toEqual(["starting"])
        const unhealthy = yield* Effect.flip(Container.start(sleeper, { waitFor: Wait.healthy, timeout: "30 seconds" }))
        expect(unhealthy._tag).toBe("HealthcheckMissing")
      })
    )

    // -----------------------------------------------------------------------------------------
    // Images
    // -----------------------------------------------------------------------------------------

    it.effect("image presence: present, absent (with and without a tag), invalid", () =>
      Effect.gen(function* () {
        expect(yield* Image.exists(SUITE_IMAGE)).toBe(true)
        expect(yield* Image.exists(`${imageName("absent")}:1`)).toBe(false)
        expect(yield* Image.exists(imageName("absent"))).toBe(false)
        expect((yield* Effect.flip(Image.exists("Bad:x")))._tag).toBe("InvalidImageReference")
      })
    )

    it.effect("image inspect decodes the test image; an absent one is ImageNotFound", () =>
      Effect.gen(function* () {
        const inspected = yield* Image.inspect(SUITE_IMAGE)
        expect(inspected.id).toMatch(/^sha256:[0-9a-f]{64}$/)
        expect(inspected.repoTags).toContain(SUITE_IMAGE)
        expect(inspected.os).toBe("linux")
        expect(inspected.cmd).toEqual(["sh"])
        expect((yield* Effect.flip(Image.inspect(`${imageName("inspect-absent")}:1`)))._tag).toBe("ImageNotFound")
      })
    )

    it.scoped("build from instructions: present with its config and labels (Podman adds buildah's), removed", () =>
      Effect.gen(function* () {
        const image = imageName("instructions")
        yield* removeImagesOnExit(image)
        const ref = yield* Image.build(
          BuildDefinition.fromInstructions(
            `FROM ${SUITE_IMAGE}\nLABEL ociman-test.step=dockerfile\nENV GREETING=hi\nCMD ["echo", "built"]\n`,
            { reference: `${image}:latest` }
          ).pipe(BuildDefinition.label("ociman-test.role", "conformance"))
        )
        expect(ImageReference.format(ref)).toBe(`${image}:latest`)
        expect(yield* Image.exists(ref)).toBe(true)
        const inspected = yield* Image.inspect(ref)
        expect(inspected.cmd).toEqual(["echo", "built"])
        expect(inspected.env).toContain("GREETING=hi")
        expect(inspected.labels.get("ociman-test.step")).toBe("dockerfile")
        expect(inspected.labels.get("ociman-test.role")).toBe("conformance")
        expect(inspected.labels.has("io.buildah.version")).toBe(!docker)
        const run = yield* Container.run(Def.make(ref).pipe(Def.withRemove))
        expect(run.stdout).toBe("built\n")
        // A container inherits its image's labels.
        const c = yield* Container.start(Def.make(ref).pipe(Def.command(SLEEPER)))
        expect((yield* c.labels).get("ociman-test.role")).toBe("conformance")
        yield* c.remove({ force: true })
        yield* Image.remove(ref)
        expect(yield* Image.exists(ref)).toBe(false)
      })
    )

    it.scoped("buildIfAbsent twice: the same content-addressed reference, built once", () =>
      Effect.gen(function* () {
        const image = imageName("if-absent")
        yield* removeImagesOnExit(image)
        const def = BuildDefinition.fromInstructions(
          `FROM ${SUITE_IMAGE}\nLABEL ociman-test.if-absent=${Testing.runId}\n`,
          {
            name: image
          }
        )
        let lines = 0
        const count = { onOutput: () => Effect.sync(() => void (lines += 1)) }
        const first = yield* Image.buildIfAbsent(def, count)
        const afterFirst = lines
        const second = yield* Image.buildIfAbsent(def, count)
        expect(afterFirst).toBeGreaterThan(0)
        expect(lines).toBe(afterFirst)
        expect(second).toEqual(first)
        expect(first).toEqual(yield* Image.targetReference(def))
        expect(ImageReference.format(first)).toMatch(new RegExp(`^${image}:[0-9a-f]{64}$`))
      })
    )

    it.scoped("build from a directory: the image exists with its labels (and its files: capability processes)", () =>
      Effect.gen(function* () {
        const image = imageName("directory")
        yield* removeImagesOnExit(image)
        const ref = yield* Image.build(
          BuildDefinition.fromDirectory(fixture("build"), { name: image }).pipe(
            BuildDefinition.label("ociman-test.from", "directory")
          )
        )
        expect(ref).toEqual(
          yield* Image.targetReference(
            BuildDefinition.fromDirectory(fixture("build"), { name: image }).pipe(
              BuildDefinition.label("ociman-test.from", "directory")
            )
          )
        )
        expect((yield* Image.labelsOf(ref)).get("ociman-test.from")).toBe("directory")
        if (capabilities.processes) {
          const cat = yield* Container.run(Def.make(ref).pipe(Def.withRemove, Def.command(["cat", "/hello.txt"])))
          expect(cat.stdout.trim()).toBe("hello from the build context")
        }
      })
    )

    it.scoped("a failing build step is BuildFailed with its exit code and last lines; nothing is tagged", () =>
      Effect.gen(function* () {
        const image = imageName("failing")
        yield* removeImagesOnExit(image)
        const error = yield* Effect.flip(
          Image.build(
            BuildDefinition.fromInstructions(`FROM ${SUITE_IMAGE}\nRUN ${FAILING_STEP}\n`, { reference: `${image}:1` })
          )
        )
        if (error._tag !== "BuildFailed")
          return expect.fail(`expected BuildFailed, got ${error._tag}: ${error.message}`)
        expect(error.exitCode).toBe(3)
        expect(error.lastLines.some((line) => line.includes("ociman-failing-step"))).toBe(true)
        expect(error.argv.slice(0, 2)).toEqual([kind, "build"])
        expect(yield* Image.exists(`${image}:1`)).toBe(false)
      })
    )

    it.scoped("a build from an absent base image is BuildFailed", () =>
      Effect.gen(function* () {
        const image = imageName("no-base")
        yield* removeImagesOnExit(image)
        const error = yield* Effect.flip(
          Image.build(
            BuildDefinition.fromInstructions(`FROM ${imageName("absent-base")}:1\nRUN true\n`, {
              reference: `${image}:1`
            })
          )
        )
        expect(error._tag).toBe("BuildFailed")
        expect(yield* Image.exists(`${image}:1`)).toBe(false)
      })
    )

    it.scoped("tag: the target appears, the source stays; tagging a missing image is ImageNotFound", () =>
      Effect.gen(function* () {
        const image = imageName("tag")
        yield* removeImagesOnExit(image)
        expect(yield* Image.exists(`${image}:1`)).toBe(false)
        yield* Image.tag(SUITE_IMAGE, `${image}:1`)
        expect(yield* Image.exists(SUITE_IMAGE)).toBe(true)
        expect(yield* Image.exists(`${image}:1`)).toBe(true)
        expect((yield* Image.inspect(`${image}:1`)).id).toBe((yield* Image.inspect(SUITE_IMAGE)).id)
        const missing = yield* Effect.flip(Image.tag(`${imageName("tag-missing")}:1`, `${image}:2`))
        expect(missing._tag).toBe("ImageNotFound")
      })
    )

    it.scoped("listByName: exactly the tags of that name, sorted; listLabeled finds images by label", () =>
      Effect.gen(function* () {
        const image = imageName("list")
        yield* removeImagesOnExit(image)
        yield* removeImagesOnExit(`${image}-other`)
        yield* Image.tag(SUITE_IMAGE, `${image}:b`)
        yield* Image.tag(SUITE_IMAGE, `${image}:a`)
        yield* Image.tag(SUITE_IMAGE, `${image}-other:a`)
        expect((yield* Image.listByName(image)).map(ImageReference.format)).toEqual([`${image}:a`, `${image}:b`])
        expect(yield* Image.listByName(imageName("list-none"))).toEqual([])

        const labeled = yield* Image.build(
          BuildDefinition.fromInstructions(`FROM ${SUITE_IMAGE}\n`, { reference: `${image}:labeled` }).pipe(
            BuildDefinition.label("ociman-test.list", `${Testing.runId}-${where}`)
          )
        )
        const service = yield* ContainerRuntime.ContainerRuntime
        const found = yield* service.images.listLabeled([
          Label.exact(labelKey("ociman-test.list"), labelValue(`${Testing.runId}-${where}`))
        ])
        expect(found.map((listed) => listed.references)).toEqual([[ImageReference.format(labeled)]])
        expect(`${docker ? "" : "sha256:"}${found[0]?.id ?? ""}`).toBe((yield* Image.inspect(labeled)).id)
      })
    )

    it.scoped(
      "image remove: absent is ImageNotFound; in use is ImageInUse; force (Podman also removes the container)",
      () =>
        Effect.gen(function* () {
          const image = imageName("in-use")
          yield* removeImagesOnExit(image)
          expect((yield* Effect.flip(Image.remove(`${image}:absent`)))._tag).toBe("ImageNotFound")
          // Its own image ID (a unique label), so removing the last name removes the image.
          const ref = yield* Image.build(
            BuildDefinition.fromInstructions(
              `FROM ${SUITE_IMAGE}\nLABEL ociman-test.in-use=${Testing.runId}-${where}\n`,
              {
                reference: `${image}:1`
              }
            )
          )
          yield* Image.tag(ref, `${image}:2`)
          const imageId = (yield* Image.inspect(ref)).id
          const service = yield* ContainerRuntime.ContainerRuntime
          const c = yield* Container.startDetached(Def.make(ref).pipe(Def.command(SLEEPER)))
          // Docker keeps the container and the image, untagged, after a forced removal: remove both.
          yield* Effect.addFinalizer(() =>
            Effect.ignore(c.remove({ force: true })).pipe(
              Effect.zipRight(capabilities.cli ? Effect.ignore(service.cli(["image", "rm", imageId])) : Effect.void)
            )
          )
          yield* Image.remove(`${image}:2`) // another name is left: only untagged
          expect((yield* Effect.flip(Image.remove(ref)))._tag).toBe("ImageInUse")
          expect(yield* Image.exists(ref)).toBe(true)
          yield* Image.remove(ref, { force: true })
          expect(yield* Image.exists(ref)).toBe(false)
          expect(yield* Container.exists(c.id)).toBe(docker)
        })
    )

    it.scoped("a docker.io-qualified reference finds the image stored under its short name", () =>
      Effect.gen(function* () {
        const short = `ociman-test-short-${Testing.runId}-${where}-${(counter += 1)}`
        yield* removeImagesOnExit(short)
        yield* removeImagesOnExit(`localhost/${short}`)
        // How each runtime stores a Docker Hub image (a pull of `x:1` on Podman stores docker.io/library/x:1).
        yield* Image.tag(SUITE_IMAGE, docker ? `${short}:1` : `docker.io/library/${short}:1`)
        expect(yield* Image.exists(`docker.io/library/${short}:1`)).toBe(true)
        expect(yield* Image.exists(`${short}:1`)).toBe(true)
        expect((yield* Image.listByName(`docker.io/library/${short}`)).length).toBe(1)
        // A short name tagged locally: Docker stores it as docker.io/library/…, Podman under localhost/.
        yield* Image.tag(SUITE_IMAGE, `${short}:2`)
        expect(yield* Image.exists(`localhost/${short}:2`)).toBe(!docker)
        expect(yield* Image.exists(`docker.io/library/${short}:2`)).toBe(docker)
      })
    )

    it.effect("pull of a nonexistent image is PullFailed; pullIfAbsent of a present one does not pull", () =>
      Effect.gen(function* () {
        const reference = `docker.io/library/ociman-nonexistent-${Testing.runId}:1`
        const error = yield* Effect.flip(Image.pull(reference))
        if (error._tag !== "PullFailed") return expect.fail(`expected PullFailed, got ${error._tag}`)
        // A registry that answers says NotFound (the in-memory one does); Docker Hub is out of reach here.
        expect(["NotFound", "Unreachable"]).toContain(error.reason)
        expect(error.stderr).not.toBe("")
        expect((yield* Effect.flip(Image.pullIfAbsent(reference)))._tag).toBe("PullFailed")
        expect(yield* Image.pullIfAbsent(SUITE_IMAGE)).toBe(false)
      })
    )

    it.effect("push of an image that is not stored locally is PushFailed", () =>
      Effect.gen(function* () {
        const reference = `${imageName("push-absent")}:1`
        const error = yield* Effect.flip(Image.push(reference))
        if (error._tag !== "PushFailed") return expect.fail(`expected PushFailed, got ${error._tag}`)
        expect(error.reference).toBe(reference)
        expect(error.reason).toBe("NotStoredLocally")
      })
    )

    // -----------------------------------------------------------------------------------------
    // Networks
    // -----------------------------------------------------------------------------------------

    it.effect("a scoped network exists by name and id while the scope is open, and is gone after", () =>
      Effect.gen(function* () {
        const name = yield* Effect.scoped(
          Effect.gen(function* () {
            const net = yield* Network.make()
            expect(yield* Network.exists(net.name)).toBe(true)
            expect(yield* Network.exists(net.id)).toBe(true)
            expect(net.id).toMatch(/^[0-9a-f]{12,64}$/)
            return net.name
          })
        )
        expect(yield* Network.exists(name)).toBe(false)
      })
    )

    it.scoped("a network carries its labels and the ownership labels (listLabeled)", () =>
      Effect.gen(function* () {
        const marker = `${Testing.runId}-${where}-${(counter += 1)}`
        const net = yield* Network.make({ labels: { "ociman-test.network": marker } })
        const service = yield* ContainerRuntime.ContainerRuntime
        const found = yield* service.networks.listLabeled([
          Label.exact(labelKey("ociman-test.network"), labelValue(marker))
        ])
        expect(found.map((n) => n.name)).toEqual([net.name])
        expect(found[0]?.labels.get("ociman.managed")).toBe("true")
        expect(found[0]?.id.startsWith(net.id) || net.id.startsWith(found[0]?.id ?? "-")).toBe(true)
      })
    )

    it.scoped("a network name in use is NetworkNameInUse, and the existing network is left alone", () =>
      Effect.gen(function* () {
        const name = unique("net-taken")
        yield* Network.make({ name })
        const error = yield* Effect.flip(Effect.scoped(Network.make({ name })))
        expect(error._tag).toBe("NetworkNameInUse")
        expect(yield* Network.exists(name)).toBe(true)
      })
    )

    it.scoped("a container joins a network under its aliases; the network is in use while it runs", () =>
      Effect.gen(function* () {
        const net = yield* Network.make()
        const c = yield* Container.start(sleeper.pipe(Network.attach(net, { aliases: ["web"] })))
        const info = yield* c.inspect
        const endpoint = info.networks.get(net.name)
        expect(endpoint?.aliases).toContain("web")
        expect(endpoint?.ipAddress).not.toBe("")
        expect(info.ipAddress).toBe(endpoint?.ipAddress)
        expect((yield* Effect.flip(Network.remove(net.name)))._tag).toBe("NetworkInUse")
        // Stopped: Docker counts running containers only; Podman every container attached.
        yield* c.stop({ timeout: "5 seconds" })
        const removed = yield* Effect.either(Network.remove(net.name))
        if (docker) expect(Either.isRight(removed)).toBe(true)
        else expect(Either.isLeft(removed) && removed.left._tag).toBe("NetworkInUse")
      })
    )

    it.effect(
      "an absent network: exists is false, remove is NetworkNotFound; a run on it is ContainerStartFailed",
      () =>
        Effect.gen(function* () {
          const name = unique("net-absent")
          expect(yield* Network.exists(name)).toBe(false)
          expect((yield* Effect.flip(Network.remove(name)))._tag).toBe("NetworkNotFound")
          const error = yield* Effect.flip(Container.run(Def.make(SUITE_IMAGE).pipe(Def.withRemove, Def.network(name))))
          expect(error._tag).toBe("ContainerStartFailed")
        })
    )

    it.effect("the default bridge has subnets, each with a prefix shorter than 32", () =>
      Effect.gen(function* () {
        const subnets = yield* Network.bridgeSubnets
        expect(subnets.length).toBeGreaterThan(0)
        for (const subnet of subnets) expect(Network.prefixLength(subnet)).toBeLessThan(32)
      })
    )

    it.scoped("networking: a container reaches another by alias (capability: networking)", () =>
      Effect.gen(function* () {
        const service = yield* ContainerRuntime.ContainerRuntime
        expect(service.capabilities.networking).toBe(capabilities.networking)
        if (!capabilities.networking) return
        const net = yield* Network.make()
        yield* Container.start(
          Def.make(SUITE_IMAGE).pipe(Def.command(HTTPD), Network.attach(net, { aliases: ["web"] }))
        )
        const fetch = "for i in $(seq 1 50); do wget -qO- http://web:8080/index.html && exit 0; sleep 0.2; done; exit 1"
        const page = yield* Container.run(
          Def.make(SUITE_IMAGE).pipe(Def.withRemove, Network.attach(net), Def.command(["sh", "-c", fetch]))
        )
        expect(page.stdout).toBe("hello\n")
      })
    )

    it.effect("listByName of the test image's name lists the test image", () =>
      Effect.gen(function* () {
        const listed = yield* Image.listByName(SUITE_IMAGE)
        expect(listed.map(ImageReference.format)).toContain(SUITE_IMAGE)
      })
    )
  })
  definitionConformance(kind, runtime, capabilities, SUITE_IMAGE)
  lifecycleConformance(kind, runtime, capabilities, SUITE_IMAGE)
  filesConformance(kind, runtime, capabilities, SUITE_IMAGE)
  networksConformance(kind, runtime, capabilities, SUITE_IMAGE)
  volumesConformance(kind, runtime, capabilities, SUITE_IMAGE)
  observationConformance(kind, runtime, capabilities, SUITE_IMAGE)
  waitsConformance(kind, runtime, capabilities, SUITE_IMAGE)
  ttyConformance(kind, runtime, capabilities, SUITE_IMAGE)
  definitionFilesConformance(kind, runtime, capabilities, SUITE_IMAGE)
}
