/**
 * From a user's `ContainerDefinition` to a validated `RunSpec` (its argv is built by
 * `dialect/containers.ts`).
 */
import { Duration, Effect, Either, Option } from "effect"
import * as ContainerName from "../ContainerName.js"
import {
  type ContainerDefinition,
  type ContainerFile,
  fields,
  type Healthcheck,
  InvalidContainerDefinition,
  type InvalidContainerDefinitionReason,
  type Ulimit
} from "../ContainerDefinition.js"
import * as EnvVar from "../EnvVar.js"
import * as ImageReference from "../ImageReference.js"
import * as Label from "../Label.js"
import * as Port from "../Port.js"
import type { HealthcheckSpec, RunSpec } from "../ContainerRuntime.js"
import type { HostFileFailed, HostPathNotFound } from "../ContainerError.js"
import { entryNameOf, readDefinitionFiles } from "./definitionFiles.js"
import { isHostPort } from "./hostPortForwarding.js"

export type InvalidDefinition =
  | ImageReference.InvalidImageReference
  | ContainerName.InvalidContainerName
  | EnvVar.InvalidEnvVar
  | Label.InvalidLabel
  | Port.InvalidPort
  | InvalidContainerDefinition

const invalid = (
  field: string,
  input: unknown,
  reason: InvalidContainerDefinitionReason
): Either.Either<never, InvalidContainerDefinition> =>
  Either.left(
    new InvalidContainerDefinition({
      field,
      input: typeof input === "string" ? JSON.stringify(input) : String(input),
      reason
    })
  )

/** `NET_ADMIN`, `CAP_NET_ADMIN`, `net_admin`, `ALL`: what both CLIs and engines take. */
const CAPABILITY = /^[A-Za-z][A-Za-z0-9_]*$/

const checkCapabilities = (field: string, capabilities: ReadonlyArray<string>) =>
  Either.all(
    capabilities.map((capability) =>
      CAPABILITY.test(capability) ? Either.right(capability) : invalid(field, capability, "CapabilityInvalid")
    )
  )

const ULIMIT_NAMES: ReadonlySet<string> = new Set([
  "core",
  "cpu",
  "data",
  "fsize",
  "locks",
  "memlock",
  "msgqueue",
  "nice",
  "nofile",
  "nproc",
  "rss",
  "rtprio",
  "rttime",
  "sigpending",
  "stack"
])

const isLimit = (value: number) => Number.isSafeInteger(value) && value >= -1
/** `-1` is unlimited: above any number. */
/** -1 is unlimited: `core=0:-1` is fine on both CLIs (checked on Docker 20.10), `-1:5` is not. */
const limitOrder = (value: number) => (value === -1 ? Number.POSITIVE_INFINITY : value)

const checkUlimit = (limit: Ulimit): Either.Either<Ulimit, InvalidContainerDefinition> => {
  const text = `${limit.name}=${limit.soft}:${limit.hard}`
  if (!ULIMIT_NAMES.has(limit.name)) return invalid("ulimits", text, "UlimitNameUnknown")
  if (!isLimit(limit.soft) || !isLimit(limit.hard)) return invalid("ulimits", text, "UlimitValueInvalid")
  if (limitOrder(limit.soft) > limitOrder(limit.hard)) return invalid("ulimits", text, "UlimitSoftAboveHard")
  return Either.right(limit)
}

const optional = <A, B>(
  value: A | undefined,
  check: (value: A) => Either.Either<B, InvalidContainerDefinition>
): Either.Either<B | undefined, InvalidContainerDefinition> =>
  value === undefined ? Either.right(undefined) : check(value)

/** `SIGINT`, `INT`, `RTMIN+3`, `9`. */
const SIGNAL = /^(?:[A-Za-z][A-Za-z0-9]*(?:[+-][0-9]+)?|[0-9]+)$/

/** Quotes each argument for `/bin/sh` (the CLIs take a health check as a shell command only). */
export const shellQuote = (args: ReadonlyArray<string>): string =>
  args.map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(" ")

const MILLISECOND = Duration.millis(1)

/** A health-check duration: finite, not negative, and `0` only where `zeroAllowed` (below 1 ms the engines refuse it). */
const checkDuration = (field: string, input: Duration.DurationInput, zeroAllowed: boolean) => {
  const decoded = Duration.decodeUnknown(input)
  // `Duration.decode` clamps a negative number to zero: refuse it instead
  const negative = (typeof input === "number" && input < 0) || (typeof input === "bigint" && input < 0n)
  if (Option.isNone(decoded) || negative || !Duration.isFinite(decoded.value)) {
    return invalid(field, formatInput(input), "HealthcheckDurationInvalid")
  }
  const duration = decoded.value
  if (Duration.lessThan(duration, MILLISECOND) && !(zeroAllowed && Duration.toMillis(duration) === 0)) {
    return invalid(field, formatInput(input), "HealthcheckDurationInvalid")
  }
  return Either.right(duration)
}

const formatInput = (input: Duration.DurationInput): string =>
  Duration.isDuration(input) ? Duration.format(input) : Array.isArray(input) ? input.join(",") : String(input)

const checkHealthcheck = (healthcheck: Healthcheck): Either.Either<HealthcheckSpec, InvalidContainerDefinition> =>
  Either.gen(function* () {
    const { command } = healthcheck
    const shell = typeof command === "string" ? command.trim() : command.length === 0 ? "" : shellQuote(command)
    if (shell === "") return yield* invalid("healthcheck.command", JSON.stringify(command), "HealthcheckCommandEmpty")
    const interval = yield* optional(healthcheck.interval, (d) => checkDuration("healthcheck.interval", d, false))
    const timeout = yield* optional(healthcheck.timeout, (d) => checkDuration("healthcheck.timeout", d, false))
    const startPeriod = yield* optional(healthcheck.startPeriod, (d) =>
      checkDuration("healthcheck.startPeriod", d, true)
    )
    const retries = yield* optional(healthcheck.retries, (n) =>
      Number.isSafeInteger(n) && n >= 1
        ? Either.right(n)
        : invalid("healthcheck.retries", n, "HealthcheckRetriesInvalid")
    )
    const spec: HealthcheckSpec = {
      shell: typeof command === "string" ? command : shell,
      interval,
      timeout,
      startPeriod,
      retries
    }
    return spec
  })

/** A file's target: absolute, not the root itself (but for an archive), no NUL; its mode: permission bits. */
const checkFile = (file: ContainerFile, index: number): Either.Either<ContainerFile, InvalidContainerDefinition> => {
  const { target } = file
  // an archive is extracted into its target, which may be the root
  const rootAllowed = "archive" in file
  if (!target.startsWith("/") || target.includes("\u0000") || (!rootAllowed && entryNameOf(target) === "")) {
    return invalid(`files[${index}].target`, target, "FileTargetInvalid")
  }
  if ("archive" in file) return Either.right(file)
  const { mode, owner } = file
  // ustar's 8-byte octal fields hold at most 0o7777777
  const isId = (id: number) => Number.isSafeInteger(id) && id >= 0 && id <= 0o7777777
  if (owner !== undefined && !(isId(owner.uid) && isId(owner.gid))) {
    return invalid(`files[${index}].owner`, `${owner.uid}:${owner.gid}`, "FileOwnerInvalid")
  }
  if (mode !== undefined && !(Number.isSafeInteger(mode) && mode >= 0 && mode <= 0o7777)) {
    return invalid(`files[${index}].mode`, mode, "FileModeInvalid")
  }
  return Either.right(file)
}

/**
 * Network modes rather than networks (`host`, `none`, `container:<name>`; Podman's `private`,
 * `slirp4netns`, `pasta`, `ns:<path>`): a container in one joins no other network.
 */
const NETWORK_MODE = /^(?:host|none|private|slirp4netns(?::.*)?|pasta(?::.*)?|container:.+|ns:.+)$/

/** With `moreNetworks`: the first network is a network, and each network is joined once. */
const checkNetworks = (definition: ContainerDefinition): Either.Either<void, InvalidContainerDefinition> => {
  if (definition.moreNetworks.length === 0) return Either.void
  const joined = [definition.network ?? "", ...definition.moreNetworks.map((attachment) => attachment.network)]
  const mode = joined.find((network) => NETWORK_MODE.test(network))
  if (mode !== undefined) return invalid("network", mode, "NetworkModeAlone")
  const twice = joined.find((network, i) => joined.indexOf(network) !== i)
  if (twice !== undefined) return invalid("moreNetworks", twice, "NetworkJoinedTwice")
  return Either.void
}

/** Checks every field; `extraLabels` (the ownership labels) are added after the user's. */
export const validate = (
  definition: ContainerDefinition,
  extraLabels: ReadonlyArray<readonly [string, string]> = []
): Either.Either<RunSpec, InvalidDefinition> =>
  Either.gen(function* () {
    const image = yield* ImageReference.fromInput(definition.image)
    const name = definition.name === undefined ? undefined : yield* ContainerName.make(definition.name)
    const env = yield* EnvVar.make(definition.env)
    const labels = yield* Label.make([...definition.labels, ...extraLabels])
    const publish = yield* Either.all(definition.publish.map(Port.validate))
    yield* checkCapabilities("capAdd", definition.capAdd)
    yield* checkCapabilities("capDrop", definition.capDrop)
    yield* optional(definition.shmSizeBytes, (bytes) =>
      Number.isSafeInteger(bytes) && bytes > 0 ? Either.right(bytes) : invalid("shmSizeBytes", bytes, "ShmSizeInvalid")
    )
    yield* Either.all(definition.ulimits.map(checkUlimit))
    yield* optional(definition.pidsLimit, (limit) =>
      Number.isSafeInteger(limit) && (limit > 0 || limit === -1)
        ? Either.right(limit)
        : invalid("pidsLimit", limit, "PidsLimitInvalid")
    )
    yield* optional(definition.stopSignal, (signal) =>
      SIGNAL.test(signal) ? Either.right(signal) : invalid("stopSignal", signal, "StopSignalInvalid")
    )
    yield* optional(definition.stopTimeoutSeconds, (seconds) =>
      Number.isSafeInteger(seconds) && seconds >= 0
        ? Either.right(seconds)
        : invalid("stopTimeoutSeconds", seconds, "StopTimeoutInvalid")
    )
    const healthcheck = yield* optional(definition.healthcheck, checkHealthcheck)
    yield* Either.all(definition.files.map(checkFile))
    yield* checkNetworks(definition)
    yield* Either.all(
      definition.exposedHostPorts.map((port) =>
        isHostPort(port) ? Either.right(port) : invalid("exposedHostPorts", port, "HostPortInvalid")
      )
    )
    // the files are read by `validateRun` (reading this machine is an effect)
    const spec: RunSpec = { ...fields(definition), image, name, env, labels, publish, healthcheck, files: undefined }
    return spec
  })

/**
 * `validate`, then the definition's files read from this machine (a missing `source` is
 * `HostPathNotFound`): what a run receives.
 */
export const validateRun = (
  definition: ContainerDefinition,
  extraLabels: ReadonlyArray<readonly [string, string]> = []
): Effect.Effect<RunSpec, InvalidDefinition | HostPathNotFound | HostFileFailed> =>
  Effect.flatMap(validate(definition, extraLabels), (spec) =>
    Effect.map(readDefinitionFiles(definition.files), (files) => ({ ...spec, files }))
  )
