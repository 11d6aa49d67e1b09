/**
 * The `pg` driver behind Effect: connections for readiness, password checks, SQL seeds and the
 * fresh-database statements. No `@effect/sql` here (it is an optional peer).
 */
import { Effect, Redacted, type Scope } from "effect"
import pg from "pg"
import { ConnectionFailed, type ConnectionFailureReason } from "../PostgresError.js"

/** A connected client (of a pool or not). */
export type ClientBase = pg.ClientBase

/** Where a server is and how to log in. */
export interface Endpoint {
  readonly host: string
  readonly port: number
  readonly database: string
  readonly username: string
  readonly password: Redacted.Redacted<string>
}

/** What a `pg` failure says: its message, SQLSTATE or system code, and position. */
export interface Failure {
  readonly message: string
  readonly code: string | undefined
  readonly position: number | undefined
}

const stringField = (value: object, key: string): string | undefined => {
  const field: unknown = Reflect.get(value, key)
  return typeof field === "string" && field !== "" ? field : undefined
}

export const failureOf = (error: unknown): Failure => {
  if (typeof error !== "object" || error === null)
    return { message: String(error), code: undefined, position: undefined }
  // an AggregateError (IPv4 and IPv6 both refused) carries its parts' codes
  const inner: unknown = Reflect.get(error, "errors")
  const first: unknown = Array.isArray(inner) ? inner[0] : undefined
  const code =
    stringField(error, "code") ?? (typeof first === "object" && first !== null ? stringField(first, "code") : undefined)
  const position = stringField(error, "position")
  const message = stringField(error, "message") ?? code ?? String(error)
  const detail = stringField(error, "detail")
  return {
    message: detail === undefined ? message : `${message} (${detail})`,
    code,
    position: position === undefined ? undefined : Number(position)
  }
}

const reasonOf = (code: string | undefined): ConnectionFailureReason => {
  switch (code) {
    case "28P01": // invalid_password
    case "28000": // invalid_authorization_specification (no such role, pg_hba reject)
      return "AuthenticationFailed"
    case "3D000":
      return "DatabaseNotFound"
    case "ECONNREFUSED":
      return "Refused"
    default:
      return "Other"
  }
}

export const connectionFailed = (endpoint: Endpoint, error: unknown): ConnectionFailed => {
  const failure = failureOf(error)
  return new ConnectionFailed({
    host: endpoint.host,
    port: endpoint.port,
    database: endpoint.database,
    username: endpoint.username,
    reason: reasonOf(failure.code),
    code: failure.code,
    detail: failure.message
  })
}

const config = (endpoint: Endpoint, connectTimeoutMillis: number): pg.ClientConfig => ({
  host: endpoint.host,
  port: endpoint.port,
  database: endpoint.database,
  user: endpoint.username,
  password: Redacted.value(endpoint.password),
  connectionTimeoutMillis: connectTimeoutMillis
})

/** A connected client, ended when the scope closes. */
export const connect = (
  endpoint: Endpoint,
  connectTimeoutMillis = 5_000
): Effect.Effect<pg.Client, ConnectionFailed, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.suspend(() => {
      const client = new pg.Client(config(endpoint, connectTimeoutMillis))
      // an error after connecting (the server shut down) must not crash the process
      client.on("error", () => undefined)
      return Effect.tryPromise({
        try: () => client.connect().then(() => client),
        catch: (error) => connectionFailed(endpoint, error)
      }).pipe(Effect.tapError(() => Effect.promise(() => client.end().catch(() => undefined))))
    }),
    (client) => Effect.promise(() => client.end().catch(() => undefined))
  )

/** Runs SQL text (several statements allowed: the simple query protocol). */
export const query = (client: pg.ClientBase, text: string): Effect.Effect<ReadonlyArray<unknown>, Failure> =>
  Effect.tryPromise({
    try: () => client.query(text).then((result) => (Array.isArray(result) ? result : [result])),
    catch: failureOf
  })

/** The rows of one query, each a record of column to value. */
export const rows = (
  client: pg.ClientBase,
  text: string,
  values: ReadonlyArray<unknown> = []
): Effect.Effect<ReadonlyArray<Record<string, unknown>>, Failure> =>
  Effect.tryPromise({
    try: () => client.query<Record<string, unknown>>(text, [...values]).then((result) => result.rows),
    catch: failureOf
  })

/** A small pool for the service's own statements, ended when the scope closes. */
export const pool = (endpoint: Endpoint): Effect.Effect<pg.Pool, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const created = new pg.Pool({ ...config(endpoint, 10_000), max: 4, idleTimeoutMillis: 10_000 })
      created.on("error", () => undefined)
      return created
    }),
    (created) => Effect.promise(() => created.end().catch(() => undefined))
  )

/** A client of the pool for the scope. */
export const borrow = (
  from: pg.Pool,
  endpoint: Endpoint
): Effect.Effect<pg.PoolClient, ConnectionFailed, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({ try: () => from.connect(), catch: (error) => connectionFailed(endpoint, error) }),
    (client) => Effect.sync(() => client.release())
  )

/** `"name"`, with embedded quotes doubled. */
export const identifier = (name: string): string => `"${name.replaceAll('"', '""')}"`

/** `'text'`, with embedded quotes doubled (standard_conforming_strings is on by default). */
export const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`
