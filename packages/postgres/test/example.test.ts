/**
 * An example of testing with `@ociman/postgres` and `@effect/vitest`: one seeded server per
 * runtime for the whole block (`layer(Postgres.layerClient(…))`), a `SqlClient` in every test,
 * and `Postgres.freshClient` for a test that writes. Runs on every runtime that is present
 * (`OCIMAN_TEST_BACKENDS=docker,podman` makes them required), with the offline test image that
 * `scripts/provision-runtimes.sh` builds; with a registry, `image: "postgres:17"` works the same.
 */
import { NodeContext } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Testing } from "ociman"
import { Postgres, Seed } from "../src/client/index.js"

const image = process.env["OCIMAN_TEST_POSTGRES_IMAGE"] ?? "localhost/ociman-test/postgres:15"

const seeds = [
  Seed.sql(
    "schema",
    "CREATE TABLE todo (id serial PRIMARY KEY, title text NOT NULL, done boolean NOT NULL DEFAULT false)"
  ),
  Seed.effect(
    "todos",
    "todos-v2",
    Effect.flatMap(
      SqlClient.SqlClient,
      (sql) =>
        sql`INSERT INTO todo ${sql.insert([
          { title: "write tests", done: false },
          { title: "ship", done: true }
        ])}`
    )
  )
]

const plans = await Effect.runPromise(Testing.planBackends().pipe(Effect.provide(NodeContext.layer)))

for (const plan of plans) {
  if (plan._tag === "Skip") continue
  describe(`todo repository [${plan.kind}]`, () => {
    if (plan._tag === "Fail") return it("has its runtime", () => expect.fail(plan.error.message))
    const Database = Postgres.layerClient({
      image,
      parameters: { fsync: "off" },
      seeds,
      cache: { name: "example-test" }
    }).pipe(
      Layer.provide(Layer.merge(plan.layer, NodeContext.layer)),
      Layer.provide(NodeContext.layer) // the runtime's own platform
    )

    layer(Database, { timeout: "120 seconds", excludeTestServices: true })((it) => {
      it.effect("reads the seeded rows", () =>
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          const open = yield* sql<{ title: string }>`SELECT title FROM todo WHERE NOT done ORDER BY id`
          expect(open).toEqual([{ title: "write tests" }])
        })
      )

      it.scoped("writes to its own fresh database, leaving the seeded one as it was", () =>
        Effect.gen(function* () {
          const fresh = yield* Postgres.freshClient()
          yield* fresh`UPDATE todo SET done = true`
          expect(yield* fresh<{ n: number }>`SELECT count(*)::int AS n FROM todo WHERE NOT done`).toEqual([{ n: 0 }])
          const sql = yield* SqlClient.SqlClient
          expect(yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM todo WHERE NOT done`).toEqual([{ n: 1 }])
        })
      )
    })
  })
}
