/**
 * Container ports and `--publish` specs.
 *
 * - `tcp(5432)` / `udp(53)` name a port of the container. They return the value directly, for
 *   literals in code; they do not check the number. `make` and `parse` (for numbers and strings from
 *   outside) check it and return an `Either`, and so do `publish`, `hostIp`, `hostPort` and
 *   `validate`, which check the container port too. So a `Publish` built with `publish` is valid.
 * - A `Publish` adds an optional host IP (IPv4 or IPv6, no zone) and host port (0–65535; 0 or none
 *   means "a free port chosen by the runtime").
 * - `format` renders the spec as ociman does (`8080/tcp`, `127.0.0.1::8080/tcp`,
 *   `0.0.0.0:8080:80/tcp`, `127.0.0.1:8080:80/tcp`): with a host port and no host IP the IP is
 *   `0.0.0.0`, as in ociman.
 *
 * Deliberate differences from ociman 0.8, verified against docker 20.10 and podman 4.3:
 * - IPv6 host IPs are written in brackets: `[::1]::8080/tcp`. ociman writes `::1::8080/tcp`, which
 *   docker accepts but podman rejects ("invalid port format"); both accept the bracketed form, and
 *   both then report `HostIp` `::1`.
 * - A host port of 0 is written as an empty host port (`127.0.0.1::80/tcp`, or `80/tcp` without a
 *   host IP): docker reads 0 as "any free port", but podman rejects it ("port numbers must be
 *   between 1 and 65535"). ociman writes `0`.
 * - IPv6 zones (`fe80::1%eth0`) are rejected: both runtimes reject them.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Port } from "ociman"
 *
 * Port.format(Port.tcp(5432)) // "5432/tcp"
 * const local = Either.getOrThrow(Port.publish(Port.tcp(5432), { hostIp: "127.0.0.1" }))
 * Port.format(local) // "127.0.0.1::5432/tcp"
 * ```
 *
 * @since 0.1.0
 */
import { isIPv4, isIPv6 } from "node:net"
import { Data, Either, ParseResult, Schema } from "effect"
import { dual } from "effect/Function"
import { quoteExcerpt } from "./internal/bytes.js"

/**
 * A transport protocol that both runtimes can publish.
 *
 * @since 0.1.0
 * @category models
 */
export type Protocol = "tcp" | "udp"

/**
 * A port of the container, as in `EXPOSE 5432/tcp`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ContainerPort {
  readonly port: number
  readonly protocol: Protocol
}

/**
 * A port to publish, with its optional host side.
 *
 * @since 0.1.0
 * @category models
 */
export interface Publish {
  readonly containerPort: ContainerPort
  /** An IPv4 or IPv6 address, without brackets; none means every address. */
  readonly hostIp?: string | undefined
  /** 1–65535; none or 0 means a free port chosen by the runtime. */
  readonly hostPort?: number | undefined
}

const isPortNumber = (n: number, min: number): boolean => Number.isInteger(n) && n >= min && n <= 65_535

const containerPortOf = (port: number, protocol: Protocol): ContainerPort => Data.struct({ port, protocol })

/**
 * A TCP port of the container. Not checked here (see the module documentation): `publish`,
 * `validate` and `make` check it.
 *
 * @example
 * ```ts
 * import { Port } from "ociman"
 *
 * Port.tcp(5432) // { port: 5432, protocol: "tcp" }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const tcp = (port: number): ContainerPort => containerPortOf(port, "tcp")

/**
 * A UDP port of the container. Not checked here: `publish`, `validate` and `make` check it.
 *
 * @example
 * ```ts
 * import { Port } from "ociman"
 *
 * Port.format(Port.udp(53)) // "53/udp"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const udp = (port: number): ContainerPort => containerPortOf(port, "udp")

/**
 * A container port from a number that may be invalid (an integer from 1 to 65535).
 *
 * @example
 * ```ts
 * import { Port } from "ociman"
 *
 * Port.make(5432) // Either.right({ port: 5432, protocol: "tcp" })
 * Port.make(70000, "udp") // Either.left(InvalidPort { reason: "InvalidContainerPort" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (port: number, protocol: Protocol = "tcp"): Either.Either<ContainerPort, InvalidPort> =>
  isPortNumber(port, 1)
    ? Either.right(containerPortOf(port, protocol))
    : Either.left(new InvalidPort({ input: String(port), reason: "InvalidContainerPort" }))

const PORT_STRING = /^(0|[1-9][0-9]*)(?:\/(tcp|udp))?$/

/**
 * Parses `8080` (TCP), `8080/tcp` or `53/udp`. Only decimal digits without leading zeros and
 * lower-case protocols are accepted, so `key(parse(s))` gives `s` back (with `/tcp` added).
 *
 * @example
 * ```ts
 * import { Port } from "ociman"
 *
 * Port.parse("8080") // Either.right({ port: 8080, protocol: "tcp" })
 * Port.parse("53/udp") // Either.right({ port: 53, protocol: "udp" })
 * Port.parse("0") // Either.left(InvalidPort { reason: "InvalidContainerPort" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const parse = (input: string): Either.Either<ContainerPort, InvalidPort> => {
  const match = PORT_STRING.exec(input)
  const digits = match?.[1]
  if (match === null || digits === undefined) return Either.left(new InvalidPort({ input, reason: "InvalidFormat" }))
  const port = Number(digits)
  const protocol: Protocol = match[2] === "udp" ? "udp" : "tcp"
  return isPortNumber(port, 1)
    ? Either.right(containerPortOf(port, protocol))
    : Either.left(new InvalidPort({ input, reason: "InvalidContainerPort" }))
}

const isPublish = (value: ContainerPort | Publish): value is Publish => "containerPort" in value

const toPublish = (value: ContainerPort | Publish): Publish =>
  isPublish(value) ? value : Data.struct({ containerPort: value, hostIp: undefined, hostPort: undefined })

const checkHostIp = (ip: string | undefined): Either.Either<string | undefined, InvalidPort> =>
  // `isIPv6` accepts zones (`fe80::1%eth0`), which neither runtime does.
  ip === undefined || isIPv4(ip) || (isIPv6(ip) && !ip.includes("%"))
    ? Either.right(ip)
    : Either.left(new InvalidPort({ input: ip, reason: "InvalidHostIp" }))

const checkHostPort = (port: number | undefined): Either.Either<number | undefined, InvalidPort> =>
  port === undefined || isPortNumber(port, 0)
    ? Either.right(port)
    : Either.left(new InvalidPort({ input: String(port), reason: "InvalidHostPort" }))

/**
 * Checks a port or publish spec: container port 1–65535, host port 0–65535, host IP an IPv4 or
 * IPv6 address. Gives the spec back as a `Publish`.
 *
 * @example
 * ```ts
 * import { Port } from "ociman"
 *
 * Port.validate(Port.tcp(0)) // Either.left(InvalidPort { reason: "InvalidContainerPort" })
 * Port.validate({ containerPort: Port.tcp(80), hostPort: 8080 }) // Either.right(…)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const validate = (value: ContainerPort | Publish): Either.Either<Publish, InvalidPort> => {
  const spec = toPublish(value)
  return Either.all([
    make(spec.containerPort.port, spec.containerPort.protocol),
    checkHostIp(spec.hostIp),
    checkHostPort(spec.hostPort)
  ]).pipe(Either.map(([containerPort, hostIp, hostPort]) => Data.struct({ containerPort, hostIp, hostPort })))
}

/**
 * Publishes a container port, optionally on one host IP and host port. Everything is checked.
 *
 * @example
 * ```ts
 * import { Port } from "ociman"
 *
 * Port.publish(Port.tcp(80), { hostIp: "127.0.0.1", hostPort: 8080 }) // Either.right(…): "127.0.0.1:8080:80/tcp"
 * Port.publish(Port.tcp(80), { hostIp: "localhost" }) // Either.left(InvalidPort { reason: "InvalidHostIp" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const publish = (
  containerPort: ContainerPort,
  options: { readonly hostIp?: string | undefined; readonly hostPort?: number | undefined } = {}
): Either.Either<Publish, InvalidPort> =>
  validate({ containerPort, hostIp: options.hostIp, hostPort: options.hostPort })

/**
 * Sets the host IP, keeping the host port (ociman's `host_ip`). Checks the whole spec.
 *
 * @example
 * ```ts
 * import { Either, pipe } from "effect"
 * import { Port } from "ociman"
 *
 * pipe(Port.tcp(80), Port.hostPort(8080), Either.flatMap(Port.hostIp("127.0.0.1")), Either.map(Port.format))
 * // Either.right("127.0.0.1:8080:80/tcp")
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const hostIp: {
  (ip: string): (self: ContainerPort | Publish) => Either.Either<Publish, InvalidPort>
  (self: ContainerPort | Publish, ip: string): Either.Either<Publish, InvalidPort>
} = dual(2, (self: ContainerPort | Publish, ip: string): Either.Either<Publish, InvalidPort> =>
  validate({ ...toPublish(self), hostIp: ip })
)

/**
 * Sets the host port, keeping the host IP (ociman's `host_port`). Checks the whole spec.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Port } from "ociman"
 *
 * Port.hostPort(Port.tcp(80), 8080).pipe(Either.map(Port.format)) // Either.right("0.0.0.0:8080:80/tcp")
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const hostPort: {
  (port: number): (self: ContainerPort | Publish) => Either.Either<Publish, InvalidPort>
  (self: ContainerPort | Publish, port: number): Either.Either<Publish, InvalidPort>
} = dual(2, (self: ContainerPort | Publish, port: number): Either.Either<Publish, InvalidPort> =>
  validate({ ...toPublish(self), hostPort: port })
)

/**
 * The key of the port in `container inspect`'s `NetworkSettings.Ports` (and `EXPOSE` syntax):
 * `"8080/tcp"`.
 *
 * @example
 * ```ts
 * import { Port } from "ociman"
 *
 * Port.key(Port.tcp(8080)) // "8080/tcp"
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const key = (port: ContainerPort): string => `${port.port}/${port.protocol}`

/**
 * The `--publish` value, accepted by both docker 20.10 and podman 4.3:
 *
 * | spec | rendered |
 * |---|---|
 * | `tcp(8080)` | `8080/tcp` |
 * | `tcp(8080)`, host IP `127.0.0.1` | `127.0.0.1::8080/tcp` (random host port) |
 * | `tcp(8080)`, host IP `::1` | `[::1]::8080/tcp` |
 * | `tcp(80)`, host port 8080 | `0.0.0.0:8080:80/tcp` |
 * | `tcp(80)`, host IP `127.0.0.1`, host port 8080 | `127.0.0.1:8080:80/tcp` |
 *
 * It does not check the spec (`validate` does).
 *
 * @example
 * ```ts
 * import { Port } from "ociman"
 *
 * Port.format({ containerPort: Port.tcp(8080), hostIp: "::1" }) // "[::1]::8080/tcp"
 * ```
 *
 * @since 0.1.0
 * @category formatting
 */
export const format = (value: ContainerPort | Publish): string => {
  const spec = toPublish(value)
  const container = key(spec.containerPort)
  const host = spec.hostPort === undefined || spec.hostPort === 0 ? "" : String(spec.hostPort)
  if (spec.hostIp === undefined) return host === "" ? container : `0.0.0.0:${host}:${container}`
  const ip = spec.hostIp.includes(":") ? `[${spec.hostIp}]` : spec.hostIp
  return `${ip}:${host}:${container}`
}

/**
 * A string that decodes to a `ContainerPort` (`"8080"`, `"8080/tcp"`, `"53/udp"`), for `Config`
 * and CLI flags; it encodes back to `"8080/tcp"`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Port } from "ociman"
 *
 * Schema.decodeUnknownSync(Port.FromString)("5432") // { port: 5432, protocol: "tcp" }
 * Schema.encodeSync(Port.FromString)({ port: 53, protocol: "udp" }) // "53/udp"
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const FromString: Schema.Schema<ContainerPort, string> = Schema.transformOrFail(
  Schema.String,
  Schema.Struct({
    port: Schema.Int.pipe(Schema.between(1, 65_535)),
    protocol: Schema.Literal("tcp", "udp")
  }),
  {
    strict: true,
    decode: (input, _, ast) =>
      Either.match(parse(input), {
        onLeft: (error) => ParseResult.fail(new ParseResult.Type(ast, input, error.message)),
        onRight: (port) => ParseResult.succeed({ port: port.port, protocol: port.protocol })
      }),
    encode: (port) => ParseResult.succeed(key(port))
  }
)

/**
 * Why a port or publish spec is rejected.
 *
 * @since 0.1.0
 * @category errors
 */
export type InvalidPortReason = "InvalidFormat" | "InvalidContainerPort" | "InvalidHostPort" | "InvalidHostIp"

/**
 * An invalid port, host port, host IP or port string. `input` is the offending value as text.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Port } from "ociman"
 *
 * Either.flip(Port.parse("8080/sctp")).pipe(Either.map((e) => e.reason)) // Either.right("InvalidFormat")
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidPort extends Data.TaggedError("InvalidPort")<{
  readonly input: string
  readonly reason: InvalidPortReason
}> {
  override get message(): string {
    const got = quoteExcerpt(this.input)
    switch (this.reason) {
      case "InvalidFormat":
        return `Container port must be written "<port>", "<port>/tcp" or "<port>/udp", e.g. "5432/tcp" (got ${got})`
      case "InvalidContainerPort":
        return `Container port must be an integer from 1 to 65535 (got ${got})`
      case "InvalidHostPort":
        return `Host port must be an integer from 0 to 65535, 0 meaning any free port (got ${got})`
      case "InvalidHostIp":
        return `Host IP must be an IPv4 or IPv6 address without brackets or zone, e.g. "127.0.0.1" or "::1" (got ${got})`
    }
  }
}
