/**
 * The state of one in-memory runtime (`TestRuntime`), and what its operation groups share: the
 * records, ids, time, the call recorder, and the lookups and updates of the state. The state is
 * immutable data in one `Ref`, updated atomically. Image names are in `names.ts`, the handlers
 * that answer commands in `handlers.ts`.
 */
import { Clock, type Deferred, Duration, Effect, Ref } from "effect"
import { CommandTimedOut } from "../../CliError.js"
import type { Backend, LogLine } from "../../ContainerRuntime.js"
import type * as Label from "../../Label.js"
import { compareUtf8 } from "../bytes.js"
import type { Kind } from "../kind.js"
import type { Call, Handler, Operation, SignalAnswer } from "./types.js"
import type { FileNode } from "./files.js"

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------

/** What an image is made of (what `image inspect` shows of its config). */
export interface ImageConfig {
  readonly labels: ReadonlyMap<string, string>
  readonly cmd: ReadonlyArray<string> | undefined
  readonly entrypoint: ReadonlyArray<string> | undefined
  /** `NAME=value` entries. */
  readonly env: ReadonlyArray<string>
  readonly workdir: string | undefined
  readonly user: string | undefined
  readonly exposedPorts: ReadonlyArray<string>
}

export interface ImageRecord extends ImageConfig {
  /** 64 hex digits, without `sha256:`. */
  readonly id: string
  readonly created: string
  readonly size: number
}

export interface Binding {
  readonly hostIp: string
  readonly hostPort: number
}

export interface PublishedPort {
  /** `80/tcp`. */
  readonly key: string
  readonly bindings: ReadonlyArray<Binding>
}

export interface ContainerRecord {
  readonly id: string
  readonly name: string
  /** The image as the run was given it (`Config.Image`). */
  readonly image: string
  readonly imageId: string
  /** The command the main process runs (entrypoint and arguments). */
  readonly command: ReadonlyArray<string>
  /** `Config.Cmd` and `Config.Entrypoint`, for `commit`. */
  readonly cmd: ReadonlyArray<string> | undefined
  readonly entrypoint: ReadonlyArray<string> | undefined
  readonly labels: ReadonlyMap<string, string>
  readonly env: ReadonlyMap<string, string>
  readonly user: string | undefined
  readonly workdir: string | undefined
  readonly status: "running" | "exited"
  readonly exitCode: number
  readonly startedAt: string
  readonly finishedAt: string
  readonly ports: ReadonlyArray<PublishedPort>
  /** The network's name (`bridge`, `podman`, `none`, `host`, or a user network). */
  readonly network: string
  readonly aliases: ReadonlyArray<string>
  /** The networks it joined besides `network` (`moreNetworks`, `network connect`), each with its address. */
  readonly moreNetworks?: ReadonlyArray<MoreNetwork> | undefined
  /** The named volumes it mounts (a volume is in use while any container, running or not, mounts it). */
  readonly volumes: ReadonlyArray<string>
  /** While running, on a network with addresses. */
  readonly ipAddress: string
  readonly logs: ReadonlyArray<LogLine>
  readonly autoRemove: boolean
  /** The definition's health check, a shell command (`Config.Healthcheck`'s `CMD-SHELL`). */
  readonly healthcheck?: string | undefined
  readonly stopExitCode: number
  /** What its published ports answer HTTP requests with (`probePort`). */
  readonly httpStatus: number
  /** Frozen by `pause` (issue #17; absent: not paused). */
  readonly paused?: boolean | undefined
  /** What its main process does on a signal (`ResultCommon.signals`; absent: nothing handled). */
  readonly signals?: Readonly<Record<string, SignalAnswer>> | undefined
  /** Completed with the exit code when the main process ends (for `wait`). */
  readonly exited: Deferred.Deferred<number>
  /** What was copied or written into it, by absolute path (see `files.ts`); none at first. */
  readonly files?: ReadonlyMap<string, FileNode> | undefined
  /** The definition's memory limit, bytes (`stats`, see `observation.ts`; absent: none). */
  readonly memoryLimit?: number | undefined
}

/** A network a container joined besides its first one. */
export interface MoreNetwork {
  readonly name: string
  readonly aliases: ReadonlyArray<string>
  readonly ipAddress: string
}

/** Whether the container is on the network, as its first one or another. */
export const joinedNetwork = (c: ContainerRecord, network: string): boolean =>
  c.network === network || (c.moreNetworks ?? []).some((joined) => joined.name === network)

export interface NetworkRecord {
  readonly id: string
  readonly name: string
  readonly labels: ReadonlyMap<string, string>
  readonly internal: boolean
  /** `none` and `host` have no subnet. */
  readonly subnet: string | undefined
  readonly gateway: string
  /** The runtime's own networks (`bridge`, `host`, `none`; `podman`) cannot be removed. */
  readonly builtin: boolean
  /** The last host number given out (addresses are `<prefix>.<n>`). */
  readonly lastHost: number
}

export interface VolumeRecord {
  readonly name: string
  readonly labels: ReadonlyMap<string, string>
}

export interface State {
  readonly images: ReadonlyMap<string, ImageRecord>
  /** Stored name (see `storedName`) → image id. */
  readonly tags: ReadonlyMap<string, string>
  /** Stored name with digest (`docker.io/library/busybox@sha256:…`) → image id. */
  readonly digests: ReadonlyMap<string, string>
  /** By id, in creation order. */
  readonly containers: ReadonlyMap<string, ContainerRecord>
  /** By id, in creation order. */
  readonly networks: ReadonlyMap<string, NetworkRecord>
  /** By name, in creation order. */
  readonly volumes: ReadonlyMap<string, VolumeRecord>
  /** What a pull can fetch: stored name (and name with digest) → image. */
  readonly registry: ReadonlyMap<string, ImageRecord>
  readonly nextHostPort: number
  readonly nextSubnet: number
  readonly calls: ReadonlyArray<Call>
}

// ---------------------------------------------------------------------------------------------
// The shared context of the operations
// ---------------------------------------------------------------------------------------------

export interface Memory {
  readonly kind: Kind
  readonly backend: Backend
  readonly state: Ref.Ref<State>
  readonly handlers: ReadonlyArray<Handler>
}

/** Records a call and returns its argv (the executable first). */
export const record = (memory: Memory, operation: Operation, args: ReadonlyArray<string>) => {
  const argv = [memory.backend.executable, ...args]
  return Effect.as(
    Ref.update(memory.state, (state) => ({ ...state, calls: [...state.calls, { operation, argv }] })),
    argv
  )
}

/** 64 lowercase hex digits, unique per call. */
export const newId = (): string =>
  `${globalThis.crypto.randomUUID()}${globalThis.crypto.randomUUID()}`.replace(/-/g, "")

export const shortId = (id: string): string => id.slice(0, 12)

/** What Docker and Podman print for "never". */
export const NEVER = "0001-01-01T00:00:00Z"

export const now: Effect.Effect<string> = Effect.map(Clock.currentTimeMillis, (millis) =>
  new Date(millis).toISOString()
)

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)

export const EMPTY = new Uint8Array(0)

/** `effect`, failing with `CommandTimedOut` (naming `argv`) once `timeout` has passed. */
export const timed = <A, E>(
  effect: Effect.Effect<A, E>,
  argv: ReadonlyArray<string>,
  timeout: Duration.DurationInput | undefined
): Effect.Effect<A, E | CommandTimedOut> =>
  timeout === undefined
    ? effect
    : Effect.timeoutFail(effect, {
        duration: timeout,
        onTimeout: () => new CommandTimedOut({ argv, timeoutMillis: Duration.toMillis(Duration.decode(timeout)) })
      })

export const lines = (text: string): ReadonlyArray<string> => text.split("\n").filter((line) => line.length > 0)

/** `NAME=value` entries (image config) to a map; later entries win. */
export const envMap = (entries: ReadonlyArray<string>): Map<string, string> =>
  new Map(
    entries.map((entry) => {
      const eq = entry.indexOf("=")
      return eq < 0 ? [entry, ""] : [entry.slice(0, eq), entry.slice(eq + 1)]
    })
  )

/** Labels sorted by key (UTF-8 order), as `Label.decode` returns them. */
export const sortedLabels = (labels: Iterable<readonly [string, string]>): ReadonlyMap<string, string> =>
  new Map(Array.from(labels).sort(([a], [b]) => compareUtf8(a, b)))

/** Whether labels match every filter (`key`, or `key=value`), as `--filter label=…` does. */
export const matchesFilters = (labels: ReadonlyMap<string, string>, filters: ReadonlyArray<Label.Filter>): boolean =>
  filters.every((filter) =>
    filter.value === undefined ? labels.has(filter.key) : labels.get(filter.key) === filter.value
  )

/** Adds an image under stored names (a name moves if another image had it). */
export const addImage = (state: State, image: ImageRecord, names: ReadonlyArray<string>): State => ({
  ...state,
  images: new Map(state.images).set(image.id, image),
  tags: names.reduce((tags, name) => tags.set(name, image.id), new Map(state.tags))
})

/** A container by full id, name, or unique id prefix (as both CLIs accept). */
export const findContainer = (state: State, ref: string): ContainerRecord | undefined => {
  const exact = state.containers.get(ref)
  if (exact !== undefined) return exact
  const all = Array.from(state.containers.values())
  const named = all.find((c) => c.name === ref || `/${c.name}` === ref)
  if (named !== undefined) return named
  if (!/^[0-9a-f]+$/.test(ref)) return undefined
  const prefixed = all.filter((c) => c.id.startsWith(ref))
  return prefixed.length === 1 ? prefixed[0] : undefined
}

/** A network by name, full id or unique id prefix. */
export const findNetwork = (state: State, ref: string): NetworkRecord | undefined => {
  const all = Array.from(state.networks.values())
  const byName = all.find((n) => n.name === ref || n.id === ref)
  if (byName !== undefined) return byName
  if (!/^[0-9a-f]+$/.test(ref)) return undefined
  const prefixed = all.filter((n) => n.id.startsWith(ref))
  return prefixed.length === 1 ? prefixed[0] : undefined
}

/** The config of an image built from nothing (`FROM scratch`, a seed given by reference only). */
export const EMPTY_CONFIG: ImageConfig = {
  labels: new Map(),
  cmd: undefined,
  entrypoint: undefined,
  env: [],
  workdir: undefined,
  user: undefined,
  exposedPorts: []
}

/** The process fields of an inspect's `Config`, as both runtimes print them for images and containers. */
export const processConfigJson = (process: {
  readonly cmd: ReadonlyArray<string> | undefined
  readonly entrypoint: ReadonlyArray<string> | undefined
  readonly workdir: string | undefined
  readonly user: string | undefined
}) => ({
  Cmd: process.cmd ?? null,
  Entrypoint: process.entrypoint ?? null,
  WorkingDir: process.workdir ?? "",
  User: process.user ?? ""
})
