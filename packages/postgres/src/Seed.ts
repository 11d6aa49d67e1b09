/**
 * Seeds: what `Postgres.start` runs, in order, on a fresh server, and caches. Each seed has a
 * name (for errors and the cache listing) and content that keys the cache:
 *
 * - `sql`: SQL text, run on the database (several statements allowed);
 * - `sqlFile`: an SQL file on this host, read at start (its bytes are the key);
 * - `script` / `scriptFile`: a shell script run inside the container as the `postgres` user,
 *   with `PGUSER`, `PGDATABASE` and `PGPASSWORD` set (so `psql` just works);
 * - `custom`: an Effect run with the connection, keyed by the `key` it declares (bump the key to
 *   rerun it). `@ociman/postgres/client` adds `Seed.effect`, which gets an `SqlClient`.
 *
 * @example
 * ```ts
 * import { Postgres, Seed } from "@ociman/postgres"
 *
 * const options: Postgres.Options = {
 *   image: "postgres:17",
 *   seeds: [
 *     Seed.sql("schema", "CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL)"),
 *     Seed.sqlFile("./db/fixtures.sql"),
 *     Seed.script("extensions", "psql -c 'CREATE EXTENSION IF NOT EXISTS pgcrypto'")
 *   ]
 * }
 * ```
 *
 * @since 0.1.0
 */
import { Cause, Effect } from "effect"
import type { Connection } from "./Postgres.js"

/**
 * SQL text.
 * @since 0.1.0
 * @category models
 */
export interface Sql {
  readonly _tag: "Sql"
  readonly name: string
  readonly text: string
}

/**
 * An SQL file on this host.
 * @since 0.1.0
 * @category models
 */
export interface SqlFile {
  readonly _tag: "SqlFile"
  readonly name: string
  readonly path: string
}

/**
 * A shell script run inside the container.
 * @since 0.1.0
 * @category models
 */
export interface Script {
  readonly _tag: "Script"
  readonly name: string
  readonly text: string
}

/**
 * A shell script file on this host, run inside the container.
 * @since 0.1.0
 * @category models
 */
export interface ScriptFile {
  readonly _tag: "ScriptFile"
  readonly name: string
  readonly path: string
}

/**
 * An Effect run with the server's connection details; its cache key is the declared `key`.
 * @since 0.1.0
 * @category models
 */
export interface Custom {
  readonly _tag: "Custom"
  readonly name: string
  readonly key: string
  /** Fails with the description of what went wrong (the seed's own failure, rendered). */
  readonly run: (connection: Connection) => Effect.Effect<void, string>
}

/**
 * A seed.
 * @since 0.1.0
 * @category models
 */
export type Seed = Sql | SqlFile | Script | ScriptFile | Custom

const baseName = (path: string): string =>
  path
    .split(/[\\/]/)
    .filter((part) => part !== "")
    .at(-1) ?? path

/**
 * SQL text, run on the database.
 * @example
 * ```ts
 * import { Seed } from "@ociman/postgres"
 * const schema = Seed.sql("schema", "CREATE TABLE t (id int)")
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const sql = (name: string, text: string): Seed => ({ _tag: "Sql", name, text })

/**
 * An SQL file, read when the server starts; named after the file unless a name is given.
 * @example
 * ```ts
 * import { Seed } from "@ociman/postgres"
 * const fixtures = Seed.sqlFile("./db/fixtures.sql")
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const sqlFile = (path: string, name: string = baseName(path)): Seed => ({ _tag: "SqlFile", name, path })

/**
 * A shell script run inside the container by `sh` as the `postgres` user, with `PGUSER`,
 * `PGDATABASE` and `PGPASSWORD` set. A non-zero exit fails the seed with its output.
 * @example
 * ```ts
 * import { Seed } from "@ociman/postgres"
 * const ext = Seed.script("pgcrypto", "psql -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION pgcrypto'")
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const script = (name: string, text: string): Seed => ({ _tag: "Script", name, text })

/**
 * A shell script file, read when the server starts and run like {@link script}.
 * @example
 * ```ts
 * import { Seed } from "@ociman/postgres"
 * const setup = Seed.scriptFile("./db/setup.sh")
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const scriptFile = (path: string, name: string = baseName(path)): Seed => ({ _tag: "ScriptFile", name, path })

/**
 * An Effect that receives the connection details (`url`, `host`, `port`, …). It is cached under
 * the `key` it declares: change the key when what it does changes.
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Seed } from "@ociman/postgres"
 * const logged = Seed.custom("log", "v1", (connection) =>
 *   Effect.log(`seeding ${connection.database} on port ${connection.port}`)
 * )
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const custom = <E>(
  name: string,
  key: string,
  run: (connection: Connection) => Effect.Effect<void, E>
): Seed => ({
  _tag: "Custom",
  name,
  key,
  run: (connection) =>
    Effect.suspend(() => run(connection)).pipe(
      Effect.asVoid,
      Effect.catchAllCause((cause) =>
        // an interruption stays one; a failure or a defect becomes the seed's failure
        Cause.isInterruptedOnly(cause) ? Effect.interrupt : Effect.fail(renderCause(cause))
      )
    )
})

const renderCause = (cause: Cause.Cause<unknown>): string => {
  const failure = Cause.squash(cause)
  return failure instanceof Error ? failure.message : Cause.pretty(cause)
}
