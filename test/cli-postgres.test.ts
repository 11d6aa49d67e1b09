/**
 * Acceptance: `ociman postgres up|cache status|cache reset` (packages/cli/src/commands/postgres.ts)
 * on real runtimes, run through `@effect/cli`'s `Command.run` until the command is registered in
 * the `ociman` binary: `up` prints a URL that logs in and keeps the server until interrupted
 * (then removes it); the cache lists and removes its images; a seed that is neither SQL nor a
 * script is a typed error.
 */
import { NodeContext } from "@effect/platform-node"
import * as Command from "@effect/cli/Command"
import { expect, layer } from "@effect/vitest"
import { Duration, Effect, Fiber, Redacted, Ref, Schedule } from "effect"
import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Postgres } from "@ociman/postgres"
import { postgres } from "../packages/cli/src/commands/postgres.js"
import { describeEachRuntime, type Kind } from "./support/backends.js"

const IMAGE = process.env["OCIMAN_TEST_POSTGRES_IMAGE"] ?? "localhost/ociman-test/postgres:15"
const cli = Command.run(postgres, { name: "ociman postgres", version: "0.1.0" })

/** Runs `ociman postgres ARGS…` with stdout and stderr lines collected in `lines`. */
const runCli = (args: ReadonlyArray<string>, lines: Ref.Ref<ReadonlyArray<string>>) =>
  Effect.gen(function* () {
    const base = yield* Effect.console
    const collect = (...parts: ReadonlyArray<unknown>) =>
      Ref.update(lines, (all) => [...all, parts.map(String).join(" ")])
    return yield* cli(["node", "ociman-postgres", ...args]).pipe(
      Effect.withConsole({ ...base, log: collect, error: collect })
    )
  })

const containersWith = (kind: Kind, label: string): ReadonlyArray<string> =>
  execFileSync(kind, ["container", "ls", "--all", "--quiet", "--filter", `label=${label}`], { encoding: "utf8" })
    .split("\n")
    .filter((line) => line.length > 0)

describeEachRuntime("ociman postgres", (kind) => {
  const cacheName = `cli-test-${kind}-${process.pid}-${Date.now()}`
  layer(NodeContext.layer, { timeout: "180 seconds", excludeTestServices: true })((it) => {
    it.scoped("up prints a URL that logs in, keeps the server until interrupted, then removes it", () =>
      Effect.gen(function* () {
        const dir = mkdtempSync(join(tmpdir(), "ociman-cli-postgres-"))
        yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
        writeFileSync(
          join(dir, "schema.sql"),
          "CREATE TABLE greeting (text text); INSERT INTO greeting VALUES ('hello');\n"
        )
        writeFileSync(
          join(dir, "more.sh"),
          "psql -v ON_ERROR_STOP=1 -q -c \"INSERT INTO greeting VALUES ('from sh')\"\n"
        )
        const lines = yield* Ref.make<ReadonlyArray<string>>([])
        const args = ["up", "--image", IMAGE, "--seed", join(dir, "schema.sql"), "--seed", join(dir, "more.sh")]
        const fiber = yield* Effect.fork(
          runCli([...args, "--cache-name", cacheName, "--backend", kind, "--json"], lines)
        )
        const json = yield* Ref.get(lines).pipe(
          Effect.map((all) => all.find((line) => line.startsWith("{"))),
          Effect.flatMap((line) => (line === undefined ? Effect.fail("not up yet") : Effect.succeed(line))),
          Effect.retry({ schedule: Schedule.spaced(Duration.millis(200)), times: 600 })
        )
        const up: {
          url: string
          host: string
          port: number
          database: string
          username: string
          password: string
          container: string
          seeding: { ran: ReadonlyArray<string> }
        } = JSON.parse(json)
        expect(up.url).toBe(`postgres://postgres:${encodeURIComponent(up.password)}@127.0.0.1:${up.port}/postgres`)
        expect(up.seeding.ran).toEqual(["schema.sql", "more.sh"])
        yield* Postgres.verify({ ...up, password: Redacted.make(up.password) })
        expect(containersWith(kind, "ociman-postgres.role=server")).toContain(up.container.slice(0, 12))

        yield* Fiber.interrupt(fiber)
        expect(containersWith(kind, "ociman-postgres.role=server")).not.toContain(up.container.slice(0, 12))

        // the second time, the text form, with the seeds from the cache
        yield* Ref.set(lines, [])
        const again = yield* Effect.fork(runCli([...args, "--cache-name", cacheName, "--backend", kind], lines))
        const url = yield* Ref.get(lines).pipe(
          Effect.map((all) => all.find((line) => line.startsWith("postgres://"))),
          Effect.flatMap((line) => (line === undefined ? Effect.fail("not up yet") : Effect.succeed(line))),
          Effect.retry({ schedule: Schedule.spaced(Duration.millis(200)), times: 600 })
        )
        expect(url).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/postgres$/)
        expect(yield* Ref.get(lines)).toContain("seeds: 2 from the cache, ran none")
        yield* Fiber.interrupt(again)
      })
    )

    it.effect("cache status lists the images of a cache, and reset removes them", () =>
      Effect.gen(function* () {
        const lines = yield* Ref.make<ReadonlyArray<string>>([])
        yield* runCli(["cache", "status", "--cache-name", cacheName, "--backend", kind, "--json"], lines)
        const entries: ReadonlyArray<{ seed: string; depth: number; reference: string }> = JSON.parse(
          (yield* Ref.get(lines))[0] ?? "[]"
        )
        expect(entries.map((entry) => [entry.depth, entry.seed])).toEqual([
          [1, "schema.sql"],
          [2, "more.sh"]
        ])
        yield* Ref.set(lines, [])
        yield* runCli(["cache", "reset", "--cache-name", cacheName, "--backend", kind], lines)
        expect((yield* Ref.get(lines)).join("\n")).toMatch(/removed .*ociman-postgres\/cli-test-.*\n2 removed$/)
        yield* Ref.set(lines, [])
        yield* runCli(["cache", "status", "--cache-name", cacheName, "--backend", kind], lines)
        expect(yield* Ref.get(lines)).toEqual(["the seed cache is empty"])
      })
    )

    it.effect("a seed that is neither SQL nor a shell script is a typed error", () =>
      Effect.gen(function* () {
        const lines = yield* Ref.make<ReadonlyArray<string>>([])
        const error = yield* runCli(["up", "--image", IMAGE, "--seed", "data.csv", "--backend", kind], lines).pipe(
          Effect.flip
        )
        expect(error).toMatchObject({ _tag: "UnknownSeedKind", path: "data.csv" })
        expect(error._tag === "UnknownSeedKind" && error.message).toContain("*.sql")
      })
    )
  })
})
