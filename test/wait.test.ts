/**
 * Acceptance: readiness strategies on real Docker and Podman, through `Container.start`'s
 * `waitFor`, including the failures (exit before ready, deadline) and the removal that follows.
 */
import { expect, layer } from "@effect/vitest"
import { Duration, Effect, Either, Fiber } from "effect"
import { execFileSync } from "node:child_process"
import { connect } from "node:net"
import { Container, ContainerDefinition as Def, Port } from "ociman"
// until src/index.ts exports it: `export * as Wait from "./Wait.js"`, then import it from "ociman"
import { Wait } from "ociman"
import { describeEachRuntime, type Kind, runtimeLayer, TEST_IMAGE } from "./support/backends.js"

/** A shell script as the container's command; `exit 0` on SIGTERM so stops are fast. */
const script = (body: string) => Def.make(TEST_IMAGE).pipe(Def.command(["sh", "-c", `trap 'exit 0' TERM; ${body}`]))

/** Loopback only: nothing outside this host can reach the test containers. */
const published = (port: number) =>
  Def.publish(Either.getOrThrow(Port.publish(Port.tcp(port), { hostIp: "127.0.0.1" })))

/** Asks the runtime directly (not through the library) whether a container still exists. */
const existsInRuntime = (kind: Kind, id: string): boolean =>
  execFileSync(kind, ["container", "list", "--all", "--quiet", "--no-trunc", "--filter", `id=${id}`], {
    encoding: "utf8"
  }).trim() !== ""

const tcpReachable = (host: string, port: number) =>
  Effect.async<boolean>((resume) => {
    const socket = connect({ host, port }, () => {
      socket.destroy()
      resume(Effect.succeed(true))
    })
    socket.on("error", () => resume(Effect.succeed(false)))
    return Effect.sync(() => socket.destroy())
  })

const elapsedSince = (start: number) => Date.now() - start

describeEachRuntime("wait", (kind) => {
  // Real time: the containers sleep for real (TestClock would freeze the backoff).
  layer(runtimeLayer(kind), { timeout: "60 seconds", excludeTestServices: true })((it) => {
    it.scoped("a log line printed after a delay", () =>
      Effect.gen(function* () {
        const start = Date.now()
        const c = yield* Container.start(script("sleep 1; echo ready; sleep 60 & wait"), {
          waitFor: Wait.logLine(/^ready$/),
          timeout: "30 seconds"
        })
        expect(elapsedSince(start)).toBeGreaterThanOrEqual(1000)
        const logs = yield* c.logs
        expect(logs.map((line) => line.text)).toContain("ready")
      })
    )

    it.scoped("a log line n times, on stderr only", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(script("echo tick; echo tick >&2; sleep 1; echo tick >&2; sleep 60 & wait"), {
          waitFor: Wait.logLine("tick", { times: 2, stream: "stderr" }),
          timeout: "30 seconds"
        })
        const stderrTicks = (yield* c.logs).filter((line) => line.stream === "stderr" && line.text === "tick")
        expect(stderrTicks.length).toBe(2)
      })
    )

    it.scoped("a TCP port reachable from the host", () =>
      Effect.gen(function* () {
        const start = Date.now()
        const c = yield* Container.start(script("sleep 1; httpd -f -p 9000 & wait").pipe(published(9000)), {
          waitFor: Wait.tcp(Port.tcp(9000)),
          timeout: "30 seconds"
        })
        expect(elapsedSince(start)).toBeGreaterThanOrEqual(1000)
        const { host, port } = yield* c.hostPort(Port.tcp(9000))
        expect(yield* tcpReachable(host, port)).toBe(true)
      })
    )

    it.scoped("a published port nobody listens on is not ready (Docker's proxy accepts and closes)", () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(
          Container.start(script("sleep 60 & wait").pipe(published(9000)), {
            waitFor: Wait.tcp(Port.tcp(9000)),
            timeout: "3 seconds"
          })
        )
        expect(error._tag).toBe("WaitTimedOut")
        if (error._tag === "WaitTimedOut") {
          expect(error.lastError).toMatch(kind === "docker" ? /closed it at once/ : /cannot connect|closed it at once/)
        }
      })
    )

    it.scoped("a command that succeeds inside the container", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(script("mkdir -p /tmp; sleep 1; touch /tmp/ready; sleep 60 & wait"), {
          waitFor: Wait.command(["test", "-f", "/tmp/ready"]),
          timeout: "30 seconds"
        })
        expect((yield* c.exec(["test", "-f", "/tmp/ready"])).exitCode).toBe(0)
      })
    )

    it.scoped("the HEALTHCHECK reporting healthy (Podman without systemd: healthcheck run)", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(
          script("mkdir -p /tmp; sleep 1; touch /tmp/ready; sleep 60 & wait").pipe(
            Def.rawFlags("--health-cmd", "test -f /tmp/ready", "--health-interval", "1s", "--health-retries", "30")
          ),
          { waitFor: Wait.healthy, timeout: "30 seconds" }
        )
        const health = (yield* c.inspect).state.health
        expect(health?.status).toBe("healthy")
      })
    )

    it.scoped("healthy without a HEALTHCHECK fails at once with HealthcheckMissing", () =>
      Effect.gen(function* () {
        const start = Date.now()
        const error = yield* Effect.flip(
          Container.start(script("sleep 60 & wait"), { waitFor: Wait.healthy, timeout: "30 seconds" })
        )
        expect(error._tag).toBe("HealthcheckMissing")
        expect(elapsedSince(start)).toBeLessThan(15_000)
      })
    )

    it.scoped("an HTTP status from busybox httpd", () =>
      Effect.gen(function* () {
        const web = script(
          "mkdir -p /www; echo hello > /www/index.html; sleep 1; httpd -f -p 8080 -h /www & wait"
        ).pipe(published(8080))
        const c = yield* Container.start(web, {
          waitFor: Wait.all(
            Wait.http({ port: Port.tcp(8080), path: "/index.html" }),
            Wait.http({ port: Port.tcp(8080), path: "/missing", status: 404 }),
            Wait.http({ port: Port.tcp(8080), path: "/index.html", method: "HEAD" })
          ),
          timeout: "30 seconds"
        })
        const { host, port } = yield* c.hostPort(Port.tcp(8080))
        const body = yield* Effect.promise(() => fetch(`http://${host}:${port}/index.html`).then((r) => r.text()))
        expect(body).toBe("hello\n")
      })
    )

    it.scoped("a wrong HTTP status times out and says what it got", () =>
      Effect.gen(function* () {
        const web = script("mkdir -p /www; httpd -f -p 8080 -h /www & wait").pipe(published(8080))
        const error = yield* Effect.flip(
          Container.start(web, { waitFor: Wait.http({ port: Port.tcp(8080), path: "/nope" }), timeout: "3 seconds" })
        )
        expect(error._tag).toBe("WaitTimedOut")
        if (error._tag === "WaitTimedOut") expect(error.lastError).toMatch(/answered 404, not 200/)
      })
    )

    it.scoped("all: every strategy must pass", () =>
      Effect.gen(function* () {
        const start = Date.now()
        yield* Container.start(
          script("echo first; mkdir -p /tmp; sleep 1; touch /tmp/ready; sleep 1; echo second; sleep 60 & wait"),
          {
            waitFor: Wait.all(
              Wait.logLine("first"),
              Wait.command(["test", "-f", "/tmp/ready"]),
              Wait.logLine("second")
            ),
            timeout: "30 seconds"
          }
        )
        expect(elapsedSince(start)).toBeGreaterThanOrEqual(2000)
      })
    )

    it.scoped("any: the first strategy to pass wins", () =>
      Effect.gen(function* () {
        const start = Date.now()
        yield* Container.start(script("sleep 1; echo ready; sleep 60 & wait"), {
          waitFor: Wait.any(Wait.command(["false"]), Wait.logLine("ready")),
          timeout: "30 seconds"
        })
        expect(elapsedSince(start)).toBeLessThan(20_000)
      })
    )

    it.scoped("a container that exits 3 before it is ready: its exit code and last log line, removed", () =>
      Effect.gen(function* () {
        const start = Date.now()
        const error = yield* Effect.flip(
          Container.start(script("echo starting; sleep 1; echo 'fatal: no config' >&2; exit 3"), {
            waitFor: Wait.logLine("never printed"),
            timeout: "60 seconds"
          })
        )
        expect(error._tag).toBe("ContainerExitedBeforeReady")
        if (error._tag !== "ContainerExitedBeforeReady") return
        expect(error.exitCode).toBe(3)
        expect(error.lastLogs.at(-1)).toEqual({ stream: "stderr", text: "fatal: no config" })
        expect(error.message).toContain("exited with code 3")
        // failed at once, not at the deadline
        expect(elapsedSince(start)).toBeLessThan(20_000)
        // removed before the error came back, while this test's scope is still open
        expect(existsInRuntime(kind, error.container)).toBe(false)
      })
    )

    it.scoped("a deadline that passes: WaitTimedOut, and the container is removed", () =>
      Effect.gen(function* () {
        const start = Date.now()
        const error = yield* Effect.flip(
          Container.start(script("echo booting; sleep 60 & wait"), {
            waitFor: Wait.command(["test", "-f", "/never"]),
            timeout: "3 seconds"
          })
        )
        expect(error._tag).toBe("WaitTimedOut")
        if (error._tag !== "WaitTimedOut") return
        expect(error.elapsedMillis).toBeGreaterThanOrEqual(3000)
        expect(elapsedSince(start)).toBeLessThan(20_000)
        expect(error.lastError).toMatch(/test -f \/never exited with 1/)
        expect(error.lastLogs.map((line) => line.text)).toContain("booting")
        expect(existsInRuntime(kind, error.container)).toBe(false)
      })
    )

    it.scoped("interrupting a start that waits removes the container", () =>
      Effect.gen(function* () {
        const labelled = script("sleep 60 & wait").pipe(Def.labels({ "ociman.test.wait": `interrupt-${process.pid}` }))
        const fiber = yield* Effect.fork(
          Container.start(labelled, { waitFor: Wait.command(["false"]), timeout: "60 seconds" })
        )
        yield* Effect.sleep("2 seconds")
        const start = Date.now()
        yield* Fiber.interrupt(fiber)
        expect(elapsedSince(start)).toBeLessThan(20_000)
        const left = execFileSync(
          kind,
          ["container", "list", "--all", "--quiet", "--filter", `label=ociman.test.wait=interrupt-${process.pid}`],
          { encoding: "utf8" }
        )
        expect(left.trim()).toBe("")
      })
    )

    it.scoped("Wait.forContainer on a running container, and the time budget across start", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(script("sleep 1; echo up; sleep 60 & wait"))
        yield* Wait.forContainer(c, Wait.logLine("up"), { timeout: "30 seconds" })
        const exhausted = yield* Effect.flip(
          Wait.forContainer(c, Wait.logLine("never"), {
            timeout: "1 second",
            startedAt: Date.now() - Duration.toMillis("5 seconds")
          })
        )
        expect(exhausted._tag).toBe("WaitTimedOut")
      })
    )
  })
})
