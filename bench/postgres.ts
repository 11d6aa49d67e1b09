/**
 * `@ociman/postgres` benchmark, on each runtime present, with the offline test image
 * (`OCIMAN_TEST_POSTGRES_IMAGE`, default `localhost/ociman-test/postgres:15`):
 *
 * - a start of a cached three-seed chain against an unseeded start (goal: ≤ 1.2× the unseeded
 *   time, ratio ≥ 0.83): the cache must make seeds free;
 * - a cold (unseeded) start against what a user would write by hand: `docker run -d -p …` with
 *   `POSTGRES_PASSWORD`, then polling a login through the published port (goal ≤ 1.1×, ratio ≥ 0.91);
 * - a fresh database clone (`Postgres.freshDatabase`), median, against a cached start (goal ≤ 150 ms).
 *
 * Every server runs with `-c fsync=off`, as a throwaway test database should (a clone is mostly
 * fsync time otherwise). Starts are timed until ready (a login succeeds); the removal after each
 * is not timed, for the library and the baseline alike. Runs alternate so drift on this noisy machine hits both alike.
 */
import { Command } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { Console, Duration, Effect, Either, Layer, Redacted, Schedule } from "effect"
import { ContainerRuntime } from "ociman"
import { Postgres, PostgresCache, Seed } from "@ociman/postgres"
import { BenchError, median, type Result, runCommand, timed } from "./measurement.js"

const IMAGE = process.env["OCIMAN_TEST_POSTGRES_IMAGE"] ?? "localhost/ociman-test/postgres:15"
const ROUNDS = 5
const CLONES = 15
const CACHE = `bench-${process.pid}`
/** What a throwaway test database runs with (durability buys nothing there); the baseline too. */
const FSYNC_OFF = { fsync: "off" }

const seeds = [
  Seed.sql("schema", "CREATE TABLE item (id int PRIMARY KEY, name text NOT NULL, price numeric NOT NULL)"),
  Seed.sql("rows", "INSERT INTO item SELECT i, 'item ' || i, i * 0.5 FROM generate_series(1, 20000) AS i"),
  Seed.sql("index", "CREATE INDEX item_name ON item (name); ANALYZE item")
]

/** Time until ready; the removal (scope close) is not timed. */
const startTime = (options: Postgres.Options) =>
  Effect.scoped(Effect.map(timed(Postgres.start(options)), ({ seconds }) => seconds * 1000))

/** `run -d`, then a login through the published port polled every 50 ms; the removal is not timed. */
const byHand = (kind: ContainerRuntime.Kind) =>
  Effect.gen(function* () {
    const password = "bench-password"
    const started = Date.now()
    const id = (yield* runCommand(
      Command.make(
        kind,
        "run",
        "-d",
        "-e",
        `POSTGRES_PASSWORD=${password}`,
        "-p",
        "127.0.0.1::5432",
        IMAGE,
        "postgres",
        "-c",
        "fsync=off"
      )
    )).trim()
    const ready = Effect.gen(function* () {
      const port = Number((yield* runCommand(Command.make(kind, "port", id, "5432/tcp"))).trim().split(":").at(-1))
      yield* Postgres.verify({
        host: "127.0.0.1",
        port,
        database: "postgres",
        username: "postgres",
        password: Redacted.make(password)
      }).pipe(Effect.retry({ schedule: Schedule.spaced(Duration.millis(50)), times: 1200 }))
      return Date.now() - started
    })
    return yield* ready.pipe(Effect.ensuring(Effect.ignore(runCommand(Command.make(kind, "rm", "-f", "-v", id)))))
  })

const measure = (kind: ContainerRuntime.Kind) =>
  Effect.gen(function* () {
    const unseededOptions: Postgres.Options = { image: IMAGE, parameters: FSYNC_OFF }
    const cachedOptions: Postgres.Options = { image: IMAGE, parameters: FSYNC_OFF, seeds, cache: { name: CACHE } }
    // warm-ups, not measured: the page cache, and the cache images of the chain
    yield* startTime(unseededOptions)
    yield* startTime(cachedOptions)
    yield* byHand(kind)
    const unseeded: Array<number> = []
    const cached: Array<number> = []
    const bare: Array<number> = []
    for (let round = 1; round <= ROUNDS; round += 1) {
      yield* Console.error(`postgres ${kind}: round ${round}/${ROUNDS}`)
      unseeded.push(yield* startTime(unseededOptions))
      cached.push(yield* startTime(cachedOptions))
      bare.push(yield* byHand(kind))
    }
    const clones = yield* Effect.scoped(
      Effect.gen(function* () {
        const server = yield* Postgres.start(cachedOptions)
        const times: Array<number> = []
        for (let i = 0; i < CLONES; i += 1) {
          times.push(yield* Effect.scoped(Effect.map(timed(server.freshDatabase), ({ seconds }) => seconds * 1000)))
        }
        return times
      })
    )
    yield* PostgresCache.reset({ name: CACHE })
    const cachedMs = median(cached)
    const unseededMs = median(unseeded)
    const bareMs = median(bare)
    const cloneMs = median(clones)
    const results: ReadonlyArray<Result> = [
      {
        measurement: {
          name: `postgres cached 3-seed start vs unseeded (${kind})`,
          value: cachedMs,
          unit: "ms",
          baseline: unseededMs,
          ratio: unseededMs / cachedMs
        },
        goal: "≥ 0.83x (≤ 1.2× unseeded)",
        met: cachedMs <= unseededMs * 1.2,
        note: `median of ${ROUNDS}; 20 000 rows seeded`
      },
      {
        measurement: {
          name: `postgres cold start vs run + polling by hand (${kind})`,
          value: unseededMs,
          unit: "ms",
          baseline: bareMs,
          ratio: bareMs / unseededMs
        },
        goal: "≥ 0.91x (≤ 1.1× by hand)",
        met: unseededMs <= bareMs * 1.1,
        note: `median of ${ROUNDS}`
      },
      {
        measurement: {
          name: `postgres fresh database clone vs cached start (${kind})`,
          value: cloneMs,
          unit: "ms",
          baseline: cachedMs,
          ratio: cachedMs / cloneMs
        },
        goal: "≤ 150 ms median",
        met: cloneMs <= 150,
        note: `median of ${CLONES}`
      }
    ]
    return results
  }).pipe(
    Effect.provide(
      Layer.merge(ContainerRuntime.layer({ backend: kind }).pipe(Layer.provide(NodeContext.layer)), NodeContext.layer)
    )
  )

export const run = Effect.gen(function* () {
  const results: Array<Result> = []
  for (const kind of ["docker", "podman"] as const) {
    const available = yield* Effect.either(
      ContainerRuntime.resolve({ backend: kind }).pipe(Effect.provide(NodeContext.layer))
    )
    if (Either.isLeft(available)) {
      yield* Console.error(`postgres: skipping ${kind}: ${available.left.message}`)
      continue
    }
    results.push(...(yield* measure(kind)))
  }
  return results
}).pipe(Effect.mapError((error) => (error instanceof BenchError ? error : new BenchError({ reason: error.message }))))
