/**
 * `@ociman/postgres` with `reuse: true`, on real Docker and Podman: two starts in two scopes get
 * one server, which outlives the first scope, runs its seeds once (a counter outside the database
 * says so) and gives fresh databases; `OCIMAN_REUSE=0` starts an ordinary server, removed with its
 * scope; `reuse` without a password, or with uncached seeds, is `InvalidOptions`. Every container
 * and cache image of this file carries its run label and is removed at the end.
 */
import { NodeContext } from "@effect/platform-node"
import { PgClient } from "@effect/sql-pg"
import { afterAll, expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { execFileSync } from "node:child_process"
import { Postgres, PostgresCache, Seed } from "@ociman/postgres/client"
import { describeEachRuntime, type Kind, runtimeLayer } from "./support/backends.js"

const IMAGE = process.env["OCIMAN_TEST_POSTGRES_IMAGE"] ?? "localhost/ociman-test/postgres:15"
const RUN_LABEL = "ociman-postgres-reuse-test.run"
const run = `${process.pid}-${Date.now()}`
const base = {
  image: IMAGE,
  password: "reuse-test",
  parameters: { fsync: "off" },
  labels: { [RUN_LABEL]: run },
  reuse: true
}

/** The containers (running or not) carrying this run's label, as the runtime lists them. */
const labelled = (kind: Kind): ReadonlyArray<string> =>
  execFileSync(kind, ["container", "ls", "--all", "--quiet", "--no-trunc", "--filter", `label=${RUN_LABEL}=${run}`], {
    encoding: "utf8"
  })
    .split("\n")
    .filter((line) => line.length > 0)
    .map((id) => id.replace(/^sha256:/, ""))

const stateOf = (kind: Kind, id: string): string =>
  execFileSync(kind, ["inspect", "--format", "{{.State.Status}}", id], { encoding: "utf8" }).trim()

const removeLabelled = (kind: Kind): void => {
  const ids = labelled(kind)
  if (ids.length > 0) execFileSync(kind, ["rm", "--force", ...ids], { stdio: "ignore" })
}

/** Runs `effect` with `OCIMAN_REUSE` set to `value`, restoring the variable afterwards. */
const withReuseVariable = <A, E, R>(value: string, effect: Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const previous = process.env["OCIMAN_REUSE"]
      process.env["OCIMAN_REUSE"] = value
      return previous
    }),
    () => effect,
    (previous) =>
      Effect.sync(() => {
        if (previous === undefined) delete process.env["OCIMAN_REUSE"]
        else process.env["OCIMAN_REUSE"] = previous
      })
  )

const tablesIn = (connection: Postgres.Connection) =>
  Effect.gen(function* () {
    const sql = yield* PgClient.PgClient
    const rows = yield* sql<{ name: string }>`
      SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`
    return rows.map((row) => row.name)
  }).pipe(Effect.provide(PgClient.layer({ url: connection.url })))

describeEachRuntime("@ociman/postgres reuse", (kind) => {
  const platform = Layer.merge(runtimeLayer(kind), NodeContext.layer)
  const cacheNames: Array<string> = []
  const cacheName = (test: string) => {
    const name = `reuse-${test}-${kind}-${run}`
    cacheNames.push(name)
    return name
  }

  afterAll(async () => {
    removeLabelled(kind)
    for (const name of cacheNames) {
      await Effect.runPromise(PostgresCache.reset({ name }).pipe(Effect.provide(platform)))
    }
  }, 60_000)

  layer(platform, { timeout: "180 seconds", excludeTestServices: true })((it) => {
    it.effect("two starts in two scopes share one server; its seeds ran once; fresh databases work", () =>
      Effect.gen(function* () {
        let seedRuns = 0
        const options = {
          ...base,
          seeds: [
            Seed.sql("schema", "CREATE TABLE item (id serial PRIMARY KEY, name text)"),
            Seed.custom("counted", "v1", () => Effect.sync(() => void seedRuns++))
          ],
          cache: { name: cacheName("seeded") }
        }
        const startOnce = Effect.scoped(
          Effect.map(Postgres.start(options), (server) => ({ id: server.container.id, seeding: server.seeding }))
        )
        const first = yield* startOnce
        expect(first.seeding).toMatchObject({ ran: ["schema", "counted"], serverReused: false })
        expect(seedRuns).toBe(1)
        // the scope has closed: the server is still there, running
        expect(labelled(kind)).toContain(first.id)
        expect(stateOf(kind, first.id)).toBe("running")

        const second = yield* Effect.scoped(
          Effect.gen(function* () {
            const server = yield* Postgres.start(options)
            const fresh = yield* server.freshDatabase
            return {
              id: server.container.id,
              seeding: server.seeding,
              freshTables: yield* tablesIn(fresh),
              fresh: fresh.database
            }
          })
        )
        expect(second.id).toBe(first.id)
        expect(second.seeding).toMatchObject({ ran: [], reused: 2, serverReused: true })
        expect(seedRuns).toBe(1)
        expect(second.fresh).toMatch(/^ociman_fresh_/)
        expect(second.freshTables).toEqual(["item"])
        expect(stateOf(kind, first.id)).toBe("running")
      })
    )

    it.effect("without seeds: the template is created once, fresh databases work on the reused server", () =>
      Effect.gen(function* () {
        const options = { ...base, database: "plain" }
        const startAndClone = Effect.scoped(
          Effect.gen(function* () {
            const server = yield* Postgres.start(options)
            const fresh = yield* server.freshDatabase
            return { id: server.container.id, reused: server.seeding.serverReused, tables: yield* tablesIn(fresh) }
          })
        )
        const first = yield* startAndClone
        const second = yield* startAndClone
        expect(first.reused).toBe(false)
        expect(second).toEqual({ id: first.id, reused: true, tables: [] })
        expect(stateOf(kind, first.id)).toBe("running")
      })
    )

    it.effect("eight starts at once: one server, exactly one of them the first to serve it", () =>
      Effect.gen(function* () {
        const options = { ...base, database: "together" }
        const starts = yield* Effect.all(
          Array.from({ length: 8 }, () =>
            Effect.scoped(
              Effect.gen(function* () {
                const server = yield* Postgres.start(options)
                const fresh = yield* server.freshDatabase
                yield* Postgres.verify(fresh)
                return { id: server.container.id, reused: server.seeding.serverReused }
              })
            )
          ),
          { concurrency: "unbounded" }
        )
        expect(new Set(starts.map((start) => start.id)).size).toBe(1)
        expect(starts.filter((start) => !start.reused)).toHaveLength(1)
      })
    )

    it.effect("OCIMAN_REUSE=0 starts an ordinary server, removed with its scope", () =>
      Effect.gen(function* () {
        const options = { ...base, database: "ordinary" }
        const before = labelled(kind)
        const ambient = process.env["OCIMAN_REUSE"]
        const started = yield* withReuseVariable(
          "0",
          Effect.scoped(
            Effect.gen(function* () {
              const server = yield* Postgres.start(options)
              yield* Postgres.verify(server)
              expect(labelled(kind)).toContain(server.container.id)
              return { id: server.container.id, reused: server.seeding.serverReused }
            })
          )
        )
        expect(process.env["OCIMAN_REUSE"]).toBe(ambient)
        expect(started.reused).toBe(false)
        expect(before).not.toContain(started.id)
        expect(labelled(kind)).not.toContain(started.id)
        expect([...labelled(kind)].sort()).toEqual([...before].sort())
      })
    )

    it.effect("reuse without a password, or with seeds outside the cache, is InvalidOptions", () =>
      Effect.gen(function* () {
        const before = labelled(kind)
        const { password: _password, ...withoutPassword } = base
        const noPassword = yield* Postgres.start(withoutPassword).pipe(Effect.scoped, Effect.flip)
        expect(noPassword).toMatchObject({ _tag: "InvalidOptions", option: "password" })
        expect(noPassword.message).toContain("reuse needs a password")
        const uncached = yield* Postgres.start({ ...base, seeds: [Seed.sql("x", "SELECT 1")], cache: false }).pipe(
          Effect.scoped,
          Effect.flip
        )
        expect(uncached).toMatchObject({ _tag: "InvalidOptions", option: "cache" })
        expect(uncached.message).toContain("needs the cache")
        const inMemory = yield* Postgres.start({ ...base, seeds: [Seed.sql("x", "SELECT 1")], tmpfs: true }).pipe(
          Effect.scoped,
          Effect.flip
        )
        expect(inMemory).toMatchObject({ _tag: "InvalidOptions", option: "tmpfs" })
        expect(labelled(kind)).toEqual(before)
      })
    )
  })
})
