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

/**
 * Where the template step connects when it must create the template: never the source database.
 * `CREATE DATABASE … TEMPLATE x` waits (5 s, then object_in_use) while anyone else is connected to
 * x, and starts waiting for the step's lock would be exactly such sessions: starts of a reused
 * server at once would fail each other's copies again and again. `postgres`, or `template1` when
 * the source is `postgres` (only while a first start creates the template: a session there makes
 * a user's plain `CREATE DATABASE`, which copies template1, wait), or the other one of the two
 * when the server has no such database.
 */
const maintenanceDatabases = (endpoint: pg.Endpoint): ReadonlyArray<string> =>
  endpoint.database === "postgres" ? ["template1"] : ["postgres", "template1"]

const connectForMaintenance = (endpoint: pg.Endpoint) => {
  const [first, ...others] = maintenanceDatabases(endpoint)
  return others.reduce(
    (attempt, database) =>
      attempt.pipe(
        Effect.catchIf(
          (error) => error.reason === "DatabaseNotFound",
          () => pg.connect({ ...endpoint, database })
        )
      ),
    pg.connect({ ...endpoint, database: first ?? "template1" })
  )
}

const LOOK_FOR_TEMPLATE = `SELECT 1 FROM pg_database WHERE datname = ${pg.literal(TEMPLATE_DATABASE)}`

/**
 * Whether the template exists, without the lock (every later start stops here): a short session
 * on `postgres` (`pg_database` is shared by every database), which is no session on the source
 * unless the source is `postgres`; on the source itself where there is no `postgres` database.
 */
const templateExists = (endpoint: pg.Endpoint) =>
  Effect.scoped(
    Effect.flatMap(
      pg.connect({ ...endpoint, database: "postgres" }).pipe(
        Effect.catchIf(
          (error) => error.reason === "DatabaseNotFound",
          () => pg.connect(endpoint)
        )
      ),
      (client) =>
        Effect.map(statement(client, "look for the template database", LOOK_FOR_TEMPLATE), (rows) => rows.length > 0)
    )
  )

/** The advisory lock the template step holds: one start copies, the others then find its copy. */
const TEMPLATE_LOCK = 7_162_705_343_551_332

/**
 * Creates the template (once per data directory: a cache image carries it) as a copy of the
 * database. It accepts no connections, so cloning it never fails on "being accessed by other users".
 */
export const ensureTemplate = (endpoint: pg.Endpoint): Effect.Effect<void, QueryFailed | ConnectionFailed> =>
  Effect.flatMap(templateExists(endpoint), (exists) => (exists ? Effect.void : createTemplateOnce(endpoint))).pipe(
    // a session of the user's (or a readiness probe) connected to the source database makes the
    // copy fail (object_in_use) after 5 s: it is worth a few more tries
    Effect.retry({
      schedule: Schedule.intersect(Schedule.spaced(Duration.millis(200)), Schedule.recurs(5)),
      while: (error) => error._tag === "QueryFailed" && error.code === OBJECT_IN_USE
    }),
    // real server, real time: a TestClock provided by @effect/vitest must not stall the retries
    Effect.withClock(liveClock)
  )

const createTemplateOnce = (endpoint: pg.Endpoint): Effect.Effect<void, QueryFailed | ConnectionFailed> =>
  Effect.scoped(
    Effect.gen(function* () {
      // the lock is the session's: ending the connection releases it, whatever happens
      const client = yield* connectForMaintenance(endpoint)
      yield* statement(client, "wait for the template lock", `SELECT pg_advisory_lock(${TEMPLATE_LOCK})`)
      const found = yield* statement(client, "look for the template database", LOOK_FOR_TEMPLATE)
      if (found.length > 0) return
      yield* statement(
        client,
        `create the template database ${TEMPLATE_DATABASE}`,
        `CREATE DATABASE ${pg.identifier(TEMPLATE_DATABASE)} TEMPLATE ${pg.identifier(endpoint.database)} IS_TEMPLATE true ALLOW_CONNECTIONS false`
      ).pipe(
        // created by someone not taking the lock (an older ociman) in the meantime
        Effect.catchIf(
          (error) => error.code === DUPLICATE_DATABASE,
          () => Effect.void
        )
      )
    })
  )
