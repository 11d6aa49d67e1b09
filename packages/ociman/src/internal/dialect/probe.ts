/**
 * Probing a runtime's CLI: the argv of the version and info calls, the decoders of what each
 * runtime prints, and the stderr patterns of an engine that cannot be used (`probeDialects`).
 */
import { Either, type ParseResult, Schema } from "effect"
import type { Kind } from "../kind.js"

/** A probe that failed because the engine does not answer (either CLI, local or remote). */
export const DAEMON_UNREACHABLE =
  /cannot connect to (the docker daemon|podman)|is the docker daemon running|unable to connect to podman|error during connect|connection refused|no such host|dial (unix|tcp)/i
/** A probe that failed because the user may not use the engine. */
export const PERMISSION_DENIED = /permission denied/i

/** The versions a `version` call reports (`server` absent or `null` when it reports none). */
export interface VersionOutput {
  readonly Client: { readonly Version: string }
  readonly Server?: { readonly Version: string } | null | undefined
}

/** One runtime's side of the probe. */
export interface ProbeDialect {
  /** The client's version alone, without asking the engine (the probe over the API asks it itself). */
  readonly clientVersionArgs: ReadonlyArray<string>
  /** `version` as JSON. */
  readonly versionArgs: ReadonlyArray<string>
  readonly decodeVersion: (output: string) => Either.Either<VersionOutput, ParseResult.ParseError>
  /**
   * What a `version` without a server version means: Docker's daemon did not answer; a local
   * Podman has no separate server (a remote one, `podman --remote`, reports it).
   */
  readonly withoutServer: "DaemonUnreachable" | "ClientVersion"
  /** What the engine version is called in a failure's detail. */
  readonly engineVersionName: string
  /** `info`, printing only what tells whether the engine runs rootless. */
  readonly rootlessArgs: ReadonlyArray<string>
  /**
   * `caller`: a local engine (no server version) runs as the calling user, so it is rootless
   * exactly when that user is not root, and `info` (~0.3–0.9 s for Podman) is asked only of a
   * remote one; `ask`: always ask `info` (a Docker daemon runs as whoever started it).
   */
  readonly localRootless: "caller" | "ask"
  readonly decodeRootless: (output: string) => Either.Either<boolean, ParseResult.ParseError>
}

const DockerVersionOutput = Schema.Struct({
  Client: Schema.Struct({ Version: Schema.String }),
  Server: Schema.NullOr(Schema.Struct({ Version: Schema.String }))
})

const PodmanVersionOutput = Schema.Struct({
  Client: Schema.Struct({ Version: Schema.String }),
  Server: Schema.optional(Schema.NullOr(Schema.Struct({ Version: Schema.String })))
})

const decodeDockerSecurityOptions = Schema.decodeUnknownEither(
  Schema.parseJson(Schema.NullOr(Schema.Array(Schema.String)))
)

/**
 * Docker reports rootless mode as a `name=rootless` entry in `SecurityOptions`, each entry
 * being comma-separated `key=value` pairs (ociman compares whole lines with `rootless`, a bug).
 */
export const dockerRootless = (securityOptions: ReadonlyArray<string>): boolean =>
  securityOptions.some((entry) => entry.split(",").some((pair) => pair.trim() === "name=rootless"))

export const probeDialects: Readonly<Record<Kind, ProbeDialect>> = {
  docker: {
    clientVersionArgs: ["--version"],
    versionArgs: ["version", "--format", "{{json .}}"],
    decodeVersion: Schema.decodeUnknownEither(Schema.parseJson(DockerVersionOutput)),
    withoutServer: "DaemonUnreachable",
    engineVersionName: "engine version",
    rootlessArgs: ["info", "--format", "{{json .SecurityOptions}}"],
    localRootless: "ask",
    decodeRootless: (output) =>
      Either.map(decodeDockerSecurityOptions(output), (securityOptions) => dockerRootless(securityOptions ?? []))
  },
  podman: {
    clientVersionArgs: ["--version"],
    versionArgs: ["version", "--format", "json"],
    decodeVersion: Schema.decodeUnknownEither(Schema.parseJson(PodmanVersionOutput)),
    withoutServer: "ClientVersion",
    engineVersionName: "server version",
    rootlessArgs: ["info", "--format", "{{json .Host.Security.Rootless}}"],
    localRootless: "caller",
    decodeRootless: Schema.decodeUnknownEither(Schema.parseJson(Schema.Boolean))
  }
}
