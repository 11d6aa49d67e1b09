/**
 * Where each engine's API listens when its CLI names no address (`Endpoint.url` undefined): Docker's
 * daemon socket; Podman's API service (`podman system service`), whose socket is the root one or
 * the user's under `$XDG_RUNTIME_DIR`. Podman serves it only while that service runs: the
 * transport asks `/_ping` before using it.
 */
import { Either, type ParseResult, Schema } from "effect"
import type { Kind } from "../kind.js"
import { dockerRootless } from "./probe.js"

/** What the default socket depends on. */
export interface SocketFacts {
  readonly rootless: boolean
  /** `$XDG_RUNTIME_DIR`, if set. */
  readonly runtimeDir: string | undefined
  /** This process's user id, where there is one (not on Windows). */
  readonly uid: number | undefined
}

/** One runtime's side of the API transport. */
export interface ApiDialect {
  /** The default API socket (a `unix://` URL), or `undefined` when there is none to guess. */
  readonly defaultSocket: (facts: SocketFacts) => string | undefined
  /**
   * The endpoint whose answer is what the CLI's `container inspect` prints (`{id}` to fill in):
   * Docker's CLI prints the API object itself; Podman's prints its own shape (no `/` before the
   * name, its health field), which its libpod endpoint returns, not the Docker-compatible one.
   */
  readonly inspectTemplate: string
  /**
   * The container list whose `ImageID` is written as the CLI writes it (Docker with `sha256:`,
   * Podman without: its libpod list; the compatible one adds the prefix).
   */
  readonly listTemplate: string
  /**
   * Whether the engine runs rootless, for the probe over the API. On its default address (no URL
   * named): `caller`, it runs as its caller (a local Podman); `root`, it runs as root (Docker's
   * `/var/run/docker.sock`, which a rootless daemon cannot create: it listens under
   * `$XDG_RUNTIME_DIR`, named by `DOCKER_HOST` or a context). Elsewhere the endpoint that says it,
   * and how to read its answer (the same facts the CLI probe's `info` prints).
   */
  readonly rootless: {
    readonly local: "caller" | "root"
    readonly infoTemplate: string
    readonly decodeInfo: (body: string) => Either.Either<boolean, ParseResult.ParseError>
  }
}

const decodeDockerInfo = Schema.decodeUnknownEither(
  Schema.parseJson(Schema.Struct({ SecurityOptions: Schema.optional(Schema.NullOr(Schema.Array(Schema.String))) }))
)

const decodePodmanInfo = Schema.decodeUnknownEither(
  Schema.parseJson(Schema.Struct({ host: Schema.Struct({ security: Schema.Struct({ rootless: Schema.Boolean }) }) }))
)

export const apiDialects: Readonly<Record<Kind, ApiDialect>> = {
  docker: {
    // a rootless Docker is reached through DOCKER_HOST or a context, which the endpoint already says
    defaultSocket: () => "unix:///var/run/docker.sock",
    inspectTemplate: "/containers/{id}/json",
    listTemplate: "/containers/json",
    rootless: {
      local: "root",
      infoTemplate: "/info",
      decodeInfo: (body) => Either.map(decodeDockerInfo(body), (info) => dockerRootless(info.SecurityOptions ?? []))
    }
  },
  podman: {
    defaultSocket: ({ rootless, runtimeDir, uid }) => {
      if (!rootless) return "unix:///run/podman/podman.sock"
      if (runtimeDir !== undefined && runtimeDir !== "") return `unix://${runtimeDir}/podman/podman.sock`
      return uid === undefined ? undefined : `unix:///run/user/${uid}/podman/podman.sock`
    },
    inspectTemplate: "/libpod/containers/{id}/json",
    listTemplate: "/libpod/containers/json",
    rootless: {
      local: "caller",
      infoTemplate: "/libpod/info",
      decodeInfo: (body) => Either.map(decodePodmanInfo(body), (info) => info.host.security.rootless)
    }
  }
}
