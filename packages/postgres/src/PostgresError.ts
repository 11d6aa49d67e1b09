/**
 * The typed failures of `@ociman/postgres`: each says what happened and what to do about it.
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { Postgres } from "@ociman/postgres"
 *
 * const program = Postgres.start({ image: "postgres:17" }).pipe(
 *   Effect.catchTags({
 *     StartFailed: (error) => Console.error(error.message), // exit code and last log lines
 *     SeedFailed: (error) => Console.error(`seed ${error.seed}: ${error.serverMessage}`)
 *   }),
 *   Effect.scoped
 * )
 * ```
 *
 * @since 0.1.0
 */
import { Data } from "effect"

const excerpt = (lines: ReadonlyArray<string>, count = 15): string =>
  lines.length === 0
    ? " (no log output)"
    : `; last log lines:\n${lines
        .slice(-count)
        .map((l) => `  ${l}`)
        .join("\n")}`

/**
 * An option of `Postgres.start` (or of a seed, or a cache name) is not valid.
 * @since 0.1.0
 * @category errors
 */
export class InvalidOptions extends Data.TaggedError("InvalidOptions")<{
  /** The option, e.g. `cache.name` or `parameters`. */
  readonly option: string
  readonly input: string
  readonly reason: string
}> {
  override get message(): string {
    return `invalid ${this.option} ${JSON.stringify(this.input)}: ${this.reason}`
  }
}

/**
 * Why a server did not start.
 * @since 0.1.0
 * @category errors
 */
export type StartFailureReason = "Exited" | "TimedOut" | "Runtime"

/**
 * The server's container could not be started, exited during its start (initdb, an init script,
 * a bad `-c` parameter), or was not ready in time. Carries the container's last log lines.
 * @since 0.1.0
 * @category errors
 */
export class StartFailed extends Data.TaggedError("StartFailed")<{
  readonly image: string
  readonly reason: StartFailureReason
  readonly exitCode: number | undefined
  readonly lastLogs: ReadonlyArray<string>
  /** The runtime's or the wait's own message. */
  readonly detail: string
}> {
  override get message(): string {
    switch (this.reason) {
      case "Exited":
        return `PostgreSQL from ${this.image} exited${this.exitCode === undefined ? "" : ` with code ${this.exitCode}`} during its start${excerpt(this.lastLogs)}`
      case "TimedOut":
        return `PostgreSQL from ${this.image} was not ready in time (raise startTimeout if the machine is just slow): ${this.detail}${excerpt(this.lastLogs)}`
      case "Runtime":
        return `could not start PostgreSQL from ${this.image}: ${this.detail}`
    }
  }
}

/**
 * Why a connection failed.
 * @since 0.1.0
 * @category errors
 */
export type ConnectionFailureReason = "AuthenticationFailed" | "Refused" | "DatabaseNotFound" | "Other"

/**
 * A connection to the server failed: a wrong password or user (`AuthenticationFailed`), nothing
 * listening (`Refused`), a missing database, or anything else the client or server reported.
 * @since 0.1.0
 * @category errors
 */
export class ConnectionFailed extends Data.TaggedError("ConnectionFailed")<{
  readonly host: string
  readonly port: number
  readonly database: string
  readonly username: string
  readonly reason: ConnectionFailureReason
  /** The SQLSTATE (`28P01`) or system error code (`ECONNREFUSED`), when there is one. */
  readonly code: string | undefined
  readonly detail: string
}> {
  override get message(): string {
    const where = `${this.username}@${this.host}:${this.port}/${this.database}`
    switch (this.reason) {
      case "AuthenticationFailed":
        return `cannot connect to ${where}: authentication failed (wrong password or user): ${this.detail}`
      case "Refused":
        return `cannot connect to ${where}: connection refused (is the server running, on that port?)`
      case "DatabaseNotFound":
        return `cannot connect to ${where}: the database does not exist: ${this.detail}`
      case "Other":
        return `cannot connect to ${where}: ${this.detail}`
    }
  }
}

/**
 * A seed failed: which one (its name and position in the chain) and what the server (or the
 * script, or the Effect) said. Nothing is cached for it or the seeds after it; the seeds before
 * it stay cached.
 * @since 0.1.0
 * @category errors
 */
export class SeedFailed extends Data.TaggedError("SeedFailed")<{
  readonly seed: string
  /** Zero-based position in the chain. */
  readonly index: number
  /** The server's error message (`relation "x" does not exist`), the script's stderr, or the Effect's failure. */
  readonly serverMessage: string
  /** The SQLSTATE of an SQL seed's error, when the server sent one. */
  readonly code: string | undefined
  /** Where in the seed's text the error is (1-based character), when the server said. */
  readonly position: number | undefined
}> {
  override get message(): string {
    const at = this.position === undefined ? "" : ` (at character ${this.position})`
    const code = this.code === undefined ? "" : ` [${this.code}]`
    return `seed ${this.index + 1} "${this.seed}" failed${at}${code}: ${this.serverMessage}`
  }
}

/**
 * A seed file could not be read.
 * @since 0.1.0
 * @category errors
 */
export class SeedFileUnreadable extends Data.TaggedError("SeedFileUnreadable")<{
  readonly seed: string
  readonly path: string
  readonly detail: string
}> {
  override get message(): string {
    return `cannot read the file of seed "${this.seed}" (${this.path}): ${this.detail}`
  }
}

/**
 * A statement the service runs for itself failed (creating or dropping a fresh database, setting
 * the password of a server started from a cached image).
 * @since 0.1.0
 * @category errors
 */
export class QueryFailed extends Data.TaggedError("QueryFailed")<{
  /** What the service was doing, e.g. `create database ociman_fresh_1a2b`. */
  readonly operation: string
  readonly code: string | undefined
  readonly detail: string
}> {
  override get message(): string {
    return `could not ${this.operation}${this.code === undefined ? "" : ` [${this.code}]`}: ${this.detail}`
  }
}

/**
 * The seed cache could not be read or written (listing, committing, removing its images).
 * @since 0.1.0
 * @category errors
 */
export class CacheFailed extends Data.TaggedError("CacheFailed")<{
  readonly operation: string
  readonly detail: string
}> {
  override get message(): string {
    return `seed cache: could not ${this.operation}: ${this.detail}`
  }
}

/**
 * Every failure of `Postgres.start`.
 * @since 0.1.0
 * @category errors
 */
export type PostgresError =
  InvalidOptions | StartFailed | ConnectionFailed | SeedFailed | SeedFileUnreadable | QueryFailed | CacheFailed
