/**
 * `ociman ps`: the containers ociman created (label `ociman.managed=true`), running or not, with
 * the session, process and host that created them.
 *
 * Every ociman process is its own session, so by default `ps` lists the containers of every
 * session on this host (label `ociman.host` equal to this host's name); `--all-sessions` also
 * lists those created from other hosts (an engine shared through DOCKER_HOST, CONTAINER_HOST or a
 * remote connection).
 */
import { Command, Options } from "@effect/cli"
import { Console, Effect, Either, Order, Array as Arr } from "effect"
import { Container, type ContainerInspect, Label } from "ociman"
import { hostname } from "node:os"
import { backendOption, jsonOption, runtimeLayer } from "../shared.js"

/**
 * The ownership labels the library puts on what it creates (`Container.startDetached`,
 * `Container.start`, `Network.make`).
 */
export const OWNERSHIP_LABELS = {
  managed: "ociman.managed",
  session: "ociman.session",
  pid: "ociman.pid",
  host: "ociman.host",
  created: "ociman.created"
} as const

const allSessionsOption = Options.boolean("all-sessions").pipe(
  Options.withDescription("Also list containers created from other hosts (default: every session on this host)")
)

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

const filter = (key: string, value: string) =>
  Either.map(Either.all([Label.key(key), Label.value(value)]), ([k, v]) => Label.exact(k, v))

const rowOf = (names: ReadonlyArray<string>, info: ContainerInspect.ContainerInspect): PsRow => {
  const pid = Number(info.labels.get(OWNERSHIP_LABELS.pid))
  return {
    id: info.id,
    names,
    image: info.image,
    status: info.state.status === "exited" ? `exited (${info.state.exitCode})` : info.state.status,
    session: info.labels.get(OWNERSHIP_LABELS.session),
    pid: Number.isInteger(pid) ? pid : undefined,
    host: info.labels.get(OWNERSHIP_LABELS.host),
    created: info.labels.get(OWNERSHIP_LABELS.created)
  }
}

const newestFirst = Order.reverse(Order.mapInput(Order.string, (row: PsRow) => row.created ?? ""))

/** The rows: one `container list` with label filters, then one inspect per container. */
export const listManaged = (allSessions: boolean) =>
  Effect.gen(function* () {
    const filters = yield* Either.all(
      allSessions
        ? [filter(OWNERSHIP_LABELS.managed, "true")]
        : [filter(OWNERSHIP_LABELS.managed, "true"), filter(OWNERSHIP_LABELS.host, hostname())]
    )
    const listed = yield* Container.list(filters)
    const rows = yield* Effect.forEach(
      listed,
      (container) =>
        Effect.flatMap(Container.handle(container.id), (handle) => handle.inspect).pipe(
          Effect.map((info): ReadonlyArray<PsRow> => [rowOf(container.names, info)]),
          // removed between the list and the inspect: no longer there to show
          Effect.catchTag("ContainerNotFound", () => Effect.succeed([]))
        ),
      { concurrency: 4 }
    )
    return Arr.sort(rows.flat(), newestFirst)
  })

const short = (id: string): string => id.slice(0, 12)

/** A left-aligned table; empty cells are `-`. */
export const psTable = (rows: ReadonlyArray<PsRow>): string => {
  const header = ["CONTAINER ID", "NAMES", "IMAGE", "STATUS", "SESSION", "PID", "HOST", "CREATED"]
  const cells = rows.map((row) => [
    short(row.id),
    row.names.join(","),
    row.image,
    row.status,
    row.session?.slice(0, 8) ?? "-",
    row.pid === undefined ? "-" : String(row.pid),
    row.host ?? "-",
    row.created ?? "-"
  ])
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

export const ps = Command.make(
  "ps",
  { allSessions: allSessionsOption, backend: backendOption, json: jsonOption },
  ({ allSessions, backend, json }) =>
    Effect.gen(function* () {
      const rows = yield* listManaged(allSessions)
      yield* Console.log(json ? JSON.stringify(rows) : psTable(rows))
    }).pipe(Effect.provide(runtimeLayer(backend)))
).pipe(
  Command.withDescription(
    "List the containers ociman created (label ociman.managed=true), running or not, with their session, owner pid, host and creation time; by default every session on this host"
  )
)
