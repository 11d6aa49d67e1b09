/**
 * Conformance: the waits of issue #17 and the start's log consumer. Part of the suite in
 * `suite.ts`, run on Docker, Podman (both transports) and the in-memory runtime:
 * - `Wait.exited(code)` for one-shot containers: ready once exited with that code, at once
 *   `ContainerExitedBeforeReady` with another;
 * - `Wait.publishedPorts` and `Wait.auto` (the healthcheck, else every published TCP port);
 * - the default wait of `Container.start` (`Wait.auto`), and `Wait.none`, its opt-out;
 * - `onLog`: every line from the first, during the wait, and those of a start that failed.
 */
import { expect } from "@effect/vitest"
import { Effect, Either, Ref, Schedule } from "effect"
import { Container, ContainerDefinition as Def, Port, TestRuntime, Wait } from "ociman"
import { type Part, partLayer, whereOf } from "./part.js"

const ONE_SHOT = ["sh", "-c", "echo migrated"]
const ONE_SHOT_FAILING = ["sh", "-c", "echo broken; exit 3"]
/** Listens only after a second: a wait that returned early would find nothing on the port. */
const SLOW_HTTPD = [
  "sh",
  "-c",
  "trap 'exit 0' TERM; sleep 1; mkdir -p /www && echo hello > /www/index.html && httpd -f -p 8080 -h /www & wait"
]
/** Healthy only once /tmp/ready exists, a second after the start. */
const SLOW_READY = ["sh", "-c", "trap 'exit 0' TERM; sleep 1; touch /tmp/ready; sleep 60 & wait"]
/** Listens only after two seconds (three for LATER_HTTPD): a start that did not wait finds nothing there. */
const LATE_HTTPD = ["sh", "-c", "sleep 2; exec httpd -f -p 8080"]
const LATER_HTTPD = ["sh", "-c", "sleep 3; exec httpd -f -p 8080"]
/** Healthy only once /tmp/ready exists, two seconds after the start. */
const LATE_READY = ["sh", "-c", "trap 'exit 0' TERM; sleep 2; touch /tmp/ready; sleep 60 & wait"]
/** A health check that never passes (run as `/bin/sh -c`, in memory too). */
const NEVER_HEALTHY = "echo never; exit 1"
const CHATTY_START = ["sh", "-c", "trap 'exit 0' TERM; echo one; echo two >&2; sleep 0.5; echo ready; sleep 60 & wait"]
const CHATTY_CRASH = ["sh", "-c", "echo about-to-fail; echo why >&2; exit 2"]

/** How the in-memory runtime answers the commands of these tests. */
export const waitsHandlers: ReadonlyArray<TestRuntime.Handler> = [
  TestRuntime.handler("*", ["/bin/sh", "-c", NEVER_HEALTHY], { stdout: "never\n", exitCode: 1 }),
  TestRuntime.handler("*", ONE_SHOT, { stdout: "migrated\n", exitCode: 0 }),
  TestRuntime.handler("*", ONE_SHOT_FAILING, { stdout: "broken\n", exitCode: 3 }),
  TestRuntime.handler("*", CHATTY_START, {
    output: [
      { stream: "stdout", text: "one" },
      { stream: "stderr", text: "two" },
      { stream: "stdout", text: "ready" }
    ]
  }),
  TestRuntime.handler("*", CHATTY_CRASH, {
    output: [
      { stream: "stdout", text: "about-to-fail" },
      { stream: "stderr", text: "why" }
    ],
    exitCode: 2
  })
]

/** Declares these tests for one runtime (see `conformance` in `suite.ts`). */
export const waitsConformance: Part = (kind, runtime, capabilities, image) => {
  const where = whereOf(kind, capabilities)

  partLayer(runtime)(`waits ${where}`, (it) => {
    it.scoped("waits: Wait.exited(0) returns once a one-shot container has exited 0", () =>
      Effect.gen(function* () {
        const job = yield* Container.start(Def.make(image).pipe(Def.command(ONE_SHOT)), {
          waitFor: Wait.exited(0),
          timeout: "30 seconds"
        })
        const { state } = yield* job.inspect
        expect(state.running).toBe(false)
        expect(state.exitCode).toBe(0)
        expect((yield* job.logs).map((line) => line.text)).toEqual(["migrated"])
      })
    )

    it.effect(
      "waits: Wait.exited(0) on a container that exits 3 is ContainerExitedBeforeReady with 3; it is removed",
      () =>
        Effect.gen(function* () {
          const error = yield* Effect.flip(
            Effect.scoped(
              Container.start(Def.make(image).pipe(Def.command(ONE_SHOT_FAILING)), {
                waitFor: Wait.exited(0),
                timeout: "30 seconds"
              })
            )
          )
          if (error._tag !== "ContainerExitedBeforeReady") return expect.fail(`${error._tag}: ${error.message}`)
          expect(error.exitCode).toBe(3)
          expect(error.strategy).toBe("exited with code 0")
          expect(error.lastLogs.map((line) => line.text)).toEqual(["broken"])
          expect(yield* Container.exists(error.container)).toBe(false)
          const invalid = yield* Effect.flip(
            Effect.scoped(Container.start(Def.make(image).pipe(Def.command(ONE_SHOT)), { waitFor: Wait.exited(256) }))
          )
          expect(invalid._tag).toBe("InvalidWaitStrategy")
        })
    )

    it.scoped(
      "waits: Wait.publishedPorts, and Wait.auto without a healthcheck, return once every published TCP port answers",
      () =>
        Effect.gen(function* () {
          const web = yield* Container.start(
            Def.make(image).pipe(
              Def.command(SLOW_HTTPD),
              Def.publish(Either.getOrThrow(Port.publish(Port.tcp(8080), { hostIp: "127.0.0.1" })))
            ),
            { waitFor: Wait.publishedPorts, timeout: "30 seconds" }
          )
          // the in-memory runtime has no sockets: its probe says what it simulates, as a real one would
          expect((yield* web.probePort({ _tag: "Tcp", port: Port.tcp(8080) }))._tag).toBe("Reached")
          // Wait.auto without a healthcheck: the same
          const auto = yield* Container.start(
            Def.make(image).pipe(
              Def.command(SLOW_HTTPD),
              Def.publish(Either.getOrThrow(Port.publish(Port.tcp(8080), { hostIp: "127.0.0.1" })))
            ),
            { waitFor: Wait.auto, timeout: "30 seconds" }
          )
          expect((yield* auto.probePort({ _tag: "Tcp", port: Port.tcp(8080) }))._tag).toBe("Reached")
          // a container that publishes nothing is ready at once
          yield* Container.start(Def.make(image).pipe(Def.command(["sleep", "60"])), {
            waitFor: Wait.publishedPorts,
            timeout: "30 seconds"
          })
        })
    )

    it.scoped("waits: Wait.auto waits for the healthcheck when there is one", () =>
      Effect.gen(function* () {
        const checked = Def.make(image).pipe(
          Def.command(SLOW_READY),
          Def.healthcheck({ command: ["test", "-f", "/tmp/ready"], interval: "500 millis", retries: 60 })
        )
        // in memory the health command, like any unknown command, exits 0 at once
        const c = yield* Container.start(checked, { waitFor: Wait.auto, timeout: "30 seconds" })
        expect((yield* c.exec(["test", "-f", "/tmp/ready"])).exitCode).toBe(0)
      })
    )

    it.scoped("waits: without waitFor, start returns once a published TCP port answers (Wait.auto)", () =>
      Effect.gen(function* () {
        const web = yield* Container.start(
          Def.make(image).pipe(
            Def.command(LATE_HTTPD),
            Def.publish(Either.getOrThrow(Port.publish(Port.tcp(8080), { hostIp: "127.0.0.1" })))
          ),
          { timeout: "30 seconds" }
        )
        // right when start returns: the server that listens two seconds after the start answers
        expect((yield* web.probePort({ _tag: "Tcp", port: Port.tcp(8080) }))._tag).toBe("Reached")
      })
    )

    it.scoped("waits: without waitFor, a container with a health check is healthy when start returns", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(
          Def.make(image).pipe(
            Def.command(LATE_READY),
            Def.healthcheck({ command: ["test", "-f", "/tmp/ready"], interval: "500 millis", retries: 60 })
          ),
          { timeout: "30 seconds" }
        )
        // Docker's status is what its last check said; Podman's `healthcheck run` runs it once more
        expect((yield* c.healthcheck)._tag).toBe("Healthy")
        // the in-memory runtime answers the check when asked; it prints no result of its own
        if (capabilities.processes) expect((yield* c.inspect).state.health?.status).toBe("healthy")
      })
    )

    it.scoped("waits: without waitFor, a one-shot container that publishes nothing starts, exited or not", () =>
      Effect.gen(function* () {
        const job = yield* Container.start(Def.make(image).pipe(Def.command(ONE_SHOT)), { timeout: "30 seconds" })
        expect(yield* job.wait).toBe(0)
        expect((yield* job.logs).map((line) => line.text)).toEqual(["migrated"])
      })
    )

    it.scoped("waits: Wait.none returns before the port answers and before the health check passes", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(
          Def.make(image).pipe(
            Def.command(LATER_HTTPD),
            Def.publish(Either.getOrThrow(Port.publish(Port.tcp(8080), { hostIp: "127.0.0.1" }))),
            Def.healthcheck({ command: NEVER_HEALTHY, interval: "500 millis", retries: 60 })
          ),
          { waitFor: Wait.none, timeout: "30 seconds" }
        )
        // nothing listens for three seconds, seen from inside (a probe from the host could meet
        // Docker's or rootless Podman's port proxy, which accepts while nothing listens); the
        // default would have waited for the port and then timed out on health
        if (capabilities.processes) {
          const seen = yield* c.exec([
            "sh",
            "-c",
            "wget -qO- http://127.0.0.1:8080/ 2>/dev/null || echo nothing-listens"
          ])
          expect(seen.stdout).toBe("nothing-listens\n")
        }
        expect((yield* c.healthcheck)._tag).toBe("Unhealthy")
        expect((yield* c.inspect).state.running).toBe(true)
      })
    )

    it.scoped("waits: onLog sees every line from the first, while the start waits", () =>
      Effect.gen(function* () {
        const seen = yield* Ref.make<ReadonlyArray<string>>([])
        yield* Container.start(Def.make(image).pipe(Def.command(CHATTY_START)), {
          waitFor: Wait.logLine(/^ready$/),
          timeout: "30 seconds",
          onLog: (line) => Ref.update(seen, (lines) => [...lines, `${line.stream}:${line.text}`])
        })
        // the follower runs beside the wait: it may hand over "ready" a moment after the wait saw it
        const lines = yield* Ref.get(seen).pipe(
          Effect.filterOrFail((lines) => lines.length >= 3),
          Effect.retry({ schedule: Schedule.spaced("50 millis"), times: 60 }),
          Effect.orElse(() => Ref.get(seen))
        )
        // each output in its order; between the two, the order the pipes happen to deliver them
        expect(lines.filter((line) => line.startsWith("stdout:"))).toEqual(["stdout:one", "stdout:ready"])
        expect(lines.filter((line) => line.startsWith("stderr:"))).toEqual(["stderr:two"])
        expect(lines).toHaveLength(3)
      })
    )

    it.effect("waits: onLog has every line of a start whose wait timed out, before the failure comes", () =>
      Effect.gen(function* () {
        const seen = yield* Ref.make<ReadonlyArray<string>>([])
        const error = yield* Effect.flip(
          Effect.scoped(
            Container.start(Def.make(image).pipe(Def.command(CHATTY_START)), {
              waitFor: Wait.logLine("never printed"),
              timeout: "3 seconds",
              onLog: (line) => Ref.update(seen, (lines) => [...lines, line.text])
            })
          )
        )
        expect(error._tag).toBe("WaitTimedOut")
        expect([...(yield* Ref.get(seen))].sort()).toEqual(["one", "ready", "two"])
      })
    )

    it.effect("waits: onLog has every line of a start that failed before the failure comes", () =>
      Effect.gen(function* () {
        const seen = yield* Ref.make<ReadonlyArray<string>>([])
        const error = yield* Effect.flip(
          Effect.scoped(
            Container.start(Def.make(image).pipe(Def.command(CHATTY_CRASH)), {
              waitFor: Wait.logLine("never printed"),
              timeout: "30 seconds",
              onLog: (line) => Ref.update(seen, (lines) => [...lines, line.text])
            })
          )
        )
        expect(error._tag).toBe("ContainerExitedBeforeReady")
        expect([...(yield* Ref.get(seen))].sort()).toEqual(["about-to-fail", "why"])
      })
    )
  })
}
