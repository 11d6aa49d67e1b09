/**
 * A small HTTP client for the engine's API (Docker's, or Podman's Docker-compatible service) over
 * a unix socket or TCP, with `node:http` and one keep-alive agent per address, so that calls reuse
 * their connections instead of paying a connect (or a CLI process) each; and the connection an
 * engine takes over (`hijack`: an attached exec or run fed stdin), on a connection of its own.
 *
 * Every call has a timeout (a hung engine is `EngineRequestTimedOut`), is interruptible (the
 * request is destroyed), drains its answer, and is one span named `ociman.api <METHOD> <path
 * template>`: the template, never the values (names, ids, filters), and never a body (it may hold
 * environment values) go into attributes.
 */
import { Duration, Effect, Either, Option, Schema, type Scope, Stream } from "effect"
import * as http from "node:http"
import type * as net from "node:net"
import { EngineRequestFailed, EngineRequestTimedOut, EngineUnreachable } from "../../CliError.js"
import { onLiveClock } from "../clock.js"

/**
 * Both engines accept this prefix: Docker 20.10 speaks 1.41 (newer Dockers still accept it), and
 * Podman's compatible service answers /v1.40/ and /v1.41/.
 */
export const API_VERSION = "v1.41"

/** Where the engine listens: a unix socket, or a plain-TCP host and port. */
export type EngineAddress =
  | { readonly _tag: "Unix"; readonly url: string; readonly socketPath: string }
  | { readonly _tag: "Tcp"; readonly url: string; readonly host: string; readonly port: number }

/**
 * The address of an engine URL the API transport can speak to: `unix://` and plain `tcp://` or
 * `http://`. `ssh://`, `https://` (TLS, client certificates) and anything else: none, the CLI
 * handles those.
 */
export const addressOf = (url: string): Option.Option<EngineAddress> => {
  if (url.startsWith("unix://")) {
    const socketPath = url.slice("unix://".length)
    return socketPath.startsWith("/") ? Option.some({ _tag: "Unix", url, socketPath }) : Option.none()
  }
  const tcp = /^(?:tcp|http):\/\/(\[[^\]]+\]|[^:/]+)(?::(\d{1,5}))?\/?$/.exec(url)
  if (tcp === null || tcp[1] === undefined) return Option.none()
  const host = tcp[1].replace(/^\[|\]$/g, "")
  return Option.some({ _tag: "Tcp", url, host, port: tcp[2] === undefined ? 2375 : Number(tcp[2]) })
}

/** One request: `template` names the endpoint in spans and errors, `path` is it with the values filled in. */
export interface EngineRequest {
  readonly method: "GET" | "POST" | "DELETE" | "HEAD"
  /** e.g. `/containers/{id}/json`: what spans and errors show. */
  readonly template: string
  /** e.g. `/containers/abc123/json` (values URI-encoded by the caller; without the version prefix). */
  readonly path: string
  readonly query?: Readonly<Record<string, string | undefined>> | undefined
  /** Sent as JSON. */
  readonly body?: unknown
  /** `undefined`: no timeout, for calls that last as long as a container (wait, follow, an exec's output). */
  readonly timeout: Duration.DurationInput | undefined
  /**
   * Only the timeout ends it, not an interruption (which waits for the answer): for calls whose
   * effect the engine completes anyway (creating, starting a container), so that the caller learns
   * the id it must clean up instead of leaving a container nobody knows of.
   */
  readonly shielded?: boolean | undefined
}

/** A whole answer, whatever its status. */
export interface EngineResponse {
  readonly status: number
  readonly body: Uint8Array
  /**
   * The `Server` header, where the engine names its version (`Docker/20.10.24 (linux)`,
   * `Libpod/4.3.1 (linux)`): `/_ping` tells it in a millisecond, where Podman's `/version` takes
   * half a second.
   */
  readonly server?: string | undefined
}

/** An answer whose body is still coming (see `EngineClient.open`). */
export interface OpenResponse {
  readonly status: number
  readonly body: Stream.Stream<Uint8Array, EngineUnreachable>
}

export type TransportError = EngineUnreachable | EngineRequestTimedOut

/** The client of one engine address. */
export interface EngineClient {
  readonly address: EngineAddress
  /** Sends the request and reads the whole answer. */
  readonly request: (request: EngineRequest) => Effect.Effect<EngineResponse, TransportError>
  /**
   * Sends the request and returns once the status and headers are in; the body streams after.
   * The connection is closed when the scope closes (an unfinished body is abandoned). The timeout
   * bounds the wait for the headers only.
   */
  readonly open: (request: EngineRequest) => Effect.Effect<OpenResponse, TransportError, Scope.Scope>
  /**
   * Sends the request asking for the connection (`Connection: Upgrade`, `Upgrade: tcp`, as Docker's
   * CLI does for an attached exec with stdin) on a connection of its own, never a pooled one. Once
   * the engine answers 101, writes `input` and returns what the engine sends from then on, until it
   * closes the connection; any other answer is `EngineRequestFailed` with its status and message.
   * The write side is ended after `input` only with `endInput`: Docker stops forwarding a TTY's
   * output as soon as its stdin ends, so a call with a TTY keeps it open until the command exits
   * (which closes the connection). The connection is closed when the scope closes; the timeout
   * bounds the wait for the 101 only. One span, as for the other calls.
   */
  readonly hijack: (
    request: EngineRequest,
    input: Uint8Array,
    options: { readonly endInput: boolean }
  ) => Effect.Effect<Stream.Stream<Uint8Array, EngineUnreachable>, TransportError | EngineRequestFailed, Scope.Scope>
}

/** One pool per address, shared by every layer of the process; idle sockets do not keep it alive. */
const agents = new Map<string, http.Agent>()

const agentFor = (address: EngineAddress): http.Agent => {
  const known = agents.get(address.url)
  if (known !== undefined) return known
  // Node unrefs idle keep-alive sockets, so the pool never holds the process open.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16, timeout: 30_000 })
  agents.set(address.url, agent)
  return agent
}

const encodeQuery = (query: EngineRequest["query"]): string => {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) params.set(key, value)
  const text = params.toString()
  return text === "" ? "" : `?${text}`
}

const bodyOf = (request: EngineRequest): Buffer | undefined =>
  request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body), "utf8")

const optionsOf = (
  address: EngineAddress,
  agent: http.Agent | false,
  request: EngineRequest,
  body: Buffer | undefined,
  extraHeaders: Readonly<Record<string, string>> = {}
) => ({
  agent,
  // Plain HTTP has no TLS server name; left unset, Node's agent works one out from the Host
  // header, testing it for an IP address with a regular expression compiled on first use
  // (about 10 ms of every `ociman` command's start).
  servername: "",
  method: request.method,
  path: `/${API_VERSION}${request.path}${encodeQuery(request.query)}`,
  headers: {
    // Podman's service needs a Host header; any name does.
    Host: address._tag === "Unix" ? "localhost" : address.host,
    ...(body === undefined ? {} : { "Content-Type": "application/json", "Content-Length": String(body.length) }),
    ...extraHeaders
  },
  ...(address._tag === "Unix" ? { socketPath: address.socketPath } : { host: address.host, port: address.port })
})

const unreachable = (address: EngineAddress, request: EngineRequest, error: unknown): EngineUnreachable =>
  new EngineUnreachable({
    socket: address.url,
    method: request.method,
    path: request.template,
    reason: error instanceof Error ? error.message : String(error)
  })

const withDeadline = <A, R>(
  effect: Effect.Effect<A, TransportError, R>,
  request: EngineRequest
): Effect.Effect<A, TransportError, R> =>
  request.timeout === undefined
    ? effect
    : // a deadline bounds a real engine: a `TestClock` the caller provides must not stop it
      onLiveClock(
        Effect.timeoutFail(effect, {
          duration: request.timeout,
          onTimeout: () =>
            new EngineRequestTimedOut({
              method: request.method,
              path: request.template,
              timeoutMillis: Duration.toMillis(Duration.decode(request.timeout ?? 0))
            })
        })
      )

const spanOf = (request: EngineRequest) =>
  [
    `ociman.api ${request.method} ${request.template}`,
    {
      kind: "client" as const,
      attributes: { "http.request.method": request.method, "url.template": request.template }
    }
  ] as const

/** Sends a request and resumes with the response once its headers are in. */
const send = (
  address: EngineAddress,
  agent: http.Agent,
  request: EngineRequest
): Effect.Effect<{ readonly req: http.ClientRequest; readonly res: http.IncomingMessage }, EngineUnreachable> =>
  Effect.async((resume) => {
    const body = bodyOf(request)
    const req = http.request(optionsOf(address, agent, request, body))
    req.once("response", (res) => resume(Effect.succeed({ req, res })))
    req.once("error", (error) => resume(Effect.fail(unreachable(address, request, error))))
    req.end(body)
    // interrupted (timeout, or the caller gave up): abandon the request and its connection
    return Effect.sync(() => req.destroy())
  })

/** Sends a request now; `response` settles with its headers, or with why it could not be sent. */
const begin = (
  address: EngineAddress,
  agent: http.Agent,
  request: EngineRequest
): {
  readonly req: http.ClientRequest
  readonly response: Promise<Either.Either<http.IncomingMessage, EngineUnreachable>>
} => {
  const body = bodyOf(request)
  const req = http.request(optionsOf(address, agent, request, body))
  const response = new Promise<Either.Either<http.IncomingMessage, EngineUnreachable>>((resolve) => {
    req.once("response", (res) => resolve(Either.right(res)))
    req.once("error", (error) => resolve(Either.left(unreachable(address, request, error))))
  })
  req.end(body)
  return { req, response }
}

/** Reads a response's whole body. */
const drain = (
  address: EngineAddress,
  request: EngineRequest,
  req: http.ClientRequest,
  res: http.IncomingMessage
): Effect.Effect<Uint8Array, EngineUnreachable> =>
  Effect.async((resume) => {
    const chunks: Array<Buffer> = []
    res.on("data", (chunk: Buffer) => chunks.push(chunk))
    res.once("end", () => resume(Effect.succeed(new Uint8Array(Buffer.concat(chunks)))))
    res.once("error", (error) => resume(Effect.fail(unreachable(address, request, error))))
    res.once("aborted", () => resume(Effect.fail(unreachable(address, request, "the connection closed mid-answer"))))
    return Effect.sync(() => req.destroy())
  })

/**
 * A response's body as a stream, with backpressure (the socket is paused until a chunk is taken).
 * Not `Stream.fromAsyncIterable`: a Readable's iterator cannot be returned while a read is pending,
 * so interrupting a quiet follow would wait for the next byte forever.
 */
const streamOf = (
  res: http.IncomingMessage,
  onError: (error: unknown) => EngineUnreachable
): Stream.Stream<Uint8Array, EngineUnreachable> =>
  Stream.async<Uint8Array, EngineUnreachable>((emit) => {
    res.on("data", (chunk: Buffer) => {
      res.pause()
      void emit.single(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)).then(() => res.resume())
    })
    res.once("end", () => void emit.end())
    res.once("error", (error) => void emit.fail(onError(error)))
    res.once("aborted", () => void emit.fail(onError("the connection closed mid-answer")))
    return Effect.sync(() => res.destroy())
  })

/** How an upgrade request was answered: the connection handed over, or a plain answer (a refusal). */
type UpgradeAnswer =
  | { readonly _tag: "Upgraded"; readonly socket: net.Socket; readonly head: Buffer }
  | { readonly _tag: "Answered"; readonly res: http.IncomingMessage }

/** Sends an upgrade request now on a fresh connection; `close` ends it whatever it became. */
const beginUpgrade = (
  address: EngineAddress,
  request: EngineRequest
): {
  readonly close: () => void
  readonly answer: Promise<Either.Either<UpgradeAnswer, EngineUnreachable>>
} => {
  const body = bodyOf(request)
  // a taken-over connection never goes back to the pool
  const req = http.request(optionsOf(address, false, request, body, { Connection: "Upgrade", Upgrade: "tcp" }))
  let taken: net.Socket | undefined
  const answer = new Promise<Either.Either<UpgradeAnswer, EngineUnreachable>>((resolve) => {
    req.once("upgrade", (_res, socket, head) => {
      // held until the stream reads it, so that no byte flows past before a listener is there
      socket.pause()
      taken = socket
      resolve(Either.right({ _tag: "Upgraded", socket, head }))
    })
    req.once("response", (res) => resolve(Either.right({ _tag: "Answered", res })))
    req.once("error", (error) => resolve(Either.left(unreachable(address, request, error))))
  })
  req.end(body)
  return {
    answer,
    close: () => {
      taken?.destroy()
      req.destroy()
    }
  }
}

/** What a taken-over connection receives (`head`, read with the 101, first), with backpressure, until the engine closes it. */
const socketStreamOf = (
  socket: net.Socket,
  head: Buffer,
  onError: (error: unknown) => EngineUnreachable
): Stream.Stream<Uint8Array, EngineUnreachable> =>
  Stream.async<Uint8Array, EngineUnreachable>((emit) => {
    if (head.length > 0) void emit.single(new Uint8Array(head.buffer, head.byteOffset, head.length))
    socket.on("data", (chunk: Buffer) => {
      socket.pause()
      void emit.single(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)).then(() => socket.resume())
    })
    socket.once("end", () => void emit.end())
    socket.once("error", (error) => void emit.fail(onError(error)))
    socket.once("close", () => void emit.end())
    socket.resume()
    return Effect.sync(() => socket.destroy())
  })

const isStaleConnection = (error: EngineUnreachable): boolean => /socket hang up|ECONNRESET|EPIPE/.test(error.reason)

/** The client of the engine at `address`. */
export const makeClient = (address: EngineAddress): EngineClient => {
  const agent = agentFor(address)
  return {
    address,
    request: (request) =>
      Effect.flatMap(send(address, agent, request), ({ req, res }) =>
        Effect.map(drain(address, request, req, res), (body) => ({
          status: res.statusCode ?? 0,
          body,
          server: typeof res.headers.server === "string" ? res.headers.server : undefined
        }))
      ).pipe(
        // A kept-alive connection the engine closed just as it was reused: a query is asked again
        // once on a fresh one (never a change, which the engine may have carried out).
        (effect) => (request.method === "GET" ? Effect.retry(effect, { times: 1, while: isStaleConnection }) : effect),
        (effect) =>
          request.shielded === true
            ? Effect.uninterruptible(withDeadline(Effect.interruptible(effect), request))
            : withDeadline(effect, request),
        Effect.tap((response) => Effect.annotateCurrentSpan("http.response.status_code", response.status)),
        Effect.withSpan(...spanOf(request))
      ),
    open: (request) =>
      // The request is tied to the scope before its answer is awaited, and the wait stays
      // interruptible: an engine that sends no headers until the first line (Podman's log follow)
      // must not hold up an interruption until the timeout.
      Effect.acquireRelease(
        Effect.sync(() => begin(address, agent, request)),
        ({ req }) => Effect.sync(() => req.destroy())
      ).pipe(
        Effect.flatMap(({ response }) =>
          withDeadline(
            Effect.flatMap(
              Effect.promise(() => response),
              (answer) => answer
            ),
            request
          )
        ),
        Effect.map((res): OpenResponse => ({
          status: res.statusCode ?? 0,
          body: streamOf(res, (error) => unreachable(address, request, error))
        })),
        Effect.withSpan(...spanOf(request))
      ),
    hijack: (request, input, options) =>
      Effect.acquireRelease(
        Effect.sync(() => beginUpgrade(address, request)),
        ({ close }) => Effect.sync(close)
      ).pipe(
        Effect.flatMap(({ answer }) =>
          withDeadline(
            Effect.flatMap(
              Effect.promise(() => answer),
              (settled) => settled
            ),
            request
          )
        ),
        Effect.tap((answer) =>
          Effect.annotateCurrentSpan(
            "http.response.status_code",
            answer._tag === "Upgraded" ? 101 : (answer.res.statusCode ?? 0)
          )
        ),
        Effect.flatMap(
          (
            answer
          ): Effect.Effect<Stream.Stream<Uint8Array, EngineUnreachable>, TransportError | EngineRequestFailed> => {
            if (answer._tag === "Answered") {
              const { res } = answer
              return Effect.flatMap(
                Stream.runCollect(streamOf(res, (error) => unreachable(address, request, error))),
                (chunks) =>
                  Effect.fail(
                    requestFailed(request, { status: res.statusCode ?? 0, body: Buffer.concat(Array.from(chunks)) })
                  )
              )
            }
            const { socket, head } = answer
            return Effect.sync(() => {
              socket.write(input)
              if (options.endInput) socket.end()
              return socketStreamOf(socket, head, (error) => unreachable(address, request, error))
            })
          }
        ),
        Effect.withSpan(...spanOf(request))
      )
  }
}

// ---------------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------------

const EngineMessage = Schema.parseJson(Schema.Struct({ message: Schema.String }))

/** What the engine said in a failure's body: its JSON `message`, else the body's text. */
export const engineMessageOf = (body: Uint8Array): string => {
  const text = Buffer.from(body).toString("utf8")
  return Option.match(Schema.decodeUnknownOption(EngineMessage)(text), {
    onNone: () => text.trim(),
    onSome: (decoded) => decoded.message
  })
}

/** An answer with a status the caller has no more precise error for. */
export const requestFailed = (request: EngineRequest, response: EngineResponse): EngineRequestFailed =>
  new EngineRequestFailed({
    method: request.method,
    path: request.template,
    status: response.status,
    engineMessage: engineMessageOf(response.body)
  })

/** Decodes a JSON answer with `schema`; an answer of another shape is `EngineRequestFailed`. */
export const decodeJson = <A, I>(
  schema: Schema.Schema<A, I>,
  request: EngineRequest,
  response: EngineResponse
): Effect.Effect<A, EngineRequestFailed> =>
  Schema.decodeUnknown(Schema.parseJson(schema))(Buffer.from(response.body).toString("utf8")).pipe(
    Effect.mapError(
      (error) =>
        new EngineRequestFailed({
          method: request.method,
          path: request.template,
          status: response.status,
          engineMessage: `unexpected answer: ${error.message}`
        })
    )
  )

/** 2xx. */
export const isSuccess = (status: number): boolean => status >= 200 && status < 300

/** Asks `/_ping` with a short timeout: whether an engine answers at this address now. */
export const ping = (client: EngineClient, timeout: Duration.DurationInput): Effect.Effect<boolean> =>
  client.request({ method: "GET", template: "/_ping", path: "/_ping", timeout }).pipe(
    Effect.map((response) => isSuccess(response.status)),
    Effect.orElseSucceed(() => false)
  )
