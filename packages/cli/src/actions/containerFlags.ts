/**
 * What `ociman run` and `ociman exec` share: the docker-style flags (`-e K=V`, `-p [IP:][HOST:]PORT`,
 * `--label K=V`, `--name N`), turned into the library's validated values, and how a command ends
 * with the exit code of what ran in the container.
 *
 * Every value goes through the library's own validators (`EnvVar`, `Port`, `Label`,
 * `ContainerName`), so a bad flag fails with the same message the library would give, before any
 * runtime is probed.
 */
import { Effect, Either, Redacted } from "effect"
import * as ContainerName from "ociman/ContainerName"
import * as EnvVar from "ociman/EnvVar"
import * as Label from "ociman/Label"
import * as Port from "ociman/Port"
import { UsageError } from "./errors.js"

const fromEither = <A, E>(either: Either.Either<A, E>): Effect.Effect<A, E> =>
  Either.match(either, { onLeft: Effect.fail, onRight: Effect.succeed })

const splitAt = (raw: string): readonly [string, string | undefined] => {
  const at = raw.indexOf("=")
  return at < 0 ? [raw, undefined] : [raw.slice(0, at), raw.slice(at + 1)]
}

/**
 * `-e KEY=VALUE` and `-e KEY` (the value of KEY in this process's environment, as Docker does,
 * kept `Redacted` so it is hidden in errors too), validated as one `EnvVar` set.
 */
export const parseEnv = (
  raw: ReadonlyArray<string>
): Effect.Effect<EnvVar.EnvVars, UsageError | EnvVar.InvalidEnvVar> =>
  Effect.flatMap(
    Effect.forEach(raw, (entry): Effect.Effect<readonly [string, EnvVar.Value], UsageError> => {
      const [name, value] = splitAt(entry)
      if (value !== undefined) return Effect.succeed([name, value] as const)
      const inherited = process.env[name]
      return inherited === undefined
        ? Effect.fail(
            new UsageError({ detail: `-e ${name}: ${name} is not set in the environment (or pass ${name}=VALUE)` })
          )
        : Effect.succeed([name, Redacted.make(inherited)] as const)
    }),
    (pairs) => fromEither(EnvVar.make(pairs))
  )

/** `--label KEY=VALUE` (a bare `KEY` is an empty value, as Docker does), validated as one `Label` set. */
export const parseLabels = (raw: ReadonlyArray<string>): Effect.Effect<Label.Labels, Label.InvalidLabel> =>
  fromEither(
    Label.make(
      raw.map((entry) => {
        const [key, value] = splitAt(entry)
        return [key, value ?? ""] as const
      })
    )
  )

/** `--name`, validated with ociman's rules. */
export const parseName = (
  raw: string
): Effect.Effect<ContainerName.ContainerName, ContainerName.InvalidContainerName> => fromEither(ContainerName.make(raw))

const PUBLISH_FORMAT = "-p expects [IP:][HOSTPORT:]PORT[/udp], e.g. 8080, 127.0.0.1::80 or 8080:80/udp"

/** `HOSTPORT` of a publish spec: digits, or empty for "any free port". */
const hostPortOf = (raw: string, text: string): Effect.Effect<number | undefined, UsageError> =>
  text === ""
    ? Effect.succeed(undefined)
    : /^[0-9]+$/.test(text)
      ? Effect.succeed(Number(text))
      : Effect.fail(new UsageError({ detail: `${PUBLISH_FORMAT} (got ${JSON.stringify(raw)})` }))

/**
 * `-p`: `PORT[/udp]`, `HOSTPORT:PORT[/udp]`, `IP:[HOSTPORT]:PORT[/udp]`, or `[IPv6]:[HOSTPORT]:PORT[/udp]`.
 * The structure is split here; `Port.parse` and `Port.publish` check every part.
 */
export const parsePublish = (raw: string): Effect.Effect<Port.Publish, UsageError | Port.InvalidPort> =>
  Effect.gen(function* () {
    let hostIp: string | undefined = undefined
    let rest = raw
    if (raw.startsWith("[")) {
      const close = raw.indexOf("]:")
      if (close < 0) return yield* new UsageError({ detail: `${PUBLISH_FORMAT} (got ${JSON.stringify(raw)})` })
      hostIp = raw.slice(1, close)
      rest = raw.slice(close + 2)
    }
    const parts = rest.split(":")
    const container = parts.at(-1) ?? ""
    let hostPortText = ""
    if (hostIp !== undefined) {
      if (parts.length !== 2) return yield* new UsageError({ detail: `${PUBLISH_FORMAT} (got ${JSON.stringify(raw)})` })
      hostPortText = parts[0] ?? ""
    } else if (parts.length === 2) {
      hostPortText = parts[0] ?? ""
      if (hostPortText === "")
        return yield* new UsageError({ detail: `${PUBLISH_FORMAT} (got ${JSON.stringify(raw)})` })
    } else if (parts.length === 3) {
      // an empty IP (`:8080:80`) means every address, as with Docker
      hostIp = parts[0] === "" ? undefined : parts[0]
      hostPortText = parts[1] ?? ""
    } else if (parts.length !== 1) {
      return yield* new UsageError({
        detail: `${PUBLISH_FORMAT}; write an IPv6 host address in brackets, e.g. [::1]::80 (got ${JSON.stringify(raw)})`
      })
    }
    const containerPort = yield* fromEither(Port.parse(container))
    const hostPort = yield* hostPortOf(raw, hostPortText)
    return yield* fromEither(Port.publish(containerPort, { hostIp, hostPort }))
  })

/**
 * Ends the command with this exit code (the container's or the exec'd command's), as `docker run`
 * and `docker exec` do: on success the entry point's teardown (`exit.ts`) exits with
 * `process.exitCode`.
 */
export const exitWith = (code: number | undefined): Effect.Effect<void> =>
  Effect.sync(() => {
    process.exitCode = code ?? 1
  })

/**
 * Writes one line and a newline, and completes once the stream has taken it: a container that
 * writes faster than the terminal reads waits for it instead of filling ociman's memory.
 */
export const writeLine = (stream: NodeJS.WriteStream, text: string): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    // a write error (the reader went away) ends nothing here: the stream's own error event does
    stream.write(`${text}\n`, () => resume(Effect.void))
  })

/** Writes bytes as they are (binary output stays intact; no newline is added). */
export const writeOut = (stream: NodeJS.WriteStream, bytes: Uint8Array): Effect.Effect<void> =>
  bytes.length === 0 ? Effect.void : Effect.sync(() => void stream.write(bytes))
