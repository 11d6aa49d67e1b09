/**
 * A typed view of `container inspect` output, for Docker and Podman alike, decoded with `effect`
 * Schema; the object as printed stays available in `raw`.
 *
 * What differs between the runtimes, as seen with docker 20.10 and podman 4.3 (the fixtures under
 * `test/fixtures/inspect/` are their real output):
 * - `Name`: docker prints `/name`, podman `name`; the view strips docker's `/`.
 * - Health: docker has `State.Health` only when the container has a health check; podman 4.3 always
 *   has it, with `Status: ""` when there is none (older podman names it `State.Healthcheck`, which is
 *   read as well). `health` is `undefined` when there is no check.
 * - `State.Running` of a paused container: `true` on docker, `false` on podman; `status` is
 *   `"paused"` on both.
 * - Ports: `HostPort` is a string (`"8080"`) on both and becomes a number; an exposed but unpublished
 *   port has `null` bindings (→ `[]`); `-p 80` (all addresses) binds `0.0.0.0` and `::` on docker
 *   (each with its own host port), `""` on podman. A created, never started container has no ports
 *   on docker (`{}`), its configured ones on podman.
 * - Networks: with `--network none` or `host`, podman has no `Networks` at all and docker has one
 *   entry (`none`/`host`) with empty addresses. A container on a user network only has its address
 *   there (`NetworkSettings.IPAddress` is `""`); aliases include the short container id on both.
 * - Labels: both include the image's labels (the podman fixtures' image, built with buildah, carries
 *   `io.buildah.version`); `null` or a missing `Labels` means none.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { ContainerInspect } from "ociman"
 *
 * declare const stdoutOfContainerInspect: string // what `docker container inspect web` printed
 * const [info] = Either.getOrThrow(ContainerInspect.decodeArray(stdoutOfContainerInspect))
 * info?.state.status // "running"
 * info?.ports.get("80/tcp") // [{ hostIp: "127.0.0.1", hostPort: 8080 }]
 * ```
 *
 * @since 0.1.0
 */
import { Data, Effect, Either, ParseResult, Schema } from "effect"
import { compareUtf8 } from "./internal/bytes.js"
import * as Label from "./Label.js"

/**
 * One run of a health check. `output` is as printed (docker keeps the final line break, podman
 * does not).
 *
 * @since 0.1.0
 * @category models
 */
export interface HealthCheckRun {
  readonly start: string
  readonly end: string
  readonly exitCode: number
  readonly output: string
}

/**
 * The health of a container with a health check: `status` is `"starting"`, `"healthy"` or
 * `"unhealthy"` (kept as a string: a runtime may add others); `failingStreak` counts the failed
 * runs in a row; `log` holds the last runs, oldest first (empty before the first run).
 *
 * @since 0.1.0
 * @category models
 */
export interface Health {
  readonly status: string
  readonly failingStreak: number
  readonly log: ReadonlyArray<HealthCheckRun>
}

/**
 * The state of a container.
 * - `status`: `"created"`, `"running"`, `"paused"`, `"restarting"`, `"exited"`, `"removing"`,
 *   `"dead"` (docker), `"stopped"`, `"configured"`, … (podman), as printed;
 * - `startedAt`, `finishedAt`: RFC 3339 timestamps as printed; `"0001-01-01T00:00:00Z"` means never;
 * - `health`: `undefined` when the container has no health check.
 *
 * @since 0.1.0
 * @category models
 */
export interface State {
  readonly status: string
  readonly running: boolean
  readonly exitCode: number
  readonly startedAt: string
  readonly finishedAt: string
  readonly health: Health | undefined
}

/**
 * A published port's binding on the host. `hostIp` is `""` when it listens on every address (podman).
 *
 * @since 0.1.0
 * @category models
 */
export interface PortBinding {
  readonly hostIp: string
  readonly hostPort: number
}

/**
 * The container's endpoint on one network. `ipAddress` and `gateway` are `""` while the container
 * is not running, and on docker's `none` and `host` networks.
 *
 * @since 0.1.0
 * @category models
 */
export interface Network {
  readonly ipAddress: string
  readonly aliases: ReadonlyArray<string>
  readonly gateway: string
}

/**
 * One container, as `container inspect` describes it.
 * - `name`: without docker's leading `/`;
 * - `image`: `Config.Image`, the reference given at run time;
 * - `labels`: `Config.Labels`, sorted by key in UTF-8 byte order (`Label.decode`);
 * - `ports`: `NetworkSettings.Ports`, keyed `"<port>/<protocol>"` (as `Port.key`);
 * - `networks`: `NetworkSettings.Networks` by network name (empty when absent);
 * - `ipAddress`: `NetworkSettings.IPAddress`, else the first network's (by name), else `undefined`;
 * - `raw`: the JSON object as decoded from the CLI's output.
 *
 * @since 0.1.0
 * @category models
 */
export interface ContainerInspect {
  readonly id: string
  readonly name: string
  readonly image: string
  readonly state: State
  readonly labels: ReadonlyMap<string, string>
  readonly ports: ReadonlyMap<string, ReadonlyArray<PortBinding>>
  readonly networks: ReadonlyMap<string, Network>
  readonly ipAddress: string | undefined
  readonly raw: unknown
}

/** How much of the input an error message quotes. */
const EXCERPT_LENGTH = 300

/**
 * The output of `container inspect` does not have the expected shape.
 * - `path`: where, as a property path (`NetworkSettings.Ports["80/tcp"][0].HostPort`; `""` for the
 *   whole object), and `issue`: what Schema expected there; both from the deepest failure;
 * - `detail`: Schema's full description (`ParseResult.TreeFormatter`);
 * - `excerpt`: the start of the input; `index`: the element of the array, for `decodeArray`.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { ContainerInspect } from "ociman"
 *
 * Either.flip(ContainerInspect.decode({ Id: 1 })).pipe(Either.map((e) => [e.path, e.issue]))
 * // Either.right(["Id", "Expected string, actual 1"])
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidInspect extends Data.TaggedError("InvalidInspect")<{
  readonly path: string
  readonly issue: string
  readonly detail: string
  readonly excerpt: string
  readonly index?: number | undefined
}> {
  override get message(): string {
    const element = this.index === undefined ? "" : ` (element ${this.index})`
    const where = this.path === "" ? "" : ` at ${this.path}`
    return `Unexpected "container inspect" output${element}${where}: ${this.issue}\nInput: ${this.excerpt}\nThis docker/podman version may print a shape ociman does not know; please report it with this message`
  }
}

const excerptOf = (input: unknown): string => {
  const text = typeof input === "string" ? input : (JSON.stringify(input) ?? String(input))
  return text.length <= EXCERPT_LENGTH ? text : `${text.slice(0, EXCERPT_LENGTH)}… (${text.length} characters)`
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

/** `["NetworkSettings", "Ports", "80/tcp", 0]` → `NetworkSettings.Ports["80/tcp"][0]`. */
const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path
    .map((segment, i) =>
      typeof segment === "number"
        ? `[${segment}]`
        : typeof segment === "string" && IDENTIFIER.test(segment)
          ? `${i === 0 ? "" : "."}${segment}`
          : `[${typeof segment === "string" ? JSON.stringify(segment) : String(segment)}]`
    )
    .join("")

const labelPath = (error: Label.InvalidInspectLabels): string => {
  const segments = error.path === "" ? [] : error.path.split(".")
  return formatPath(error.key === undefined ? segments : [...segments, error.key])
}

const invalid = (error: ParseResult.ParseError, input: unknown, index: number | undefined): InvalidInspect => {
  // A `null`-or-missing field fails once per alternative; the deepest failures are the informative
  // ones (several when a union's members all fail there).
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  const depth = Math.max(0, ...issues.map((issue) => issue.path.length))
  const deepest = issues.filter((issue) => issue.path.length === depth)
  return new InvalidInspect({
    path: formatPath(deepest[0]?.path ?? []),
    issue: Array.from(new Set(deepest.map((issue) => issue.message))).join("; or "),
    detail: ParseResult.TreeFormatter.formatErrorSync(error),
    excerpt: excerptOf(input),
    index
  })
}

/** A port number in a string, as both CLIs print `HostPort`. */
const PortFromString = Schema.transform(
  Schema.String.pipe(Schema.pattern(/^[0-9]{1,5}$/)),
  Schema.Int.pipe(Schema.between(0, 65_535)),
  { strict: true, decode: (digits) => Number(digits), encode: (port) => String(port) }
).annotations({ identifier: "PortString" })

const PortBindingSchema = Schema.Struct({
  HostIp: Schema.optionalWith(Schema.String, { default: () => "" }),
  // `""` (no port allocated) is dropped below; a number is accepted in case a version prints one.
  HostPort: Schema.Union(
    Schema.Literal(""),
    PortFromString,
    Schema.Int.pipe(Schema.between(0, 65_535)).annotations({ identifier: "PortNumber" })
  )
}).annotations({ identifier: "PortBinding" })

const NetworkSchema = Schema.Struct({
  IPAddress: Schema.optionalWith(Schema.String, { default: () => "" }),
  Aliases: Schema.optional(Schema.NullOr(Schema.Array(Schema.String))),
  Gateway: Schema.optionalWith(Schema.String, { default: () => "" })
}).annotations({ identifier: "Network" })

const HealthSchema = Schema.Struct({
  Status: Schema.String,
  FailingStreak: Schema.optionalWith(Schema.Int, { default: () => 0 }),
  // docker prints `[]` before the first run, podman `null`.
  Log: Schema.optional(
    Schema.NullOr(
      Schema.Array(
        Schema.Struct({
          Start: Schema.optionalWith(Schema.String, { default: () => "" }),
          End: Schema.optionalWith(Schema.String, { default: () => "" }),
          ExitCode: Schema.Int,
          Output: Schema.optionalWith(Schema.String, { default: () => "" })
        }).annotations({ identifier: "HealthCheckRun" })
      )
    )
  )
}).annotations({ identifier: "Health" })

/** Missing and `null` mean the same: nothing there. */
const optionalNullable = <A, I, R>(schema: Schema.Schema<A, I, R>) => Schema.optional(Schema.NullOr(schema))

const InspectSchema = Schema.Struct({
  Id: Schema.String,
  Name: Schema.String,
  Config: Schema.Struct({ Image: Schema.String }).annotations({ identifier: "Config" }),
  State: Schema.Struct({
    Status: Schema.String,
    Running: Schema.Boolean,
    ExitCode: Schema.Int,
    StartedAt: Schema.String,
    FinishedAt: Schema.String,
    Health: optionalNullable(HealthSchema),
    Healthcheck: optionalNullable(HealthSchema)
  }).annotations({ identifier: "State" }),
  NetworkSettings: optionalNullable(
    Schema.Struct({
      IPAddress: Schema.optional(Schema.String),
      Ports: optionalNullable(
        Schema.Record({ key: Schema.String, value: Schema.NullOr(Schema.Array(PortBindingSchema)) })
      ),
      Networks: optionalNullable(Schema.Record({ key: Schema.String, value: NetworkSchema }))
    }).annotations({ identifier: "NetworkSettings" })
  )
}).annotations({ identifier: "ContainerInspectObject" })

type Decoded = typeof InspectSchema.Type

const healthOf = (state: Decoded["State"]): Health | undefined => {
  // podman 4.3 prints `Health: { Status: "" }` for a container without a health check; older
  // podman names the field `Healthcheck`.
  const health = [state.Health, state.Healthcheck].find((h) => h !== undefined && h !== null && h.Status !== "")
  return health === undefined || health === null
    ? undefined
    : {
        status: health.Status,
        failingStreak: health.FailingStreak,
        log: (health.Log ?? []).map((run) => ({
          start: run.Start,
          end: run.End,
          exitCode: run.ExitCode,
          output: run.Output
        }))
      }
}

const toView = (raw: unknown, decoded: Decoded, labels: ReadonlyMap<string, string>): ContainerInspect => {
  const settings = decoded.NetworkSettings ?? undefined
  const ports = new Map<string, ReadonlyArray<PortBinding>>(
    Object.entries(settings?.Ports ?? {}).map(([key, bindings]) => [
      key,
      (bindings ?? []).flatMap((binding) =>
        binding.HostPort === "" ? [] : [{ hostIp: binding.HostIp, hostPort: binding.HostPort }]
      )
    ])
  )
  const networks = new Map<string, Network>(
    Object.entries(settings?.Networks ?? {})
      .sort(([a], [b]) => compareUtf8(a, b))
      .map(([networkName, network]) => [
        networkName,
        { ipAddress: network.IPAddress, aliases: network.Aliases ?? [], gateway: network.Gateway }
      ])
  )
  const firstNetworkIp = Array.from(networks.values()).find((network) => network.ipAddress !== "")?.ipAddress
  const topIp = settings?.IPAddress
  return {
    id: decoded.Id,
    name: decoded.Name.startsWith("/") ? decoded.Name.slice(1) : decoded.Name,
    image: decoded.Config.Image,
    state: {
      status: decoded.State.Status,
      running: decoded.State.Running,
      exitCode: decoded.State.ExitCode,
      startedAt: decoded.State.StartedAt,
      finishedAt: decoded.State.FinishedAt,
      health: healthOf(decoded.State)
    },
    labels,
    ports,
    networks,
    ipAddress: topIp !== undefined && topIp !== "" ? topIp : firstNetworkIp,
    raw
  }
}

const decodeElement = (json: unknown, index: number | undefined): Either.Either<ContainerInspect, InvalidInspect> =>
  Either.flatMap(
    Either.mapLeft(Schema.decodeUnknownEither(InspectSchema)(json), (error) => invalid(error, json, index)),
    (decoded) =>
      Either.match(Label.decode(json), {
        onLeft: (error) =>
          Either.left(
            new InvalidInspect({
              path: labelPath(error),
              issue: error.reason === "ValueNotString" ? "Expected string (a label value)" : "Expected an object",
              detail: error.detail,
              excerpt: excerptOf(json),
              index
            })
          ),
        onRight: (labels) => Either.right(toView(json, decoded, labels))
      })
  )

/**
 * Decodes one object of `container inspect` output (one element of the array the CLI prints).
 *
 * @example
 * ```ts
 * import { ContainerInspect } from "ociman"
 *
 * declare const stdout: string // what `docker container inspect web` printed
 * ContainerInspect.decode(JSON.parse(stdout)[0])
 * // Either.right({ id: "ab12…", name: "web", state: { status: "running", … }, … })
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = (json: unknown): Either.Either<ContainerInspect, InvalidInspect> => decodeElement(json, undefined)

/**
 * `decode` as an `Effect`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ContainerInspect } from "ociman"
 *
 * declare const json: unknown // one element of the array `container inspect` prints
 * const status = ContainerInspect.decodeEffect(json).pipe(Effect.map((info) => info.state.status))
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeEffect = (json: unknown): Effect.Effect<ContainerInspect, InvalidInspect> =>
  Either.match(decode(json), { onLeft: Effect.fail, onRight: Effect.succeed })

const JsonArray = Schema.parseJson(Schema.Array(Schema.Unknown))

/**
 * Decodes the standard output of `container inspect <container>…`: a JSON array with one object
 * per container. Fails with the first element that does not decode (its `index` is set).
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { ContainerInspect } from "ociman"
 *
 * ContainerInspect.decodeArray("[]") // Either.right([])
 * ContainerInspect.decodeArray("not json") // Either.left(InvalidInspect { … })
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeArray = (stdout: string): Either.Either<ReadonlyArray<ContainerInspect>, InvalidInspect> =>
  Either.flatMap(
    Either.mapLeft(Schema.decodeUnknownEither(JsonArray)(stdout), (error) => invalid(error, stdout.trim(), undefined)),
    (elements) => Either.all(elements.map((element, index) => decodeElement(element, index)))
  )

/**
 * `decodeArray` as an `Effect`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ContainerInspect } from "ociman"
 *
 * declare const stdout: string // what `docker container inspect web db` printed
 * const names = ContainerInspect.decodeArrayEffect(stdout).pipe(Effect.map((all) => all.map((c) => c.name)))
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeArrayEffect = (stdout: string): Effect.Effect<ReadonlyArray<ContainerInspect>, InvalidInspect> =>
  Either.match(decodeArray(stdout), { onLeft: Effect.fail, onRight: Effect.succeed })
