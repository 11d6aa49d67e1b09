/**
 * `top` and `stats` (issue #17) on Docker and Podman: the argv, the API requests and the decoders
 * of what each engine answers, one record per kind (`observationDialects`). Observed with Docker
 * 20.10 (client 28) and Podman 4.3 (runc, cgroups v1/v2 hybrid, rootful):
 *
 * - `top`: Docker's runs `ps` on the host with the options it is given (`-eo pid,user,args`), so
 *   pids and users are the host's; Podman's takes its own descriptors, and `hpid huser args` are the
 *   same three as the host sees them (Podman's `-eo …` would run `ps` inside the container, which
 *   an image may not have). Both print a table: the header, then one row per process, the command
 *   last (it may hold spaces). The API's `ps_args` takes the same (Podman's compatible endpoint
 *   its descriptors comma-separated). A stopped container: Docker `Container X is not running`,
 *   Podman `top can only be used on running containers`; Podman's API answers 200 with no body.
 * - `stats --no-stream`: Docker's CLI prints humanised strings (`{{json .}}`: `"MemUsage": "448KiB
 *   / 64MiB"`, `"CPUPerc": "0.52%"`, `"NetIO": "806B / 0B"`, `"BlockIO"`, `"PIDs": "2"`), sizes in
 *   binary units with four significant digits for memory and decimal ones (`kB`, `MB`) for I/O;
 *   Podman's `--format json` prints rounded decimal units too (`"737.3kB / 67.11MB"`), but
 *   `{{json .ContainerStats}}` prints its numbers (`MemUsage`, `MemLimit`, `CPU` in percent,
 *   `NetInput`, …), the same object its libpod API answers (`/libpod/containers/stats`). Docker's
 *   API answers raw cgroup counters, from which its CLI computes the figures (`dockerApiStats`).
 *   A stopped container is answered with an empty sample on both (memory limit 0) and is no error;
 *   the library makes it `ContainerNotRunning`. Podman's compatible stats endpoint has no previous
 *   CPU sample (`precpu_stats` zero), so its CPU figure would be wrong: the libpod one is used.
 */
import { Either, Schema } from "effect"
import type { ContainerProcess, ContainerStats } from "../../ContainerRuntime.js"
import { nonEmptyLines } from "../bytes.js"
import type { Kind } from "../kind.js"

/** What a `stats` answer says: a sample, or the empty one an engine gives for a stopped container. */
export type StatsReading = { readonly _tag: "Sample"; readonly stats: ContainerStats } | { readonly _tag: "Empty" }

/** A stats answer of the API, or none: Podman's libpod endpoint says nothing of a container it does not know. */
export type ApiStatsReading = StatsReading | { readonly _tag: "NoAnswer" }

/** One runtime's `top` and `stats`. */
export interface ObservationDialect {
  readonly topArgs: (container: string) => ReadonlyArray<string>
  readonly statsArgs: (container: string) => ReadonlyArray<string>
  /** The CLI's stats output; `Left`: the part that could not be read. */
  readonly parseStats: (stdout: string) => Either.Either<StatsReading, string>
  /** `ps_args` of `GET /containers/{id}/top`. */
  readonly apiTopArgs: string
  /** The stats request (`{id}` to fill in the path; `containers` query: the container itself). */
  readonly apiStats: {
    readonly template: string
    readonly query: (container: string) => Readonly<Record<string, string>>
    readonly decode: (json: unknown) => Either.Either<ApiStatsReading, string>
  }
  /** What the CLI prints for `top` of a stopped container (for the in-memory runtime). */
  readonly topNotRunning: (containerId: string) => string
}

/**
 * `top` refused because the container is not running: Docker `Container X is not running`
 * (CLI and API), Podman `top can only be used on running containers`.
 */
export const TOP_NOT_RUNNING = /is not running|can only be used on running containers/i
/** Rootless Podman on a cgroup v1 host, before it looks for the container. */
export const STATS_UNSUPPORTED = /stats is not supported in rootless mode without cgroups v2/i

/** What `ContainerNotRunning.stderr` says of a stats call answered with the empty sample. */
export const EMPTY_SAMPLE =
  "the engine answered an empty sample (no memory limit, no processes): the container is not running"

// ---------------------------------------------------------------------------------------------
// Numbers as the CLIs print them
// ---------------------------------------------------------------------------------------------

const UNIT_POWERS: Readonly<Record<string, number>> = { "": 0, k: 1, m: 2, g: 3, t: 4, p: 5, e: 6, z: 7, y: 8 }

/**
 * A size as Docker prints it: `0B`, `448KiB`, `1.953GiB` (binary), `806B`, `1.03kB`, `25.3MB`
 * (decimal; Podman's `kB` / `MB` too). `undefined`: not a size (`--`, where Docker has none).
 */
export const parseSize = (text: string): number | undefined => {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgtpezy]?)(i?)b$/i.exec(text.trim())
  if (match === null) return undefined
  const power = UNIT_POWERS[(match[2] ?? "").toLowerCase()] ?? 0
  const base = match[3] === "" ? 1000 : 1024
  return Math.round(Number(match[1]) * base ** power)
}

/** `0.52%` as the fraction `0.0052`; `undefined`: not a percentage (`--`). */
export const parsePercent = (text: string): number | undefined => {
  const match = /^(\d+(?:\.\d+)?)%$/.exec(text.trim())
  return match === null ? undefined : Number(match[1]) / 100
}

/** `448KiB / 64MiB` as both sizes; `undefined` when either is not one. */
export const parseSizePair = (text: string): readonly [number, number] | undefined => {
  const [first, second, ...rest] = text.split("/")
  if (first === undefined || second === undefined || rest.length > 0) return undefined
  const a = parseSize(first)
  const b = parseSize(second)
  return a === undefined || b === undefined ? undefined : [a, b]
}

/** A running container runs at least one process: a count of 0 is an engine that could not count. */
const pidsOf = (count: number | undefined): number | undefined =>
  count === undefined || count <= 0 ? undefined : count

// ---------------------------------------------------------------------------------------------
// top
// ---------------------------------------------------------------------------------------------

const TOP_ROW = /^\s*(\d+)\s+(\S+)\s+(.*?)\s*$/

/**
 * The table `top` prints with the columns pid, user, command (either engine): the header first,
 * then one row per process. `Left`: the first line that is not such a row.
 */
export const parseTop = (stdout: string): Either.Either<ReadonlyArray<ContainerProcess>, string> => {
  const [header, ...rows] = nonEmptyLines(stdout)
  if (header === undefined || !/^\s*H?PID\s+H?USER\s+COMMAND\s*$/i.test(header)) return Either.left(header ?? "")
  const processes: Array<ContainerProcess> = []
  for (const row of rows) {
    const match = TOP_ROW.exec(row)
    if (match === null) return Either.left(row)
    processes.push({ pid: Number(match[1]), user: match[2] ?? "", command: match[3] ?? "" })
  }
  return Either.right(processes)
}

const ApiTop = Schema.Struct({
  Titles: Schema.Array(Schema.String),
  Processes: Schema.NullOr(Schema.Array(Schema.Array(Schema.String)))
})

/**
 * The API's top answer (`{"Titles": ["PID", "USER", "COMMAND"], "Processes": [["6379", "root",
 * "sleep 60"]]}`, Podman's titles `HPID`, `HUSER`); `Left`: what could not be read.
 */
export const decodeApiTop = (json: unknown): Either.Either<ReadonlyArray<ContainerProcess>, string> =>
  Either.flatMap(
    Either.mapLeft(Schema.decodeUnknownEither(ApiTop)(json), (error) => error.message),
    (answer): Either.Either<ReadonlyArray<ContainerProcess>, string> => {
      const processes: Array<ContainerProcess> = []
      for (const row of answer.Processes ?? []) {
        const [pid, user, command] = row
        if (row.length !== 3 || pid === undefined || !/^\d+$/.test(pid) || user === undefined) {
          return Either.left(JSON.stringify(row))
        }
        processes.push({ pid: Number(pid), user, command: (command ?? "").trim() })
      }
      return Either.right(processes)
    }
  )

// ---------------------------------------------------------------------------------------------
// stats
// ---------------------------------------------------------------------------------------------

const empty: StatsReading = { _tag: "Empty" }
const sample = (stats: ContainerStats): StatsReading => ({ _tag: "Sample", stats })

/** Docker's `stats --no-stream --format '{{json .}}'` (one line per container). */
const DockerCliStats = Schema.parseJson(
  Schema.Struct({
    MemUsage: Schema.String,
    CPUPerc: Schema.String,
    PIDs: Schema.String,
    NetIO: Schema.String,
    BlockIO: Schema.String
  })
)

/** Docker's CLI stats: the humanised figures read back into numbers. */
export const parseDockerStats = (stdout: string): Either.Either<StatsReading, string> => {
  const [line] = nonEmptyLines(stdout)
  if (line === undefined) return Either.left(stdout)
  return Either.flatMap(
    Either.mapLeft(Schema.decodeUnknownEither(DockerCliStats)(line), () => line),
    (printed): Either.Either<StatsReading, string> => {
      const memory = parseSizePair(printed.MemUsage)
      const cpu = parsePercent(printed.CPUPerc)
      if (memory === undefined || cpu === undefined) return Either.left(line)
      const [memoryUsage, memoryLimit] = memory
      if (memoryLimit === 0) return Either.right(empty)
      const network = parseSizePair(printed.NetIO)
      const blockIo = parseSizePair(printed.BlockIO)
      const pids = /^\d+$/.test(printed.PIDs) ? Number(printed.PIDs) : undefined
      return Either.right(
        sample({
          memoryUsage,
          memoryLimit,
          cpu,
          pids: pidsOf(pids),
          network: network === undefined ? undefined : { received: network[0], sent: network[1] },
          blockIo: blockIo === undefined ? undefined : { read: blockIo[0], written: blockIo[1] }
        })
      )
    }
  )
}

/** Podman's `define.ContainerStats`: what `{{json .ContainerStats}}` prints and the libpod API answers. */
const PodmanStats = Schema.Struct({
  CPU: Schema.Number,
  MemUsage: Schema.Number,
  MemLimit: Schema.Number,
  NetInput: Schema.Number,
  NetOutput: Schema.Number,
  BlockInput: Schema.Number,
  BlockOutput: Schema.Number,
  PIDs: Schema.Number
})

const podmanReading = (stats: typeof PodmanStats.Type): StatsReading =>
  stats.MemLimit === 0
    ? empty
    : sample({
        memoryUsage: stats.MemUsage,
        memoryLimit: stats.MemLimit,
        cpu: stats.CPU / 100,
        pids: pidsOf(stats.PIDs),
        network: { received: stats.NetInput, sent: stats.NetOutput },
        blockIo: { read: stats.BlockInput, written: stats.BlockOutput }
      })

/** Podman's CLI stats (`--format '{{json .ContainerStats}}'`). */
export const parsePodmanStats = (stdout: string): Either.Either<StatsReading, string> => {
  const [line] = nonEmptyLines(stdout)
  if (line === undefined) return Either.left(stdout)
  return Either.map(
    Either.mapLeft(Schema.decodeUnknownEither(Schema.parseJson(PodmanStats))(line), () => line),
    podmanReading
  )
}

/** Podman's libpod stats answer: `{"Error": null, "Stats": [...]}`; `Stats: null` for a container it does not know. */
const PodmanApiStats = Schema.Struct({ Stats: Schema.NullOr(Schema.Array(PodmanStats)) })

export const decodePodmanApiStats = (json: unknown): Either.Either<ApiStatsReading, string> =>
  Either.map(
    Either.mapLeft(Schema.decodeUnknownEither(PodmanApiStats)(json), (error) => error.message),
    (answer): ApiStatsReading => {
      const [first] = answer.Stats ?? []
      return first === undefined ? { _tag: "NoAnswer" } : podmanReading(first)
    }
  )

const CpuStats = Schema.Struct({
  cpu_usage: Schema.Struct({
    total_usage: Schema.Number,
    percpu_usage: Schema.optional(Schema.NullOr(Schema.Array(Schema.Number)))
  }),
  system_cpu_usage: Schema.optional(Schema.Number),
  online_cpus: Schema.optional(Schema.Number)
})

/** Docker's `GET /containers/{id}/stats?stream=false`: the raw counters its CLI computes from. */
const DockerApiStats = Schema.Struct({
  pids_stats: Schema.optional(Schema.Struct({ current: Schema.optional(Schema.Number) })),
  blkio_stats: Schema.optional(
    Schema.Struct({
      io_service_bytes_recursive: Schema.optional(
        Schema.NullOr(Schema.Array(Schema.Struct({ op: Schema.String, value: Schema.Number })))
      )
    })
  ),
  cpu_stats: CpuStats,
  precpu_stats: CpuStats,
  memory_stats: Schema.Struct({
    usage: Schema.optional(Schema.Number),
    limit: Schema.optional(Schema.Number),
    stats: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Number }))
  }),
  networks: Schema.optional(
    Schema.Record({ key: Schema.String, value: Schema.Struct({ rx_bytes: Schema.Number, tx_bytes: Schema.Number }) })
  )
})

/**
 * Docker's API stats, computed as its CLI does: memory without the inactive page cache
 * (`total_inactive_file` on cgroup v1, `inactive_file` on v2), CPU as the container's share of the
 * system's CPU time between the two samples times the CPUs, I/O summed over networks and devices.
 */
export const dockerApiStats = (answer: typeof DockerApiStats.Type): StatsReading => {
  const memory = answer.memory_stats
  const limit = memory.limit ?? 0
  if (limit === 0) return empty
  const usage = memory.usage ?? 0
  const v1Cache = memory.stats?.["total_inactive_file"]
  const v2Cache = memory.stats?.["inactive_file"]
  const memoryUsage =
    v1Cache !== undefined && v1Cache < usage
      ? usage - v1Cache
      : v2Cache !== undefined && v2Cache < usage
        ? usage - v2Cache
        : usage
  const now = answer.cpu_stats
  const before = answer.precpu_stats
  const cpuDelta = now.cpu_usage.total_usage - before.cpu_usage.total_usage
  const systemDelta = (now.system_cpu_usage ?? 0) - (before.system_cpu_usage ?? 0)
  const cpus = now.online_cpus ?? now.cpu_usage.percpu_usage?.length ?? 0
  const cpu = systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * cpus : 0
  const networks = answer.networks === undefined ? undefined : Object.values(answer.networks)
  const devices = answer.blkio_stats?.io_service_bytes_recursive ?? undefined
  const sum = (values: ReadonlyArray<number>) => values.reduce((a, b) => a + b, 0)
  const ops = (initial: string) =>
    sum((devices ?? []).filter((entry) => entry.op.charAt(0).toLowerCase() === initial).map((entry) => entry.value))
  return sample({
    memoryUsage,
    memoryLimit: limit,
    cpu,
    pids: pidsOf(answer.pids_stats?.current),
    network:
      networks === undefined
        ? undefined
        : { received: sum(networks.map((n) => n.rx_bytes)), sent: sum(networks.map((n) => n.tx_bytes)) },
    blockIo: devices === undefined ? undefined : { read: ops("r"), written: ops("w") }
  })
}

export const decodeDockerApiStats = (json: unknown): Either.Either<ApiStatsReading, string> =>
  Either.map(
    Either.mapLeft(Schema.decodeUnknownEither(DockerApiStats)(json), (error) => error.message),
    dockerApiStats
  )

// ---------------------------------------------------------------------------------------------
// Per runtime
// ---------------------------------------------------------------------------------------------

export const observationDialects: Readonly<Record<Kind, ObservationDialect>> = {
  docker: {
    topArgs: (container) => ["container", "top", container, "-eo", "pid,user,args"],
    statsArgs: (container) => ["container", "stats", "--no-stream", "--no-trunc", "--format", "{{json .}}", container],
    parseStats: parseDockerStats,
    apiTopArgs: "-eo pid,user,args",
    apiStats: {
      template: "/containers/{id}/stats",
      // not `one-shot`: the engine waits for a second sample, so the CPU figure has a span
      query: () => ({ stream: "false" }),
      decode: decodeDockerApiStats
    },
    topNotRunning: (containerId) => `Error response from daemon: Container ${containerId} is not running`
  },
  podman: {
    topArgs: (container) => ["container", "top", container, "hpid", "huser", "args"],
    statsArgs: (container) => ["container", "stats", "--no-stream", "--format", "{{json .ContainerStats}}", container],
    parseStats: parsePodmanStats,
    apiTopArgs: "hpid,huser,args",
    apiStats: {
      template: "/libpod/containers/stats",
      query: (container) => ({ containers: container, stream: "false" }),
      decode: decodePodmanApiStats
    },
    topNotRunning: () => "Error: top can only be used on running containers"
  }
}
