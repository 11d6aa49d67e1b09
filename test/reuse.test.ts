/**
 * Reuse across processes (`Container.start(definition, { reuse: true })`): eight processes
 * (`test/fixtures/programs/reuse.ts`) start the same definition at once and end up with one
 * container, which outlives them all and serves the next process; a changed definition gets its
 * own; `OCIMAN_REUSE=0` turns reuse off. The runtime itself (its CLI) says what exists. The program
 * runs bundled (`support/bundledProgram.ts`): the eight start within a few milliseconds of each
 * other, not spread over the seconds `tsx` takes to compile each.
 */
import { expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { describeEachRuntime, type Kind } from "./support/backends.js"
import { bundledProgram } from "./support/bundledProgram.js"
import { containersLabelled, removeLabelled } from "./support/labelled.js"

const run = promisify(execFile)
const PROGRAM = fileURLToPath(new URL("fixtures/programs/reuse.ts", import.meta.url))
const ROOT = fileURLToPath(new URL("..", import.meta.url))
/** The built command (`npm run build` first). */
const CLI = fileURLToPath(new URL("../packages/cli/bin/ociman.js", import.meta.url))

/** One run of the program: the container id it printed. */
const startIn = async (
  kind: Kind,
  marker: string,
  variant = "a",
  env: Readonly<Record<string, string>> = {}
): Promise<string> => {
  const { stdout } = await run(
    process.execPath,
    [await bundledProgram(PROGRAM), "--backend", kind, "--marker", marker, "--variant", variant],
    { cwd: ROOT, env: { ...process.env, OCIMAN_SWEEP: "0", ...env }, timeout: 120_000 }
  )
  const line = stdout.split("\n").find((text) => text.includes('"started"')) ?? ""
  const parsed: unknown = JSON.parse(line)
  return typeof parsed === "object" && parsed !== null && "id" in parsed && typeof parsed.id === "string"
    ? parsed.id
    : ""
}

/** The containers carrying the marker, as the runtime lists them. */
const withMarker = (kind: Kind, marker: string) => containersLabelled(kind, `ociman-test.reuse=${marker}`)

const stateOf = async (kind: Kind, id: string): Promise<string> =>
  (await run(kind, ["inspect", "--format", "{{.State.Status}}", id])).stdout.trim()

const removeMarked = (kind: Kind, marker: string) => removeLabelled(kind, `ociman-test.reuse=${marker}`)

describeEachRuntime("reuse across processes", (kind) => {
  it("eight processes at once: one container, used by all eight, outliving them; the next process uses it", async () => {
    const marker = `eight-${process.pid}-${Date.now()}`
    try {
      const ids = await Promise.all(Array.from({ length: 8 }, () => startIn(kind, marker)))
      expect(ids.every((id) => /^[0-9a-f]{64}$/.test(id))).toBe(true)
      expect(new Set(ids).size).toBe(1)
      const [id = ""] = ids
      expect(await withMarker(kind, marker)).toEqual([id])
      expect(await stateOf(kind, id)).toBe("running")
      // a later process (the next run) finds it
      expect(await startIn(kind, marker)).toBe(id)
      expect(await withMarker(kind, marker)).toEqual([id])
    } finally {
      await removeMarked(kind, marker)
    }
  })

  it("a changed definition is not reused; OCIMAN_REUSE=0 starts an ordinary container, removed on exit", async () => {
    const marker = `changed-${process.pid}-${Date.now()}`
    try {
      const first = await startIn(kind, marker, "a")
      const changed = await startIn(kind, marker, "b")
      expect(changed).not.toBe(first)
      expect([...(await withMarker(kind, marker))].sort()).toEqual([first, changed].sort())
      const off = await startIn(kind, marker, "a", { OCIMAN_REUSE: "0" })
      expect(off).not.toBe(first)
      expect([...(await withMarker(kind, marker))].sort()).toEqual([first, changed].sort())
    } finally {
      await removeMarked(kind, marker)
    }
  })

  it("ociman ps --reuse lists it; prune --reuse --dry-run keeps it; prune --reuse removes it", async () => {
    const marker = `cli-${process.pid}-${Date.now()}`
    const ociman = async (...args: ReadonlyArray<string>): Promise<unknown> =>
      JSON.parse((await run(process.execPath, [CLI, ...args, "--json", "--backend", kind], { timeout: 60_000 })).stdout)
    const idsIn = (listed: unknown, pick: (entry: unknown) => unknown): ReadonlyArray<unknown> =>
      Array.isArray(listed) ? listed.map(pick) : []
    const idOf = (entry: unknown): unknown =>
      typeof entry === "object" && entry !== null && "id" in entry ? entry.id : undefined
    try {
      const id = await startIn(kind, marker)
      expect(idsIn(await ociman("ps", "--reuse"), idOf)).toContain(id)
      const dry = await ociman("prune", "--reuse", "--dry-run")
      expect(dry).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ container: expect.objectContaining({ id }), outcome: "WouldRemove" })
        ])
      )
      expect(await withMarker(kind, marker)).toEqual([id])
      const kept = await ociman("prune", "--reuse", "--older-than", "1d")
      expect(kept).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ container: expect.objectContaining({ id }), outcome: "Kept" })
        ])
      )
      const removed = await ociman("prune", "--reuse")
      expect(removed).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ container: expect.objectContaining({ id }), outcome: "Removed" })
        ])
      )
      expect(await withMarker(kind, marker)).toEqual([])
    } finally {
      await removeMarked(kind, marker)
    }
  })
})
