/**
 * An ephemeral PostgreSQL for Effect programs and tests: started on demand from any image that
 * follows the official `postgres` image's contract, seeded, and removed with its scope. Seeded
 * states are cached as content-addressed images, so the next start of the same seeds starts
 * seeded (see `PostgresCache`); `freshDatabase` gives each test its own copy.
 *
 * Needs `ContainerRuntime` (from `ociman`) and `FileSystem` (`NodeContext.layer`). For an
 * `@effect/sql` client (`PgClient`, `SqlClient`) use `Postgres.layerClient` from
 * `@ociman/postgres/client`.
 *
 * @example
 * ```ts
 * import { NodeContext, NodeRuntime } from "@effect/platform-node"
 * import { Console, Effect, Redacted } from "effect"
 * import { ContainerRuntime } from "ociman"
 * import { Postgres, Seed } from "@ociman/postgres"
 *
 * const program = Effect.gen(function* () {
 *   const db = yield* Postgres.start({
 *     image: "postgres:17",
 *     seeds: [Seed.sql("schema", "CREATE TABLE users (id serial PRIMARY KEY, name text)")]
 *   })
 *   yield* Console.log(`listening on ${db.host}:${db.port}; url ${Redacted.value(db.url)}`)
 * })
 *
 * program.pipe(
 *   Effect.scoped,
 *   Effect.provide(ContainerRuntime.layerFromEnv),
 *   Effect.provide(NodeContext.layer),
 *   NodeRuntime.runMain
 * )
 * ```
 *
 * @since 0.1.0
 */
import type { FileSystem } from "@effect/platform"
import { Context, Effect, Layer, Redacted, type Scope } from "effect"
import { type Container, ContainerRuntime, Image, ImageReference } from "ociman"
import * as chain from "./internal/chain.js"
import * as options from "./internal/options.js"
import * as pg from "./internal/pg.js"
import * as seeding from "./internal/seeding.js"
import * as server from "./internal/server.js"
import { CacheFailed, type ConnectionFailed, type PostgresError, QueryFailed, StartFailed } from "./PostgresError.js"

/**
 * How to reach a database: host and port as published on this host, the login, and the same as
 * a `postgres://` URL with every part percent-encoded.
 * @since 0.1.0
 * @category models
 */
export interface Connection {
  readonly url: Redacted.Redacted<string>
  readonly host: string
  readonly port: number
  readonly database: string
  readonly username: string
  readonly password: Redacted.Redacted<string>
}

/**
 * What the start did with the seeds: how many came from the cache, which ones ran.
 * @since 0.1.0
 * @category models
 */
export interface Seeding {
  /** Seeds whose result came from a cache image (none ran again). */
  readonly reused: number
  /** The names of the seeds that ran, in order. */
  readonly ran: ReadonlyArray<string>
  /** The cache image the server started from, if any. */
  readonly image: string | undefined
  /**
   * With `reuse`: an earlier start (in this process or another) served this server already, so
   * nothing ran on it now. `false` for a server this start was the first to serve.
   */
  readonly serverReused: boolean
}

/**
 * A running server.
 * @since 0.1.0
 * @category models
 */
export interface Service extends Connection {
  readonly container: Container.Container
  readonly seeding: Seeding
  /**
   * A new database cloned from the seeded one (`CREATE DATABASE … TEMPLATE …`), dropped when the
   * scope closes. Concurrent calls are safe: the template is a copy nobody connects to.
   */
  readonly freshDatabase: Effect.Effect<Connection, QueryFailed | ConnectionFailed, Scope.Scope>
}

/**
 * The service tag.
 * @since 0.1.0
 * @category tags
 */
export class Postgres extends Context.Tag("@ociman/postgres/Postgres")<Postgres, Service>() {}

/**
 * Options of {@link start}.
 *
 * - `image`: any image following the official `postgres` contract (`postgres:17`, …).
 * - `database`, `username`: default `postgres` (the database defaults to the user's name).
 * - `password`: generated (random, URL-safe) when absent.
 * - `parameters`: server parameters, passed as `-c name=value`.
 * - `tmpfs`: the data directory in memory (`true`, or a size). Seeds then run on every start:
 *   a tmpfs is not part of a commit, so nothing is cached.
 * - `initdbArgs`: `POSTGRES_INITDB_ARGS` (part of the cache key).
 * - `seeds`: run in order after initialisation (see `Seed`), cached unless `cache: false`.
 * - `cache.name`: the cache's image repository, `localhost/ociman-postgres/<name>`; default `default`.
 * - `hostIp`: where the port is published, default `127.0.0.1`.
 * - `labels`: extra container labels.
 * - `startTimeout`: per container start, default 60 s.
 * - `reuse`: one server for every start of the same options, in this process, in others at the
 *   same time and in later runs (`Container.start(…, { reuse: true })`): it survives the scope and
 *   the process; `Sweeper.removeReused` (`ociman prune --reuse`) removes it, `OCIMAN_REUSE=0`
 *   turns reuse off. Needs a `password` (a generated one differs per start); seeds run through
 *   the cache only (never on the server itself, so never twice), so not with `cache: false` or
 *   `tmpfs`. Changes made in the server's own database stay for the next start: use
 *   `freshDatabase` per test. `Service.seeding.serverReused` tells whether it was reused.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Postgres, Seed } from "@ociman/postgres"
 *
 * // the first run starts and seeds it; later runs (any process) find it running and reuse it
 * const shared = Effect.scoped(
 *   Effect.gen(function* () {
 *     const db = yield* Postgres.start({
 *       image: "postgres:17",
 *       password: "local-only",
 *       seeds: [Seed.sql("schema", "CREATE TABLE t (id int)")],
 *       reuse: true
 *     })
 *     const isolated = yield* db.freshDatabase
 *     return { reused: db.seeding.serverReused, database: isolated.database }
 *   })
 * )
 * ```
 * @since 0.1.0
 * @category models
 */
export type Options = options.Input

/**
 * The `postgres://` URL of a connection, every part percent-encoded (`@`, `:`, `/` in a password
 * are safe).
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import { Postgres } from "@ociman/postgres"
 * const url = Postgres.url({ host: "127.0.0.1", port: 5432, database: "app", username: "me", password: Redacted.make("p@ss") })
 * // postgres://me:p%40ss@127.0.0.1:5432/app
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const url = (connection: Omit<Connection, "url">): Redacted.Redacted<string> => seeding.url(connection)

/**
 * Logs in once (through `pg`) and runs `SELECT 1`: a wrong password is a `ConnectionFailed` with
 * reason `AuthenticationFailed`, nothing listening is `Refused`.
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import { Postgres } from "@ociman/postgres"
 * const check = (db: Postgres.Connection) => Postgres.verify({ ...db, password: Redacted.make("wrong") })
 * // fails with ConnectionFailed { reason: "AuthenticationFailed" }
 * ```
 * @since 0.1.0
 * @category effects
 */
export const verify = (connection: Omit<Connection, "url">): Effect.Effect<void, ConnectionFailed> =>
  Effect.scoped(
    Effect.flatMap(pg.connect(connection), (client) =>
      pg.rows(client, "SELECT 1").pipe(Effect.mapError((failure) => pg.connectionFailed(connection, failure)))
    )
  )

const imageIdOf = (image: ImageReference.ImageReference) =>
  Effect.gen(function* () {
    yield* Image.pullIfAbsent(image)
    return (yield* Image.inspect(image)).id
  }).pipe(
    Effect.mapError(
      (error) =>
        new StartFailed({
          image: ImageReference.format(image),
          reason: "Runtime",
          exitCode: undefined,
          lastLogs: [],
          detail: error.message
        })
    )
  )

/** The keys of the chain that have a cache image: only the names in the cache's repository are listed. */
const cachedKeys = (name: string) =>
  Effect.gen(function* () {
    const repository = yield* server.fromEither(chain.repository(name))
    const runtime = yield* ContainerRuntime.ContainerRuntime
    const references = yield* runtime.images
      .listByName(repository)
      .pipe(
        Effect.mapError((error) => new CacheFailed({ operation: `list the images of ${name}`, detail: error.message }))
      )
    return new Set(references.map((reference) => reference.tag))
  })

type Resolved = options.Resolved

/** Runs the seeds not cached yet, one container each: start, seed, stop, commit. */
const buildChain = (resolved: Resolved, name: string, links: ReadonlyArray<chain.Link>, from: number) =>
  Effect.gen(function* () {
    const base = ImageReference.format(resolved.image)
    for (const link of links.slice(from)) {
      const previous = links[link.index - 1]
      const image =
        previous === undefined ? resolved.image : yield* server.fromEither(chain.reference(name, previous.key))
      const target = yield* server.fromEither(chain.reference(name, link.key))
      yield* Effect.scoped(
        Effect.gen(function* () {
          const running = yield* server.launch(resolved, {
            image,
            fromCache: previous !== undefined,
            reuse: false,
            // a throwaway password: the user's never ends up in an image's configuration
            password: Redacted.make(options.generatePassword()),
            labels: [
              [server.LABELS.role, "seeding"],
              [server.LABELS.cache, name],
              [server.LABELS.key, link.key],
              [server.LABELS.seed, link.seed.name],
              [server.LABELS.depth, String(link.index + 1)],
              [server.LABELS.base, base]
            ]
          })
          yield* seeding.apply(link, running)
          // the last image carries the template, so a cached start need not copy anything
          if (link.index === links.length - 1) yield* seeding.ensureTemplate(running.endpoint)
          yield* server.commit(running, target)
        })
      )
    }
  })

const serve = (running: server.Running, seeding_: Omit<Seeding, "serverReused">) =>
  Effect.gen(function* () {
    const endpoint = running.endpoint
    // idempotent: a reused server (or a cache image) has it already
    yield* seeding.ensureTemplate(endpoint)
    const admin = yield* pg.pool(endpoint)
    const freshDatabase = Effect.gen(function* () {
      const name = `ociman_fresh_${options
        .generatePassword()
        .replace(/[^a-z0-9]/gi, "")
        .slice(0, 16)
        .toLowerCase()}`
      const create = `CREATE DATABASE ${pg.identifier(name)} TEMPLATE ${pg.identifier(seeding.TEMPLATE_DATABASE)}`
      const drop = `DROP DATABASE IF EXISTS ${pg.identifier(name)} WITH (FORCE)`
      const run = (operation: string, text: string) =>
        Effect.scoped(
          Effect.flatMap(pg.borrow(admin, endpoint), (client) =>
            pg
              .rows(client, text)
              .pipe(
                Effect.mapError(
                  (failure) => new QueryFailed({ operation, code: failure.code, detail: failure.message })
                )
              )
          )
        )
      yield* Effect.acquireRelease(run(`create database ${name}`, create), () =>
        run(`drop database ${name}`, drop).pipe(
          Effect.tapError((error) => Effect.logWarning(`@ociman/postgres: ${error.message}`)),
          Effect.ignore
        )
      )
      return seeding.connectionOf({ ...endpoint, database: name })
    })
    const service: Service = {
      ...seeding.connectionOf(endpoint),
      container: running.container,
      seeding: { ...seeding_, serverReused: running.reused },
      freshDatabase
    }
    return service
  })

/**
 * Starts a server in the scope (removed when it closes), runs the seeds the cache does not have,
 * and returns once a login through the published port succeeds.
 *
 * The cache: each seed's key hashes its content with the previous key (the first: the image's id,
 * user, database, data directory and `initdbArgs`). After a seed runs, its container is stopped
 * and committed as `localhost/ociman-postgres/<cache name>:<key>`; the next start of the same
 * seeds starts from the deepest cached image and runs only the seeds after it. A server started
 * from a cache image gets this start's password (set over the container's socket).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Postgres, Seed } from "@ociman/postgres"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function* () {
 *     const db = yield* Postgres.start({
 *       image: "postgres:17",
 *       parameters: { fsync: "off" },
 *       seeds: [Seed.sql("schema", "CREATE TABLE t (id int)")],
 *       cache: { name: "my-app" }
 *     })
 *     return db.seeding.ran // [] when the cache had it
 *   })
 * )
 * ```
 * @since 0.1.0
 * @category effects
 */
export const start = (
  input: Options
): Effect.Effect<Service, PostgresError, ContainerRuntime.ContainerRuntime | FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function* () {
    const resolved = yield* options.resolve(input)
    const name = resolved.cacheName
    const serverLabels: ReadonlyArray<readonly [string, string]> = [[server.LABELS.role, "server"]]
    if (name === undefined) {
      // no cache: one container, the seeds (if any) run in it
      const links = yield* chain.links(resolved.seeds, "")
      const running = yield* server.launch(resolved, {
        image: resolved.image,
        fromCache: false,
        password: resolved.password,
        labels: serverLabels,
        reuse: resolved.reuse
      })
      // with reuse there are no seeds here (options.resolve requires the cache for them)
      for (const link of links) yield* seeding.apply(link, running)
      return yield* serve(running, { reused: 0, ran: links.map((link) => link.seed.name), image: undefined })
    }
    const links = yield* chain.links(resolved.seeds, chain.baseKey(resolved, yield* imageIdOf(resolved.image)))
    const cached = yield* cachedKeys(name)
    // the deepest cached key: it implies every seed before it (each key hashes the previous one)
    const reused = links.reduce((deepest, link) => (cached.has(link.key) ? link.index + 1 : deepest), 0)
    yield* buildChain(resolved, name, links, reused)
    const last = links.at(-1)
    const image = last === undefined ? resolved.image : yield* server.fromEither(chain.reference(name, last.key))
    const running = yield* server.launch(resolved, {
      image,
      fromCache: last !== undefined,
      password: resolved.password,
      labels: [...serverLabels, [server.LABELS.cache, name]],
      reuse: resolved.reuse
    })
    return yield* serve(running, {
      reused,
      ran: links.slice(reused).map((link) => link.seed.name),
      image: ImageReference.format(image)
    })
  }).pipe(Effect.withSpan("@ociman/postgres.start"))

/**
 * {@link start} as a layer: the server lives as long as the layer.
 * @example
 * ```ts
 * import { NodeContext } from "@effect/platform-node"
 * import { Layer } from "effect"
 * import { ContainerRuntime } from "ociman"
 * import { Postgres } from "@ociman/postgres"
 *
 * const DatabaseLive = Postgres.layer({ image: "postgres:17" }).pipe(
 *   Layer.provide(ContainerRuntime.layerFromEnv),
 *   Layer.provide(NodeContext.layer)
 * )
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  input: Options
): Layer.Layer<Postgres, PostgresError, ContainerRuntime.ContainerRuntime | FileSystem.FileSystem> =>
  Layer.scoped(Postgres, start(input))

/**
 * A database cloned from the seeded one, dropped when the scope closes (see `Service.freshDatabase`).
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Postgres } from "@ociman/postgres"
 *
 * const isolated = Effect.scoped(
 *   Effect.gen(function* () {
 *     const db = yield* Postgres.freshDatabase
 *     return db.database // ociman_fresh_…
 *   })
 * )
 * ```
 * @since 0.1.0
 * @category effects
 */
export const freshDatabase: Effect.Effect<Connection, QueryFailed | ConnectionFailed, Postgres | Scope.Scope> =
  Effect.flatMap(Postgres, (service) => service.freshDatabase)
