/**
 * The Engine-API client and container operations against a fake engine on a unix socket: status
 * mapping onto the CLI wing's typed errors, framed exec output, timeouts, interruption, keep-alive.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Fiber, Option, Stream } from "effect"
import type * as http from "node:http"
import * as Def from "../../src/ContainerDefinition.js"
import * as EnvVar from "../../src/EnvVar.js"
import type { ExecSpec } from "../../src/ContainerRuntime.js"
import { makeApiContainerOperations } from "../../src/internal/api/containers.js"
import { addressOf, type EngineClient, makeClient } from "../../src/internal/api/http.js"
import { validate } from "../../src/internal/containerSpec.js"
import { backendOf } from "../support/backend.js"
import { cliOpsThatDie } from "../support/cliOpsThatDie.js"
import { fakeEngineServer, type PlainHandler } from "../support/fakeEngine.js"

/** A fake engine on a fresh socket; `connections` counts the TCP-level connections it accepted. */
const fakeEngine = (handler: PlainHandler) => {
  let connections = 0
  return Effect.map(
    fakeEngineServer(handler, (server) => server.on("connection", () => (connections += 1))),
    ({ client, url }) => ({ client, connections: () => connections, url })
  )
}

const json = (res: http.ServerResponse, status: number, value: unknown) => {
  const text = JSON.stringify(value)
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) })
  res.end(text)
}

const frame = (stream: 1 | 2, text: string): Buffer => {
  const payload = Buffer.from(text)
  const header = Buffer.alloc(8)
  header[0] = stream
  header.writeUInt32BE(payload.length, 4)
  return Buffer.concat([header, payload])
}

const backend = backendOf("docker", "api")

/** The CLI wing stand-in: these tests must never fall back to it. */
const cliOps = cliOpsThatDie

const execSpec: ExecSpec = {
  command: ["echo", "hi"],
  env: [],
  user: undefined,
  workdir: undefined,
  stdin: undefined,
  tty: false,
  interactive: false
}

describe("EngineClient", () => {
  it.scoped("reuses one kept-alive connection for successive requests", () =>
    Effect.gen(function* () {
      const engine = yield* fakeEngine((_req, res) => json(res, 200, { ok: true }))
      for (let i = 0; i < 3; i++) {
        const response = yield* engine.client.request({
          method: "GET",
          template: "/x",
          path: "/x",
          timeout: "5 seconds"
        })
        expect(response.status).toBe(200)
      }
      expect(engine.connections()).toBe(1)
    })
  )

  it.scoped("an engine that does not answer is EngineRequestTimedOut naming the template", () =>
    Effect.gen(function* () {
      const engine = yield* fakeEngine(() => undefined)
      const error = yield* Effect.flip(
        engine.client.request({
          method: "GET",
          template: "/containers/{id}/json",
          path: "/containers/a/json",
          timeout: "100 millis"
        })
      )
      expect(error).toMatchObject({ _tag: "EngineRequestTimedOut", path: "/containers/{id}/json", timeoutMillis: 100 })
    })
  )

  it.effect("a socket nobody listens on is EngineUnreachable", () =>
    Effect.gen(function* () {
      const client = makeClient(Option.getOrThrow(addressOf("unix:///nonexistent/ociman/engine.sock")))
      const error = yield* Effect.flip(
        client.request({ method: "GET", template: "/_ping", path: "/_ping", timeout: "1 second" })
      )
      expect(error._tag).toBe("EngineUnreachable")
    })
  )

  it.scopedLive("interrupting a streamed call whose headers have not come ends at once (Podman's quiet follow)", () =>
    Effect.gen(function* () {
      const engine = yield* fakeEngine(() => undefined)
      const fiber = yield* Effect.fork(
        Effect.scoped(
          Effect.flatMap(
            engine.client.open({ method: "GET", template: "/logs", path: "/logs", timeout: "60 seconds" }),
            (opened) => Stream.runDrain(opened.body)
          )
        )
      )
      yield* Effect.sleep("100 millis")
      const started = Date.now()
      yield* Fiber.interrupt(fiber)
      expect(Date.now() - started).toBeLessThan(1_000)
    })
  )

  it.scopedLive("interrupting a quiet streamed answer ends at once", () =>
    Effect.gen(function* () {
      const engine = yield* fakeEngine((_req, res) => {
        res.writeHead(200)
        res.write(frame(1, "first\n"))
      })
      const opened = yield* engine.client.open({
        method: "GET",
        template: "/logs",
        path: "/logs",
        timeout: "5 seconds"
      })
      const fiber = yield* Effect.fork(Stream.runCollect(opened.body))
      yield* Effect.sleep("100 millis")
      const started = Date.now()
      yield* Fiber.interrupt(fiber)
      expect(Date.now() - started).toBeLessThan(1_000)
    })
  )
})

describe("API container operations (error mapping, framing)", () => {
  const ops = (client: EngineClient) =>
    makeApiContainerOperations(backend, client, () => Effect.die("no CLI in this test"), cliOps)

  it.scoped("404 is ContainerNotFound for inspect, stop, logs, wait, exec; a forced remove of it succeeds", () =>
    Effect.gen(function* () {
      const engine = yield* fakeEngine((_req, res) => json(res, 404, { message: "No such container: gone" }))
      const c = ops(engine.client)
      const tags = yield* Effect.all([
        Effect.flip(c.inspect("gone")),
        Effect.flip(c.stop("gone", { timeoutSeconds: 1 })),
        Effect.flip(c.remove("gone", { force: false, volumes: false })),
        Effect.flip(c.logs("gone")),
        Effect.flip(c.wait("gone")),
        Effect.flip(c.exec("gone", execSpec)),
        Effect.flip(Stream.runDrain(c.streamLogs("gone", { follow: true })))
      ])
      expect(tags.map((error) => error._tag)).toEqual(Array.from({ length: 7 }, () => "ContainerNotFound"))
      yield* c.remove("gone", { force: true, volumes: true })
      expect(yield* c.exists("gone")).toBe(false)
    })
  )

  it.scoped("create: 409 is NameInUse, a missing image under pull policy never is ImageNotFound", () =>
    Effect.gen(function* () {
      const engine = yield* fakeEngine((req, res) =>
        req.url?.includes("name=taken")
          ? json(res, 409, { message: 'Conflict. The container name "/taken" is already in use' })
          : json(res, 404, { message: "No such image: localhost/nope:1" })
      )
      const c = ops(engine.client)
      const taken = Either.getOrThrow(validate(Def.make("localhost/nope:1").pipe(Def.name("taken"))))
      expect((yield* Effect.flip(c.runDetached(taken)))._tag).toBe("NameInUse")
      const absent = Either.getOrThrow(validate(Def.make("localhost/nope:1").pipe(Def.pullPolicy("never"))))
      expect(yield* Effect.flip(c.runDetached(absent))).toMatchObject({
        _tag: "ImageNotFound",
        image: "localhost/nope:1",
        stderr: "No such image: localhost/nope:1"
      })
    })
  )

  it.scoped("a start the engine refuses is ContainerStartFailed with its message, and the created container goes", () =>
    Effect.gen(function* () {
      const calls: Array<string> = []
      const engine = yield* fakeEngine((req, res) => {
        calls.push(`${req.method} ${req.url?.replace(/\?.*/, "")}`)
        if (req.url?.includes("/create")) return json(res, 201, { Id: "abc123", Warnings: [] })
        if (req.url?.includes("/start")) return json(res, 500, { message: "OCI runtime create failed" })
        res.writeHead(204)
        res.end()
      })
      const spec = Either.getOrThrow(validate(Def.make("localhost/ociman-test/busybox:1")))
      const error = yield* Effect.flip(ops(engine.client).runDetached(spec))
      expect(error).toMatchObject({ _tag: "ContainerStartFailed", stderr: "OCI runtime create failed" })
      expect(calls).toEqual([
        "POST /v1.41/containers/create",
        "POST /v1.41/containers/abc123/start",
        "DELETE /v1.41/containers/abc123"
      ])
    })
  )

  it.scoped("exec: both outputs demultiplexed, the exit code from the exec's inspect, values only in the body", () =>
    Effect.gen(function* () {
      let created = ""
      const engine = yield* fakeEngine((req, res, body) => {
        if (req.url?.endsWith("/exec")) {
          created = body
          return json(res, 201, { Id: "e1" })
        }
        if (req.url?.endsWith("/start")) {
          res.writeHead(200, { "Content-Type": "application/vnd.docker.raw-stream" })
          // one frame cut across two writes, then stderr
          const out = frame(1, "hello\n")
          res.write(out.subarray(0, 5))
          res.write(Buffer.concat([out.subarray(5), frame(2, "warn\n")]))
          return res.end()
        }
        return json(res, 200, { Running: false, ExitCode: 3 })
      })
      const result = yield* ops(engine.client).exec("c1", {
        ...execSpec,
        env: Either.getOrThrow(EnvVar.make([["TOKEN", "s3cret"]])),
        user: "1000",
        workdir: "/srv"
      })
      expect(result).toMatchObject({ exitCode: 3, stdout: "hello\n", stderr: "warn\n" })
      expect(result.argv.join(" ")).not.toContain("s3cret")
      expect(JSON.parse(created)).toMatchObject({
        Cmd: ["echo", "hi"],
        Env: ["TOKEN=s3cret"],
        User: "1000",
        WorkingDir: "/srv"
      })

      const lines = yield* Stream.runCollect(ops(engine.client).streamExec("c1", execSpec)).pipe(Effect.flip)
      expect(lines).toMatchObject({ _tag: "ContainerExitedNonZero", exitCode: 3, stdout: "hello\n", stderr: "warn\n" })
    })
  )

  it.scoped("an exec past its own timeout is CommandTimedOut naming the equivalent command, as on the CLI", () =>
    Effect.gen(function* () {
      const engine = yield* fakeEngine((req, res) => {
        if (req.url?.endsWith("/exec")) return json(res, 201, { Id: "e1" })
        res.writeHead(200) // the output never ends
        res.write(frame(1, "started\n"))
      })
      const error = yield* Effect.flip(ops(engine.client).exec("c1", execSpec, { timeout: "200 millis" }))
      expect(error).toMatchObject({ _tag: "CommandTimedOut", timeoutMillis: 200 })
      if (error._tag === "CommandTimedOut")
        expect(error.argv).toEqual(["docker", "container", "exec", "c1", "echo", "hi"])
      const streamed = yield* Effect.flip(
        Stream.runDrain(ops(engine.client).streamExec("c1", execSpec, { timeout: "200 millis" }))
      )
      expect(streamed).toMatchObject({ _tag: "CommandTimedOut", timeoutMillis: 200 })
    })
  )

  it.scoped("logs: framed lines with timestamps merged in time order", () =>
    Effect.gen(function* () {
      const engine = yield* fakeEngine((_req, res) => {
        res.writeHead(200)
        res.end(
          Buffer.concat([
            frame(1, "2026-01-01T00:00:00.1Z one\n"),
            frame(1, "2026-01-01T00:00:00.3Z three\n"),
            frame(2, "2026-01-01T00:00:00.2Z two\n")
          ])
        )
      })
      const lines = yield* ops(engine.client).logs("c1")
      expect(lines).toEqual([
        { stream: "stdout", text: "one" },
        { stream: "stderr", text: "two" },
        { stream: "stdout", text: "three" }
      ])
      const streamed = Chunk.toReadonlyArray(yield* Stream.runCollect(ops(engine.client).streamLogs("c1", {})))
      expect(streamed.map((line) => line.stream)).toEqual(["stdout", "stdout", "stderr"])
    })
  )
})
