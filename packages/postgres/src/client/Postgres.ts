/**
 * The `Postgres` module of `@ociman/postgres` (see it for the server, its options and cache),
 * plus `@effect/sql-pg` clients: {@link layerClient} (the server with a `PgClient` and an
 * `SqlClient` on its database) and {@link freshClient} / {@link layerFreshClient} (a client on a
 * fresh clone of the seeded database).
 *
 * @example
 * ```ts
 * import { NodeContext } from "@effect/platform-node"
 * import { SqlClient } from "@effect/sql"
 * import { it } from "@effect/vitest"
 * import { Effect, Layer } from "effect"
 * import { ContainerRuntime } from "ociman"
 * import { Postgres, Seed } from "@ociman/postgres/client"
 *
 * const Database = Postgres.layerClient({
 *   image: "postgres:17",
 *   seeds: [Seed.sql("schema", "CREATE TABLE t (id int)")]
 * }).pipe(Layer.provide(ContainerRuntime.layerFromEnv), Layer.provide(NodeContext.layer))
 *
 * it.layer(Database, { timeout: "60 seconds" })("the database", (it) => {
 *   it.effect("starts empty", () =>
 *     Effect.gen(function* () {
 *       const sql = yield* SqlClient.SqlClient
 *       const rows = yield* sql`SELECT count(*)::int AS n FROM t`
 *       return rows
 *     })
 *   )
 * })
 * ```
 *
 * @since 0.1.0
 */
import type { FileSystem } from "@effect/platform"
import type { SqlClient, SqlError } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Context, Effect, Layer, type Scope } from "effect"
import type { ContainerRuntime } from "ociman"
import { freshDatabase, layer, type Options, Postgres } from "../Postgres.js"
import type { ConnectionFailed, PostgresError, QueryFailed } from "../PostgresError.js"

export * from "../Postgres.js"

/**
 * `PgClient` options other than where to connect (which come from the server).
 * @since 0.1.0
 * @category models
 */
export type ClientOptions = Omit<
  PgClient.PgClientConfig,
  "url" | "host" | "port" | "path" | "database" | "username" | "password"
>

const clientLayer = (connection: { readonly url: PgClient.PgClientConfig["url"] }, client: ClientOptions) =>
  PgClient.layer({ ...client, url: connection.url })

/**
 * The server ({@link Postgres}) and an `@effect/sql-pg` client on its database (`PgClient` and
 * `SqlClient`), for as long as the layer lives.
 * @example
 * ```ts
 * import { Postgres } from "@ociman/postgres/client"
 * const Database = Postgres.layerClient({ image: "postgres:17" }, { maxConnections: 4 })
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layerClient = (
  options: Options,
  client: ClientOptions = {}
): Layer.Layer<
  Postgres | PgClient.PgClient | SqlClient.SqlClient,
  PostgresError | SqlError.SqlError,
  ContainerRuntime.ContainerRuntime | FileSystem.FileSystem
> =>
  Layer.unwrapEffect(Effect.map(Postgres, (server) => clientLayer(server, client))).pipe(
    Layer.provideMerge(layer(options))
  )

/**
 * A `PgClient` on a fresh clone of the seeded database; the clone is dropped when the scope closes.
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Postgres } from "@ociman/postgres/client"
 *
 * const count = Effect.scoped(
 *   Effect.gen(function* () {
 *     const sql = yield* Postgres.freshClient()
 *     return yield* sql`SELECT 1 AS one`
 *   })
 * )
 * ```
 * @since 0.1.0
 * @category effects
 */
export const freshClient = (
  client: ClientOptions = {}
): Effect.Effect<PgClient.PgClient, QueryFailed | ConnectionFailed | SqlError.SqlError, Postgres | Scope.Scope> =>
  Effect.gen(function* () {
    const database = yield* freshDatabase
    const context = yield* Layer.build(clientLayer(database, client))
    return Context.get(context, PgClient.PgClient)
  })

/**
 * A `PgClient` and `SqlClient` on a fresh clone of the seeded database, for as long as the layer
 * lives: give each `it.layer` block its own database on one shared server.
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { Postgres } from "@ociman/postgres/client"
 *
 * declare const Server: Layer.Layer<Postgres.Postgres>
 * const Isolated = Postgres.layerFreshClient().pipe(Layer.provide(Server))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layerFreshClient = (
  client: ClientOptions = {}
): Layer.Layer<PgClient.PgClient | SqlClient.SqlClient, QueryFailed | ConnectionFailed | SqlError.SqlError, Postgres> =>
  Layer.unwrapScoped(Effect.map(freshDatabase, (database) => clientLayer(database, client)))
