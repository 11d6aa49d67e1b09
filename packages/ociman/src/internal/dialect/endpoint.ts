/**
 * Where each CLI sends its calls, found the way the CLI itself finds it (flags aside), so that
 * published ports are reached on the right host and a bind mount of a local path is refused on an
 * engine that runs elsewhere. The rules, checked against Docker 28 and Podman 4.3:
 * - Docker: `DOCKER_HOST`; else the context named by `DOCKER_CONTEXT`, else `currentContext` in
 *   `$DOCKER_CONFIG/config.json` (`~/.docker`), whose endpoint is in
 *   `contexts/meta/<sha256 of the name>/meta.json` (`Endpoints.docker.Host`); else the local socket.
 * - Podman: `CONTAINER_HOST`; else the connection named by `CONTAINER_CONNECTION` (in
 *   `podman-connections.json` since Podman 5, `[engine.service_destinations.NAME]` of
 *   containers.conf before); else local and daemonless. A default connection (`podman system
 *   connection default`) is used only by `podman --remote` and podman-remote, never by a local
 *   `podman`, so it does not change the endpoint here.
 *
 * Reading is injected (`EndpointSources`): this module decides, the CLI wing reads the files.
 */
import { Effect, Option, Schema } from "effect"
import { parse as parseToml } from "smol-toml"
import type { Endpoint } from "../../ContainerRuntime.js"
import type { Kind } from "../kind.js"

/** What endpoint resolution may read: environment variables, text files, and a SHA-256. */
export interface EndpointSources {
  readonly env: (name: string) => Effect.Effect<Option.Option<string>>
  /** A file's text; none when it does not exist or cannot be read. */
  readonly file: (path: string) => Effect.Effect<Option.Option<string>>
  readonly sha256Hex: (text: string) => string
}

/** `unix://` sockets and `npipe://` pipes are this machine; `tcp://`, `ssh://` and `http(s)://` may be another. */
const isRemoteUrl = (url: string): boolean => /^(?:tcp|ssh|https?):\/\//i.test(url)

/** The host part of an engine URL (`tcp://h:2376`, `ssh://user@h:22`, `tcp://[::1]:2375`), if any. */
export const hostOfUrl = (url: string): string | undefined => {
  const match = /^(?:tcp|ssh|https?):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)/i.exec(url)
  const host = match?.[1]
  return host === undefined ? undefined : host.replace(/^\[(.*)\]$/, "$1")
}

const endpointOf = (url: string | undefined, found: Pick<Endpoint, "source" | "name">): Endpoint => {
  const remote = url !== undefined && isRemoteUrl(url)
  return { url, ...found, remote, host: remote && url !== undefined ? hostOfUrl(url) : undefined }
}

const nonEmpty = (value: Option.Option<string>): Option.Option<string> =>
  Option.filter(value, (text) => text.trim().length > 0)

const parseJson = Schema.decodeUnknownOption(Schema.parseJson())

const DockerConfig = Schema.Struct({ currentContext: Schema.optional(Schema.String) })
const DockerContextMeta = Schema.Struct({
  Endpoints: Schema.Struct({ docker: Schema.Struct({ Host: Schema.String }) })
})
const PodmanConnections = Schema.Struct({
  Connection: Schema.Struct({
    Connections: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Struct({ URI: Schema.String }) }))
  })
})
const ContainersConf = Schema.Struct({
  engine: Schema.optional(
    Schema.Struct({
      service_destinations: Schema.optional(
        Schema.Record({ key: Schema.String, value: Schema.Struct({ uri: Schema.String }) })
      )
    })
  )
})

const decodeWith =
  <A, I>(schema: Schema.Schema<A, I>) =>
  (text: string): Option.Option<A> =>
    Option.flatMap(parseJson(text), Schema.decodeUnknownOption(schema))

const tomlOf = (text: string): Option.Option<unknown> => {
  try {
    return Option.some(parseToml(text))
  } catch {
    // A containers.conf Podman could not read either: no connection is found in it.
    return Option.none()
  }
}

const DOCKER_SOCKET = "unix:///var/run/docker.sock"

const docker = (sources: EndpointSources, home: Option.Option<string>): Effect.Effect<Endpoint> =>
  Effect.gen(function* () {
    const host = nonEmpty(yield* sources.env("DOCKER_HOST"))
    if (Option.isSome(host)) return endpointOf(host.value, { source: "environment", name: "DOCKER_HOST" })
    const configDir = Option.orElse(nonEmpty(yield* sources.env("DOCKER_CONFIG")), () =>
      Option.map(home, (h) => `${h}/.docker`)
    )
    const fromVariable = nonEmpty(yield* sources.env("DOCKER_CONTEXT"))
    const fromConfig = Option.isSome(fromVariable)
      ? Option.none<string>()
      : Option.flatMap(
          Option.isSome(configDir) ? yield* sources.file(`${configDir.value}/config.json`) : Option.none(),
          (text) =>
            Option.flatMap(decodeWith(DockerConfig)(text), (config) => Option.fromNullable(config.currentContext))
        )
    const context = Option.orElse(fromVariable, () => fromConfig)
    if (Option.isNone(context) || context.value === "default" || Option.isNone(configDir)) {
      return endpointOf(DOCKER_SOCKET, { source: "default", name: undefined })
    }
    const meta = yield* sources.file(`${configDir.value}/contexts/meta/${sources.sha256Hex(context.value)}/meta.json`)
    const url = Option.flatMap(meta, decodeWith(DockerContextMeta))
    return endpointOf(Option.match(url, { onNone: () => undefined, onSome: (m) => m.Endpoints.docker.Host }), {
      source: "context",
      name: context.value
    })
  })

const podman = (sources: EndpointSources, home: Option.Option<string>): Effect.Effect<Endpoint> =>
  Effect.gen(function* () {
    const host = nonEmpty(yield* sources.env("CONTAINER_HOST"))
    if (Option.isSome(host)) return endpointOf(host.value, { source: "environment", name: "CONTAINER_HOST" })
    const connection = nonEmpty(yield* sources.env("CONTAINER_CONNECTION"))
    if (Option.isNone(connection)) return endpointOf(undefined, { source: "default", name: undefined })
    const configHome = Option.orElse(nonEmpty(yield* sources.env("XDG_CONFIG_HOME")), () =>
      Option.map(home, (h) => `${h}/.config`)
    )
    const name = connection.value
    // Podman 5 keeps connections in JSON; Podman 4 in containers.conf (user's first, then the system's).
    const jsonUri = Option.isSome(configHome)
      ? Option.flatMap(yield* sources.file(`${configHome.value}/containers/podman-connections.json`), (text) =>
          Option.flatMap(decodeWith(PodmanConnections)(text), (c) =>
            Option.fromNullable(c.Connection.Connections?.[name]?.URI)
          )
        )
      : Option.none<string>()
    const confFiles = [
      ...Option.toArray(nonEmpty(yield* sources.env("CONTAINERS_CONF"))),
      ...Option.toArray(Option.map(configHome, (h) => `${h}/containers/containers.conf`)),
      "/etc/containers/containers.conf",
      "/usr/share/containers/containers.conf"
    ]
    let uri = jsonUri
    for (const path of confFiles) {
      if (Option.isSome(uri)) break
      uri = Option.flatMap(yield* sources.file(path), (text) =>
        Option.flatMap(Option.flatMap(tomlOf(text), Schema.decodeUnknownOption(ContainersConf)), (conf) =>
          Option.fromNullable(conf.engine?.service_destinations?.[name]?.uri)
        )
      )
    }
    return endpointOf(Option.getOrUndefined(uri), { source: "connection", name })
  })

/** Each runtime's endpoint rules (see the module comment). */
export const endpointResolvers: Readonly<
  Record<Kind, (sources: EndpointSources, home: Option.Option<string>) => Effect.Effect<Endpoint>>
> = { docker, podman }
