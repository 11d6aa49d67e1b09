/**
 * `ociman postgres up [--image REF] [--seed FILE]… [--cache-name NAME] [--json]`: starts an
 * ephemeral PostgreSQL (`@ociman/postgres`), runs the seeds the cache does not have yet
 * (`*.sql` files run on the database, `*.sh` scripts inside the container), prints its URL (or
 * JSON) and keeps it until Ctrl-C, when it is removed.
 *
 * `ociman postgres cache status [--cache-name NAME] [--json]` lists the seed cache's images,
 * `ociman postgres cache reset [--cache-name NAME] [--json]` removes them.
 *
 * The declarations load nothing of the library; each action imports `@ociman/postgres` (and the
 * runtime) when it runs, so `ociman --help` stays cheap.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import type { PostgresCache, PostgresError as Errors, Seed as SeedModule } from "@ociman/postgres"
import type * as RuntimeError from "ociman/RuntimeError"
import { Console, Data, Effect, Option, Redacted } from "effect"
import { backendOption, jsonOption } from "../options.js"

/** A `--seed` that is neither SQL nor a shell script. */
export class UnknownSeedKind extends Data.TaggedError("UnknownSeedKind")<{ readonly path: string }> {
  override get message(): string {
    return `--seed ${this.path}: name an SQL file (*.sql) or a shell script (*.sh)`
  }
}

/** Some cache images could not be removed (in use by a running server). */
export class CacheResetIncomplete extends Data.TaggedError("CacheResetIncomplete")<{ readonly failed: number }> {
  override get message(): string {
    return `${this.failed} cache image${this.failed === 1 ? "" : "s"} could not be removed (see above)`
  }
}

const cacheNameOption = Options.text("cache-name").pipe(
  Options.withDescription("The seed cache's name: its images are localhost/ociman-postgres/<name>:<key>"),
  Options.optional
)

export const upConfig = {
  image: Options.text("image").pipe(
    Options.withDescription("Any image following the official postgres image's contract"),
    Options.withDefault("postgres:17")
  ),
  seeds: Options.text("seed").pipe(
    Options.withDescription("A seed, run in order: an SQL file (*.sql) or a shell script run in the container (*.sh)"),
    Options.repeated
  ),
  cacheName: cacheNameOption,
  backend: backendOption,
  json: jsonOption
}

export const cacheConfig = { cacheName: cacheNameOption, backend: backendOption, json: jsonOption }

/** What the command lines parse to. */
export type UpInput = Command.Command.ParseConfig<typeof upConfig>
export type CacheInput = Command.Command.ParseConfig<typeof cacheConfig>

// ---------------------------------------------------------------------------------------------
// Actions (the library is imported when one runs)
// ---------------------------------------------------------------------------------------------

const library = Effect.promise(() =>
  Promise.all([import("@ociman/postgres"), import("../platform.js"), import("../runtimeLayer.js")]).then(
    ([postgres, platform, runtime]) => ({ ...postgres, ...platform, ...runtime })
  )
)

/** `*.sql` and `*.sh` files as seeds, in order. */
export const seedsOf = (
  Seed: typeof SeedModule,
  paths: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<SeedModule.Seed>, UnknownSeedKind> =>
  Effect.forEach(paths, (path) =>
    path.endsWith(".sql")
      ? Effect.succeed(Seed.sqlFile(path))
      : path.endsWith(".sh")
        ? Effect.succeed(Seed.scriptFile(path))
        : Effect.fail(new UnknownSeedKind({ path }))
  )

/** Starts the server, prints where it is, and keeps it until interrupted (Ctrl-C). */
export const upAction = (
  input: UpInput
): Effect.Effect<void, Errors.PostgresError | UnknownSeedKind | RuntimeError.ResolveError> =>
  Effect.gen(function* () {
    const { Postgres, Seed, filesLayer, runtimeLayer } = yield* library
    const seeds = yield* seedsOf(Seed, input.seeds)
    yield* Effect.gen(function* () {
      const server = yield* Postgres.start({
        image: input.image,
        seeds,
        cache: { name: Option.getOrUndefined(input.cacheName) }
      })
      const url = Redacted.value(server.url)
      if (input.json) {
        yield* Console.log(
          JSON.stringify({
            url,
            host: server.host,
            port: server.port,
            database: server.database,
            username: server.username,
            password: Redacted.value(server.password),
            container: server.container.id,
            seeding: server.seeding
          })
        )
      } else {
        yield* Console.log(url)
        const { ran, reused } = server.seeding
        if (seeds.length > 0)
          yield* Console.error(`seeds: ${reused} from the cache, ran ${ran.length === 0 ? "none" : ran.join(", ")}`)
        yield* Console.error("PostgreSQL is up; Ctrl-C stops and removes it")
      }
      return yield* Effect.never
    }).pipe(Effect.scoped, Effect.provide(filesLayer), Effect.provide(runtimeLayer(input.backend)))
  })

const entryLine = (entry: PostgresCache.Entry): string =>
  `${entry.reference}  seed ${entry.depth} ${JSON.stringify(entry.seed)} (from ${entry.base})`

/** Lists the cache images. */
export const cacheStatusAction = (
  input: CacheInput
): Effect.Effect<void, Errors.CacheFailed | Errors.InvalidOptions | RuntimeError.ResolveError> =>
  Effect.gen(function* () {
    const { PostgresCache, runtimeLayer } = yield* library
    const entries = yield* PostgresCache.status({ name: Option.getOrUndefined(input.cacheName) }).pipe(
      Effect.provide(runtimeLayer(input.backend))
    )
    if (input.json) return yield* Console.log(JSON.stringify(entries))
    yield* Console.log(
      entries.length === 0
        ? "the seed cache is empty"
        : [...entries.map(entryLine), `${entries.length} cache images`].join("\n")
    )
  })

/** Removes the cache images. */
export const cacheResetAction = (
  input: CacheInput
): Effect.Effect<void, Errors.CacheFailed | Errors.InvalidOptions | CacheResetIncomplete | RuntimeError.ResolveError> =>
  Effect.gen(function* () {
    const { PostgresCache, runtimeLayer } = yield* library
    const report = yield* PostgresCache.reset({ name: Option.getOrUndefined(input.cacheName) }).pipe(
      Effect.provide(runtimeLayer(input.backend))
    )
    if (input.json) yield* Console.log(JSON.stringify(report))
    else
      yield* Console.log(
        [
          ...report.removed.map((entry) => `removed ${entry.reference}`),
          ...report.failed.map(({ entry, reason }) => `failed to remove ${entry.reference}: ${reason}`),
          `${report.removed.length} removed`
        ].join("\n")
      )
    if (report.failed.length > 0) return yield* new CacheResetIncomplete({ failed: report.failed.length })
  })

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

const up = Command.make("up", upConfig, upAction).pipe(
  Command.withDescription(
    "Start an ephemeral PostgreSQL, run the --seed files the cache does not have, print its URL (or --json) and keep it until Ctrl-C"
  )
)

const status = Command.make("status", cacheConfig, cacheStatusAction).pipe(
  Command.withDescription("List the seed cache's images (localhost/ociman-postgres/<name>:<key>)")
)

const reset = Command.make("reset", cacheConfig, cacheResetAction).pipe(
  Command.withDescription("Remove the seed cache's images (of one --cache-name, or all)")
)

const cache = Command.make("cache").pipe(
  Command.withDescription("The seed cache: cached seeded states, one image per seed"),
  Command.withSubcommands([status, reset])
)

export const postgres = Command.make("postgres").pipe(
  Command.withDescription("An ephemeral, seeded PostgreSQL (@ociman/postgres)"),
  Command.withSubcommands([up, cache])
)
