/**
 * Acceptance: `ociman prune` (the built command: `npm run build` first) on real runtimes. A program
 * SIGKILLed while holding scoped resources is what prune removes; a running program's resources
 * are kept, and `--dry-run` removes nothing. A container of `ociman run --detach` is the user's:
 * kept unless `--include-detached` is given.
 */
import { expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describeEachRuntime, TEST_IMAGE } from "./support/backends.js"
import { leftovers, startWaiting } from "./support/leaks.js"

const cliLauncher = fileURLToPath(new URL("../packages/cli/bin/ociman.js", import.meta.url))

interface PrunedEntry {
  readonly id: string
  readonly kind: string
  readonly session?: string
  readonly reason: string
  readonly outcome: string
}

/** Runs `ociman prune --json …` with the automatic sweep off for good measure, and decodes the report. */
const prune = (args: ReadonlyArray<string>) => {
  const result = spawnSync(process.execPath, [cliLauncher, "prune", "--json", ...args], {
    encoding: "utf8",
    env: { ...process.env, OCIMAN_SWEEP: "0" }
  })
  expect(result.stderr).toBe("")
  expect(result.status).toBe(0)
  const report: { readonly dryRun: boolean; readonly entries: ReadonlyArray<PrunedEntry> } = JSON.parse(result.stdout)
  return report
}

const ofSession = (entries: ReadonlyArray<PrunedEntry>, session: string) =>
  entries
    .filter((entry) => entry.session === session)
    .map((entry) => `${entry.outcome} ${entry.kind} ${entry.reason}`)
    .sort()

describeEachRuntime("ociman prune", (kind) => {
  it(
    "removes what a killed program left, keeps what a running one holds; --dry-run removes nothing",
    {
      timeout: 180_000
    },
    async () => {
      const running = await startWaiting(kind)
      try {
        const killed = await startWaiting(kind)
        killed.kill("SIGKILL")
        await killed.ended
        const all = { containers: 2, networks: 1, images: 1 }
        expect(await leftovers(kind, killed.session)).toEqual(all)

        const dry = prune(["--backend", kind, "--dry-run"])
        expect(dry.dryRun).toBe(true)
        expect(ofSession(dry.entries, killed.session)).toEqual([
          "WouldRemove container OwnerGone",
          "WouldRemove container OwnerGone",
          "WouldRemove image OwnerGone",
          "WouldRemove network OwnerGone"
        ])
        expect(ofSession(dry.entries, running.session)).toEqual([
          "Kept container OwnerAlive",
          "Kept container OwnerAlive",
          "Kept image OwnerAlive",
          "Kept network OwnerAlive"
        ])
        expect(await leftovers(kind, killed.session)).toEqual(all)

        const pruned = prune(["--backend", kind])
        expect(ofSession(pruned.entries, killed.session)).toEqual([
          "Removed container OwnerGone",
          "Removed container OwnerGone",
          "Removed image OwnerGone",
          "Removed network OwnerGone"
        ])
        expect(await leftovers(kind, killed.session)).toEqual({ containers: 0, networks: 0, images: 0 })
        expect(await leftovers(kind, running.session)).toEqual(all)
      } finally {
        running.kill("SIGTERM")
        await running.ended
      }
      expect(await leftovers(kind, running.session)).toEqual({ containers: 0, networks: 0, images: 0 })
    }
  )
})

describeEachRuntime("ociman prune and detached containers", (kind) => {
  it("keeps a container of `ociman run --detach` (the user's), and removes it only with --include-detached", async () => {
    const started = spawnSync(
      process.execPath,
      [cliLauncher, "run", "--backend", kind, "--detach", TEST_IMAGE, "sleep", "600"],
      { encoding: "utf8" }
    )
    expect(started.stderr).toBe("")
    expect(started.status).toBe(0)
    const id = started.stdout.trim()
    try {
      // its owner, the `ociman run` process, has exited: a scoped container would be removed now
      const entryOf = (args: ReadonlyArray<string>) =>
        prune(["--backend", kind, "--dry-run", ...args]).entries.find((entry) => entry.id === id)
      expect(entryOf([])).toMatchObject({ kind: "container", reason: "Detached", outcome: "Kept", detached: true })
      expect(entryOf(["--include-detached"])).toMatchObject({ reason: "OwnerGone", outcome: "WouldRemove" })
    } finally {
      spawnSync(kind, ["container", "rm", "--force", id], { stdio: "ignore" })
    }
  })
})
