/**
 * The raw-API floor of the container benchmarks: the Docker Engine API calls a client needs for
 * start → exec → release, sent over the engine's unix socket with `node:http` and one keep-alive
 * agent, no library. Podman's API service answers the same (Docker-compatible) endpoints.
 */
import { Duration, Effect, Schema } from "effect"
import * as http from "node:http"
import { BenchError } from "./measurement.js"

/** The API version both engines here speak (Docker 20.10; Podman 4's compatible endpoints). */
const API_VERSION = "v1.41"
const REQUEST_TIMEOUT = Duration.seconds(30)

/** One engine's socket and the keep-alive agent every call to it shares. */
export interface Engine {
  readonly socketPath: string
  readonly agent: http.Agent
}

/** An engine client for `socketPath`, its connections closed with the scope. */
export const engine = (socketPath: string) =>
  Effect.acquireRelease(
    Effect.sync((): Engine => ({ socketPath, agent: new http.Agent({ keepAlive: true, maxSockets: 64 }) })),
    ({ agent }) => Effect.sync(() => agent.destroy())
  )

interface Reply {
  readonly status: number
  readonly body: Buffer
}

const call = (
  { socketPath, agent }: Engine,
  method: "GET" | "POST" | "DELETE",
  path: string,
  payload?: unknown
): Effect.Effect<Reply, BenchError> => {
  const what = `${method} ${path} on ${socketPath}`
  return Effect.async<Reply, BenchError>((resume, signal) => {
    const body = payload === undefined ? undefined : Buffer.from(JSON.stringify(payload))
    const headers = body === undefined ? {} : { "Content-Type": "application/json", "Content-Length": body.length }
    const request = http.request(
      { socketPath, agent, method, path: `/${API_VERSION}${path}`, headers, signal },
      (response) => {
        const chunks: Array<Buffer> = []
        response.on("data", (chunk: Buffer) => chunks.push(chunk))
        response.on("end", () =>
          resume(Effect.succeed({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }))
        )
        response.on("error", (cause) => resume(Effect.fail(new BenchError({ reason: `${what}: ${cause.message}` }))))
      }
    )
    request.on("error", (cause) => resume(Effect.fail(new BenchError({ reason: `${what}: ${cause.message}` }))))
    request.end(body)
  }).pipe(
    Effect.timeoutFail({
      duration: REQUEST_TIMEOUT,
      onTimeout: () => new BenchError({ reason: `${what}: no answer in ${Duration.format(REQUEST_TIMEOUT)}` })
    })
  )
}

/** Calls and requires one of the `expected` statuses (the body is in the error otherwise). */
const expect = (
  engine: Engine,
  expected: ReadonlyArray<number>,
  method: "GET" | "POST" | "DELETE",
  path: string,
  payload?: unknown
) =>
  Effect.filterOrFail(
    call(engine, method, path, payload),
    (reply) => expected.includes(reply.status),
    (reply) =>
      new BenchError({ reason: `${method} ${path} answered ${reply.status}: ${reply.body.toString("utf8").trim()}` })
  )

const decode =
  <A, I>(schema: Schema.Schema<A, I>) =>
  (reply: Reply) =>
    Schema.decodeUnknown(Schema.parseJson(schema))(reply.body.toString("utf8")).pipe(
      Effect.mapError((error) => new BenchError({ reason: `unexpected engine answer: ${error.message}` }))
    )

const Created = Schema.Struct({ Id: Schema.String })
const ExecState = Schema.Struct({ Running: Schema.Boolean, ExitCode: Schema.NullOr(Schema.Number) })

/**
 * The stdout of an attached exec: the engine multiplexes stdout and stderr in frames of an 8-byte
 * header (stream 1 or 2, three zero bytes, the payload's length big-endian) and the payload.
 */
const stdoutOf = (stream: Buffer): string => {
  const parts: Array<Buffer> = []
  let offset = 0
  while (offset + 8 <= stream.length) {
    const length = stream.readUInt32BE(offset + 4)
    if (stream[offset] === 1) parts.push(stream.subarray(offset + 8, offset + 8 + length))
    offset += 8 + length
  }
  return Buffer.concat(parts).toString("utf8")
}

/** Creates and starts a container; returns its id. */
export const start = (
  engine: Engine,
  image: string,
  command: ReadonlyArray<string>,
  labels: Readonly<Record<string, string>>
) =>
  Effect.gen(function* () {
    const { Id } = yield* expect(engine, [201], "POST", "/containers/create", {
      Image: image,
      Cmd: command,
      Labels: labels
    }).pipe(Effect.flatMap(decode(Created)))
    yield* expect(engine, [204, 304], "POST", `/containers/${Id}/start`)
    return Id
  })

/** Runs `command` in the container (create, attached start, inspect) and returns its stdout; non-zero fails. */
export const exec = (engine: Engine, container: string, command: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const { Id } = yield* expect(engine, [201], "POST", `/containers/${container}/exec`, {
      AttachStdout: true,
      AttachStderr: true,
      Cmd: command
    }).pipe(Effect.flatMap(decode(Created)))
    // the engine takes the connection over for the stream and closes it at the end
    const output = yield* expect(engine, [200], "POST", `/exec/${Id}/start`, { Detach: false, Tty: false })
    const state = yield* expect(engine, [200], "GET", `/exec/${Id}/json`).pipe(Effect.flatMap(decode(ExecState)))
    if (state.Running || state.ExitCode !== 0) {
      return yield* new BenchError({
        reason: `exec ${command.join(" ")} in ${container}: running ${state.Running}, exit code ${state.ExitCode}`
      })
    }
    return stdoutOf(output.body)
  })

/** Removes the container at once (SIGKILL, `force`) with its anonymous volumes. */
export const remove = (engine: Engine, container: string) =>
  Effect.asVoid(expect(engine, [204], "DELETE", `/containers/${container}?force=true&v=true`))

/** Whether the engine answers `/_ping` on its socket. */
export const answers = (engine: Engine) =>
  call(engine, "GET", "/_ping").pipe(
    Effect.timeout(Duration.seconds(2)),
    Effect.map((reply) => reply.status === 200),
    Effect.orElseSucceed(() => false)
  )
