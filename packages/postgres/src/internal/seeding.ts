/** Running one seed on a started server, and the template database fresh databases clone. */
import { Clock, Duration, Effect, Redacted, Schedule } from "effect"
import { type ConnectionFailed, QueryFailed, SeedFailed } from "../PostgresError.js"
import type { Connection } from "../Postgres.js"
import type { Link } from "./chain.js"
import * as pg from "./pg.js"
import type { Running } from "./server.js"

/** The database `Postgres.freshDatabase` clones: a copy of the seeded one nobody connects to. */
export const TEMPLATE_DATABASE = "ociman_template"
const DUPLICATE_DATABASE = "42P04"
const OBJECT_IN_USE = "55006"
const liveClock: Clock.Clock = Clock.make()

/** The connection details, with the URL (every part percent-encoded). */
export const connectionOf = (endpoint: pg.Endpoint): Connection => ({
  ...endpoint,
  url: url(endpoint)
})

/** `postgres://user:password@host:port/database`, every part percent-encoded. */
export const url = (endpoint: pg.Endpoint): Redacted.Redacted<string> => {
  const host = endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host
  const user = encodeURIComponent(endpoint.username)
  const password = encodeURIComponent(Redacted.value(endpoint.password))
  return Redacted.make(
    `postgres://${user}:${password}@${host}:${endpoint.port}/${encodeURIComponent(endpoint.database)}`
  )
}

const failed = (link: Link, failure: pg.Failure) =>
  new SeedFailed({
    seed: link.seed.name,
    index: link.index,
    serverMessage: failure.message,
    code: failure.code,
    position: failure.position
  })

/** Runs a shell script inside the container: written to a temporary file, run by sh, removed. */
const runScript = (link: Link, running: Running, text: string) => {
  const { endpoint } = running
  const command = 'f=$(mktemp) && cat >"$f" && sh "$f" </dev/null; status=$?; rm -f "$f"; exit $status'
  return running.container
    .exec(["sh", "-c", command], {
      stdin: text,
      user: "postgres",
      env: { PGUSER: endpoint.username, PGDATABASE: endpoint.database, PGPASSWORD: endpoint.password }
    })
    .pipe(
      Effect.mapError((error) => failed(link, { message: error.message, code: undefined, position: undefined })),
      Effect.filterOrFail(
        (result) => result.exitCode === 0,
        (result) =>
          failed(link, {
            message: `exit code ${result.exitCode ?? "unknown"}: ${(result.stderr.trim() || result.stdout.trim()).split("\n").slice(-20).join("\n")}`,
            code: undefined,
            position: undefined
          })
      ),
      Effect.asVoid
    )
}

const runSql = (link: Link, running: Running, text: string) =>
  Effect.scoped(
    Effect.gen(function* () {
      const client = yield* pg
        .connect(running.endpoint)
        .pipe(
          Effect.mapError((error) => failed(link, { message: error.message, code: error.code, position: undefined }))
        )
      yield* pg.query(client, text).pipe(Effect.mapError((failure) => failed(link, failure)))
    })
  )

/** Runs one seed; a failure names the seed and carries what the server (or script) said. */
export const apply = (link: Link, running: Running): Effect.Effect<void, SeedFailed> => {
  const { seed } = link
  switch (seed._tag) {
    case "Sql":
    case "SqlFile":
      return runSql(link, running, link.text ?? "")
    case "Script":
    case "ScriptFile":
      return runScript(link, running, link.text ?? "")
    case "Custom":
      return seed
        .run(connectionOf(running.endpoint))
        .pipe(Effect.mapError((message) => failed(link, { message, code: undefined, position: undefined })))
  }
}

const statement = (client: pg.ClientBase, operation: string, text: string) =>
  pg
    .rows(client, text)
    .pipe(Effect.mapError((failure) => new QueryFailed({ operation, code: failure.code, detail: failure.message })))

/** How `pg` says a connection did not complete within its connect timeout. */
const CONNECT_TIMED_OUT = /timeout/i

/**
 * Creates the template (once per data directory: a cache image carries it) as a copy of the
 * database. It accepts no connections, so cloning it never fails on "being accessed by other users".
 */
export const ensureTemplate = (endpoint: pg.Endpoint): Effect.Effect<void, QueryFailed | ConnectionFailed> =>
  createTemplateOnce(endpoint).pipe(
    // starts of a reused server at once: another one's connection to the source database makes
    // the copy fail (object_in_use); looking again finds the template, or copies once it has gone.
    // And while another start copies the source database, a connection to it waits for the copy:
    // on a slow disk that outlasts the connect timeout, which is worth another try too.
    Effect.retry({
      // jittered: two starts that blocked each other must not retry in step
      schedule: Schedule.intersect(
        Schedule.jitteredWith(Schedule.spaced(Duration.millis(100)), { min: 0.2, max: 2 }),
        Schedule.recurs(50)
      ),
      while: (error) =>
        error._tag === "QueryFailed"
          ? error.code === OBJECT_IN_USE
          : error.reason === "Other" && error.code === undefined && CONNECT_TIMED_OUT.test(error.detail)
    }),
    // real server, real time: a TestClock provided by @effect/vitest must not stall the retries
    Effect.withClock(liveClock)
  )

const createTemplateOnce = (endpoint: pg.Endpoint): Effect.Effect<void, QueryFailed | ConnectionFailed> =>
  Effect.scoped(
    Effect.gen(function* () {
      const client = yield* pg.connect(endpoint)
      const found = yield* statement(
        client,
        "look for the template database",
        `SELECT 1 FROM pg_database WHERE datname = ${pg.literal(TEMPLATE_DATABASE)}`
      )
      if (found.length > 0) return
      yield* statement(
        client,
        `create the template database ${TEMPLATE_DATABASE}`,
        `CREATE DATABASE ${pg.identifier(TEMPLATE_DATABASE)} TEMPLATE ${pg.identifier(endpoint.database)} IS_TEMPLATE true ALLOW_CONNECTIONS false`
      ).pipe(
        // another start of a reused server created it in the meantime (duplicate_database)
        Effect.catchIf(
          (error) => error.code === DUPLICATE_DATABASE,
          () => Effect.void
        )
      )
    })
  )
