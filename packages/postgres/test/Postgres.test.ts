/**
 * Unit tests (no runtime): options, the URL, the cache keys and seeds.
 */
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Redacted } from "effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Postgres, Seed } from "../src/index.js"
import * as chain from "../src/internal/chain.js"
import * as options from "../src/internal/options.js"

describe("Postgres.url", () => {
  it("percent-encodes every part", () => {
    const url = Postgres.url({
      host: "127.0.0.1",
      port: 5433,
      database: "my db/x",
      username: "us:er",
      password: Redacted.make("p@ss:w/rd?#%")
    })
    expect(Redacted.value(url)).toBe("postgres://us%3Aer:p%40ss%3Aw%2Frd%3F%23%25@127.0.0.1:5433/my%20db%2Fx")
    expect(String(url)).not.toContain("p@ss")
    expect(new URL(Redacted.value(url)).password).toBe("p%40ss%3Aw%2Frd%3F%23%25")
  })

  it("brackets an IPv6 host", () => {
    const url = Postgres.url({ host: "::1", port: 1, database: "d", username: "u", password: Redacted.make("p") })
    expect(Redacted.value(url)).toBe("postgres://u:p@[::1]:1/d")
  })
})

describe("options", () => {
  it.effect("default to postgres/postgres, a generated password, and no cache without seeds", () =>
    Effect.gen(function* () {
      const resolved = yield* options.resolve({ image: "postgres:17" })
      expect(resolved).toMatchObject({
        username: "postgres",
        database: "postgres",
        cacheName: undefined,
        hostIp: "127.0.0.1"
      })
      expect(Redacted.value(resolved.password)).toMatch(/^[A-Za-z0-9_-]{32}$/)
      const other = yield* options.resolve({ image: "postgres:17" })
      expect(Redacted.value(other.password)).not.toBe(Redacted.value(resolved.password))
    })
  )

  it.effect("name the database after a non-default user, and cache seeds under the default name", () =>
    Effect.gen(function* () {
      const resolved = yield* options.resolve({
        image: "postgres:17",
        username: "app",
        password: "secret",
        parameters: { fsync: false, max_connections: 20 },
        seeds: [Seed.sql("s", "SELECT 1")]
      })
      expect(resolved.database).toBe("app")
      expect(Redacted.value(resolved.password)).toBe("secret")
      expect(resolved.parameters).toEqual([
        ["fsync", "false"],
        ["max_connections", "20"]
      ])
      expect(resolved.cacheName).toBe("default")
    })
  )

  it.effect("a tmpfs data directory or cache: false turns the cache off", () =>
    Effect.gen(function* () {
      const seeds = [Seed.sql("s", "SELECT 1")]
      expect((yield* options.resolve({ image: "pg:1", seeds, tmpfs: true })).cacheName).toBeUndefined()
      expect((yield* options.resolve({ image: "pg:1", seeds, cache: false })).cacheName).toBeUndefined()
    })
  )

  it.effect("rejects bad input with InvalidOptions naming the option", () =>
    Effect.gen(function* () {
      const seeds = [Seed.sql("s", "SELECT 1")]
      const cases: ReadonlyArray<[Postgres.Options, string]> = [
        [{ image: "Not/Valid" }, "image"],
        [{ image: "pg:1", username: "" }, "username"],
        [{ image: "pg:1", database: "x".repeat(64) }, "database"],
        [{ image: "pg:1", password: "" }, "password"],
        [{ image: "pg:1", parameters: { "bad name": 1 } }, "parameters"],
        [{ image: "pg:1", seeds, cache: { name: "Upper" } }, "cache.name"],
        [{ image: "pg:1", tmpfs: { sizeBytes: -1 } }, "tmpfs.sizeBytes"],
        [{ image: "pg:1", seeds: [Seed.sql(" ", "SELECT 1")] }, "seeds"]
      ]
      for (const [input, option] of cases) {
        const error = yield* Effect.flip(options.resolve(input))
        expect(error).toMatchObject({ _tag: "InvalidOptions", option })
        expect(error.message).toContain(`invalid ${option}`)
      }
    })
  )
})

describe("cache keys", () => {
  const keysOf = (seeds: ReadonlyArray<Seed.Seed>, base = "base") =>
    chain.links(seeds, base).pipe(
      Effect.map((links) => links.map((link) => link.key)),
      Effect.provide(NodeContext.layer)
    )

  it.effect("are stable, chained, and change from the first changed seed on", () =>
    Effect.gen(function* () {
      const a = Seed.sql("a", "CREATE TABLE a ()")
      const b = Seed.sql("b", "CREATE TABLE b ()")
      const c = Seed.custom("c", "v1", () => Effect.void)
      const first = yield* keysOf([a, b, c])
      expect(first.every((key) => /^[0-9a-f]{64}$/.test(key))).toBe(true)
      expect(yield* keysOf([a, b, c])).toEqual(first)
      const changed = yield* keysOf([a, Seed.sql("b", "CREATE TABLE b2 ()"), c])
      expect(changed[0]).toBe(first[0])
      expect(changed[1]).not.toBe(first[1])
      expect(changed[2]).not.toBe(first[2])
      // the name is not content; a custom seed's declared key is
      expect(yield* keysOf([Seed.sql("renamed", "CREATE TABLE a ()")])).toEqual([first[0]])
      expect((yield* keysOf([a, b, Seed.custom("c", "v2", () => Effect.void)]))[2]).not.toBe(first[2])
      // another base (image id, user, database, initdb args) changes every key
      expect((yield* keysOf([a], "other"))[0]).not.toBe(first[0])
    })
  )

  it.effect("hash a file's bytes like the same SQL text, and fail clearly on a missing file", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "ociman-postgres-unit-"))
      try {
        writeFileSync(join(dir, "a.sql"), "CREATE TABLE a ()")
        const fromFile = yield* keysOf([Seed.sqlFile(join(dir, "a.sql"))])
        expect(fromFile).toEqual(yield* keysOf([Seed.sql("a", "CREATE TABLE a ()")]))
        const missing = yield* Effect.flip(keysOf([Seed.sqlFile(join(dir, "missing.sql"))]))
        expect(missing).toMatchObject({ _tag: "SeedFileUnreadable", seed: "missing.sql" })
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })
  )

  it.effect("base keys depend on the image id and the options that shape the data directory", () =>
    Effect.gen(function* () {
      const one = yield* options.resolve({ image: "pg:1", password: "a" })
      const otherPassword = yield* options.resolve({ image: "pg:1", password: "b", parameters: { fsync: "off" } })
      const otherUser = yield* options.resolve({ image: "pg:1", username: "u" })
      expect(chain.baseKey(one, "sha256:1")).toBe(chain.baseKey(otherPassword, "sha256:1"))
      expect(chain.baseKey(one, "sha256:1")).not.toBe(chain.baseKey(one, "sha256:2"))
      expect(chain.baseKey(one, "sha256:1")).not.toBe(chain.baseKey(otherUser, "sha256:1"))
      expect(Either.isRight(chain.reference("default", chain.baseKey(one, "x")))).toBe(true)
    })
  )
})

describe("Seed", () => {
  it.effect("custom seeds fail with their error's message, defects included", () =>
    Effect.gen(function* () {
      const connection = {
        url: Redacted.make(""),
        host: "h",
        port: 1,
        database: "d",
        username: "u",
        password: Redacted.make("p")
      }
      const failing = Seed.custom("f", "k", () => Effect.fail(new Error("boom")))
      const dying = Seed.custom("d", "k", () => Effect.die("kaput"))
      if (failing._tag !== "Custom" || dying._tag !== "Custom") return expect.fail("custom seeds")
      expect(yield* Effect.flip(failing.run(connection))).toBe("boom")
      expect(yield* Effect.flip(dying.run(connection))).toContain("kaput")
    })
  )

  it("names file seeds after the file", () => {
    expect(Seed.sqlFile("db/seeds/01-schema.sql").name).toBe("01-schema.sql")
    expect(Seed.scriptFile("/x/setup.sh", "setup").name).toBe("setup")
  })
})
