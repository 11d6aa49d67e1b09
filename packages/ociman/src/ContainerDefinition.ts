/**
 * What to run: an immutable description of a container, built with pipeable combinators.
 * Nothing is validated or run here: `Container.run` / `Container.start` validate every field
 * (image reference, names, labels, environment, ports) and fail with a typed error before any
 * process is spawned.
 *
 * Every ociman 0.8 flag is here (image, command arguments, entrypoint, workdir, env, name, labels,
 * publish, mounts, security options, pull policy, tty, interactive, remove), plus what test suites
 * need: user, hostname, network and aliases, add-host, memory/CPU limits, init, platform, and raw
 * flags placed before the image.
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
import { Data, type Redacted } from "effect"
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
  /** `--add-host` entries, `name:ip` (or `name:host-gateway`). */
  readonly addHosts: ReadonlyArray<string>
  readonly memoryBytes: number | undefined
  readonly cpus: number | undefined
  readonly init: boolean
  readonly tty: boolean
  readonly interactive: boolean
  /** `--rm` for foreground runs and unscoped starts (scoped starts always remove). */
  readonly remove: boolean
  /** Flags placed verbatim before the image: the escape hatch for anything not modelled. */
  readonly rawFlags: ReadonlyArray<string>
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
    addHosts: [],
    memoryBytes: undefined,
    cpus: undefined,
    init: false,
    tty: false,
    interactive: false,
    remove: false,
    rawFlags: []
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
  addHosts: self.addHosts,
  memoryBytes: self.memoryBytes,
  cpus: self.cpus,
  init: self.init,
  tty: self.tty,
  interactive: self.interactive,
  remove: self.remove,
  rawFlags: self.rawFlags
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
