/** `Postgres.Options` checked and completed with their defaults. */
import { Duration, Effect, Either, Redacted } from "effect"
import { ImageReference } from "ociman"
import { InvalidOptions } from "../PostgresError.js"
import type { Seed } from "../Seed.js"

/** What `Postgres.start` accepts (documented on `Postgres.Options`). */
export interface Input {
  readonly image: string | ImageReference.ImageReference
  readonly database?: string | undefined
  readonly username?: string | undefined
  readonly password?: string | Redacted.Redacted<string> | undefined
  readonly parameters?: Readonly<Record<string, string | number | boolean>> | undefined
  readonly tmpfs?: boolean | { readonly sizeBytes?: number | undefined } | undefined
  readonly initdbArgs?: ReadonlyArray<string> | undefined
  readonly seeds?: ReadonlyArray<Seed> | undefined
  readonly cache?: false | { readonly name?: string | undefined } | undefined
  readonly hostIp?: string | undefined
  readonly labels?: Readonly<Record<string, string>> | undefined
  readonly startTimeout?: Duration.DurationInput | undefined
  /**
   * Reuse one server across scopes, processes and runs (see `Postgres.Options`); needs `password`.
   * @since 0.1.0
   * @category models
   * @example
   * ```ts
   * import { Postgres } from "@ociman/postgres"
   * const options: Postgres.Options = { image: "postgres:17", password: "local-only", reuse: true }
   * ```
   */
  readonly reuse?: boolean | undefined
}

export interface Resolved {
  readonly image: ImageReference.ImageReference
  readonly database: string
  readonly username: string
  /** The user's password, or one generated now. */
  readonly password: Redacted.Redacted<string>
  readonly parameters: ReadonlyArray<readonly [string, string]>
  readonly tmpfs: { readonly sizeBytes: number | undefined } | undefined
  readonly initdbArgs: ReadonlyArray<string>
  readonly seeds: ReadonlyArray<Seed>
  /** The cache's name, or undefined when seeds are not cached (no seeds, `cache: false`, tmpfs). */
  readonly cacheName: string | undefined
  readonly hostIp: string
  readonly labels: ReadonlyArray<readonly [string, string]>
  readonly startTimeout: Duration.Duration
  /** Start the server with `Container.start(…, { reuse: true })` (needs a given password). */
  readonly reuse: boolean
}

/** Where the data directory lives: outside the official image's VOLUME, so a commit keeps it. */
export const DATA_DIRECTORY = "/var/lib/ociman-postgres/data"
export const DEFAULT_CACHE_NAME = "default"
/** A repository path component, as image names allow. */
const CACHE_NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const PARAMETER = /^[A-Za-z_][A-Za-z0-9_.]*$/

/** 24 random bytes, URL-safe: nothing to encode, ~143 bits. */
export const generatePassword = (): string => {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(24))
  return Buffer.from(bytes).toString("base64url")
}

const invalid = (option: string, input: string, reason: string) =>
  Either.left(new InvalidOptions({ option, input, reason }))

const name = (option: string, input: string | undefined, fallback: string): Either.Either<string, InvalidOptions> => {
  const value = input ?? fallback
  if (value === "") return invalid(option, value, "must not be empty")
  if (value.includes("\0")) return invalid(option, value, "must not contain NUL")
  if (Buffer.byteLength(value) > 63) return invalid(option, value, "PostgreSQL names are at most 63 bytes")
  return Either.right(value)
}

const parameters = (
  input: Input["parameters"]
): Either.Either<ReadonlyArray<readonly [string, string]>, InvalidOptions> => {
  const entries = Object.entries(input ?? {}).map(([key, value]) => [key, String(value)] as const)
  for (const [key, value] of entries) {
    if (!PARAMETER.test(key)) return invalid("parameters", key, "a server parameter name is letters, digits, _ and .")
    if (value.includes("\0")) return invalid("parameters", `${key}=${value}`, "must not contain NUL")
  }
  return Either.right(entries)
}

const seedNames = (seeds: ReadonlyArray<Seed>): Either.Either<ReadonlyArray<Seed>, InvalidOptions> => {
  const empty = seeds.find((seed) => seed.name.trim() === "")
  return empty === undefined ? Either.right(seeds) : invalid("seeds", empty._tag, "every seed needs a name")
}

export const cacheName = (input: string | undefined): Either.Either<string, InvalidOptions> => {
  const value = input ?? DEFAULT_CACHE_NAME
  return CACHE_NAME.test(value) && value.length <= 100
    ? Either.right(value)
    : invalid("cache.name", value, "use lowercase letters, digits and single . _ - separators (an image name part)")
}

const tmpfsOf = (input: Input["tmpfs"]): Either.Either<Resolved["tmpfs"], InvalidOptions> => {
  if (input === undefined || input === false) return Either.right(undefined)
  if (input === true) return Either.right({ sizeBytes: undefined })
  const size = input.sizeBytes
  return size === undefined || (Number.isSafeInteger(size) && size > 0)
    ? Either.right({ sizeBytes: size })
    : invalid("tmpfs.sizeBytes", String(size), "a positive whole number of bytes")
}

export const resolve = (input: Input): Effect.Effect<Resolved, InvalidOptions> =>
  Effect.gen(function* () {
    const image = yield* Either.mapLeft(
      ImageReference.fromInput(input.image),
      (error) => new InvalidOptions({ option: "image", input: String(input.image), reason: error.message })
    )
    const username = yield* name("username", input.username, "postgres")
    const database = yield* name("database", input.database, username === "postgres" ? "postgres" : username)
    const reuse = input.reuse === true
    if (reuse && input.password === undefined)
      return yield* new InvalidOptions({
        option: "password",
        input: "",
        reason:
          "reuse needs a password: a generated one differs per start, so no start would find the server again, and another process could not log in"
      })
    const password =
      input.password === undefined
        ? Redacted.make(generatePassword())
        : typeof input.password === "string"
          ? Redacted.make(input.password)
          : input.password
    if (Redacted.value(password) === "")
      return yield* new InvalidOptions({ option: "password", input: "", reason: "must not be empty" })
    const tmpfs = yield* tmpfsOf(input.tmpfs)
    const seeds = yield* seedNames(input.seeds ?? [])
    // a tmpfs data directory is not part of a commit: its seeds run on every start
    const cached = input.cache !== false && tmpfs === undefined && seeds.length > 0
    if (reuse && seeds.length > 0 && !cached)
      return yield* new InvalidOptions({
        option: input.cache === false ? "cache" : "tmpfs",
        input: input.cache === false ? "false" : "true",
        reason:
          "reuse with seeds needs the cache (and no tmpfs): a reused server must start seeded from a cache image, since seeds run in the server itself would run again on every start that reuses it"
      })
    return {
      image,
      database,
      username,
      password,
      parameters: yield* parameters(input.parameters),
      tmpfs,
      initdbArgs: input.initdbArgs ?? [],
      seeds,
      cacheName: cached ? yield* cacheName(typeof input.cache === "object" ? input.cache.name : undefined) : undefined,
      hostIp: input.hostIp ?? "127.0.0.1",
      labels: Object.entries(input.labels ?? {}),
      startTimeout: Duration.decode(input.startTimeout ?? Duration.seconds(60)),
      reuse
    }
  })
