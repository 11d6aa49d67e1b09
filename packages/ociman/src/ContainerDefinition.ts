/**
 * What to run: an immutable description of a container, built with pipeable combinators.
 * Nothing is validated or run here: `Container.run` / `Container.start` validate every field
 * (image reference, names, labels, environment, ports) and fail with a typed error before any
 * process is spawned.
 *
 * Every ociman 0.8 flag is here (image, command arguments, entrypoint, workdir, env, name, labels,
 * publish, mounts, security options, pull policy, tty, interactive, remove), plus what test suites
 * need: user, hostname, network and aliases, add-host, memory/CPU limits, init, platform,
 * privileges (`withPrivileged`, `capAdd`, `capDrop`), limits (`shmSize`, `ulimit`, `pidsLimit`),
 * a read-only root (`withReadOnly`), stop settings (`stopSignal`, `stopTimeout`), a health check
 * (`healthcheck`, what `Wait.healthy` waits for), files in place before the first process starts
 * (`files`), and raw flags placed before the image.
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import { ContainerDefinition as Def, Port } from "ociman"
 *
 * const postgres = Def.make("postgres:17").pipe(
 *   Def.env({ POSTGRES_PASSWORD: Redacted.make("secret") }),
 *   Def.publish(Port.tcp(5432)),
 *   Def.labels({ "com.example.role": "db" })
 * )
 * ```
 *
 * @since 0.1.0
 */
import { Data, type Duration, type Redacted } from "effect"
import { dual } from "effect/Function"
import type { Pipeable } from "effect/Pipeable"
import type { ImageReference } from "./ImageReference.js"
import type * as Mount from "./Mount.js"
import type * as Port from "./Port.js"
import { pipeOnPrototype } from "./internal/pipeable.js"

/**
 * @since 0.1.0
 * @category models
 */
export type PullPolicy = "always" | "missing" | "never"

/**
 * The fields of a container definition.
 * @since 0.1.0
 * @category models
 */
export interface Fields {
  readonly image: string | ImageReference
  /** Arguments after the image (the container's command). */
  readonly command: ReadonlyArray<string>
  readonly entrypoint: string | undefined
  readonly workdir: string | undefined
  readonly user: string | undefined
  readonly hostname: string | undefined
  readonly platform: string | undefined
  readonly name: string | undefined
  readonly env: ReadonlyArray<readonly [string, string | Redacted.Redacted<string>]>
  readonly labels: ReadonlyArray<readonly [string, string]>
  readonly publish: ReadonlyArray<Port.ContainerPort | Port.Publish>
  readonly mounts: ReadonlyArray<Mount.Mount>
  readonly securityOptions: ReadonlyArray<string>
  readonly pullPolicy: PullPolicy | undefined
  readonly network: string | undefined
  readonly networkAliases: ReadonlyArray<string>
  /** The networks joined besides `network`, each under its own aliases (connected before the start). */
  readonly moreNetworks: ReadonlyArray<NetworkAttachment>
  /** `--add-host` entries, `name:ip` (or `name:host-gateway`). */
  readonly addHosts: ReadonlyArray<string>
  /** Ports of this machine the container reaches at the runtime's host-gateway name (see `exposeHostPorts`). */
  readonly exposedHostPorts: ReadonlyArray<number>
  readonly memoryBytes: number | undefined
  readonly cpus: number | undefined
  readonly init: boolean
  readonly tty: boolean
  readonly interactive: boolean
  /** `--rm` for foreground runs and unscoped starts (scoped starts always remove). */
  readonly remove: boolean
  /** Flags placed verbatim before the image: the escape hatch for anything not modelled. */
  readonly rawFlags: ReadonlyArray<string>
  /** `--privileged`: every capability, every device, no confinement. */
  readonly privileged: boolean
  /** `--cap-add` capability names (`NET_ADMIN`, `CAP_NET_ADMIN`, or `ALL`). */
  readonly capAdd: ReadonlyArray<string>
  /** `--cap-drop` capability names (`CHOWN`, or `ALL`). */
  readonly capDrop: ReadonlyArray<string>
  /** `--shm-size` in bytes (the size of `/dev/shm`). */
  readonly shmSizeBytes: number | undefined
  /** `--ulimit name=soft:hard` entries. */
  readonly ulimits: ReadonlyArray<Ulimit>
  /** `--pids-limit`: at most this many processes (`-1`: unlimited). */
  readonly pidsLimit: number | undefined
  /** `--read-only`: the root file system is mounted read-only (mounts stay as they are). */
  readonly readOnly: boolean
  /** `--stop-signal`, e.g. `SIGINT` (the image's, else `SIGTERM`, when unset). */
  readonly stopSignal: string | undefined
  /** `--stop-timeout` in whole seconds: the grace of a stop that does not give its own. */
  readonly stopTimeoutSeconds: number | undefined
  /** `--health-cmd` and its settings. */
  readonly healthcheck: Healthcheck | undefined
  /** Files placed in the container before its first process starts (see `files`). */
  readonly files: ReadonlyArray<ContainerFile>
}

/**
 * A file placed in the container before its first process starts (see `files`): `target` is an
 * absolute path in the container (missing parent directories are created, mode 755), filled with
 * `content` (text as UTF-8, or bytes), or with `source`, a file or a directory tree of this machine
 * (a relative path starts at the working directory; read when the container is started).
 *
 * `mode` is the permission bits (e.g. `0o755` for a script): the default is `0o644` for `content`
 * and the host's own mode for a `source`; for a directory `source` it sets the directory's mode
 * only, its contents keep theirs. `owner` is the numeric `uid` and `gid` (for a directory `source`,
 * of its whole tree); unset, root, as with `writeFile` / `copyTo`.
 * @since 0.1.0
 * @category models
 */
export type ContainerFile =
  | {
      readonly target: string
      readonly content: string | Uint8Array
      readonly mode?: number | undefined
      readonly owner?: FileOwner | undefined
    }
  | {
      readonly target: string
      readonly source: string
      readonly mode?: number | undefined
      /** For a directory, every entry of its tree. */
      readonly owner?: FileOwner | undefined
    }
  | {
      /** The directory the archive is extracted into (`/` allowed). */
      readonly target: string
      /** An uncompressed tar archive; its entries keep their modes, and their paths stay under `target`. */
      readonly archive: Uint8Array
    }

/**
 * A network a container joins besides its first one (`ContainerDefinition.network`), and the
 * aliases other containers on that network know it by (see `Network.attach`).
 * @since 0.1.0
 * @category models
 */
export interface NetworkAttachment {
  readonly network: string
  readonly aliases: ReadonlyArray<string>
}

/**
 * Who owns a placed file in the container: numeric ids (`0`–`2097151`), as the image's
 * `/etc/passwd` may not know the names. Unset: root (`0:0`).
 * @since 0.1.0
 * @category models
 */
export interface FileOwner {
  readonly uid: number
  readonly gid: number
}

/**
 * The resource names `--ulimit` takes (Docker's and Podman's shared list).
 * @since 0.1.0
 * @category models
 */
export type UlimitName =
  | "core"
  | "cpu"
  | "data"
  | "fsize"
  | "locks"
  | "memlock"
  | "msgqueue"
  | "nice"
  | "nofile"
  | "nproc"
  | "rss"
  | "rtprio"
  | "rttime"
  | "sigpending"
  | "stack"

/**
 * One `--ulimit`: a resource's soft and hard limit (`-1`: unlimited; soft at most hard).
 * @since 0.1.0
 * @category models
 */
export interface Ulimit {
  readonly name: UlimitName
  readonly soft: number
  readonly hard: number
}

/**
 * A health check run by the runtime inside the container (`--health-cmd` and its settings).
 *
 * `command` is a shell command (`"test -f /tmp/ready"`), or exact arguments
 * (`["test", "-f", "/tmp/ready"]`) which are quoted into one: the CLIs only take a shell command,
 * so the image needs `/bin/sh` either way. Unset settings keep the runtime's defaults (Docker and
 * Podman: every 30 s, a 30 s timeout, 3 retries, no start period). `interval` and `timeout` must
 * be at least 1 ms, `startPeriod` zero or at least 1 ms, `retries` at least 1.
 * @since 0.1.0
 * @category models
 */
export interface Healthcheck {
  readonly command: string | ReadonlyArray<string>
  readonly interval?: Duration.DurationInput | undefined
  readonly timeout?: Duration.DurationInput | undefined
  readonly startPeriod?: Duration.DurationInput | undefined
  /** Consecutive failures that make the container `unhealthy`. */
  readonly retries?: number | undefined
}

/**
 * Why a field of a definition is invalid (see `InvalidContainerDefinition`).
 * @since 0.1.0
 * @category errors
 */
export type InvalidContainerDefinitionReason =
  | "CapabilityInvalid"
  | "ShmSizeInvalid"
  | "UlimitNameUnknown"
  | "UlimitValueInvalid"
  | "UlimitSoftAboveHard"
  | "PidsLimitInvalid"
  | "StopSignalInvalid"
  | "StopTimeoutInvalid"
  | "HealthcheckCommandEmpty"
  | "HealthcheckDurationInvalid"
  | "HealthcheckRetriesInvalid"
  | "FileTargetInvalid"
  | "FileModeInvalid"
  | "FileArchiveInvalid"
  | "FileOwnerInvalid"
  | "NetworkModeAlone"
  | "NetworkJoinedTwice"
  | "HostPortInvalid"
  | "HostPortsNeedScope"

const INVALID_MESSAGES: Readonly<Record<InvalidContainerDefinitionReason, string>> = {
  CapabilityInvalid: "a capability is a name such as NET_ADMIN or CAP_NET_ADMIN (letters, digits, _), or ALL",
  ShmSizeInvalid: "the shm size is a whole number of bytes above 0",
  UlimitNameUnknown:
    "a ulimit name is one of core, cpu, data, fsize, locks, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack",
  UlimitValueInvalid: "a ulimit's soft and hard limits are whole numbers of at least 0, or -1 (unlimited)",
  UlimitSoftAboveHard: "a ulimit's soft limit cannot be above its hard limit",
  PidsLimitInvalid: "the pids limit is a whole number above 0, or -1 (unlimited)",
  StopSignalInvalid: "a stop signal is a name such as SIGINT or INT, or a signal number",
  StopTimeoutInvalid: "the stop timeout is a whole number of seconds, at least 0",
  HealthcheckCommandEmpty: "a health check needs a command (a non-empty shell command or argument list)",
  HealthcheckDurationInvalid:
    "a health check's interval and timeout must be at least 1 ms, its start period 0 or at least 1 ms (finite)",
  HealthcheckRetriesInvalid: "a health check's retries are a whole number, at least 1",
  FileTargetInvalid:
    "a file's target is an absolute path in the container, not the root directory itself (e.g. /etc/app.conf)",
  FileModeInvalid: "a file's mode is a whole number from 0 to 0o7777 (e.g. 0o644, 0o755)",
  FileOwnerInvalid: "a file's owner is a numeric uid and gid, whole numbers from 0 to 2097151",
  FileArchiveInvalid:
    "an archive is an uncompressed tar of files, directories and links whose paths stay under its target (no `..`)",
  NetworkModeAlone:
    "host, none and container:<name> are network modes, not networks: a container in one joins no other network",
  NetworkJoinedTwice: "a container joins each network once (give all its aliases there in one attach)",
  HostPortInvalid: "an exposed host port is a whole number from 1 to 65535",
  HostPortsNeedScope:
    "a detached container would outlive the forwarders of its exposed host ports: start it scoped (Container.start)"
}

/**
 * A definition field that the runtimes would refuse (or misread): found by `Container.run` /
 * `Container.start` before any process is spawned.
 *
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 *
 * const error = new Def.InvalidContainerDefinition({ field: "shmSizeBytes", input: "-1", reason: "ShmSizeInvalid" })
 * error.message // "invalid shmSizeBytes -1: the shm size is a whole number of bytes above 0"
 * ```
 * @since 0.1.0
 * @category errors
 */
export class InvalidContainerDefinition extends Data.TaggedError("InvalidContainerDefinition")<{
  /** The definition field (`capAdd`, `ulimits`, `healthcheck.interval`, …). */
  readonly field: string
  /** The offending value, as text. */
  readonly input: string
  readonly reason: InvalidContainerDefinitionReason
}> {
  override get message(): string {
    return `invalid ${this.field} ${this.input}: ${INVALID_MESSAGES[this.reason]}`
  }
}

/**
 * A container definition: an immutable value with structural equality. Change it with the
 * combinators (`definition.pipe(name("db"), …)`).
 * @since 0.1.0
 * @category models
 */
export class ContainerDefinition extends Data.Class<Fields> implements Pipeable {
  readonly _tag = "ContainerDefinition"
  declare readonly pipe: Pipeable["pipe"]
}
pipeOnPrototype(ContainerDefinition.prototype)

/**
 * A definition for an image (a reference string or a parsed `ImageReference`).
 *
 * @example
 * ```ts
 * import { ContainerDefinition } from "ociman"
 *
 * const def = ContainerDefinition.make("localhost/ociman-test/busybox:1")
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const make = (image: string | ImageReference): ContainerDefinition =>
  new ContainerDefinition({
    image,
    command: [],
    entrypoint: undefined,
    workdir: undefined,
    user: undefined,
    hostname: undefined,
    platform: undefined,
    name: undefined,
    env: [],
    labels: [],
    publish: [],
    mounts: [],
    securityOptions: [],
    pullPolicy: undefined,
    network: undefined,
    networkAliases: [],
    moreNetworks: [],
    addHosts: [],
    exposedHostPorts: [],
    memoryBytes: undefined,
    cpus: undefined,
    init: false,
    tty: false,
    interactive: false,
    remove: false,
    rawFlags: [],
    privileged: false,
    capAdd: [],
    capDrop: [],
    shmSizeBytes: undefined,
    ulimits: [],
    pidsLimit: undefined,
    readOnly: false,
    stopSignal: undefined,
    stopTimeoutSeconds: undefined,
    healthcheck: undefined,
    files: []
  })

/**
 * The plain fields of a definition (without its prototype).
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.fields(Def.make("busybox")).image // "busybox"
 * ```
 * @since 0.1.0
 * @category getters
 */
export const fields = (self: ContainerDefinition): Fields => ({
  image: self.image,
  command: self.command,
  entrypoint: self.entrypoint,
  workdir: self.workdir,
  user: self.user,
  hostname: self.hostname,
  platform: self.platform,
  name: self.name,
  env: self.env,
  labels: self.labels,
  publish: self.publish,
  mounts: self.mounts,
  securityOptions: self.securityOptions,
  pullPolicy: self.pullPolicy,
  network: self.network,
  networkAliases: self.networkAliases,
  moreNetworks: self.moreNetworks,
  addHosts: self.addHosts,
  exposedHostPorts: self.exposedHostPorts,
  memoryBytes: self.memoryBytes,
  cpus: self.cpus,
  init: self.init,
  tty: self.tty,
  interactive: self.interactive,
  remove: self.remove,
  rawFlags: self.rawFlags,
  privileged: self.privileged,
  capAdd: self.capAdd,
  capDrop: self.capDrop,
  shmSizeBytes: self.shmSizeBytes,
  ulimits: self.ulimits,
  pidsLimit: self.pidsLimit,
  readOnly: self.readOnly,
  stopSignal: self.stopSignal,
  stopTimeoutSeconds: self.stopTimeoutSeconds,
  healthcheck: self.healthcheck,
  files: self.files
})

const update = (self: ContainerDefinition, patch: Partial<Fields>): ContainerDefinition =>
  new ContainerDefinition({ ...fields(self), ...patch })

const entries = <V>(
  input: Readonly<Record<string, V>> | Iterable<readonly [string, V]>
): Array<readonly [string, V]> => (Symbol.iterator in input ? Array.from(input) : Object.entries(input))

const setter =
  <K extends keyof Fields>(key: K) =>
  (value: Fields[K]) =>
  (self: ContainerDefinition): ContainerDefinition =>
    update(self, { [key]: value })

/**
 * Replaces the image.
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("a:1").pipe(Def.image("b:2"))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const image: {
  (image: string | ImageReference): (self: ContainerDefinition) => ContainerDefinition
  (self: ContainerDefinition, image: string | ImageReference): ContainerDefinition
} = dual(2, (self: ContainerDefinition, image: string | ImageReference) => update(self, { image }))

/**
 * Replaces the command arguments placed after the image (ociman's `arguments`).
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("busybox").pipe(Def.command(["sh", "-c", "echo hi"]))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const command: {
  (command: ReadonlyArray<string>): (self: ContainerDefinition) => ContainerDefinition
  (self: ContainerDefinition, command: ReadonlyArray<string>): ContainerDefinition
} = dual(2, (self: ContainerDefinition, command: ReadonlyArray<string>) => update(self, { command }))

/**
 * Appends command arguments (ociman's `argument`).
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("postgres").pipe(Def.args("-c", "fsync=off"))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const args =
  (...args: ReadonlyArray<string>) =>
  (self: ContainerDefinition): ContainerDefinition =>
    update(self, { command: [...self.command, ...args] })

/**
 * `--entrypoint` (one executable; put its arguments in `command`).
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("busybox").pipe(Def.entrypoint("sh"), Def.command(["-c", "true"]))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const entrypoint = setter("entrypoint")
/**
 * `--workdir`, a path inside the container.
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("busybox").pipe(Def.workdir("/tmp"))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const workdir = setter("workdir")
/**
 * `--user`, e.g. `"1000"`, `"1000:1000"` or `"postgres"`.
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("busybox").pipe(Def.user("1234:5678"))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const user = setter("user")
/**
 * `--hostname`.
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("busybox").pipe(Def.hostname("db"))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const hostname = setter("hostname")
/**
 * `--platform`, e.g. `linux/amd64`.
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("busybox").pipe(Def.platform("linux/amd64"))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const platform = setter("platform")
/**
 * `--name` (validated as a `ContainerName` when the container is run).
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("busybox").pipe(Def.name("my-db"))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const name = setter("name")
/**
 * `--pull always|missing|never`; unset keeps the runtime's default.
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("busybox").pipe(Def.pullPolicy("never"))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const pullPolicy = setter("pullPolicy")
/**
 * `--network NAME` (a network from `Network.make`, `host`, `none`, …).
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("busybox").pipe(Def.network("my-net"))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const network = setter("network")
/**
 * `--memory` in bytes.
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("busybox").pipe(Def.memory(256 * 1024 * 1024))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const memory = setter("memoryBytes")
/**
 * `--cpus`, a fraction of CPUs.
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("busybox").pipe(Def.cpus(0.5))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const cpus = setter("cpus")

/**
 * Adds environment variables (sorted and de-duplicated, later wins, when run). Values reach the
 * container through the CLI's own environment (`--env NAME`), never through its argv; wrap
 * secrets in `Redacted` so they are also hidden from spans and errors.
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("postgres").pipe(Def.env({ POSTGRES_PASSWORD: Redacted.make("pw"), PGDATA: "/data" }))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const env =
  (
    vars:
      | Readonly<Record<string, string | Redacted.Redacted<string>>>
      | Iterable<readonly [string, string | Redacted.Redacted<string>]>
  ) =>
  (self: ContainerDefinition): ContainerDefinition =>
    update(self, { env: [...self.env, ...entries(vars)] })

/**
 * Adds labels (sorted and de-duplicated, later wins, when run).
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("busybox").pipe(Def.labels({ "com.example.role": "db" }))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const labels =
  (labels: Readonly<Record<string, string>> | Iterable<readonly [string, string]>) =>
  (self: ContainerDefinition): ContainerDefinition =>
    update(self, { labels: [...self.labels, ...entries(labels)] })

/**
 * Publishes a container port (`Port.tcp(5432)`, or a `Port.publish(...)` with host IP / port).
 * @example
 * ```ts
 * import { ContainerDefinition as Def, Port } from "ociman"
 * Def.make("busybox").pipe(Def.publish(Port.tcp(80)))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const publish =
  (...ports: ReadonlyArray<Port.ContainerPort | Port.Publish>) =>
  (self: ContainerDefinition): ContainerDefinition =>
    update(self, { publish: [...self.publish, ...ports] })

/**
 * Adds mounts (`Mount.bind`, `Mount.volume`, `Mount.tmpfs`, `Mount.raw`).
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { ContainerDefinition as Def, Mount } from "ociman"
 * Def.make("busybox").pipe(Def.mount(Either.getOrThrow(Mount.tmpfs({ target: "/scratch" }))))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const mount =
  (...mounts: ReadonlyArray<Mount.Mount>) =>
  (self: ContainerDefinition): ContainerDefinition =>
    update(self, { mounts: [...self.mounts, ...mounts] })

/**
 * Adds `--security-opt` values (e.g. `seccomp=unconfined`).
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("busybox").pipe(Def.securityOption("no-new-privileges"))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const securityOption =
  (...options: ReadonlyArray<string>) =>
  (self: ContainerDefinition): ContainerDefinition =>
    update(self, { securityOptions: [...self.securityOptions, ...options] })

/**
 * Adds `--network-alias` names (for the definition's `network`).
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("busybox").pipe(Def.network("net"), Def.networkAlias("db"))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const networkAlias =
  (...aliases: ReadonlyArray<string>) =>
  (self: ContainerDefinition): ContainerDefinition =>
    update(self, { networkAliases: [...self.networkAliases, ...aliases] })

/**
 * Joins a network, under optional aliases other containers on that network can use as host
 * names. The first network joined is the definition's `network` (`--network`, `--network-alias`);
 * each further one is connected after the create and before the start (`network connect --alias`),
 * so the container's first process already sees every network. Joining a network again adds
 * aliases there. `host`, `none` and `container:<name>` are modes a container cannot combine with
 * another network (`InvalidContainerDefinition` at the start). `Network.attach` does the same with
 * a `Network` value.
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * // "db" on the back-end network, "api-db" on the front-end one
 * Def.make("busybox").pipe(Def.joinNetwork("backend", { aliases: ["db"] }), Def.joinNetwork("frontend", { aliases: ["api-db"] }))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const joinNetwork =
  (network: string, options: { readonly aliases?: ReadonlyArray<string> | undefined } = {}) =>
  (self: ContainerDefinition): ContainerDefinition => {
    const aliases = options.aliases ?? []
    if (self.network === undefined || self.network === network) {
      return update(self, { network, networkAliases: [...self.networkAliases, ...aliases] })
    }
    const joined = self.moreNetworks.some((attachment) => attachment.network === network)
    return update(self, {
      moreNetworks: joined
        ? self.moreNetworks.map((attachment) =>
            attachment.network === network ? { network, aliases: [...attachment.aliases, ...aliases] } : attachment
          )
        : [...self.moreNetworks, { network, aliases }]
    })
  }

/**
 * Lets the container reach these ports of this machine at the runtime's host-gateway name
 * (`host.docker.internal` on Docker, `host.containers.internal` on Podman; `Network.hostGatewayName`),
 * on the same port numbers: testcontainers' `exposeHostPorts`, without its SSH sidecar. While the
 * container lives, this process listens on the host's address as containers see it and relays
 * each connection to `localhost`, so a service bound to 127.0.0.1 only is reachable too.
 *
 * Finding that address runs a throwaway container of the definition's image once per runtime
 * (it reads `/etc/hosts`, so the image needs `cat`). A scoped `Container.start` and `Container.run`
 * keep the forwarders while the container lives (a failed start closes them at once; a reused
 * container keeps them only while the caller's scope lives); `startDetached` refuses the field
 * (the container would outlive them). The forwarder serves connections from this machine's own
 * addresses and private ones (container networks) only; a remote engine, or one whose containers
 * see this host at an address it does not have (rootless Docker, Podman's pasta), is
 * `HostPortUnavailable`.
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * // the container fetches http://host.docker.internal:8080/ (Podman: host.containers.internal)
 * Def.make("busybox").pipe(Def.exposeHostPorts(8080))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const exposeHostPorts =
  (...ports: ReadonlyArray<number>) =>
  (self: ContainerDefinition): ContainerDefinition =>
    update(self, { exposedHostPorts: [...self.exposedHostPorts, ...ports] })

/**
 * Adds an `/etc/hosts` entry: `addHost("db.local", "10.0.0.5")`, or `"host-gateway"` as the address.
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("busybox").pipe(Def.addHost("host.docker.internal", "host-gateway"))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const addHost: {
  (host: string, address: string): (self: ContainerDefinition) => ContainerDefinition
  (self: ContainerDefinition, host: string, address: string): ContainerDefinition
} = dual(3, (self: ContainerDefinition, host: string, address: string) =>
  update(self, { addHosts: [...self.addHosts, `${host}:${address}`] })
)

/**
 * Adds flags placed verbatim before the image, for anything not modelled here.
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("busybox").pipe(Def.rawFlags("--shm-size", "256m"))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const rawFlags =
  (...flags: ReadonlyArray<string>) =>
  (self: ContainerDefinition): ContainerDefinition =>
    update(self, { rawFlags: [...self.rawFlags, ...flags] })

/**
 * `--init`: run a tiny init as PID 1 (reaps zombies, forwards signals).
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("busybox").pipe(Def.withInit)
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const withInit = (self: ContainerDefinition): ContainerDefinition => update(self, { init: true })
/**
 * `--tty`. A PTY mangles binary output (CRLF); prefer `interactive` for byte streams.
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("busybox").pipe(Def.withTty)
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const withTty = (self: ContainerDefinition): ContainerDefinition => update(self, { tty: true })
/**
 * `--interactive`: keep stdin open.
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("busybox").pipe(Def.withInteractive)
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const withInteractive = (self: ContainerDefinition): ContainerDefinition => update(self, { interactive: true })
/**
 * `--rm` for foreground runs and unscoped starts.
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("busybox").pipe(Def.withRemove)
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const withRemove = (self: ContainerDefinition): ContainerDefinition => update(self, { remove: true })

/**
 * `--privileged`: every capability and device, no seccomp or AppArmor confinement.
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("busybox").pipe(Def.withPrivileged)
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const withPrivileged = (self: ContainerDefinition): ContainerDefinition => update(self, { privileged: true })
/**
 * `--read-only`: the container's root file system is read-only (mounts, e.g. a `Mount.tmpfs`,
 * stay writable).
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("busybox").pipe(Def.withReadOnly)
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const withReadOnly = (self: ContainerDefinition): ContainerDefinition => update(self, { readOnly: true })

/**
 * Adds `--cap-add` capabilities (`"NET_ADMIN"`, `"CAP_SYS_TIME"`, or `"ALL"`).
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("busybox").pipe(Def.capAdd("NET_ADMIN", "SYS_TIME"))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const capAdd =
  (...capabilities: ReadonlyArray<string>) =>
  (self: ContainerDefinition): ContainerDefinition =>
    update(self, { capAdd: [...self.capAdd, ...capabilities] })

/**
 * Adds `--cap-drop` capabilities (`"CHOWN"`, or `"ALL"` to start from none).
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("busybox").pipe(Def.capDrop("ALL"), Def.capAdd("NET_BIND_SERVICE"))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const capDrop =
  (...capabilities: ReadonlyArray<string>) =>
  (self: ContainerDefinition): ContainerDefinition =>
    update(self, { capDrop: [...self.capDrop, ...capabilities] })

/**
 * `--shm-size` in bytes: the size of the container's `/dev/shm` (64 MiB by default).
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("postgres").pipe(Def.shmSize(256 * 1024 * 1024))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const shmSize: {
  (bytes: number): (self: ContainerDefinition) => ContainerDefinition
  (self: ContainerDefinition, bytes: number): ContainerDefinition
} = dual(2, (self: ContainerDefinition, bytes: number) => update(self, { shmSizeBytes: bytes }))

/**
 * Adds `--ulimit name=soft:hard` limits (a later one of the same name wins on the runtimes).
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("busybox").pipe(Def.ulimit({ name: "nofile", soft: 512, hard: 1024 }))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const ulimit =
  (...limits: ReadonlyArray<Ulimit>) =>
  (self: ContainerDefinition): ContainerDefinition =>
    update(self, { ulimits: [...self.ulimits, ...limits] })

/**
 * `--pids-limit`: at most this many processes in the container (`-1`: unlimited).
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("busybox").pipe(Def.pidsLimit(64))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const pidsLimit: {
  (limit: number): (self: ContainerDefinition) => ContainerDefinition
  (self: ContainerDefinition, limit: number): ContainerDefinition
} = dual(2, (self: ContainerDefinition, limit: number) => update(self, { pidsLimit: limit }))

/**
 * `--stop-signal`: what a stop sends first (`"SIGINT"`, `"INT"` or a number).
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("postgres").pipe(Def.stopSignal("SIGINT"))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const stopSignal: {
  (signal: string): (self: ContainerDefinition) => ContainerDefinition
  (self: ContainerDefinition, signal: string): ContainerDefinition
} = dual(2, (self: ContainerDefinition, signal: string) => update(self, { stopSignal: signal }))

/**
 * `--stop-timeout` in whole seconds: how long a stop that gives no grace of its own (the CLI's
 * `stop` without `--time`, an engine shutdown) waits before killing. A handle's `stop` gives its
 * own timeout.
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 * Def.make("busybox").pipe(Def.stopTimeout(30))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const stopTimeout: {
  (seconds: number): (self: ContainerDefinition) => ContainerDefinition
  (self: ContainerDefinition, seconds: number): ContainerDefinition
} = dual(2, (self: ContainerDefinition, seconds: number) => update(self, { stopTimeoutSeconds: seconds }))

/**
 * A health check (`--health-cmd`, `--health-interval`, `--health-timeout`, `--health-retries`,
 * `--health-start-period`): what `Wait.healthy` waits for.
 * @example
 * ```ts
 * import { ContainerDefinition as Def, Wait } from "ociman"
 *
 * const def = Def.make("busybox").pipe(
 *   Def.healthcheck({ command: ["test", "-f", "/tmp/ready"], interval: "500 millis", retries: 30 })
 * )
 * const ready = Wait.healthy
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const healthcheck: {
  (healthcheck: Healthcheck): (self: ContainerDefinition) => ContainerDefinition
  (self: ContainerDefinition, healthcheck: Healthcheck): ContainerDefinition
} = dual(2, (self: ContainerDefinition, healthcheck: Healthcheck) => update(self, { healthcheck }))

/**
 * Adds files placed in the container before its first process starts (testcontainers'
 * `withCopyFilesToContainer`, `withCopyDirectoriesToContainer`, `withCopyContentToContainer`): the
 * container is created, the files are put into it, then it is started, so its command already
 * sees them. Each file is a `content` (text or bytes), a `source` on this machine (a file or a
 * directory tree, read at start: a changed file gives a reused container a new key), or an
 * `archive` (a tar, testcontainers' `withCopyArchivesToContainer`) extracted into its target
 * directory; see `ContainerFile`. A later file with the same target wins.
 *
 * Checked before anything runs: a relative target (or `/`) or a mode outside `0`–`0o7777` is
 * `InvalidContainerDefinition`, a missing `source` is `HostPathNotFound`. A failure to put them
 * (e.g. a file's parent is a file) is `ContainerStartFailed`, and the created
 * container is removed.
 * @example
 * ```ts
 * import { ContainerDefinition as Def } from "ociman"
 *
 * const app = Def.make("localhost/ociman-test/busybox:1").pipe(
 *   Def.files(
 *     { target: "/etc/app.conf", content: "port=8080\n" },
 *     { target: "/usr/local/bin/entry.sh", content: "#!/bin/sh\nexec cat /etc/app.conf\n", mode: 0o755 },
 *     { target: "/srv/static", source: "./public" },
 *     { target: "/opt/app", archive: new Uint8Array(1024) } // a tar (two zero blocks: an empty one)
 *   ),
 *   Def.command(["/usr/local/bin/entry.sh"])
 * )
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const files =
  (...entries: ReadonlyArray<ContainerFile>) =>
  (self: ContainerDefinition): ContainerDefinition =>
    update(self, { files: [...self.files, ...entries] })
