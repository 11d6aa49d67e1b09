/**
 * `@ociman/postgres`: a real PostgreSQL, seeded and queried through `@effect/sql-pg`'s `PgClient`.
 * The seeds run on the first start and are cached as images (`localhost/ociman-postgres/examples:<key>`);
 * the second start of the same seeds starts seeded, running none. A fresh database per unit of
 * work is a clone of the seeded one, dropped afterwards.
 *
 * Offline, it uses the test image `scripts/provision-runtimes.sh` builds; with a registry,
 * `OCIMAN_TEST_POSTGRES_IMAGE=postgres:17` works the same.
 *
 *     node --import tsx --conditions source examples/postgres.ts
 *     OCIMAN_BACKEND=podman node --import tsx --conditions source examples/postgres.ts
 *
 * `ociman postgres cache reset --cache-name examples` removes the cache images it keeps.
 */
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Config, Console, Effect, Layer } from "effect"
import { ContainerRuntime } from "ociman"
import { Postgres, Seed } from "@ociman/postgres/client"

const image = Config.string("OCIMAN_TEST_POSTGRES_IMAGE").pipe(Config.withDefault("localhost/ociman-test/postgres:15"))

const seeds = [
  Seed.sql("schema", "CREATE TABLE book (id serial PRIMARY KEY, title text NOT NULL, year int NOT NULL)"),
  Seed.effect(
    "books",
    "books-v1", // the cache key of an Effect seed: change it when the seed changes
    Effect.flatMap(
      SqlClient.SqlClient,
      (sql) =>
        sql`INSERT INTO book ${sql.insert([
          { title: "Structure and Interpretation of Computer Programs", year: 1985 },
          { title: "Types and Programming Languages", year: 2002 },
          { title: "Purely Functional Data Structures", year: 1998 }
        ])}`
    )
  )
]

/** Starts (or restarts from the cache) and queries; returns what the seeding did. */
const session = (label: string) =>
  Effect.gen(function* () {
    const server = yield* Postgres.Postgres
    const sql = yield* PgClient.PgClient
    const books = yield* sql<{
      title: string
      year: number
    }>`SELECT title, year FROM book WHERE year < 2000 ORDER BY year`
    const { ran, reused } = server.seeding
    yield* Console.log(`${label} seeds ran: ${ran.length === 0 ? "none" : ran.join(", ")}; from the cache: ${reused}`)
    for (const book of books) yield* Console.log(`          ${book.year} ${book.title}`)

    // a fresh database: a clone of the seeded one, dropped when its scope closes
    const added = yield* Effect.scoped(
      Effect.gen(function* () {
        const fresh = yield* Postgres.freshClient()
        yield* fresh`INSERT INTO book (title, year) VALUES ('Effect in Practice', 2025)`
        const [{ n } = { n: 0 }] = yield* fresh<{ n: number }>`SELECT count(*)::int AS n FROM book`
        return n
      })
    )
    const [{ n } = { n: 0 }] = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM book`
    yield* Console.log(`fresh:    ${added} books in the clone, still ${n} in the seeded database`)
  })

const program = Effect.gen(function* () {
  const options: Postgres.Options = { image: yield* image, seeds, cache: { name: "examples" } }
  for (const label of ["first: ", "second:"]) {
    yield* session(label).pipe(Effect.provide(Postgres.layerClient(options)))
  }
})

program.pipe(
  Effect.provide(Layer.merge(ContainerRuntime.layerFromEnv, NodeContext.layer)),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain
)
