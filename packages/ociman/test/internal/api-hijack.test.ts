/**
 * The Engine-API client's taken-over connection (`EngineClient.hijack`, `Connection: Upgrade`)
 * against a fake engine on a unix socket: the 101 and the bytes that come with it, the input
 * written and the write side left open (or ended), a refusal as `EngineRequestFailed` with its
 * status and message, the timeout; and Docker's TTY exec fed stdin over it.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, type Chunk, Effect, Either, Exit, Option, Stream } from "effect"
import type * as http from "node:http"
import type * as net from "node:net"
import type { ContainerOperations, ExecSpec } from "../../src/ContainerRuntime.js"
import * as Def from "../../src/ContainerDefinition.js"
import { makeApiContainerOperations } from "../../src/internal/api/containers.js"
import { makeTtyInputRun } from "../../src/internal/api/hijack.js"
import { addressOf, type EngineRequest, makeClient } from "../../src/internal/api/http.js"
import { validate } from "../../src/internal/containerSpec.js"
import { backendOf } from "../support/backend.js"
import { cliOpsThatDie } from "../support/cliOpsThatDie.js"
import { fakeEngineServer, type PlainHandler } from "../support/fakeEngine.js"

/** An upgrade request as the fake engine saw it: its head, its JSON body, and the socket after that body. */
interface Upgrade {
  readonly req: http.IncomingMessage
  readonly body: string
  readonly socket: net.Socket
  /** What came after the body so far (the input), and whether the client ended its side. */
  readonly input: () => string
  readonly ended: () => boolean
  /** `listener` runs on each input until it returns true (it answered). */
  readonly onInput: (listener: () => boolean) => void
}

/** A fake engine: `onUpgrade` for upgrade requests, `plain` for the others. */
const fakeEngine = (
  onUpgrade: (upgrade: Upgrade) => void,
  plain: PlainHandler = (_req, res) => res.writeHead(404).end()
) =>
  fakeEngineServer(plain, (server) =>
    server.on("upgrade", (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      const length = Number(req.headers["content-length"] ?? 0)
      let received = Buffer.from(head)
      let ended = false
      const listeners: Array<() => boolean> = []
      let delivered = false
      const check = () => {
        if (delivered || received.length < length) return
        delivered = true
        onUpgrade({
          req,
          body: received.subarray(0, length).toString("utf8"),
          socket,
          input: () => received.subarray(length).toString("utf8"),
          ended: () => ended,
          onInput: (listener) => {
            if (!listener()) listeners.push(listener)
          }
        })
      }
      socket.on("data", (chunk: Buffer) => {
        received = Buffer.concat([received, chunk])
        check()
        listeners.splice(0, listeners.length, ...listeners.filter((listener) => !listener()))
      })
      socket.on("end", () => {
        ended = true
        listeners.splice(0, listeners.length, ...listeners.filter((listener) => !listener()))
      })
      check()
    })
  )

const UPGRADED =
  "HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n"

const startRequest: EngineRequest = {
  method: "POST",
  template: "/exec/{id}/start",
  path: "/exec/e1/start",
  body: { Detach: false, Tty: true },
  timeout: "5 seconds"
}

const text = (chunks: Chunk.Chunk<Uint8Array>): string => Buffer.concat(Array.from(chunks)).toString("utf8")

describe("EngineClient.hijack", () => {
  it.scoped("101: the bytes sent with it come first, the input is written, the write side stays open", () =>
    Effect.gen(function* () {
      const seen: Array<{ readonly line: string; readonly ended: boolean }> = []
      const engine = yield* fakeEngine((upgrade) => {
        seen.push({ line: `${upgrade.req.method} ${upgrade.req.url}`, ended: false })
        expect(upgrade.req.headers["connection"]).toBe("Upgrade")
        expect(upgrade.req.headers["upgrade"]).toBe("tcp")
        expect(JSON.parse(upgrade.body)).toEqual({ Detach: false, Tty: true })
        // the status line and the first output in one write: the client gets them as `head`
        upgrade.socket.write(`${UPGRADED}/dev/pts/0\r\n`)
        upgrade.onInput(() => {
          if (!upgrade.input().includes("\n")) return false
          seen.push({ line: upgrade.input(), ended: upgrade.ended() })
          upgrade.socket.end(`got:${upgrade.input()}`)
          return true
        })
      })
      const output = yield* engine.client.hijack(startRequest, new TextEncoder().encode("hello\n"), {
        endInput: false
      })
      expect(text(yield* Stream.runCollect(output))).toBe("/dev/pts/0\r\ngot:hello\n")
      expect(seen).toEqual([
        { line: "POST /v1.41/exec/e1/start", ended: false },
        { line: "hello\n", ended: false }
      ])
    })
  )

  it.scoped("with endInput the engine sees the end of the input after its bytes", () =>
    Effect.gen(function* () {
      const engine = yield* fakeEngine((upgrade) => {
        upgrade.socket.write(UPGRADED)
        upgrade.onInput(() => {
          if (!upgrade.ended()) return false
          upgrade.socket.end(`all:${upgrade.input()}`)
          return true
        })
      })
      const output = yield* engine.client.hijack(startRequest, new TextEncoder().encode("a\nb"), { endInput: true })
      expect(text(yield* Stream.runCollect(output))).toBe("all:a\nb")
    })
  )

  it.scoped("any other answer is EngineRequestFailed with its status and the engine's message", () =>
    Effect.gen(function* () {
      const engine = yield* fakeEngine((upgrade) => {
        const body = JSON.stringify({ message: "Container c1 is not running" })
        upgrade.socket.end(
          `HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
        )
      })
      const error = yield* Effect.flip(engine.client.hijack(startRequest, new Uint8Array(), { endInput: false }))
      expect(error).toMatchObject({
        _tag: "EngineRequestFailed",
        method: "POST",
        path: "/exec/{id}/start",
        status: 409,
        engineMessage: "Container c1 is not running"
      })
    })
  )

  it.scoped("an engine that never answers is EngineRequestTimedOut naming the template", () =>
    Effect.gen(function* () {
      const engine = yield* fakeEngine(() => undefined)
      const error = yield* Effect.flip(
        engine.client.hijack({ ...startRequest, timeout: "200 millis" }, new Uint8Array(), { endInput: false })
      )
      expect(error).toMatchObject({ _tag: "EngineRequestTimedOut", path: "/exec/{id}/start", timeoutMillis: 200 })
    })
  )

  it.effect("a socket nobody listens on is EngineUnreachable", () =>
    Effect.gen(function* () {
      const client = makeClient(Option.getOrThrow(addressOf("unix:///nonexistent/ociman-hijack.sock")))
      const error = yield* Effect.flip(
        Effect.scoped(client.hijack(startRequest, new Uint8Array(), { endInput: false }))
      )
      expect(error._tag).toBe("EngineUnreachable")
    })
  )
})

const ttySpec: ExecSpec = {
  command: ["sh", "-c", "tty; read x; echo got:$x; exit 7"],
  env: [],
  user: undefined,
  workdir: undefined,
  stdin: new TextEncoder().encode("hello\n"),
  tty: true,
  interactive: false
}

/** The CLI wing stand-in: an exec that reaches it says so in its stdout; nothing else may reach it. */
const cliOps: ContainerOperations = {
  ...cliOpsThatDie,
  exec: (_container, spec) =>
    Effect.succeed({
      exitCode: 0,
      stdout: `cli tty=${spec.tty}`,
      stderr: "",
      stdoutBytes: new Uint8Array(),
      stderrBytes: new Uint8Array(),
      argv: []
    })
}

const noCli = () => Effect.dieMessage("reached the raw CLI")

describe("a TTY exec fed stdin over the API", () => {
  it.scoped("Docker: created with stdin attached and a TTY, started on a taken-over connection, raw output", () =>
    Effect.gen(function* () {
      let created: unknown = undefined
      let input = ""
      const engine = yield* fakeEngine(
        (upgrade) => {
          upgrade.socket.write(`${UPGRADED}/dev/pts/3\r\n`)
          upgrade.onInput(() => {
            if (!upgrade.input().includes("\n")) return false
            input = upgrade.input()
            upgrade.socket.end("got:hello\r\n")
            return true
          })
        },
        (req, res, body) => {
          if (req.url?.endsWith("/exec")) {
            created = JSON.parse(body)
            res.writeHead(201, { "Content-Type": "application/json" }).end(JSON.stringify({ Id: "e1" }))
            return
          }
          res
            .writeHead(200, { "Content-Type": "application/json" })
            .end(JSON.stringify({ Running: false, ExitCode: 7 }))
        }
      )
      const ops = makeApiContainerOperations(backendOf("docker", "api"), engine.client, noCli, cliOps)
      const result = yield* ops.exec("c1", ttySpec)
      expect(created).toMatchObject({ AttachStdin: true, AttachStdout: true, Tty: true, Cmd: ttySpec.command })
      expect(input).toBe("hello\n")
      expect(result).toMatchObject({ exitCode: 7, stdout: "/dev/pts/3\r\ngot:hello\r\n", stderr: "" })
      expect(result.argv).toEqual(["docker", "container", "exec", "--tty", "--interactive", "c1", ...ttySpec.command])
    })
  )

  it.scoped("Podman: stays on its CLI, which takes a TTY fed from a pipe", () =>
    Effect.gen(function* () {
      const engine = yield* fakeEngine(
        () => undefined,
        (_req, res) => res.writeHead(500).end()
      )
      const ops = makeApiContainerOperations(backendOf("podman", "api"), engine.client, noCli, cliOps)
      const result = yield* ops.exec("c1", ttySpec)
      expect(result.stdout).toBe("cli tty=true")
    })
  )

  it.scoped(
    "Docker: a container the engine will not exec in gets the CLI's answer, without the TTY it would refuse",
    () =>
      Effect.gen(function* () {
        const engine = yield* fakeEngine(
          () => undefined,
          (_req, res) =>
            res
              .writeHead(409, { "Content-Type": "application/json" })
              .end(JSON.stringify({ message: "Container c1 is not running" }))
        )
        const ops = makeApiContainerOperations(backendOf("docker", "api"), engine.client, noCli, cliOps)
        const result = yield* ops.exec("c1", ttySpec)
        expect(result.stdout).toBe("cli tty=false")
      })
  )
})

/** The rest of the runtime: nothing here pulls or joins a network. */
const noRuntime = {
  pull: () => Stream.dieMessage("reached a pull"),
  connect: () => Effect.dieMessage("reached a network connect")
}

/** How the fake Docker answers the waits (by condition) and a removal. */
interface FakeDockerAnswers {
  readonly nextExit: object
  readonly removed?: object | undefined
  readonly deleteStatus?: number | undefined
}

/**
 * A foreground run with a TTY fed "hello\n", against a fake Docker whose command reads its line,
 * answers and exits: its exit (the run's result or error), the calls, the create's body.
 */
const runOnFakeDocker = (definition: Def.ContainerDefinition, answers: FakeDockerAnswers) =>
  Effect.gen(function* () {
    const calls: Array<string> = []
    let created: unknown = undefined
    let input = ""
    let attached: Upgrade | undefined
    const engine = yield* fakeEngine(
      (upgrade) => {
        calls.push(`${upgrade.req.method} ${upgrade.req.url}`)
        attached = upgrade
        upgrade.socket.write(UPGRADED)
      },
      (req, res, body) => {
        calls.push(`${req.method} ${req.url}`)
        if (req.url?.includes("/containers/create")) {
          created = JSON.parse(body)
          res.writeHead(201, { "Content-Type": "application/json" }).end(JSON.stringify({ Id: "c1" }))
          return
        }
        if (req.url?.includes("/wait")) {
          // headers at once, the status at the exit (or the removal)
          res.writeHead(200, { "Content-Type": "application/json" })
          res.flushHeaders()
          const answer = req.url.includes("condition=removed") ? answers.removed : answers.nextExit
          setTimeout(() => res.end(JSON.stringify(answer)), 50)
          return
        }
        if (req.method === "DELETE") {
          res.writeHead(answers.deleteStatus ?? 204, { "Content-Type": "application/json" })
          res.end(
            answers.deleteStatus === undefined ? undefined : JSON.stringify({ message: "device or resource busy" })
          )
          return
        }
        res.writeHead(204).end()
        if (!req.url?.endsWith("/start")) return
        // started: the command reads its line, answers and exits, which closes the attachment
        const upgrade = attached
        upgrade?.onInput(() => {
          if (!upgrade.input().includes("\n")) return false
          input = upgrade.input()
          upgrade.socket.end("/dev/pts/0\r\ngot:hello\r\n")
          return true
        })
      }
    )
    const spec = Either.getOrThrow(
      validate(
        definition.pipe(Def.command(["sh", "-c", "tty; read x; echo got:$x; exit 7"]), Def.withTty, Def.withInteractive)
      )
    )
    const run = makeTtyInputRun(backendOf("docker", "api"), engine.client, cliOps, noRuntime)
    const exit = yield* Effect.exit(run(spec, { stdin: new TextEncoder().encode("hello\n") }))
    return { exit, calls, created, input }
  })

const BUSYBOX = Def.make("localhost/ociman-test/busybox:1")
const DELETE = "DELETE /v1.41/containers/c1?force=1&v=1"

describe("a foreground run with a TTY fed stdin over the API", () => {
  it.scoped(
    "create with stdin attached, wait for the exit and the removal, attach, start; the output raw, the exit code from the wait",
    () =>
      Effect.gen(function* () {
        const { exit, calls, created, input } = yield* runOnFakeDocker(BUSYBOX.pipe(Def.withRemove), {
          nextExit: { StatusCode: 7, Error: null },
          removed: { StatusCode: 7, Error: null }
        })
        expect(exit).toMatchObject({
          _tag: "Success",
          value: { exitCode: 7, stdout: "/dev/pts/0\r\ngot:hello\r\n", stderr: "" }
        })
        expect(input).toBe("hello\n")
        expect(created).toMatchObject({
          Tty: true,
          OpenStdin: true,
          StdinOnce: true,
          AttachStdin: true,
          HostConfig: { AutoRemove: true }
        })
        // an auto-removed container is waited for until it is gone, as Docker's CLI waits for `run --rm`
        expect(calls).toEqual([
          "POST /v1.41/containers/create",
          "POST /v1.41/containers/c1/wait?condition=next-exit",
          "POST /v1.41/containers/c1/wait?condition=removed",
          "POST /v1.41/containers/c1/attach?stream=1&stdin=1&stdout=1&stderr=1",
          "POST /v1.41/containers/c1/start"
        ])
      })
  )

  it.scoped("an auto-removal the engine could not do (the removal wait's Error) is done by the run", () =>
    Effect.gen(function* () {
      const { exit, calls } = yield* runOnFakeDocker(BUSYBOX.pipe(Def.withRemove), {
        nextExit: { StatusCode: 7 },
        removed: { StatusCode: 7, Error: { Message: "unable to remove filesystem" } }
      })
      expect(exit).toMatchObject({ _tag: "Success", value: { exitCode: 7 } })
      expect(calls.at(-1)).toBe(DELETE)
    })
  )

  it.scoped("when the run cannot remove it either, the run fails with the engine's answer", () =>
    Effect.gen(function* () {
      const { exit } = yield* runOnFakeDocker(BUSYBOX.pipe(Def.withRemove), {
        nextExit: { StatusCode: 7 },
        removed: { StatusCode: 7, Error: { Message: "unable to remove filesystem" } },
        deleteStatus: 500
      })
      expect(Exit.isFailure(exit) && Cause.failureOption(exit.cause)).toMatchObject(
        Option.some({ _tag: "EngineRequestFailed", status: 500, engineMessage: "device or resource busy" })
      )
    })
  )

  it.scoped("a kept container (no withRemove) is waited for until its exit only, and not removed", () =>
    Effect.gen(function* () {
      const { exit, calls, created } = yield* runOnFakeDocker(BUSYBOX, { nextExit: { StatusCode: 7 } })
      expect(exit).toMatchObject({ _tag: "Success", value: { exitCode: 7 } })
      expect(created).toMatchObject({ HostConfig: { AutoRemove: false } })
      expect(calls.filter((call) => call.includes("/wait"))).toEqual([
        "POST /v1.41/containers/c1/wait?condition=next-exit"
      ])
      expect(calls).not.toContain(DELETE)
    })
  )

  it.scoped("a start the engine refuses is ContainerStartFailed with its message, and the created container goes", () =>
    Effect.gen(function* () {
      const calls: Array<string> = []
      const engine = yield* fakeEngine(
        (upgrade) => upgrade.socket.write(UPGRADED),
        (req, res) => {
          calls.push(`${req.method} ${req.url}`)
          if (req.url?.includes("/containers/create")) {
            res.writeHead(201, { "Content-Type": "application/json" }).end(JSON.stringify({ Id: "c1" }))
            return
          }
          if (req.url?.includes("/wait")) {
            res.writeHead(200, { "Content-Type": "application/json" })
            res.flushHeaders()
            return
          }
          if (req.url?.endsWith("/start")) {
            res
              .writeHead(400, { "Content-Type": "application/json" })
              .end(JSON.stringify({ message: 'exec: "nope": executable file not found in $PATH' }))
            return
          }
          res.writeHead(204).end()
        }
      )
      const spec = Either.getOrThrow(
        validate(
          Def.make("localhost/ociman-test/busybox:1").pipe(Def.command(["nope"]), Def.withTty, Def.withInteractive)
        )
      )
      const run = makeTtyInputRun(backendOf("docker", "api"), engine.client, cliOps, noRuntime)
      const error = yield* Effect.flip(run(spec, { stdin: new TextEncoder().encode("x\n") }))
      expect(error).toMatchObject({ _tag: "ContainerStartFailed", stderr: expect.stringContaining("executable file") })
      expect(calls).toContain("DELETE /v1.41/containers/c1?force=1&v=1")
    })
  )
})
