/**
 * Probing one runtime: is its CLI installed, does its engine answer, which versions, rootless?
 * Two CLI calls run concurrently per runtime (version and info), so resolving costs one round.
 */
import type { CommandExecutor, FileSystem } from "@effect/platform"
import { Config, Deferred, Effect, Either, Exit, FiberId, Option, type ParseResult } from "effect"
import type { ProcessError } from "../../CliError.js"
import { RuntimeUnavailable, type UnavailableReason } from "../../RuntimeError.js"
import type { Kind } from "../kind.js"
import * as Version from "../../Version.js"
import { DAEMON_UNREACHABLE, PERMISSION_DENIED, probeDialects } from "../dialect/probe.js"
import { type Completed, decodeText, run } from "./process.js"

/** What a probe learns about a runtime. */
export interface ProbedBackend {
  readonly kind: Kind
  readonly executable: string
  /** `undefined`: not asked (the probe over the API asks only the engine; see `clientVersionOfBackend`). */
  readonly clientVersion: Version.Version | undefined
  readonly engineVersion: Version.Version
  readonly rootless: boolean
}

const PROBE_TIMEOUT = "30 seconds"

/** Classifies a failed probe from its stderr. */
export const classifyStderr = (stderr: string): UnavailableReason =>
  PERMISSION_DENIED.test(stderr)
    ? "PermissionDenied"
    : DAEMON_UNREACHABLE.test(stderr)
      ? "DaemonUnreachable"
      : "ProbeFailed"

export const fromProcessError = (kind: Kind, error: ProcessError): RuntimeUnavailable => {
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
    case "OperationTimedOut":
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

const decodeOutput =
  <A>(kind: Kind, what: string, decode: (output: string) => Either.Either<A, ParseResult.ParseError>) =>
  (output: string): Effect.Effect<A, RuntimeUnavailable> =>
    Either.match(decode(output), {
      onLeft: (error) =>
        Effect.fail(
          new RuntimeUnavailable({
            kind,
            reason: "ProbeFailed",
            detail: `${what} printed unexpected output ${JSON.stringify(output.trim().slice(0, 300))}: ${error.message}`
          })
        ),
      onRight: Effect.succeed
    })

const parseVersion = (kind: Kind, what: string, text: string): Effect.Effect<Version.Version, RuntimeUnavailable> =>
  Either.match(Version.parse(text), {
    onLeft: (error) =>
      Effect.fail(new RuntimeUnavailable({ kind, reason: "ProbeFailed", detail: `${what}: ${error.message}` })),
    onRight: Effect.succeed
  })

/** This process runs as root (on a system without user ids, as if it did not). */
export const callerIsRoot = (): boolean => process.geteuid?.() === 0

/**
 * The client versions asked so far, by runtime and executable (a CLI does not change under a
 * process), and the asks under way: callers at once share one process. A failed or interrupted ask
 * is forgotten, so the next caller asks again.
 */
const clientVersions = new Map<string, Deferred.Deferred<Version.Version, RuntimeUnavailable>>()

/**
 * The CLI's own version: the backend's when its probe asked the CLI, else `<executable> --version`
 * (asked once per process and executable), a process that never waits for the engine.
 */
export const clientVersionOfBackend = (
  backend: Pick<ProbedBackend, "kind" | "executable" | "clientVersion">
): Effect.Effect<Version.Version, RuntimeUnavailable> => {
  const { kind, executable } = backend
  if (backend.clientVersion !== undefined) return Effect.succeed(backend.clientVersion)
  const key = `${kind}\u0000${executable}`
  return Effect.suspend(() => {
    const asked = clientVersions.get(key)
    if (asked !== undefined) return Deferred.await(asked)
    const answer = Deferred.unsafeMake<Version.Version, RuntimeUnavailable>(FiberId.none)
    clientVersions.set(key, answer)
    return probeCall(kind, executable, probeDialects[kind].clientVersionArgs).pipe(
      Effect.flatMap((output) => parseVersion(kind, `${kind} client version`, output)),
      Effect.onExit((exit) =>
        Effect.zipRight(
          Exit.isSuccess(exit) ? Effect.void : Effect.sync(() => clientVersions.delete(key)),
          Deferred.done(answer, exit)
        )
      )
    )
  })
}

/**
 * Asks the CLI for its versions and whether its engine runs rootless: both calls at once, or, where
 * a local engine runs as its caller (Podman), `info` only for a remote engine.
 */
const probeWith = (kind: Kind, executable: string) =>
  Effect.gen(function* () {
    const dialect = probeDialects[kind]
    const version = probeCall(kind, executable, dialect.versionArgs).pipe(
      Effect.flatMap(decodeOutput(kind, `${kind} version`, dialect.decodeVersion))
    )
    const askRootless = probeCall(kind, executable, dialect.rootlessArgs).pipe(
      Effect.flatMap(decodeOutput(kind, `${kind} info`, dialect.decodeRootless))
    )
    const [versionOutput, rootless] =
      dialect.localRootless === "caller"
        ? yield* Effect.flatMap(version, (output) =>
            (output.Server ?? undefined) === undefined
              ? Effect.succeed([output, !callerIsRoot()] as const)
              : Effect.map(askRootless, (answer) => [output, answer] as const)
          )
        : // Docker's version call answers in ~25 ms, so when the daemon is down its error is the one reported.
          yield* Effect.all([version, askRootless], { concurrency: "unbounded" })
    const server = versionOutput.Server ?? undefined
    if (server === undefined && dialect.withoutServer === "DaemonUnreachable") {
      return yield* new RuntimeUnavailable({ kind, reason: "DaemonUnreachable", detail: "no server version" })
    }
    const clientVersion = yield* parseVersion(kind, `${kind} client version`, versionOutput.Client.Version)
    const backend: ProbedBackend = {
      kind,
      executable,
      clientVersion,
      engineVersion:
        server === undefined
          ? clientVersion
          : yield* parseVersion(kind, `${kind} ${dialect.engineVersionName}`, server.Version),
      rootless
    }
    return backend
  })

/**
 * What this process has learnt, by runtime, executable and engine selection: a layer probes a
 * runtime once per process, however many layers are built (a test file builds one per suite).
 * Every fresh probe updates it: a success is kept, a failure forgets the runtime, so a runtime
 * that went down is probed again by the next layer.
 */
const probed = new Map<string, ProbedBackend>()

/** The variables that point a CLI at another engine: part of what a probe is remembered by. */
const ENGINE_VARIABLES = ["DOCKER_HOST", "DOCKER_CONTEXT", "CONTAINER_HOST", "CONTAINER_CONNECTION"]

const engineSelection: Effect.Effect<string> = Effect.map(
  Effect.forEach(ENGINE_VARIABLES, (name) =>
    Config.string(name).pipe(
      Config.withDefault(""),
      Effect.orElseSucceed(() => "")
    )
  ),
  (values) => values.join("\u0000")
)

const keyOf = (kind: Kind, executable: string) =>
  Effect.map(engineSelection, (engine) => [kind, executable, engine].join("\u0000"))

/** What the last probe of this runtime in this process found, if any. */
export const knownProbe = (kind: Kind, executable: string): Effect.Effect<Option.Option<ProbedBackend>> =>
  Effect.map(keyOf(kind, executable), (key) => Option.fromNullable(probed.get(key)))

/** Keeps what a probe by another way (over the API) found, as {@link probe} keeps its own. */
export const rememberProbe = (backend: ProbedBackend): Effect.Effect<void> =>
  Effect.flatMap(keyOf(backend.kind, backend.executable), (key) => Effect.sync(() => probed.set(key, backend)))

/** A way to probe: {@link probe} (now) or {@link probeOnce} (once per process). */
export type Probe = (
  kind: Kind,
  executable?: string
) => Effect.Effect<ProbedBackend, RuntimeUnavailable, CommandExecutor.CommandExecutor | FileSystem.FileSystem>

/** Probes one runtime through the given executable (name on PATH, or a path), now. */
export const probe = (
  kind: Kind,
  executable: string = kind
): Effect.Effect<ProbedBackend, RuntimeUnavailable, CommandExecutor.CommandExecutor> =>
  Effect.flatMap(keyOf(kind, executable), (key) =>
    probeWith(kind, executable).pipe(
      Effect.tapBoth({
        onSuccess: (backend) => Effect.sync(() => probed.set(key, backend)),
        onFailure: () => Effect.sync(() => probed.delete(key))
      }),
      Effect.withSpan("ociman.probe", { attributes: { kind, executable } })
    )
  )

/** What the last probe of this runtime in this process found, else a probe now (layers use this). */
export const probeOnce = (
  kind: Kind,
  executable: string = kind
): Effect.Effect<ProbedBackend, RuntimeUnavailable, CommandExecutor.CommandExecutor> =>
  Effect.flatMap(keyOf(kind, executable), (key) => {
    const known = probed.get(key)
    return known === undefined ? probe(kind, executable) : Effect.succeed(known)
  })
