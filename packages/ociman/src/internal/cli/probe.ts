/**
 * Probing one runtime: is its CLI installed, does its engine answer, which versions, rootless?
 * Two CLI calls run concurrently per runtime (version and info), so resolving costs one round.
 */
import type { CommandExecutor } from "@effect/platform"
import { Effect, Either, Schema } from "effect"
import type { ProcessError } from "../../CliError.js"
import { RuntimeUnavailable, type UnavailableReason } from "../../RuntimeError.js"
import type { Kind } from "../kind.js"
import * as Version from "../../Version.js"
import { type Completed, decodeText, run } from "./process.js"

/** What a probe learns about a runtime. */
export interface ProbedBackend {
  readonly kind: Kind
  readonly executable: string
  readonly clientVersion: Version.Version
  readonly engineVersion: Version.Version
  readonly rootless: boolean
}

const PROBE_TIMEOUT = "30 seconds"

const DAEMON_UNREACHABLE =
  /cannot connect to (the docker daemon|podman)|is the docker daemon running|unable to connect to podman|error during connect|connection refused|no such host|dial (unix|tcp)/i
const PERMISSION_DENIED = /permission denied/i

/** Classifies a failed probe from its stderr. */
export const classifyStderr = (stderr: string): UnavailableReason =>
  PERMISSION_DENIED.test(stderr)
    ? "PermissionDenied"
    : DAEMON_UNREACHABLE.test(stderr)
      ? "DaemonUnreachable"
      : "ProbeFailed"

const fromProcessError = (kind: Kind, error: ProcessError): RuntimeUnavailable => {
  switch (error._tag) {
    case "ExecutableNotFound":
      return new RuntimeUnavailable({ kind, reason: "NotInstalled", detail: error.message })
    case "SpawnFailed":
      return new RuntimeUnavailable({
        kind,
        reason: error.reason === "PermissionDenied" ? "PermissionDenied" : "ProbeFailed",
        detail: error.message
      })
    case "CommandTimedOut":
      return new RuntimeUnavailable({ kind, reason: "DaemonUnreachable", detail: error.message })
    case "CliUnsupported":
      return new RuntimeUnavailable({ kind, reason: "ProbeFailed", detail: error.message })
  }
}

/** Runs one probe command; a non-zero exit is classified from its stderr. */
const probeCall = (kind: Kind, executable: string, args: ReadonlyArray<string>) =>
  run({ executable, args, timeout: PROBE_TIMEOUT }).pipe(
    Effect.mapError((error) => fromProcessError(kind, error)),
    Effect.flatMap((completed: Completed) => {
      if (completed.exitCode === 0) return Effect.succeed(decodeText(completed.stdout))
      const stderr = decodeText(completed.stderr).trim()
      return Effect.fail(
        new RuntimeUnavailable({
          kind,
          reason: classifyStderr(stderr),
          detail: `${[executable, ...args].join(" ")} exited with ${completed.exitCode ?? completed.signal}: ${stderr}`
        })
      )
    })
  )

const decodeJson =
  <A, I>(kind: Kind, what: string, schema: Schema.Schema<A, I>) =>
  (output: string): Effect.Effect<A, RuntimeUnavailable> =>
    Schema.decodeUnknown(Schema.parseJson(schema))(output).pipe(
      Effect.mapError(
        (error) =>
          new RuntimeUnavailable({
            kind,
            reason: "ProbeFailed",
            detail: `${what} printed unexpected output ${JSON.stringify(output.trim().slice(0, 300))}: ${error.message}`
          })
      )
    )

const parseVersion = (kind: Kind, what: string, text: string): Effect.Effect<Version.Version, RuntimeUnavailable> =>
  Either.match(Version.parse(text), {
    onLeft: (error) =>
      Effect.fail(new RuntimeUnavailable({ kind, reason: "ProbeFailed", detail: `${what}: ${error.message}` })),
    onRight: Effect.succeed
  })

const DockerVersionOutput = Schema.Struct({
  Client: Schema.Struct({ Version: Schema.String }),
  Server: Schema.NullOr(Schema.Struct({ Version: Schema.String }))
})

const PodmanVersionOutput = Schema.Struct({
  Client: Schema.Struct({ Version: Schema.String }),
  Server: Schema.optional(Schema.NullOr(Schema.Struct({ Version: Schema.String })))
})

/**
 * Docker reports rootless mode as a `name=rootless` entry in `SecurityOptions`, each entry
 * being comma-separated `key=value` pairs (ociman compares whole lines with `rootless`, a bug).
 */
export const dockerRootless = (securityOptions: ReadonlyArray<string>): boolean =>
  securityOptions.some((entry) => entry.split(",").some((pair) => pair.trim() === "name=rootless"))

const probeDocker = (executable: string) =>
  Effect.gen(function* () {
    const [versionOutput, securityOptions] = yield* Effect.all(
      [
        probeCall("docker", executable, ["version", "--format", "{{json .}}"]).pipe(
          Effect.flatMap(decodeJson("docker", "docker version", DockerVersionOutput))
        ),
        probeCall("docker", executable, ["info", "--format", "{{json .SecurityOptions}}"]).pipe(
          Effect.flatMap(decodeJson("docker", "docker info", Schema.NullOr(Schema.Array(Schema.String))))
        )
      ],
      // The version call answers in ~25 ms, so when the daemon is down its error is the one reported.
      { concurrency: "unbounded" }
    )
    if (versionOutput.Server === null) {
      return yield* new RuntimeUnavailable({ kind: "docker", reason: "DaemonUnreachable", detail: "no server version" })
    }
    const backend: ProbedBackend = {
      kind: "docker",
      executable,
      clientVersion: yield* parseVersion("docker", "docker client version", versionOutput.Client.Version),
      engineVersion: yield* parseVersion("docker", "docker engine version", versionOutput.Server.Version),
      rootless: dockerRootless(securityOptions ?? [])
    }
    return backend
  })

const probePodman = (executable: string) =>
  Effect.gen(function* () {
    const [versionOutput, rootless] = yield* Effect.all(
      [
        probeCall("podman", executable, ["version", "--format", "json"]).pipe(
          Effect.flatMap(decodeJson("podman", "podman version", PodmanVersionOutput))
        ),
        probeCall("podman", executable, ["info", "--format", "{{json .Host.Security.Rootless}}"]).pipe(
          Effect.flatMap(decodeJson("podman", "podman info", Schema.Boolean))
        )
      ],
      { concurrency: "unbounded" }
    )
    const clientVersion = yield* parseVersion("podman", "podman client version", versionOutput.Client.Version)
    // A local podman has no separate server; a remote one (podman --remote) reports it.
    const server = versionOutput.Server
    const backend: ProbedBackend = {
      kind: "podman",
      executable,
      clientVersion,
      engineVersion:
        server === undefined || server === null
          ? clientVersion
          : yield* parseVersion("podman", "podman server version", server.Version),
      rootless
    }
    return backend
  })

/** Probes one runtime through the given executable (name on PATH, or a path). */
export const probe = (
  kind: Kind,
  executable: string = kind
): Effect.Effect<ProbedBackend, RuntimeUnavailable, CommandExecutor.CommandExecutor> =>
  (kind === "docker" ? probeDocker(executable) : probePodman(executable)).pipe(
    Effect.withSpan("ociman.probe", { attributes: { kind, executable } })
  )
