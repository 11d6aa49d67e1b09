/**
 * Acceptance: containers on real Docker and Podman (ociman's integration scenarios 1, 3–15,
 * 31–39, plus scoped cleanup, concurrency and secrets staying out of argv).
 */
import { expect, layer } from "@effect/vitest"
import { Chunk, Deferred, Effect, Either, Exit, Fiber, Option, Redacted, Schedule, Scope, Stream } from "effect"
import { execFileSync, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { connect } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Container, ContainerDefinition as Def, ContainerRuntime, Label, Mount, Port } from "ociman"
import { describeEachRuntime, type Kind, runtimeLayer, TEST_IMAGE } from "./support/backends.js"

/** A container that sleeps and exits at once on SIGTERM (so stops are fast). */
const sleeper = Def.make(TEST_IMAGE).pipe(Def.command(["sh", "-c", "trap 'exit 0' TERM; sleep 60 & wait"]))

const unique = (base: string) => `ociman-test-${process.pid}-${base}`

/** Asks the runtime directly (not through the library) which containers carry a label. */
const idsWithLabel = (kind: Kind, label: string): ReadonlyArray<string> =>
  execFileSync(kind, ["container", "list", "--all", "--quiet", "--no-trunc", "--filter", `label=${label}`], {
    encoding: "utf8"
  })
    .split("\n")
    .filter((line) => line.length > 0)

const forceRemove = (kind: Kind, name: string) => {
  try {
    execFileSync(kind, ["container", "rm", "--force", name], { stdio: "ignore" })
  } catch {
    // absent already
  }
}

/** The names of a container's volumes, asked of the runtime directly. */
const volumesOf = (kind: Kind, container: string): ReadonlyArray<string> =>
  execFileSync(kind, ["container", "inspect", "--format", "{{range .Mounts}}{{.Name}} {{end}}", container], {
    encoding: "utf8"
  })
    .split(/\s+/)
    .filter((name) => name.length > 0)

const volumeExists = (kind: Kind, volume: string): boolean =>
  spawnSync(kind, ["volume", "inspect", volume], { stdio: "ignore" }).status === 0

/** One HTTP GET over a raw socket from the host: the status line, or "" when nothing answered in time. */
const httpStatusLine = (host: string, port: number) =>
  Effect.async<string>((resume) => {
    let received = ""
    const socket = connect({ host, port }, () => socket.write("GET / HTTP/1.0\r\n\r\n"))
    socket.setTimeout(2_000, () => socket.destroy())
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1")
    })
    socket.on("close", () => resume(Effect.succeed(received.split("\r\n")[0] ?? "")))
    socket.on("error", () => undefined)
    return Effect.sync(() => socket.destroy())
  })

describeEachRuntime("containers", (kind) => {
  // excludeTestServices: the live clock, so CLI timeouts, sleeps and retries really fire
  layer(runtimeLayer(kind), { timeout: "60 seconds", excludeTestServices: true })((it) => {
    it.effect("1: runs in the foreground and returns stdout", () =>
      Effect.gen(function* () {
        const result = yield* Container.run(
          Def.make(TEST_IMAGE).pipe(Def.withRemove, Def.command(["echo", "Hello, World!"]))
        )
        expect(result.stdout.trim()).toBe("Hello, World!")
        expect(result.exitCode).toBe(0)
      })
    )

    it.effect("3: env values reach the container but never the CLI's argv", () =>
      Effect.gen(function* () {
        const result = yield* Container.run(
          Def.make(TEST_IMAGE).pipe(
            Def.withRemove,
            Def.env({ TEST_VAR: "test_value", SECRET: Redacted.make("hunter2-secret") }),
            Def.command(["sh", "-c", 'echo "$TEST_VAR $SECRET"'])
          )
        )
        expect(result.stdout.trim()).toBe("test_value hunter2-secret")
        expect(result.argv.join(" ")).not.toContain("test_value")
        expect(result.argv.join(" ")).not.toContain("hunter2-secret")
        expect(result.argv).toContain("TEST_VAR")
      })
    )

    it.effect("reserved names (PATH, HOME) reach the container without breaking the CLI", () =>
      Effect.gen(function* () {
        const result = yield* Container.run(
          Def.make(TEST_IMAGE).pipe(
            Def.withRemove,
            Def.env({ HOME: "/custom-home", PATH: "/bin:/custom/bin" }),
            Def.command(["sh", "-c", 'echo "$HOME $PATH"'])
          )
        )
        expect(result.stdout.trim()).toBe("/custom-home /bin:/custom/bin")
        expect(result.argv.join(" ")).not.toContain("/custom-home")
      })
    )

    it.scoped("4–9: exec output, exit codes, stdin bytes, user and workdir", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(sleeper)
        expect((yield* c.exec(["echo", "Container is running!"])).stdout).toBe("Container is running!\n")
        expect((yield* c.exec(["true"])).exitCode).toBe(0)
        expect((yield* c.exec(["false"])).exitCode).toBe(1)
        const failed = yield* Effect.flip(c.execSuccess(["false"]))
        expect(failed._tag).toBe("ContainerExitedNonZero")
        const stdin = yield* c.exec(["cat"], { stdin: "hello from stdin" })
        expect(stdin.stdout).toBe("hello from stdin")
        const bytes = new Uint8Array([0, 1, 2, 250, 255, 10])
        expect(Array.from((yield* c.exec(["cat"], { stdin: bytes })).stdoutBytes)).toEqual(Array.from(bytes))
        expect((yield* c.exec(["id", "-u"], { user: "1234:5678" })).stdout.trim()).toBe("1234")
        expect((yield* c.exec(["id", "-g"], { user: "1234:5678" })).stdout.trim()).toBe("5678")
        expect((yield* c.exec(["pwd"], { workdir: "/tmp" })).stdout.trim()).toBe("/tmp")
        const env = yield* c.exec(["sh", "-c", 'echo "$A-$B"'], { env: { A: "1", B: Redacted.make("2") } })
        expect(env.stdout.trim()).toBe("1-2")
        expect(env.argv.join(" ")).not.toContain("1-2")
      })
    )

    it.scoped("10: a published port has a host port reachable from the host", () =>
      Effect.gen(function* () {
        const web = yield* Container.start(
          Def.make(TEST_IMAGE).pipe(
            Def.command(["sh", "-c", "echo hello > /www/index.html && exec httpd -f -p 8080 -h /www"]),
            Def.publish(Either.getOrThrow(Port.publish(Port.tcp(8080), { hostIp: "127.0.0.1" })))
          )
        )
        const { host, port } = yield* web.hostPort(Port.tcp(8080))
        expect(host).toBe("127.0.0.1")
        expect(port).toBeGreaterThan(0)
        // httpd needs a moment to listen; an answer proves the host port reaches the container
        const status = yield* httpStatusLine(host, port).pipe(
          Effect.filterOrFail((line) => line.startsWith("HTTP/")),
          Effect.retry({ schedule: Schedule.spaced("200 millis"), times: 50 })
        )
        expect(status).toMatch(/^HTTP\/1\.[01] 200/)
      })
    )

    it.scoped("11: an unpublished port is PortNotPublished", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(sleeper)
        const error = yield* Effect.flip(c.hostPort(Port.tcp(8080)))
        expect(error._tag).toBe("PortNotPublished")
      })
    )

    it.scoped("12: the name lands, without Docker's leading slash", () =>
      Effect.gen(function* () {
        const name = unique("named")
        forceRemove(kind, name)
        const c = yield* Container.start(sleeper.pipe(Def.name(name)))
        expect(yield* c.name).toBe(name)
      })
    )

    it.scoped("13: a duplicate name is NameInUse", () =>
      Effect.gen(function* () {
        const name = unique("duplicate")
        forceRemove(kind, name)
        yield* Container.start(sleeper.pipe(Def.name(name)))
        const error = yield* Effect.flip(Container.start(sleeper.pipe(Def.name(name))))
        expect(error._tag).toBe("NameInUse")
        if (error._tag === "NameInUse") expect(error.name).toBe(name)
      })
    )

    it.scoped("14: labels round-trip, with the ownership labels added", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(
          sleeper.pipe(Def.labels({ "ociman-test.session": "integration", "ociman-test.managed": "1" }))
        )
        const labels = yield* c.labels
        expect(labels.get("ociman-test.session")).toBe("integration")
        expect(labels.get("ociman-test.managed")).toBe("1")
        expect(labels.get("ociman.managed")).toBe("true")
        expect(labels.get("ociman.pid")).toBe(String(process.pid))
        expect(labels.get("ociman.session")).toMatch(/^[0-9a-f-]{36}$/)
      })
    )

    it.scoped("15: list by label (key only, exact, no match, stopped ones too)", () =>
      Effect.gen(function* () {
        const marker = Either.getOrThrow(Label.key(`ociman-test.list-${process.pid}`))
        const session = Either.getOrThrow(Label.key("ociman-test.list-session"))
        const [a] = yield* Effect.all(
          [
            Container.start(sleeper.pipe(Def.labels({ [marker]: "present", [session]: "alpha" }))),
            Container.start(sleeper.pipe(Def.labels({ [marker]: "present", [session]: "beta" }))),
            Container.start(sleeper.pipe(Def.labels({ [marker]: "present" })))
          ],
          { concurrency: "unbounded" }
        )
        expect((yield* Container.list([Label.keyOnly(marker)])).length).toBe(3)
        const alpha = yield* Container.list([
          Label.keyOnly(marker),
          Label.exact(session, Either.getOrThrow(Label.value("alpha")))
        ])
        expect(alpha.map((c) => c.id)).toEqual([a.id])
        const none = yield* Container.list([
          Label.keyOnly(marker),
          Label.exact(session, Either.getOrThrow(Label.value("nonexistent")))
        ])
        expect(none).toEqual([])
        yield* a.stop({ timeout: "5 seconds" })
        expect((yield* Container.list([Label.keyOnly(marker)])).length).toBe(3)
      })
    )

    it.effect("31/32: a foreground exit code 0 succeeds; non-zero is ContainerExitedNonZero", () =>
      Effect.gen(function* () {
        yield* Container.run(Def.make(TEST_IMAGE).pipe(Def.withRemove, Def.entrypoint("true")))
        const error = yield* Effect.flip(
          Container.run(Def.make(TEST_IMAGE).pipe(Def.withRemove, Def.command(["sh", "-c", "echo oops >&2; exit 3"])))
        )
        expect(error._tag).toBe("ContainerExitedNonZero")
        if (error._tag === "ContainerExitedNonZero") {
          expect(error.exitCode).toBe(3)
          expect(error.stderr.trim()).toBe("oops")
        }
      })
    )

    // a command's stdio are pipes it can open by path (a socket cannot be: "No such device or
    // address"), as server images' logs linked to /dev/stdout and /dev/stderr need
    it.effect("a removed foreground run's command opens /dev/stdout, /dev/stderr and /dev/stdin by path", () =>
      Effect.gen(function* () {
        const result = yield* Container.run(
          Def.make(TEST_IMAGE).pipe(
            Def.withRemove,
            Def.withInteractive,
            Def.command(["sh", "-c", "echo out > /dev/stdout; echo err > /dev/stderr; cat /dev/stdin"])
          ),
          { stdin: "in\n" }
        )
        expect(result.stdout).toBe("out\nin\n")
        expect(result.stderr).toBe("err\n")
      })
    )

    it.effect(
      "a removed foreground run cut short by its timeout fails typed, in seconds, and leaves no container",
      () =>
        Effect.gen(function* () {
          const marker = unique("cut-short")
          const started = Date.now()
          const error = yield* Effect.flip(
            Container.run(
              Def.make(TEST_IMAGE).pipe(Def.withRemove, Def.labels({ [marker]: "1" }), Def.command(["sleep", "60"])),
              { timeout: "2 seconds" }
            )
          )
          expect(error._tag).toBe("CommandTimedOut")
          expect(Date.now() - started).toBeLessThan(30_000)
          expect(idsWithLabel(kind, marker)).toEqual([])
        })
    )

    it.effect("33: workdir", () =>
      Effect.gen(function* () {
        const result = yield* Container.run(
          Def.make(TEST_IMAGE).pipe(Def.withRemove, Def.workdir("/tmp"), Def.entrypoint("pwd"))
        )
        expect(result.stdout.trim()).toBe("/tmp")
      })
    )

    it.effect("a missing image under pull policy never is ImageNotFound", () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(
          Container.run(
            Def.make("localhost/ociman-test/does-not-exist:1").pipe(Def.withRemove, Def.pullPolicy("never"))
          )
        )
        expect(error._tag).toBe("ImageNotFound")
      })
    )

    it.effect("bad input is a typed error before anything runs", () =>
      Effect.gen(function* () {
        expect((yield* Effect.flip(Container.run(Def.make("Not A Ref"))))._tag).toBe("InvalidImageReference")
      })
    )

    it.effect("34: commit (stop → commit → remove) keeps the file system", () =>
      Effect.gen(function* () {
        const reference = `localhost/ociman-test/commit-${process.pid}:1`
        const c = yield* Container.startDetached(sleeper)
        yield* c.execSuccess(["touch", "/committed-file"])
        yield* c.stop({ timeout: "5 seconds" })
        yield* c.commit(reference, { pause: false })
        yield* c.remove()
        const result = yield* Container.run(
          Def.make(reference).pipe(Def.withRemove, Def.command(["ls", "/committed-file"]))
        )
        expect(result.stdout.trim()).toBe("/committed-file")
        execFileSync(kind, ["image", "rm", reference], { stdio: "ignore" })
      })
    )

    it.effect("35/36/38/39: exists, remove --force, inspect after removal", () =>
      Effect.gen(function* () {
        const c = yield* Container.startDetached(sleeper)
        expect(yield* Container.exists(c.id)).toBe(true)
        expect((yield* c.inspect).state.running).toBe(true)
        yield* c.remove({ force: true })
        expect(yield* Container.exists(c.id)).toBe(false)
        expect(yield* Container.exists("0".repeat(64))).toBe(false)
        const error = yield* Effect.flip(c.inspect)
        expect(error._tag).toBe("ContainerNotFound")
      })
    )

    it.scoped("logs as time-ordered lines tagged stdout / stderr; wait returns the exit code", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(
          Def.make(TEST_IMAGE).pipe(
            Def.command(["sh", "-c", "echo one; sleep 0.1; echo two >&2; sleep 0.1; echo three; exit 4"])
          )
        )
        expect(yield* c.wait).toBe(4)
        expect(yield* c.logs).toEqual([
          { stream: "stdout", text: "one" },
          { stream: "stderr", text: "two" },
          { stream: "stdout", text: "three" }
        ])
      })
    )

    it.scoped("streamLogs with follow: a line written after the stream began arrives before the exit", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(
          Def.make(TEST_IMAGE).pipe(
            Def.command(["sh", "-c", "echo first; while [ ! -e /tmp/go ]; do sleep 0.1; done; echo second >&2"])
          )
        )
        const first = yield* Deferred.make<void>()
        const following = yield* Effect.fork(
          c.streamLogs({ follow: true }).pipe(
            Stream.tap((line) => (line.text === "first" ? Deferred.succeed(first, undefined) : Effect.void)),
            Stream.runCollect
          )
        )
        yield* Deferred.await(first)
        // "second" is not written yet: only the exec below lets the container go on
        yield* c.execSuccess(["touch", "/tmp/go"])
        expect(Chunk.toReadonlyArray(yield* Fiber.join(following))).toEqual([
          { stream: "stdout", text: "first" },
          { stream: "stderr", text: "second" }
        ])
        expect(yield* c.wait).toBe(0)
      })
    )

    it.scoped("streamExec: lines arrive while the command runs; interrupting the stream ends the exec process", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(sleeper)
        const started = yield* Deferred.make<void>()
        const running = yield* Effect.fork(
          c.streamExec(["sh", "-c", "echo started; while [ ! -e /tmp/done ]; do sleep 0.1; done; echo finished"]).pipe(
            Stream.tap(() => Deferred.succeed(started, undefined)),
            Stream.runCollect
          )
        )
        yield* Deferred.await(started)
        expect(Option.isNone(yield* Fiber.poll(running))).toBe(true)
        yield* c.execSuccess(["touch", "/tmp/done"])
        expect(Chunk.toReadonlyArray(yield* Fiber.join(running)).map((line) => line.text)).toEqual([
          "started",
          "finished"
        ])

        const marker = `sleep ${40 + (process.pid % 10)}`
        const interrupted = yield* Effect.fork(Stream.runDrain(c.streamExec(marker.split(" "))))
        yield* Effect.sleep("1 second")
        if ((yield* ContainerRuntime.ContainerRuntime).backend.transport === "cli") {
          // the exec is a CLI process of this machine, which the interruption ends
          const cliProcesses = () =>
            spawnSync("pgrep", ["-f", `exec ${c.id} ${marker}`], { encoding: "utf8" }).stdout.trim()
          expect(cliProcesses()).not.toBe("")
          yield* Fiber.interrupt(interrupted)
          expect(cliProcesses()).toBe("")
        } else {
          // over the API it is a request on a connection, which the interruption closes at once,
          // long before the command (40 s and more) would have ended it
          expect(Option.isNone(yield* Fiber.poll(interrupted))).toBe(true)
          const exit = yield* Fiber.interrupt(interrupted).pipe(Effect.timeout("5 seconds"))
          expect(Exit.isInterrupted(exit)).toBe(true)
        }
      })
    )

    it.effect("anonymous volumes go with the container (scoped release, remove); volumes: false keeps them", () =>
      Effect.gen(function* () {
        const withVolume = sleeper.pipe(Def.mount(yield* Mount.volume({ target: "/data" })))
        const released = yield* Effect.scoped(Effect.map(Container.start(withVolume), (c) => volumesOf(kind, c.id)))
        expect(released.length).toBe(1)
        expect(released.filter((volume) => volumeExists(kind, volume))).toEqual([])

        const removed = yield* Container.startDetached(withVolume)
        const [removedVolume] = volumesOf(kind, removed.id)
        yield* removed.remove({ force: true })
        expect(removedVolume !== undefined && volumeExists(kind, removedVolume)).toBe(false)

        const kept = yield* Container.startDetached(withVolume)
        const [keptVolume = ""] = volumesOf(kind, kept.id)
        yield* kept.remove({ force: true, volumes: false })
        expect(volumeExists(kind, keptVolume)).toBe(true)
        execFileSync(kind, ["volume", "rm", keptVolume], { stdio: "ignore" })
      })
    )

    it.effect("scoped containers are removed after success, failure, interruption and timeout", () =>
      Effect.gen(function* () {
        const runtime = yield* ContainerRuntime.ContainerRuntime
        const marker = `ociman-test.scoped-${process.pid}-${Date.now()}`
        const def = sleeper.pipe(Def.labels({ [marker]: "1" }))
        // success
        yield* Effect.scoped(Container.start(def))
        // failure after start
        yield* Effect.scoped(Effect.zipRight(Container.start(def), Effect.fail("boom"))).pipe(Effect.ignore)
        // interruption while the scope is open
        const fiber = yield* Effect.fork(Effect.scoped(Effect.zipRight(Container.start(def), Effect.never)))
        yield* Effect.sleep("3 seconds")
        yield* Fiber.interrupt(fiber)
        // timeout
        yield* Effect.scoped(Effect.zipRight(Container.start(def), Effect.never)).pipe(
          Effect.timeout("3 seconds"),
          Effect.ignore
        )
        expect(runtime.backend.kind).toBe(kind)
        expect(idsWithLabel(kind, marker)).toEqual([])
      })
    )

    it.effect(
      "20 scoped containers start concurrently and are all removed",
      () =>
        Effect.gen(function* () {
          const marker = `ociman-test.concurrent-${process.pid}`
          const scope = yield* Scope.make()
          const started = yield* Effect.all(
            Array.from({ length: 20 }, () => Container.start(sleeper.pipe(Def.labels({ [marker]: "1" })))),
            { concurrency: "unbounded" }
          ).pipe(Scope.extend(scope))
          expect(new Set(started.map((c) => c.id)).size).toBe(20)
          expect(idsWithLabel(kind, marker).length).toBe(20)
          yield* Scope.close(scope, Exit.void)
          expect(idsWithLabel(kind, marker)).toEqual([])
        }),
      { timeout: 180_000 }
    )

    /** A container whose first process writes `<dir>/terminated` when it gets SIGTERM. */
    const recordingSigterm = (dir: string) =>
      Effect.map(Mount.bind({ source: dir, target: "/out" }), (mount) =>
        Def.make(TEST_IMAGE).pipe(
          Def.mount(mount),
          Def.command(["sh", "-c", "trap 'echo yes > /out/terminated; exit 0' TERM; sleep 600 & wait"])
        )
      )

    it.effect("release: one forced removal by default (no SIGTERM, no grace); a graceful stop with stopTimeout", () =>
      Effect.gen(function* () {
        const forcedDir = mkdtempSync(join(tmpdir(), "ociman-release-"))
        const forced = yield* recordingSigterm(forcedDir)
        const forcedId = yield* Effect.scoped(Effect.map(Container.start(forced), (c) => c.id))
        expect(yield* Container.exists(forcedId)).toBe(false)
        expect(existsSync(join(forcedDir, "terminated"))).toBe(false)

        const gracefulDir = mkdtempSync(join(tmpdir(), "ociman-release-"))
        const graceful = yield* recordingSigterm(gracefulDir)
        const gracefulId = yield* Effect.scoped(
          Effect.map(Container.start(graceful, { stopTimeout: "10 seconds" }), (c) => c.id)
        )
        expect(yield* Container.exists(gracefulId)).toBe(false)
        expect(readFileSync(join(gracefulDir, "terminated"), "utf8")).toBe("yes\n")
      })
    )

    it.effect(
      "startAll: starts together and releases together (three 3 s graceful stops end in one period, not three)",
      () =>
        Effect.gen(function* () {
          const marker = `ociman-test.start-all-${process.pid}`
          // busybox `sleep` as the first process ignores SIGTERM: each graceful stop takes its full 3 s
          const stubborn = Def.make(TEST_IMAGE).pipe(Def.command(["sleep", "600"]), Def.labels({ [marker]: "1" }))
          const scope = yield* Scope.make()
          const started = yield* Container.startAll([stubborn, stubborn, stubborn], { stopTimeout: "3 seconds" }).pipe(
            Scope.extend(scope)
          )
          expect(started).toHaveLength(3)
          expect(idsWithLabel(kind, marker)).toHaveLength(3)
          const releasedAt = Date.now()
          yield* Scope.close(scope, Exit.void)
          // one after another would take at least 9 s
          expect(Date.now() - releasedAt).toBeLessThan(7_000)
          expect(idsWithLabel(kind, marker)).toEqual([])
        }),
      { timeout: 120_000 }
    )

    it.effect("startAll: when one start fails, the others are removed before it fails, not at the scope's end", () =>
      Effect.gen(function* () {
        const marker = `ociman-test.start-all-failed-${process.pid}`
        const good = sleeper.pipe(Def.labels({ [marker]: "1" }))
        const missing = Def.make("localhost/ociman-test/absent:1").pipe(Def.pullPolicy("never"))
        const scope = yield* Scope.make()
        const failed = yield* Effect.flip(Container.startAll([good, good, missing]).pipe(Scope.extend(scope)))
        expect(failed._tag).toBe("ImageNotFound")
        // the caller's scope is still open
        expect(idsWithLabel(kind, marker)).toEqual([])
        yield* Scope.close(scope, Exit.void)
      })
    )
  })
})
