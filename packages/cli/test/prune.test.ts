import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import { parseAge, pruneText } from "../src/actions/prune.js"

describe("ociman prune", () => {
  it.effect("--older-than takes a number and one unit", () =>
    Effect.gen(function* () {
      expect(Duration.toMillis(yield* parseAge("30s"))).toBe(30_000)
      expect(Duration.toMillis(yield* parseAge("10m"))).toBe(600_000)
      expect(Duration.toMillis(yield* parseAge("2h"))).toBe(7_200_000)
      expect(Duration.toMillis(yield* parseAge("1d"))).toBe(86_400_000)
      for (const bad of ["", "10", "m", "1.5h", "-1m", "10 minutes", "5x"]) {
        const error = yield* Effect.flip(parseAge(bad))
        expect(error.message).toContain("invalid --older-than")
      }
    })
  )

  it("prints one line per resource, with whose it was and why, then the count", () => {
    const entry = {
      kind: "container" as const,
      id: "abc",
      name: "web",
      session: "s1",
      pid: "42",
      host: "ci-1",
      created: "2026-01-01T00:00:00.000Z"
    }
    expect(
      pruneText({
        dryRun: false,
        entries: [
          { ...entry, reason: "OwnerGone", outcome: "Removed" },
          { ...entry, name: "db", reason: "OwnerAlive", outcome: "Kept" },
          { ...entry, kind: "network", name: "net", reason: "OwnerGone", outcome: "Failed", error: "in use" }
        ]
      })
    ).toBe(
      [
        "removed container web (session s1, pid 42 on ci-1; its process is gone)",
        "kept container db (session s1, pid 42 on ci-1; its process is running)",
        "failed to remove network net (session s1, pid 42 on ci-1; its process is gone): in use",
        "1 removed"
      ].join("\n")
    )
    expect(pruneText({ dryRun: true, entries: [] })).toBe("nothing created by ociman was found")
  })
})
