/**
 * The seeds of `@ociman/postgres` (see its `Seed` module), plus {@link effect}: an Effect seed
 * that gets an `SqlClient` (and `PgClient`) connected to the database being seeded.
 *
 * @example
 * ```ts
 * import { SqlClient } from "@effect/sql"
 * import { Effect } from "effect"
 * import { Seed } from "@ociman/postgres/client"
 *
 * const users = Seed.effect(
 *   "users",
 *   "users-v1", // the cache key: change it when the seed changes
 *   Effect.gen(function* () {
 *     const sql = yield* SqlClient.SqlClient
 *     yield* sql`INSERT INTO users ${sql.insert([{ name: "ada" }, { name: "grace" }])}`
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 */
import type { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Effect } from "effect"
import { custom, type Seed } from "../Seed.js"

export * from "../Seed.js"

/**
 * An Effect seed run with an `SqlClient` and a `PgClient` on the database being seeded (one
 * connection, closed after the seed). It is cached under `key`: change the key when the Effect
 * does something else, or it will not run again.
 * @example
 * ```ts
 * import { SqlClient } from "@effect/sql"
 * import { Effect } from "effect"
 * import { Seed } from "@ociman/postgres/client"
 *
 * const schema = Seed.effect("schema", "v1", Effect.flatMap(SqlClient.SqlClient, (sql) => sql`CREATE TABLE t (id int)`))
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const effect = <E>(
  name: string,
  key: string,
  seed: Effect.Effect<unknown, E, SqlClient.SqlClient | PgClient.PgClient>
): Seed =>
  custom(name, key, (connection) =>
    seed.pipe(Effect.asVoid, Effect.provide(PgClient.layer({ url: connection.url, maxConnections: 1 })))
  )
