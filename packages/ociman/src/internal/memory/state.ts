/**
 * The state of one in-memory runtime (`TestRuntime`), and what its three operation groups share:
 * ids, image names as each dialect stores them, time, the call recorder, and the handlers that
 * answer commands. The state is immutable data in one `Ref`, updated atomically.
 */
import { Clock, type Deferred, Effect, Either, Ref } from "effect"
import type { Backend } from "../../ContainerRuntime.js"
import * as ImageReference from "../../ImageReference.js"
import type { Kind } from "../kind.js"
import type { Call, Handler, HandlerContext, Operation } from "../../TestRuntime.js"
import { decodeText } from "../cli/process.js"
import type { LogLine } from "../../ContainerRuntime.js"

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
  /** While running, on a network with addresses. */
  readonly ipAddress: string
  readonly logs: ReadonlyArray<LogLine>
  readonly autoRemove: boolean
  readonly stopExitCode: number
  /** Completed with the exit code when the main process ends (for `wait`). */
  readonly exited: Deferred.Deferred<number>
}

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

export const lines = (text: string): ReadonlyArray<string> => text.split("\n").filter((line) => line.length > 0)

// ---------------------------------------------------------------------------------------------
// Image names, as each dialect stores them
// ---------------------------------------------------------------------------------------------

type Ref = ImageReference.ImageReference

const withDefaultTag = (ref: Ref): Ref =>
  ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: "latest" } : ref

const tagOnly = (ref: Ref): Ref => ({ ...withDefaultTag(ref), digest: undefined })

/**
 * The name an image is stored under when tagged `ref`: Docker normalizes (`busybox` is
 * `docker.io/library/busybox:latest`); Podman puts a name without registry under `localhost/`.
 */
export const storedName = (kind: Kind, ref: Ref): string => {
  const tagged = tagOnly(ref)
  return kind === "podman" && tagged.domain === undefined
    ? `localhost/${ImageReference.format(tagged)}`
    : ImageReference.normalize(tagged)
}

/** The stored names `ref` may mean: Podman looks a short name up under `localhost/`, then Docker Hub. */
export const candidates = (kind: Kind, ref: Ref): ReadonlyArray<string> => {
  const tagged = tagOnly(ref)
  return kind === "podman" && tagged.domain === undefined
    ? [`localhost/${ImageReference.format(tagged)}`, ImageReference.normalize(tagged)]
    : [ImageReference.normalize(tagged)]
}

const nameOf = (stored: string): string => stored.replace(/:[^:/]+$/, "")

/** `name@digest` keys for a reference with a digest. */
const digestCandidates = (kind: Kind, ref: Ref): ReadonlyArray<string> =>
  ref.digest === undefined ? [] : candidates(kind, ref).map((stored) => `${nameOf(stored)}@${ref.digest}`)

/** The image id `ref` names, if it is stored (by digest when it has one). */
export const lookupImage = (kind: Kind, state: State, ref: Ref): string | undefined => {
  if (ref.digest !== undefined) {
    for (const key of digestCandidates(kind, ref)) {
      const id = state.digests.get(key)
      if (id !== undefined) return id
    }
    return undefined
  }
  for (const key of candidates(kind, ref)) {
    const id = state.tags.get(key)
    if (id !== undefined) return id
  }
  return undefined
}

/** The image the simulated registry has under `ref` (by digest when it has one), if any. */
export const lookupRegistry = (kind: Kind, state: State, ref: Ref): ImageRecord | undefined => {
  const keys = ref.digest === undefined ? candidates(kind, ref) : digestCandidates(kind, ref)
  for (const key of keys) {
    const image = state.registry.get(key)
    if (image !== undefined) return image
  }
  return undefined
}

/** Registry keys for a seeded image: its stored name, and `name@digest` when it has a digest. */
export const registryKeys = (kind: Kind, ref: Ref): ReadonlyArray<string> =>
  ref.digest === undefined
    ? [storedName(kind, ref)]
    : ref.tag === undefined
      ? digestCandidates(kind, ref).slice(0, 1)
      : [storedName(kind, ref), ...digestCandidates(kind, ref).slice(0, 1)]

/** How the runtime prints a stored name (`RepoTags`, `image list`): Docker in its familiar form. */
export const displayName = (kind: Kind, stored: string): string =>
  kind === "docker"
    ? Either.match(ImageReference.parse(stored), { onLeft: () => stored, onRight: ImageReference.familiar })
    : stored

/** The image ID as the runtime prints it: Docker with `sha256:`, Podman without. */
export const printedImageId = (kind: Kind, id: string): string => (kind === "docker" ? `sha256:${id}` : id)

/** Stored names of an image, sorted. */
export const namesOf = (state: State, imageId: string): ReadonlyArray<string> =>
  Array.from(state.tags)
    .filter(([, id]) => id === imageId)
    .map(([name]) => name)
    .sort()

/** Whether a handler's image matches the image a command runs in. */
const sameImage = (pattern: string, image: string): boolean => {
  if (pattern === "*" || pattern === image) return true
  const a = ImageReference.parse(pattern)
  const b = ImageReference.parse(image)
  return Either.isRight(a) && Either.isRight(b)
    ? ImageReference.normalize(withDefaultTag(a.right)) === ImageReference.normalize(withDefaultTag(b.right))
    : false
}

const sameCommand = (pattern: Handler["command"], command: ReadonlyArray<string>): boolean =>
  pattern === "*"
    ? true
    : typeof pattern === "function"
      ? pattern(command)
      : pattern.length === command.length && pattern.every((word, i) => word === command[i])

/** A command's behaviour, normalized. */
export interface Outcome {
  readonly stdout: Uint8Array
  readonly stderr: Uint8Array
  /** The output as log lines, in order. */
  readonly output: ReadonlyArray<LogLine>
  readonly exitCode: number | undefined
  readonly stopExitCode: number
}

const toBytes = (value: string | Uint8Array | undefined): Uint8Array =>
  value === undefined ? EMPTY : typeof value === "string" ? bytes(value) : value

const joined = (output: ReadonlyArray<LogLine>, stream: "stdout" | "stderr"): Uint8Array =>
  bytes(
    output
      .filter((line) => line.stream === stream)
      .map((line) => `${line.text}\n`)
      .join("")
  )

/** Asks the first matching handler; without one, exit 0 (or keep running) with no output. */
export const answer = (memory: Memory, context: HandlerContext): Effect.Effect<Outcome> => {
  const found = memory.handlers.find(
    (handler) => sameImage(handler.image, context.image) && sameCommand(handler.command, context.command)
  )
  if (found === undefined) {
    return Effect.succeed({ stdout: EMPTY, stderr: EMPTY, output: [], exitCode: undefined, stopExitCode: 0 })
  }
  return Effect.map(found.respond(context), (result): Outcome => {
    const common = { exitCode: result.exitCode, stopExitCode: result.stopExitCode ?? 0 }
    if (result.output !== undefined) {
      return {
        ...common,
        stdout: joined(result.output, "stdout"),
        stderr: joined(result.output, "stderr"),
        output: result.output
      }
    }
    const stdout = toBytes(result.stdout)
    const stderr = toBytes(result.stderr)
    return {
      ...common,
      stdout,
      stderr,
      output: [
        ...lines(decodeText(stdout)).map((text): LogLine => ({ stream: "stdout", text })),
        ...lines(decodeText(stderr)).map((text): LogLine => ({ stream: "stderr", text }))
      ]
    }
  })
}

/** `NAME=value` entries (image config) to a map; later entries win. */
export const envMap = (entries: ReadonlyArray<string>): Map<string, string> =>
  new Map(
    entries.map((entry) => {
      const eq = entry.indexOf("=")
      return eq < 0 ? [entry, ""] : [entry.slice(0, eq), entry.slice(eq + 1)]
    })
  )
