/**
 * Leak figures for the README: runs the acceptance suite's matrix (a program holding scoped
 * containers, a scoped network and a scoped image, ended six ways, plus 50 concurrent containers
 * and a SIGKILL) on each runtime that answers, and prints what survived as a Markdown table.
 *
 *   node --import tsx scripts/leak-figures.ts [--runs 10] [--concurrency 4] [--backend docker|podman] [--json]
 *
 * Needs Docker and/or Podman and the local test image (`scripts/provision-runtimes.sh`). Leaves
 * nothing behind: whatever a run leaves is counted, then removed.
 */
import { execFile } from "node:child_process"
import { promisify } from "node:util"
import {
  type Kind,
  leakedCount,
  leftovers,
  markdownTable,
  type RunResult,
  runMatrix,
  runOnce,
  summarize
} from "../test/support/leaks.js"

const args = process.argv.slice(2)
const option = (name: string): string | undefined => {
  const index = args.indexOf(`--${name}`)
  return index === -1 ? undefined : args[index + 1]
}
const runs = Number(option("runs") ?? "10")
const concurrency = Number(option("concurrency") ?? "4")
const json = args.includes("--json")
const requested = option("backend")
const run = promisify(execFile)

/** A runtime counts when its engine answers. */
const answers = (kind: Kind) =>
  run(kind, ["version"]).then(
    () => true,
    () => false
  )

/** Removes whatever a run left (the figures counted it already). */
const cleanUp = async (result: RunResult) => {
  if (result.session === undefined) return
  const left = await leftovers(result.kind, result.session)
  if (result.leaked.volumes > 0) {
    await run(result.kind, ["volume", "rm", "--force", ...result.volumeNames]).catch(() => undefined)
  }
  if (left.containers + left.networks + left.images === 0) return
  const filter = `label=ociman.session=${result.session}`
  const ids = async (words: ReadonlyArray<string>) =>
    (await run(result.kind, [...words, "--quiet", "--filter", filter])).stdout.split("\n").filter((l) => l.trim())
  // one at a time: Podman 4.3's `rm --force` with an id that is gone removes none of the others
  const remove = async (words: ReadonlyArray<string>, list: ReadonlyArray<string>) => {
    for (const id of list) await run(result.kind, [...words, id])
  }
  await remove(["container", "rm", "--force", "--volumes"], await ids(["container", "list", "--all"]))
  await remove(["network", "rm"], await ids(["network", "ls"]))
  await remove(["image", "rm", "--force"], await ids(["image", "ls"]))
}

const main = async () => {
  const kinds = (["docker", "podman"] as const).filter((kind) => requested === undefined || requested === kind)
  const results: Array<RunResult> = []
  for (const kind of kinds) {
    if (!(await answers(kind))) {
      process.stderr.write(`[leak-figures] ${kind} does not answer: skipped\n`)
      continue
    }
    const started = Date.now()
    const progress = (result: RunResult) => process.stderr.write(result.problem === undefined ? "." : "!")
    process.stderr.write(`[leak-figures] ${kind}: 6 modes x ${runs} runs, ${concurrency} at a time `)
    results.push(...(await runMatrix(kind, { runs, concurrency, onDone: progress })))
    results.push(await runOnce(kind, "SIGKILL", 50))
    process.stderr.write(` ${Math.round((Date.now() - started) / 1000)} s\n`)
  }
  for (const result of results) {
    await cleanUp(result).catch((error: unknown) =>
      process.stderr.write(
        `[leak-figures] could not remove what session ${result.session ?? "?"} left: ${String(error)}\n`
      )
    )
  }
  const rows = summarize(results)
  process.stdout.write(json ? `${JSON.stringify({ rows, results }, null, 2)}\n` : `${markdownTable(rows)}\n`)
  for (const r of results.filter((r) => leakedCount(r) > 0)) {
    process.stderr.write(
      `[leak-figures] ${r.kind} ${r.mode}: session ${r.session ?? "?"} left ${JSON.stringify(r.leaked)}\n`
    )
  }
  const problems = results.filter((r) => r.problem !== undefined)
  for (const r of problems) {
    process.stderr.write(`[leak-figures] ${r.kind} ${r.mode}: ${r.problem ?? ""}\n${r.stderr.trim().slice(-1_500)}\n`)
  }
  process.exitCode = rows.some((row) => row.leaked > 0 || row.problems > 0) ? 1 : 0
}

main().catch((error: unknown) => {
  process.stderr.write(`[leak-figures] ${String(error)}\n`)
  process.exitCode = 2
})
