/**
 * Image operations on the Docker and Podman CLIs: `makeImageOperations` runs the argv of
 * `../dialect/images.ts` through the service's `cli`, and the classifiers here turn the results
 * into typed errors (what differs per runtime is read from `imageDialects`).
 */
import type { CommandExecutor } from "@effect/platform"
import { type Context, Effect, Either, Redacted, Schedule, Stream } from "effect"
import type { CliError, CommandFailed, ProcessError, UnexpectedOutput } from "../../CliError.js"
import type { Backend, CliResult, Service } from "../../ContainerRuntime.js"
import { BuildFailed, ImageInUse, ImageNotFound, LoginFailed, PullFailed, PushFailed } from "../../ImageError.js"
import * as ImageReference from "../../ImageReference.js"
import {
  buildInvocation,
  decodeInspect,
  existsArgs,
  IMAGE_NOT_FOUND,
  imageDialects,
  inspectArgs,
  labeledImages,
  listByNameArgs,
  PARENT_VANISHED,
  parseListByName,
  removeArgs,
  tagArgs
} from "../dialect/images.js"
import {
  loginArgs,
  logoutArgs,
  pullArgs,
  pullEventOf,
  pullFailure,
  pushArgs,
  pushFailure,
  registryFailure
} from "../dialect/registry.js"
import { listLabeled } from "./labeled.js"
import { decodeText, failure, stream } from "./process.js"
import { askAgainAfterStorageRace, askingAgainAfterStorageRace } from "./storageRace.js"
import type { BuildOutput, BuildRequest, ImageOperations, LoginRequest, PullEvent } from "../../ContainerRuntime.js"

type Kind = Backend["kind"]
type Ref = ImageReference.ImageReference

// ---------------------------------------------------------------------------------------------
// Output classifiers (pure)
// ---------------------------------------------------------------------------------------------

/** The exit-code rules of the presence probe (inventory §1.1). */
export const interpretExists = (kind: Kind, result: CliResult): Either.Either<boolean, CommandFailed> => {
  const present = imageDialects[kind].presence(result.exitCode, decodeText(result.stdout))
  return present === undefined ? Either.left(failure(result)) : Either.right(present)
}

/** What every failure of a registry call keeps: the argv, the exit code, and stderr (trimmed). */
const failedCall = (result: Pick<CliResult, "argv" | "exitCode">, stderr: string) => ({
  argv: result.argv,
  exitCode: result.exitCode,
  stderr: stderr.trim()
})

/** A pull that ended with this exit code and stderr, classified by the registry's words (`../dialect/registry.ts`). */
const pullOutcome = (
  reference: Ref,
  ended: Pick<CliResult, "argv" | "exitCode">,
  stderr: string
): Either.Either<void, PullFailed> =>
  ended.exitCode === 0
    ? Either.void
    : Either.left(
        new PullFailed({
          reference: ImageReference.format(reference),
          reason: pullFailure(stderr),
          ...failedCall(ended, stderr)
        })
      )

export const classifyPull = (reference: Ref, result: CliResult): Either.Either<void, PullFailed> =>
  pullOutcome(reference, result, decodeText(result.stderr))

export const classifyPush = (reference: Ref, result: CliResult): Either.Either<void, PushFailed> => {
  if (result.exitCode === 0) return Either.void
  const stderr = decodeText(result.stderr)
  return Either.left(
    new PushFailed({
      reference: ImageReference.format(reference),
      reason: pushFailure(stderr),
      ...failedCall(result, stderr)
    })
  )
}

export const classifyLogin = (request: LoginRequest, result: CliResult): Either.Either<void, LoginFailed> => {
  if (result.exitCode === 0) return Either.void
  const stderr = decodeText(result.stderr)
  return Either.left(
    new LoginFailed({
      registry: request.registry,
      username: request.username,
      reason: registryFailure(stderr),
      ...failedCall(result, stderr)
    })
  )
}

/** Podman's logout fails when nothing is stored (`not logged into`); Docker's succeeds. Both are no error here. */
const NOT_LOGGED_IN = /not logged in/i

/** `image tag` / `image inspect`: a missing image, or a failing runtime. */
export const classifyMissing = (
  reference: Ref,
  result: CliResult
): Either.Either<void, ImageNotFound | CommandFailed> => {
  if (result.exitCode === 0) return Either.void
  const stderr = decodeText(result.stderr)
  return IMAGE_NOT_FOUND.test(stderr)
    ? Either.left(new ImageNotFound({ image: ImageReference.format(reference), stderr: stderr.trim() }))
    : Either.left(failure(result))
}

/** `image rm`: Podman by its documented exit codes (1 no such image, 2 in use), Docker by stderr. */
export const classifyRemove = (
  kind: Kind,
  reference: Ref,
  result: CliResult
): Either.Either<void, ImageNotFound | ImageInUse | CommandFailed> => {
  if (result.exitCode === 0) return Either.void
  const image = ImageReference.format(reference)
  const stderr = decodeText(result.stderr)
  switch (imageDialects[kind].removeFailure(result.exitCode, stderr)) {
    case "NotFound":
      return Either.left(new ImageNotFound({ image, stderr: stderr.trim() }))
    case "InUse":
      return Either.left(new ImageInUse({ image, stderr: stderr.trim() }))
    case "Other":
      return Either.left(failure(result))
  }
}

// ---------------------------------------------------------------------------------------------
// The operations
// ---------------------------------------------------------------------------------------------

/**
 * Queries and tag changes (exists, tag, remove, inspect, list) answer in well under a second; a CLI
 * still running after this waits on an engine that hangs, and is killed with `CommandTimedOut`.
 */
const QUERY_TIMEOUT = "60 seconds"

/** At most two more builds, only after a vanished parent (the output of a retried build is streamed again). */
const PARENT_VANISHED_RETRY = Schedule.recurs(2).pipe(
  Schedule.whileInput(
    (error: BuildFailed | ProcessError) =>
      error._tag === "BuildFailed" && error.lastLines.some((line) => PARENT_VANISHED.test(line))
  )
)

/** How many lines of build output a `BuildFailed` keeps. */
export const BUILD_TAIL_LINES = 50

/**
 * The image operations for a Docker or Podman backend. Everything runs through `cli` (and, for
 * the build's output stream, `process.stream` with the same executable).
 */
export const makeImageOperations = (
  backend: Pick<Backend, "kind" | "executable">,
  cli: Service["cli"],
  platform: Context.Context<CommandExecutor.CommandExecutor>
): ImageOperations => {
  const kind = backend.kind
  const fromEither = <A, E>(either: Either.Either<A, E>): Effect.Effect<A, E> => either
  // the calls safe to repeat, asked again after a storage race (a concurrent removal)
  const query = askingAgainAfterStorageRace(kind, cli)

  const build = (request: BuildRequest): Stream.Stream<BuildOutput, BuildFailed | ProcessError> => {
    const invocation = buildInvocation(kind, request)
    return Stream.suspend(() => {
      const recent: Array<string> = []
      return stream({
        executable: backend.executable,
        args: invocation.args,
        stdin: invocation.stdin,
        env: invocation.env,
        secrets: invocation.secrets,
        timeout: request.timeout
      }).pipe(
        Stream.provideContext(platform),
        Stream.mapEffect((event) => {
          if (event._tag !== "Exit") {
            recent.push(event.line)
            if (recent.length > BUILD_TAIL_LINES) recent.shift()
            const output: BuildOutput = { stream: event._tag === "Stdout" ? "stdout" : "stderr", line: event.line }
            return Effect.succeed([output])
          }
          return event.exitCode === 0
            ? Effect.succeed([])
            : Effect.fail(
                new BuildFailed({
                  reference: ImageReference.format(request.reference),
                  argv: event.argv,
                  exitCode: event.exitCode,
                  signal: event.signal,
                  lastLines: [...recent]
                })
              )
        }),
        Stream.flattenIterables
      )
    }).pipe((built) => Stream.retry(built, PARENT_VANISHED_RETRY))
  }

  /**
   * A pull, its output lines turned into progress events as they arrive. The stderr lines are kept
   * (the last ones) to classify a failure at exit.
   */
  const pull = (ref: Ref): Stream.Stream<PullEvent, PullFailed | ProcessError> =>
    Stream.suspend(() => {
      const stderr: Array<string> = []
      return stream({ executable: backend.executable, args: pullArgs(ref) }).pipe(
        Stream.provideContext(platform),
        Stream.mapEffect((event) => {
          if (event._tag === "Exit") return Effect.as(fromEither(pullOutcome(ref, event, stderr.join("\n"))), [])
          if (event._tag === "Stderr") {
            stderr.push(event.line)
            if (stderr.length > BUILD_TAIL_LINES) stderr.shift()
          }
          return Effect.succeed(event.line.trim() === "" ? [] : [pullEventOf[kind](event.line)])
        }),
        Stream.flattenIterables
      )
    })

  const exists = (ref: Ref): Effect.Effect<boolean, CliError> =>
    Effect.flatMap(query(existsArgs(kind, ref), { timeout: QUERY_TIMEOUT }), (result) =>
      fromEither(interpretExists(kind, result))
    )

  return {
    exists,
    build,
    tag: (source, target) =>
      Effect.flatMap(query(tagArgs(source, target), { timeout: QUERY_TIMEOUT }), (result) =>
        fromEither(classifyMissing(source, result))
      ),
    remove: (ref, options = {}) =>
      Effect.flatMap(
        askAgainAfterStorageRace(kind, cli, removeArgs(ref, options.force === true), { timeout: QUERY_TIMEOUT }),
        ({ result, askedAgain }) =>
          fromEither(classifyRemove(kind, ref, result)).pipe(
            // a removal that raced may have removed the image before it failed: gone is what was asked
            Effect.catchTag("ImageNotFound", (error) => (askedAgain ? Effect.void : Effect.fail(error)))
          )
      ),
    pull,
    push: (ref) => Effect.flatMap(cli(pushArgs(ref)), (result) => fromEither(classifyPush(ref, result))),
    login: (request) =>
      Effect.flatMap(
        cli(loginArgs(request.registry, request.username), {
          stdin: new TextEncoder().encode(Redacted.value(request.password)),
          timeout: QUERY_TIMEOUT
        }),
        (result) => fromEither(classifyLogin(request, result))
      ),
    logout: (registry) =>
      Effect.flatMap(cli(logoutArgs(registry), { timeout: QUERY_TIMEOUT }), (result) =>
        result.exitCode === 0 || NOT_LOGGED_IN.test(decodeText(result.stderr))
          ? Effect.void
          : Effect.fail(failure(result))
      ),
    inspect: (ref) =>
      Effect.flatMap(query(inspectArgs(ref), { timeout: QUERY_TIMEOUT }), (result) =>
        Effect.zipRight(
          fromEither(classifyMissing(ref, result)),
          fromEither(decodeInspect(result.argv, decodeText(result.stdout)))
        )
      ),
    listLabeled: (filters) => listLabeled(query, labeledImages, filters),
    listByName: (name) =>
      Effect.flatMap(
        query(listByNameArgs(kind, name), { timeout: QUERY_TIMEOUT }),
        (result): Effect.Effect<ReadonlyArray<Ref>, CommandFailed | UnexpectedOutput> =>
          result.exitCode === 0
            ? fromEither(parseListByName(result.argv, name, decodeText(result.stdout)))
            : Effect.fail(failure(result))
      )
  }
}
