/**
 * `@ociman/postgres`: an ephemeral, seeded PostgreSQL for Effect programs and tests, its seeded
 * states cached as content-addressed images. For `@effect/sql` clients (`PgClient`, `SqlClient`)
 * and Effect seeds, import from `@ociman/postgres/client` (needs the optional peers
 * `@effect/sql` and `@effect/sql-pg`).
 *
 * @since 0.1.0
 * @module @ociman/postgres
 */

/** @since 0.1.0 */
export * as Postgres from "./Postgres.js"

/** @since 0.1.0 */
export * as PostgresCache from "./PostgresCache.js"

/** @since 0.1.0 */
export * as PostgresError from "./PostgresError.js"

/** @since 0.1.0 */
export * as Seed from "./Seed.js"
