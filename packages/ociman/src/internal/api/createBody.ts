/**
 * A `RunSpec` as the Engine API's `POST /containers/create` request: the same container the CLI's
 * `run` flags (`dialect/containers.ts` `runArgs`) describe. What the API cannot say the way the
 * CLI means it (raw flags, raw mounts, a seccomp profile file the CLI reads itself, an image pull
 * on create) is a `CliOnly` reason: that run goes through the CLI instead, never with a field
 * silently dropped.
 *
 * The body holds environment values (secrets included): it is sent, never logged or put in a span.
 */
import { Duration, Either, Redacted } from "effect"
import type { HealthcheckSpec, RunSpec } from "../../ContainerRuntime.js"
import * as EnvVar from "../../EnvVar.js"
import * as ImageReference from "../../ImageReference.js"
import type * as Mount from "../../Mount.js"
import * as Port from "../../Port.js"
import { sortedUnique } from "../bytes.js"

/** Why a run cannot be expressed over the API (it runs through the CLI). */
export interface CliOnly {
  readonly _tag: "CliOnly"
  readonly reason: string
}

/** The query and JSON body of `POST /containers/create`. */
export interface CreateRequest {
  readonly query: Readonly<Record<string, string | undefined>>
  readonly body: CreateBody
}

interface PortBinding {
  readonly HostIp: string
  readonly HostPort: string
}

type ApiMount =
  | { readonly Type: "bind"; readonly Source: string; readonly Target: string; readonly ReadOnly: boolean }
  | { readonly Type: "volume"; readonly Source?: string; readonly Target: string; readonly ReadOnly: boolean }
  | {
      readonly Type: "tmpfs"
      readonly Target: string
      readonly TmpfsOptions?: { readonly SizeBytes?: number; readonly Mode?: number }
    }

/** The fields of the create body this library sets (the Engine API's names). */
export interface CreateBody {
  readonly Image: string
  readonly Cmd?: ReadonlyArray<string>
  readonly Entrypoint?: ReadonlyArray<string>
  readonly Env: ReadonlyArray<string>
  readonly Labels: Readonly<Record<string, string>>
  readonly WorkingDir?: string
  readonly User?: string
  readonly Hostname?: string
  readonly Tty: boolean
  readonly OpenStdin: boolean
  readonly AttachStdin: boolean
  readonly AttachStdout: boolean
  readonly AttachStderr: boolean
  readonly ExposedPorts: Readonly<Record<string, Record<string, never>>>
  readonly StopSignal?: string
  readonly StopTimeout?: number
  readonly Healthcheck?: ApiHealthcheck
  readonly HostConfig: {
    readonly PortBindings: Readonly<Record<string, ReadonlyArray<PortBinding>>>
    readonly Mounts: ReadonlyArray<ApiMount>
    readonly SecurityOpt?: ReadonlyArray<string>
    readonly NetworkMode?: string
    readonly ExtraHosts?: ReadonlyArray<string>
    readonly Memory?: number
    readonly NanoCpus?: number
    readonly Init?: boolean
    readonly Privileged?: boolean
    readonly CapAdd?: ReadonlyArray<string>
    readonly CapDrop?: ReadonlyArray<string>
    readonly ShmSize?: number
    readonly Ulimits?: ReadonlyArray<{ readonly Name: string; readonly Soft: number; readonly Hard: number }>
    readonly PidsLimit?: number
    readonly ReadonlyRootfs?: boolean
    readonly AutoRemove: boolean
  }
  readonly NetworkingConfig?: {
    readonly EndpointsConfig: Readonly<Record<string, { readonly Aliases: ReadonlyArray<string> }>>
  }
}

/** `Config.Healthcheck`: durations in nanoseconds, as the CLIs send their `--health-*` flags. */
interface ApiHealthcheck {
  readonly Test: ReadonlyArray<string>
  readonly Interval?: number
  readonly Timeout?: number
  readonly StartPeriod?: number
  readonly Retries?: number
}

const nanos = (duration: Duration.Duration): number => Number(Duration.unsafeToNanos(duration))

const healthcheckOf = (healthcheck: HealthcheckSpec): ApiHealthcheck => ({
  // the CLIs send `--health-cmd` as a shell command, whatever its form
  Test: ["CMD-SHELL", healthcheck.shell],
  ...(healthcheck.interval === undefined ? {} : { Interval: nanos(healthcheck.interval) }),
  ...(healthcheck.timeout === undefined ? {} : { Timeout: nanos(healthcheck.timeout) }),
  ...(healthcheck.startPeriod === undefined ? {} : { StartPeriod: nanos(healthcheck.startPeriod) }),
  ...(healthcheck.retries === undefined ? {} : { Retries: healthcheck.retries })
})

/** The privilege, limit, stop and health-check fields (issue #17), as `runArgs` sends them. */
const breadthOf = (spec: RunSpec) => ({
  config: {
    ...(spec.stopSignal === undefined ? {} : { StopSignal: spec.stopSignal }),
    ...(spec.stopTimeoutSeconds === undefined ? {} : { StopTimeout: spec.stopTimeoutSeconds }),
    ...(spec.healthcheck === undefined ? {} : { Healthcheck: healthcheckOf(spec.healthcheck) })
  },
  hostConfig: {
    ...(spec.privileged ? { Privileged: true } : {}),
    ...(spec.capAdd.length === 0 ? {} : { CapAdd: spec.capAdd }),
    ...(spec.capDrop.length === 0 ? {} : { CapDrop: spec.capDrop }),
    ...(spec.shmSizeBytes === undefined ? {} : { ShmSize: spec.shmSizeBytes }),
    ...(spec.ulimits.length === 0
      ? {}
      : { Ulimits: spec.ulimits.map((limit) => ({ Name: limit.name, Soft: limit.soft, Hard: limit.hard })) }),
    ...(spec.pidsLimit === undefined ? {} : { PidsLimit: spec.pidsLimit }),
    ...(spec.readOnly ? { ReadonlyRootfs: true } : {})
  }
})

const cliOnly = (reason: string): Either.Either<never, CliOnly> => Either.left({ _tag: "CliOnly", reason })

/** `-p` without a host address or port binds every address on a free port: `HostIp` and `HostPort` empty, as the CLI sends it. */
const bindingOf = (publish: Port.Publish): PortBinding => {
  const hostPort = publish.hostPort === undefined || publish.hostPort === 0 ? "" : String(publish.hostPort)
  // the CLI's `host:container` form (a port, no address) binds 0.0.0.0 (see `Port.format`)
  const hostIp = publish.hostIp ?? (hostPort === "" ? "" : "0.0.0.0")
  return { HostIp: hostIp, HostPort: hostPort }
}

const mountOf = (mount: Mount.Mount): Either.Either<ApiMount, CliOnly> => {
  switch (mount._tag) {
    case "Bind":
      return Either.right({ Type: "bind", Source: mount.source, Target: mount.target, ReadOnly: mount.readOnly })
    case "Volume":
      return Either.right({
        Type: "volume",
        ...(mount.source === undefined ? {} : { Source: mount.source }),
        Target: mount.target,
        ReadOnly: mount.readOnly
      })
    case "Tmpfs": {
      const options = {
        ...(mount.sizeBytes === undefined ? {} : { SizeBytes: mount.sizeBytes }),
        ...(mount.mode === undefined ? {} : { Mode: mount.mode })
      }
      return Either.right({
        Type: "tmpfs",
        Target: mount.target,
        ...(Object.keys(options).length === 0 ? {} : { TmpfsOptions: options })
      })
    }
    case "Raw":
      // a raw `--mount` spec is the CLI's own syntax, parsed by the CLI
      return cliOnly(`the raw mount ${JSON.stringify(mount.spec)}`)
  }
}

/**
 * Security options the engine takes as written. The CLI rewrites others before sending them:
 * `seccomp=<file>` becomes the file's content, `systempaths=unconfined` becomes masked paths,
 * `key:value` becomes `key=value`.
 */
const PASSED_THROUGH = /^(?:no-new-privileges(?:=(?:true|false))?|(?:label|apparmor)=.+|seccomp=unconfined)$/

/** `name=value` for the create body (validated as the CLI path validates it). */
export const envOf = (vars: EnvVar.EnvVars): Either.Either<ReadonlyArray<string>, EnvVar.InvalidEnvVar> =>
  Either.all(
    sortedUnique(vars).map(([name, value]) =>
      Either.map(
        EnvVar.make([[name, value]]),
        () => `${name}=${Redacted.isRedacted(value) ? Redacted.value(value) : value}`
      )
    )
  )

/**
 * The create request for `spec`, a `CliOnly` reason when some field can only go through the CLI,
 * or the first invalid environment variable.
 */
export const createRequestOf = (
  spec: RunSpec
): Either.Either<Either.Either<CreateRequest, CliOnly>, EnvVar.InvalidEnvVar> =>
  Either.map(envOf(spec.env), (env) => {
    if (spec.rawFlags.length > 0) return cliOnly(`the raw flags ${JSON.stringify(spec.rawFlags)}`)
    // the API's create never pulls: a pull on run is the CLI's
    if (spec.pullPolicy === "always") return cliOnly("pull policy always")
    if (spec.networkAliases.length > 0 && spec.network === undefined) {
      return cliOnly("network aliases without a network (the CLI refuses them)")
    }
    const rewritten = spec.securityOptions.find((option) => !PASSED_THROUGH.test(option))
    if (rewritten !== undefined) return cliOnly(`the security option ${JSON.stringify(rewritten)}`)
    return Either.map(Either.all(spec.mounts.map(mountOf)), (mounts): CreateRequest => {
      const portBindings: Record<string, Array<PortBinding>> = {}
      for (const publish of spec.publish) {
        const key = Port.key(publish.containerPort)
        portBindings[key] = [...(portBindings[key] ?? []), bindingOf(publish)]
      }
      const breadth = breadthOf(spec)
      const body: CreateBody = {
        Image: ImageReference.format(spec.image),
        ...(spec.command.length === 0 ? {} : { Cmd: spec.command }),
        // `--entrypoint ""` resets the image's entrypoint, as `[""]` does here
        ...(spec.entrypoint === undefined ? {} : { Entrypoint: [spec.entrypoint] }),
        Env: env,
        Labels: Object.fromEntries(spec.labels),
        ...(spec.workdir === undefined ? {} : { WorkingDir: spec.workdir }),
        ...(spec.user === undefined ? {} : { User: spec.user }),
        ...(spec.hostname === undefined ? {} : { Hostname: spec.hostname }),
        Tty: spec.tty,
        // `run --detach --interactive` keeps stdin open with nothing attached
        OpenStdin: spec.interactive,
        AttachStdin: false,
        AttachStdout: false,
        AttachStderr: false,
        ExposedPorts: Object.fromEntries(Object.keys(portBindings).map((key) => [key, {}])),
        ...breadth.config,
        HostConfig: {
          PortBindings: portBindings,
          Mounts: mounts,
          ...(spec.securityOptions.length === 0 ? {} : { SecurityOpt: spec.securityOptions }),
          ...(spec.network === undefined ? {} : { NetworkMode: spec.network }),
          ...(spec.addHosts.length === 0 ? {} : { ExtraHosts: spec.addHosts }),
          ...(spec.memoryBytes === undefined ? {} : { Memory: spec.memoryBytes }),
          ...(spec.cpus === undefined ? {} : { NanoCpus: Math.round(spec.cpus * 1e9) }),
          ...(spec.init ? { Init: true } : {}),
          ...breadth.hostConfig,
          AutoRemove: spec.remove
        },
        ...(spec.network === undefined || spec.networkAliases.length === 0
          ? {}
          : { NetworkingConfig: { EndpointsConfig: { [spec.network]: { Aliases: spec.networkAliases } } } })
      }
      return {
        query: { name: spec.name, platform: spec.platform },
        body
      }
    })
  })
