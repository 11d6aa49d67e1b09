/**
 * `@ociman/postgres/client`: everything `@ociman/postgres` has, plus `@effect/sql-pg` clients
 * (`Postgres.layerClient`, `Postgres.freshClient`) and Effect seeds that get an `SqlClient`
 * (`Seed.effect`). Needs the optional peers `@effect/sql` and `@effect/sql-pg`.
 *
 * @since 0.1.0
 * @module @ociman/postgres/client
 */

/** @since 0.1.0 */
export * as Postgres from "./Postgres.js"

/** @since 0.1.0 */
export * as PostgresCache from "../PostgresCache.js"

/** @since 0.1.0 */
export * as PostgresError from "../PostgresError.js"

/** @since 0.1.0 */
export * as Seed from "./Seed.js"
