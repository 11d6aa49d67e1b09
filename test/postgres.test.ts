/**
 * Acceptance: `@ociman/postgres` on real Docker and Podman, with the offline image
 * `localhost/ociman-test/postgres:15` (scripts/provision-runtimes.sh builds it on both): a start
 * queried through `PgClient`, seeds in order and cached (a second start runs none, a changed
 * seed reruns from it), isolated fresh databases under concurrency, typed failures, a password
 * that needs percent-encoding, and nothing left behind but the cache images kept on purpose.
 */
import { NodeContext } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { expect, layer } from "@effect/vitest"
import { Effect, Layer, Redacted, Ref } from "effect"
import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Postgres, PostgresCache, Seed } from "@ociman/postgres/client"
import { describeEachRuntime, type Kind, runtimeLayer } from "./support/backends.js"

const IMAGE = process.env["OCIMAN_TEST_POSTGRES_IMAGE"] ?? "localhost/ociman-test/postgres:15"
/** Every container and cache image of this file carries it (options.labels): counted at the end. */
const RUN_LABEL = "ociman-postgres-test.run"
const run = `${process.pid}-${Date.now()}`
const base = { image: IMAGE, parameters: { fsync: "off" }, labels: { [RUN_LABEL]: run } }

/** Asks the runtime directly which containers / images carry this run's label. */
const labelled = (kind: Kind, what: "container" | "image"): ReadonlyArray<string> =>
  execFileSync(
    kind,
    what === "container"
      ? ["container", "ls", "--all", "--quiet", "--filter", `label=${RUN_LABEL}=${run}`]
      : ["image", "ls", "--quiet", "--filter", `label=${RUN_LABEL}=${run}`],
    { encoding: "utf8" }
  )
    .split("\n")
    .filter((line) => line.length > 0)

const rowsOf = (server: Postgres.Connection, text: string) =>
  Effect.gen(function* () {
    const sql = yield* PgClient.PgClient
    return yield* sql.unsafe<Record<string, unknown>>(text)
  }).pipe(Effect.provide(PgClient.layer({ url: server.url })))

describeEachRuntime("@ociman/postgres", (kind) => {
  const cacheName = `test-${kind}-${run}`
  const platform = Layer.merge(runtimeLayer(kind), NodeContext.layer)

  layer(platform, { timeout: "180 seconds", excludeTestServices: true })((it) => {
    it.effect("starts a server and answers a query through PgClient (layerClient)", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const server = yield* Postgres.Postgres
        const [row] = yield* sql<{ db: string; who: string; version: string }>`
          SELECT current_database() AS db, current_user AS who, current_setting('server_version') AS version`
        expect(row).toEqual({ db: "app", who: "tester", version: expect.stringMatching(/^15\./) })
        expect(server.host).toBe("127.0.0.1")
        expect(Redacted.value(server.url)).toBe(
          `postgres://tester:${encodeURIComponent(Redacted.value(server.password))}@127.0.0.1:${server.port}/app`
        )
        // a generated password: long, and URL-safe
        expect(Redacted.value(server.password)).toMatch(/^[A-Za-z0-9_-]{32}$/)
        expect(String(server.url)).not.toContain(Redacted.value(server.password))
        const [fsync] = yield* sql<{ fsync: string }>`SHOW fsync`
        expect(fsync?.fsync).toBe("off")
      }).pipe(Effect.provide(Postgres.layerClient({ ...base, username: "tester", database: "app" })))
    )

    it.scoped("runs seeds in order, caches them, and reruns only from a changed seed", () =>
      Effect.gen(function* () {
        const dir = mkdtempSync(join(tmpdir(), "ociman-postgres-seed-"))
        yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
        const file = join(dir, "two.sql")
        writeFileSync(file, "INSERT INTO log (what) VALUES ('two: sql file');\n")
        const counts = yield* Ref.make<Record<string, number>>({})
        const counted = (name: string, key: string, what: string) =>
          Seed.effect(
            name,
            key,
            Effect.gen(function* () {
              yield* Ref.update(counts, (c) => ({ ...c, [name]: (c[name] ?? 0) + 1 }))
              const sql = yield* SqlClient.SqlClient
              yield* sql`INSERT INTO log (what) VALUES (${what})`
            })
          )
        const chain = (threeKey: string) => [
          Seed.sql("schema", "CREATE TABLE log (id serial PRIMARY KEY, what text NOT NULL);"),
          Seed.sqlFile(file),
          counted("three", threeKey, `three: effect ${threeKey}`),
          Seed.script(
            "four",
            "psql -v ON_ERROR_STOP=1 -q -c \"INSERT INTO log (what) VALUES ('four: script as $(id -un)')\""
          ),
          counted("five", "v1", "five: effect")
        ]
        const start = (threeKey: string) =>
          Effect.scoped(
            Effect.gen(function* () {
              const server = yield* Postgres.start({ ...base, seeds: chain(threeKey), cache: { name: cacheName } })
              const rows = yield* rowsOf(server, "SELECT what FROM log ORDER BY id")
              return { seeding: server.seeding, log: rows.map((row) => row["what"]) }
            })
          )

        const first = yield* start("v1")
        expect(first.seeding).toMatchObject({ reused: 0, ran: ["schema", "two.sql", "three", "four", "five"] })
        expect(first.log).toEqual(["two: sql file", "three: effect v1", "four: script as postgres", "five: effect"])
        expect(yield* Ref.get(counts)).toEqual({ three: 1, five: 1 })

        const second = yield* start("v1")
        expect(second.seeding.reused).toBe(5)
        expect(second.seeding.ran).toEqual([])
        expect(second.seeding.image).toMatch(new RegExp(`^localhost/ociman-postgres/${cacheName}:[0-9a-f]{64}$`))
        expect(second.log).toEqual(first.log)
        expect(yield* Ref.get(counts)).toEqual({ three: 1, five: 1 }) // no seed ran again

        const changed = yield* start("v2")
        expect(changed.seeding).toMatchObject({ reused: 2, ran: ["three", "four", "five"] })
        expect(changed.log).toEqual(["two: sql file", "three: effect v2", "four: script as postgres", "five: effect"])
        expect(yield* Ref.get(counts)).toEqual({ three: 2, five: 2 })

        // the cache: 5 images of the first chain, 3 more for the changed one, each labelled
        const entries = yield* PostgresCache.status({ name: cacheName })
        expect(entries.map((entry) => entry.depth)).toEqual([1, 2, 3, 3, 4, 4, 5, 5])
        expect(entries.filter((entry) => entry.depth === 1).map((entry) => entry.seed)).toEqual(["schema"])
        expect(entries.every((entry) => entry.base === IMAGE)).toBe(true)
        expect(labelled(kind, "image")).toHaveLength(8)
      })
    )

    it.effect("a failing seed names itself and the server's message; the seeds before it stay cached", () =>
      Effect.gen(function* () {
        const name = `${cacheName}-fail`
        const error = yield* Postgres.start({
          ...base,
          seeds: [
            Seed.sql("ok", "CREATE TABLE a (id int);"),
            Seed.sql("broken", "SELECT 1;\nINSERT INTO missing VALUES (1);")
          ],
          cache: { name }
        }).pipe(Effect.scoped, Effect.flip)
        expect(error._tag).toBe("SeedFailed")
        if (error._tag !== "SeedFailed") return
        expect(error).toMatchObject({ seed: "broken", index: 1, code: "42P01" })
        expect(error.serverMessage).toContain('relation "missing" does not exist')
        expect(error.message).toMatch(/^seed 2 "broken" failed \(at character \d+\) \[42P01\]/)
        expect((yield* PostgresCache.status({ name })).map((entry) => entry.seed)).toEqual(["ok"])
        const reset = yield* PostgresCache.reset({ name })
        expect(reset.removed).toHaveLength(1)
        expect(reset.failed).toEqual([])
      })
    )

    it.effect("fresh databases are isolated clones, safe under concurrency, and dropped with their scope", () =>
      Effect.gen(function* () {
        const server = yield* Postgres.Postgres
        const sql = yield* SqlClient.SqlClient // connected to the seeded database the whole time
        const names = yield* Effect.forEach(
          Array.from({ length: 6 }, (_, i) => i),
          (i) =>
            Effect.scoped(
              Effect.gen(function* () {
                const fresh = yield* Postgres.freshClient()
                yield* fresh`INSERT INTO item (name) VALUES (${`fresh ${i}`})`
                const rows = yield* fresh<{ name: string }>`SELECT name FROM item ORDER BY id`
                expect(rows.map((row) => row.name)).toEqual(["seeded", `fresh ${i}`])
                const [db] = yield* fresh<{ name: string }>`SELECT current_database() AS name`
                return db?.name ?? ""
              })
            ),
          { concurrency: "unbounded" }
        )
        expect(new Set(names).size).toBe(6)
        expect(names.every((name) => name.startsWith("ociman_fresh_"))).toBe(true)
        // the seeded database is untouched, and every clone is gone
        expect((yield* sql<{ name: string }>`SELECT name FROM item`).map((row) => row.name)).toEqual(["seeded"])
        const left = yield* sql<{
          n: number
        }>`SELECT count(*)::int AS n FROM pg_database WHERE datname LIKE 'ociman_fresh_%'`
        expect(left[0]?.n).toBe(0)
        expect(server.database).toBe("postgres")
      }).pipe(
        Effect.provide(
          Postgres.layerClient({
            ...base,
            seeds: [
              Seed.sql(
                "items",
                "CREATE TABLE item (id serial PRIMARY KEY, name text); INSERT INTO item (name) VALUES ('seeded');"
              )
            ],
            cache: { name: `${cacheName}-fresh` }
          })
        )
      )
    )

    it.effect("a wrong password and a closed port are typed connection failures", () =>
      Effect.gen(function* () {
        const server = yield* Postgres.start(base)
        yield* Postgres.verify(server)
        const wrong = yield* Postgres.verify({ ...server, password: Redacted.make("not the password") }).pipe(
          Effect.flip
        )
        expect(wrong).toMatchObject({ _tag: "ConnectionFailed", reason: "AuthenticationFailed", code: "28P01" })
        expect(wrong.message).toContain("authentication failed")
        const noUser = yield* Postgres.verify({ ...server, username: "nobody" }).pipe(Effect.flip)
        expect(noUser.reason).toBe("AuthenticationFailed")
        yield* server.container.stop()
        const refused = yield* Postgres.verify(server).pipe(Effect.flip)
        expect(refused).toMatchObject({ _tag: "ConnectionFailed", reason: "Refused" })
      }).pipe(Effect.scoped)
    )

    it.effect("a password with @, : and / works through the URL", () =>
      Effect.gen(function* () {
        const password = "p@ss:w/rd?#%' \"x"
        const server = yield* Postgres.start({ ...base, password: Redacted.make(password), database: "my db" })
        expect(Redacted.value(server.url)).toContain(`:${encodeURIComponent(password)}@`)
        expect(Redacted.value(server.url)).toMatch(/\/my%20db$/)
        const rows = yield* rowsOf(server, "SELECT current_database() AS db")
        expect(rows).toEqual([{ db: "my db" }])
        // and from a cache image, whose password is set at start
        const cached = yield* Postgres.start({
          ...base,
          password,
          seeds: [Seed.sql("noop", "SELECT 1")],
          cache: { name: `${cacheName}-url` }
        })
        expect(yield* rowsOf(cached, "SELECT current_user AS who")).toEqual([{ who: "postgres" }])
      }).pipe(Effect.scoped)
    )

    it.effect("a server that exits during its start fails at once with its last log lines", () =>
      Effect.gen(function* () {
        const started = Date.now()
        const error = yield* Postgres.start({ ...base, parameters: { no_such_parameter: "1" } }).pipe(
          Effect.scoped,
          Effect.flip
        )
        expect(error._tag).toBe("StartFailed")
        if (error._tag !== "StartFailed") return
        expect(error.reason).toBe("Exited")
        expect(error.lastLogs.join("\n")).toContain('unrecognized configuration parameter "no_such_parameter"')
        expect(error.message).toContain("last log lines")
        expect(Date.now() - started).toBeLessThan(30_000)
        const invalid = yield* Postgres.start({
          ...base,
          cache: { name: "Not A Name" },
          seeds: [Seed.sql("x", "")]
        }).pipe(Effect.scoped, Effect.flip)
        expect(invalid).toMatchObject({ _tag: "InvalidOptions", option: "cache.name" })
      })
    )

    it.effect("leaves no container behind, and only the cache images it keeps on purpose", () =>
      Effect.gen(function* () {
        expect(labelled(kind, "container")).toEqual([])
        const kept = labelled(kind, "image").length
        expect(kept).toBeGreaterThan(0)
        let removed = 0
        for (const name of [cacheName, `${cacheName}-fresh`, `${cacheName}-url`]) {
          const report = yield* PostgresCache.reset({ name })
          expect(report.failed).toEqual([])
          removed += report.removed.length
        }
        expect(removed).toBe(10) // 8 of the seed chains, 1 fresh, 1 url
        expect(labelled(kind, "image")).toEqual([])
      })
    )
  })
})
