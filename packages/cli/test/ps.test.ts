import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Container, ContainerDefinition as Def, Sweeper, TestRuntime } from "ociman"
import { hostname } from "node:os"
import { listManaged, psTable, reusedTable } from "../src/actions/ps.js"

const IMAGE = "localhost/ociman-test/busybox:1"

describe("ociman ps", () => {
  it.effect("lists what the library created, with the owner the library labelled it with", () =>
    Effect.gen(function* () {
      const ours = yield* Container.startDetached(Def.make(IMAGE).pipe(Def.name("web"), Def.command(["sleep", "60"])))
      // a foreground run kept after it exits (no --rm) is the library's too
      yield* Container.run(Def.make(IMAGE).pipe(Def.name("kept"), Def.command(["true"])))
      const rows = yield* listManaged(false)
      expect(rows.find((row) => row.names[0] === "kept")?.status).toBe("exited (0)")
      expect(rows.filter((row) => row.names[0] !== "kept")).toEqual([
        {
          id: ours.id,
          names: ["web"],
          image: IMAGE,
          status: "running",
          session: Sweeper.session,
          pid: process.pid,
          host: hostname(),
          created: expect.stringMatching(/^\d{4}-\d\d-\d\dT/)
        }
      ])
      const [header, line] = psTable(rows.filter((row) => row.id === ours.id)).split("\n")
      expect(header).toMatch(/^CONTAINER ID +NAMES +IMAGE +STATUS +SESSION +PID +HOST +CREATED$/)
      expect(line).toContain(`${ours.id.slice(0, 12)}  web`)
      expect(line).toContain(`${Sweeper.session.slice(0, 8)}  ${process.pid}`)
    }).pipe(Effect.provide(TestRuntime.layer({ images: [IMAGE] })))
  )

  it("--reuse: one row per reused container (short id, name, key prefix, creation), or says there are none", () => {
    expect(reusedTable([])).toBe("no reused containers")
    const [header, line] = reusedTable([
      { id: "a".repeat(64), name: "ociman-reuse-0123", key: "f".repeat(64), created: "2026-12-03T04:00:00.000Z" }
    ]).split("\n")
    expect(header).toMatch(/^CONTAINER ID +NAME +KEY +CREATED$/)
    expect(line).toBe(`${"a".repeat(12)}  ociman-reuse-0123  ${"f".repeat(16)}  2026-12-03T04:00:00.000Z`)
  })
})
