/**
 * What `ociman ps` does (see `commands/ps.ts`).
 */
import { Array as Arr, Console, Effect, Order } from "effect"
import * as Container from "ociman/Container"
import type * as ContainerInspect from "ociman/ContainerInspect"
import * as Sweeper from "ociman/Sweeper"
import type { PsInput } from "../commands/ps.js"
import { runtimeLayer } from "../runtimeLayer.js"

/** One listed container, as `ociman ps --json` prints it (an array of these, newest first). */
export interface PsRow {
  readonly id: string
  readonly names: ReadonlyArray<string>
  readonly image: string
  /** `running`, `exited (3)`, … */
  readonly status: string
  readonly session: string | undefined
  readonly pid: number | undefined
  readonly host: string | undefined
  /** ISO 8601, when ociman created it. */
  readonly created: string | undefined
}

const PID = /^[1-9][0-9]*$/

/** A row from what the sweeper read of the container's ownership labels, and its inspect. */
export const rowOf = (entry: Sweeper.Entry, info: ContainerInspect.ContainerInspect): PsRow => ({
  id: info.id,
  names: [info.name],
  image: info.image,
  status: info.state.status === "exited" ? `exited (${info.state.exitCode})` : info.state.status,
  session: entry.session,
  pid: entry.pid !== undefined && PID.test(entry.pid) ? Number(entry.pid) : undefined,
  host: entry.host,
  created: entry.created
})

const newestFirst = Order.reverse(Order.mapInput(Order.string, (row: PsRow) => row.created ?? ""))

/** The rows: a dry-run sweep (which lists and reads the ownership labels), then one inspect per container. */
export const listManaged = (allSessions: boolean) =>
  Effect.gen(function* () {
    // A dry run removes nothing: it is the library's own list of what it created, owners included.
    const report = yield* Sweeper.sweep({ dryRun: true, allSessions })
    const containers = report.entries.filter((entry) => entry.kind === "container")
    const rows = yield* Effect.forEach(
      containers,
      (entry) =>
        Effect.flatMap(Container.handle(entry.id), (handle) => handle.inspect).pipe(
          Effect.map((info): ReadonlyArray<PsRow> => [rowOf(entry, info)]),
          // removed between the list and the inspect: no longer there to show
          Effect.catchTag("ContainerNotFound", () => Effect.succeed([]))
        ),
      { concurrency: 4 }
    )
    return Arr.sort(rows.flat(), newestFirst)
  })

const short = (id: string): string => id.slice(0, 12)

/** Left-aligned columns under a header, two spaces apart. */
const table = (header: ReadonlyArray<string>, cells: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((line) => line[i]?.length ?? 0)))
  return [header, ...cells]
    .map((line) =>
      line
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd()
    )
    .join("\n")
}

/** The managed containers; empty cells are `-`. */
export const psTable = (rows: ReadonlyArray<PsRow>): string =>
  table(
    ["CONTAINER ID", "NAMES", "IMAGE", "STATUS", "SESSION", "PID", "HOST", "CREATED"],
    rows.map((row) => [
      short(row.id),
      row.names.join(","),
      row.image,
      row.status,
      row.session?.slice(0, 8) ?? "-",
      row.pid === undefined ? "-" : String(row.pid),
      row.host ?? "-",
      row.created ?? "-"
    ])
  )

/** `ociman ps --reuse`: the reused containers, their definition keys and creation times. */
export const reusedTable = (containers: ReadonlyArray<Sweeper.ReusedContainer>): string =>
  containers.length === 0
    ? "no reused containers"
    : table(
        ["CONTAINER ID", "NAME", "KEY", "CREATED"],
        containers.map((c) => [short(c.id), c.name, c.key.slice(0, 16), c.created ?? "-"])
      )

export const action = ({ allSessions, backend, json, reuse }: PsInput) =>
  Effect.gen(function* () {
    if (reuse) {
      const reused = yield* Sweeper.listReused
      return yield* Console.log(json ? JSON.stringify(reused) : reusedTable(reused))
    }
    const rows = yield* listManaged(allSessions)
    yield* Console.log(json ? JSON.stringify(rows) : psTable(rows))
  }).pipe(Effect.provide(runtimeLayer(backend)))
