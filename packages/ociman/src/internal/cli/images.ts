/**
 * Image operations on the Docker and Podman CLIs: pure argv builders and output classifiers
 * (golden-tested), and `makeImageOperations`, which runs them through the service's `cli`.
 *
 * Dialect differences, by `backend.kind`:
 * - presence: Docker `image ls --filter reference=<familiar form> --quiet` (exit 0: present iff
 *   stdout is not empty; any other exit: failure), Podman `image exists -- <ref>` (0 present,
 *   1 absent, anything else: failure). Docker's filter compares the *familiar* form
 *   (`FamiliarMatch`), so a fully qualified `docker.io/library/x:1` never matches a stored `x:1`:
 *   the pattern is always the familiar form, glob characters escaped;
 * - remove: Podman's exit codes are documented (1 no such image, 2 in use); Docker exits 1 for
 *   everything, so its stderr is read;
 * - build `--pull`: Docker's flag is a boolean, Podman's takes a policy (`--pull=always`);
 * - build `--force-rm` on Docker: its classic builder otherwise leaves the failed step's container
 *   behind (Podman removes it by default; BuildKit creates none and accepts the flag).
 */
import { type CommandExecutor } from "@effect/platform"
import { type Context, Effect, Either, Redacted, Schedule, Schema, Stream } from "effect"
import type * as BuildArg from "../../BuildArg.js"
import { type CliError, type CommandFailed, type ProcessError, UnexpectedOutput } from "../../CliError.js"
import type { Backend, CliResult, Service } from "../../ContainerRuntime.js"
import { BuildFailed, ImageInUse, ImageNotFound, PullFailed, PushFailed } from "../../ImageError.js"
import * as ImageReference from "../../ImageReference.js"
import * as Label from "../../Label.js"
import { compareUtf8 } from "../bytes.js"
import { type LabeledKind, listLabeled } from "./labeled.js"
import { decodeText, failure, stream } from "./process.js"
import type {
  BuildOutput,
  BuildRequest,
  ImageInspect as Inspect,
  ImageOperations,
  ListedImage
} from "../../ContainerRuntime.js"

type Kind = Backend["kind"]
type Ref = ImageReference.ImageReference

// ---------------------------------------------------------------------------------------------
// argv builders (pure)
// ---------------------------------------------------------------------------------------------

/** `path.Match` metacharacters, escaped so that a reference is matched literally (`[::1]` hosts). */
const escapeGlob = (s: string): string => s.replace(/[[\]*?\\]/g, (c) => `\\${c}`)

/**
 * The pattern Docker's `reference` filter needs for exactly this image: the familiar form (the
 * filter does not normalize), `:latest` when neither tag nor digest is given (else every tag
 * would match), and only the digest when both are given (Docker resolves by digest).
 */
export const dockerReferencePattern = (ref: Ref): string => {
  const exact: Ref =
    ref.digest !== undefined ? { ...ref, tag: undefined } : ref.tag === undefined ? { ...ref, tag: "latest" } : ref
  return escapeGlob(ImageReference.familiar(exact))
}

/** The presence probe (inventory §1.1 `is_image_present`). */
export const existsArgs = (kind: Kind, ref: Ref): ReadonlyArray<string> =>
  kind === "docker"
    ? ["image", "ls", "--filter", `reference=${dockerReferencePattern(ref)}`, "--quiet"]
    : ["image", "exists", "--", ImageReference.format(ref)]

export const tagArgs = (source: Ref, target: Ref): ReadonlyArray<string> => [
  "image",
  "tag",
  ImageReference.format(source),
  ImageReference.format(target)
]

export const removeArgs = (ref: Ref, force: boolean): ReadonlyArray<string> => [
  "image",
  "rm",
  ...(force ? ["--force"] : []),
  ImageReference.format(ref)
]

export const pullArgs = (ref: Ref): ReadonlyArray<string> => ["image", "pull", ImageReference.format(ref)]

export const pushArgs = (ref: Ref): ReadonlyArray<string> => ["image", "push", ImageReference.format(ref)]

export const inspectArgs = (ref: Ref): ReadonlyArray<string> => ["image", "inspect", ImageReference.format(ref)]

const nameOnly = (ref: Ref): Ref => ({ ...ref, tag: undefined, digest: undefined })

/** `image list` of every tag of a name; the result still needs the client-side filter. */
export const listByNameArgs = (kind: Kind, name: Ref): ReadonlyArray<string> => [
  "image",
  "list",
  "--format",
  "{{.Repository}}:{{.Tag}}",
  "--filter",
  `reference=${kind === "docker" ? escapeGlob(ImageReference.familiar(nameOnly(name))) : ImageReference.format(nameOnly(name))}:*`
]

/** A build's argv, stdin, environment (secret build args) and values to redact. */
export interface BuildInvocation {
  readonly args: ReadonlyArray<string>
  readonly stdin: Uint8Array | undefined
  readonly env: Readonly<Record<string, string>>
  readonly secrets: ReadonlyArray<string>
}

const buildArgArgs = (
  buildArgs: ReadonlyArray<readonly [BuildArg.Key, string | Redacted.Redacted<string>]>
): ReadonlyArray<string> =>
  buildArgs.flatMap(([key, value]) => ["--build-arg", Redacted.isRedacted(value) ? key : `${key}=${value}`])

/**
 * `build --tag <ref> [--force-rm (Docker)] [--file F] [--target T] [--platform P] [--no-cache] [--layers=false (Podman)] [--pull] [--build-arg K=V]…
 * [--label K=V]… <context | ->`. A `Redacted` build argument is `--build-arg K` with `K` in the
 * CLI's environment (both CLIs read it from there).
 */
export const buildInvocation = (kind: Kind, request: BuildRequest): BuildInvocation => {
  const source = request.source
  const secretArgs = request.buildArgs.flatMap(([key, value]) =>
    Redacted.isRedacted(value) ? [[key, Redacted.value(value)] as const] : []
  )
  const args = [
    "build",
    "--tag",
    ImageReference.format(request.reference),
    ...(kind === "docker" ? ["--force-rm"] : []),
    ...(source._tag === "Directory" && source.dockerfile !== undefined ? ["--file", source.dockerfile] : []),
    ...(request.target === undefined ? [] : ["--target", request.target]),
    ...(request.platform === undefined ? [] : ["--platform", request.platform]),
    ...(request.noCache ? ["--no-cache"] : []),
    ...(kind === "podman" && request.intermediateLayers === false ? ["--layers=false"] : []),
    ...(request.pull ? [kind === "docker" ? "--pull" : "--pull=always"] : []),
    ...buildArgArgs(request.buildArgs),
    ...Label.toArgs(request.labels),
    source._tag === "Directory" ? source.context : "-"
  ]
  return {
    args,
    stdin: source._tag === "Instructions" ? new TextEncoder().encode(source.dockerfile) : undefined,
    env: Object.fromEntries(secretArgs),
    secrets: secretArgs.map(([, value]) => value)
  }
}

// ---------------------------------------------------------------------------------------------
// Output classifiers (pure)
// ---------------------------------------------------------------------------------------------

/** The exit-code rules of the presence probe (inventory §1.1). */
export const interpretExists = (kind: Kind, result: CliResult): Either.Either<boolean, CommandFailed> => {
  if (kind === "docker") {
    return result.exitCode === 0 ? Either.right(decodeText(result.stdout).trim() !== "") : Either.left(failure(result))
  }
  if (result.exitCode === 0) return Either.right(true)
  if (result.exitCode === 1) return Either.right(false)
  return Either.left(failure(result))
}

/** ociman's pull classification: `manifest unknown` in stderr is "not found", anything else "other". */
export const classifyPull = (reference: Ref, result: CliResult): Either.Either<void, PullFailed> => {
  if (result.exitCode === 0) return Either.void
  const stderr = decodeText(result.stderr)
  return Either.left(
    new PullFailed({
      reference: ImageReference.format(reference),
      reason: stderr.includes("manifest unknown") ? "NotFound" : "Other",
      argv: result.argv,
      exitCode: result.exitCode,
      stderr: stderr.trim()
    })
  )
}

export const classifyPush = (reference: Ref, result: CliResult): Either.Either<void, PushFailed> =>
  result.exitCode === 0
    ? Either.void
    : Either.left(
        new PushFailed({
          reference: ImageReference.format(reference),
          argv: result.argv,
          exitCode: result.exitCode,
          stderr: decodeText(result.stderr).trim()
        })
      )

/** Docker: `No such image: x`; Podman: `x: image not known`. */
const NOT_FOUND = /no such image|image not known/i
/** Docker's remove conflicts: `conflict: unable to remove repository reference … (must force)` / `(must be forced)`. */
const DOCKER_IN_USE = /conflict: unable to (?:remove|delete)|must force|must be forced|image is being used/i

/** `image tag` / `image inspect`: a missing image, or a failing runtime. */
export const classifyMissing = (
  reference: Ref,
  result: CliResult
): Either.Either<void, ImageNotFound | CommandFailed> => {
  if (result.exitCode === 0) return Either.void
  const stderr = decodeText(result.stderr)
  return NOT_FOUND.test(stderr)
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
  const notFound = kind === "podman" ? result.exitCode === 1 : NOT_FOUND.test(stderr)
  const inUse = kind === "podman" ? result.exitCode === 2 : DOCKER_IN_USE.test(stderr)
  if (notFound) return Either.left(new ImageNotFound({ image, stderr: stderr.trim() }))
  if (inUse) return Either.left(new ImageInUse({ image, stderr: stderr.trim() }))
  return Either.left(failure(result))
}

const StringList = Schema.NullOr(Schema.Array(Schema.String))
const OptionalString = Schema.optional(Schema.NullOr(Schema.String))
const InspectShape = Schema.Struct({
  Id: Schema.String,
  RepoTags: Schema.optional(StringList),
  RepoDigests: Schema.optional(StringList),
  Created: OptionalString,
  Size: Schema.optional(Schema.NullOr(Schema.Number)),
  Architecture: OptionalString,
  Os: OptionalString,
  Config: Schema.optional(
    Schema.NullOr(
      Schema.Struct({
        Env: Schema.optional(StringList),
        Cmd: Schema.optional(StringList),
        Entrypoint: Schema.optional(StringList),
        WorkingDir: OptionalString,
        User: OptionalString,
        ExposedPorts: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown })))
      })
    )
  )
})
const InspectOutput = Schema.parseJson(Schema.Array(Schema.Unknown))

const orUndefined = <A>(value: A | null | undefined): A | undefined => (value === null ? undefined : value)

/** Decodes `image inspect` stdout (a JSON array holding one object). */
export const decodeInspect = (
  argv: ReadonlyArray<string>,
  stdout: string
): Either.Either<Inspect, UnexpectedOutput | Label.InvalidInspectLabels> => {
  const unexpected = (expected: string) => new UnexpectedOutput({ argv, expected, output: stdout })
  return Either.gen(function* () {
    const array = yield* Either.mapLeft(Schema.decodeUnknownEither(InspectOutput)(stdout), () =>
      unexpected("a JSON array")
    )
    const raw = array[0]
    if (raw === undefined) return yield* Either.left(unexpected("one inspect object"))
    const shape = yield* Either.mapLeft(Schema.decodeUnknownEither(InspectShape)(raw), (error) =>
      unexpected(`an image inspect object (${error.message})`)
    )
    const labels = yield* Label.decode(raw)
    const config = orUndefined(shape.Config)
    const inspected: Inspect = {
      id: shape.Id.includes(":") ? shape.Id : `sha256:${shape.Id}`,
      repoTags: orUndefined(shape.RepoTags) ?? [],
      repoDigests: orUndefined(shape.RepoDigests) ?? [],
      created: orUndefined(shape.Created),
      size: orUndefined(shape.Size),
      architecture: orUndefined(shape.Architecture),
      os: orUndefined(shape.Os),
      labels,
      env: orUndefined(config?.Env) ?? [],
      cmd: orUndefined(config?.Cmd),
      entrypoint: orUndefined(config?.Entrypoint),
      workingDir: orUndefined(config?.WorkingDir),
      user: orUndefined(config?.User),
      exposedPorts: Object.keys(orUndefined(config?.ExposedPorts) ?? {}),
      raw
    }
    return inspected
  })
}

const DOCKER_HUB = "docker.io"
const OFFICIAL = "library/"

/** Registry and path as Docker would read them, with `library/` dropped from official images. */
const nameKey = (ref: Ref): { readonly domain: string | undefined; readonly path: string } => {
  const normalized = ImageReference.parse(ImageReference.normalize(nameOnly(ref)))
  const { domain, path } = Either.isRight(normalized) ? normalized.right : ref
  const official = domain === DOCKER_HUB && path.startsWith(OFFICIAL) && !path.slice(OFFICIAL.length).includes("/")
  return { domain, path: official ? path.slice(OFFICIAL.length) : path }
}

/**
 * Whether a listed reference has the requested name: the path must be equal, and the registry
 * too when the request names one. Without a registry any registry matches, because Podman stores
 * local images under `localhost/` (ociman ignores the domain always; this keeps it when given).
 */
export const matchesName = (name: Ref, candidate: Ref): boolean => {
  const wanted = nameKey(name)
  const found = nameKey(candidate)
  return wanted.path === found.path && (name.domain === undefined || wanted.domain === found.domain)
}

/**
 * Parses `image list --format {{.Repository}}:{{.Tag}}` output and keeps the references with this
 * name (Podman's filter also returns every other tag of the same image ID, containers/common#2413).
 * Untagged (`<none>`) entries are skipped.
 */
export const parseListByName = (
  argv: ReadonlyArray<string>,
  name: Ref,
  stdout: string
): Either.Either<ReadonlyArray<Ref>, UnexpectedOutput> =>
  Either.gen(function* () {
    const found = new Map<string, Ref>()
    for (const raw of stdout.split("\n")) {
      const line = raw.trim()
      if (line === "" || line.includes("<none>")) continue
      const ref = yield* Either.mapLeft(
        ImageReference.parse(line),
        (error) =>
          new UnexpectedOutput({ argv, expected: `one image reference per line (${error.message})`, output: line })
      )
      if (matchesName(name, ref)) found.set(ImageReference.format(ref), ref)
    }
    return Array.from(found.entries())
      .sort(([a], [b]) => compareUtf8(a, b))
      .map(([, ref]) => ref)
  })

const decodeRepoTags = Schema.decodeUnknownEither(Schema.parseJson(StringList))

/** `image inspect` lines for `listLabeled`: ID, `RepoTags` as JSON, labels. */
export const labeledImages: LabeledKind<ListedImage> = {
  list: ["image", "ls"],
  inspect: ["image", "inspect"],
  template: "{{.Id}}\t{{json .RepoTags}}\t{{json .Config.Labels}}",
  parse: ([id, tags], labels) => {
    const references = decodeRepoTags(tags ?? "")
    return id === undefined || Either.isLeft(references)
      ? Either.left("ID and RepoTags as a JSON array")
      : Either.right({ id, references: references.right ?? [], labels })
  },
  notFound: /no such image|image not known|no such object/i
}

// ---------------------------------------------------------------------------------------------
// The operations
// ---------------------------------------------------------------------------------------------

/**
 * Queries and tag changes (exists, tag, remove, inspect, list) answer in well under a second; a CLI
 * still running after this waits on an engine that hangs, and is killed with `CommandTimedOut`.
 */
const QUERY_TIMEOUT = "60 seconds"

/**
 * Docker's classic builder reuses cached parent images that are untagged, and `image rm` of an
 * image prunes its untagged parents once it was their last child: a build that has just taken one
 * from the cache while a sibling image is removed (another scope's release, a sweep) fails with
 * one of these. Podman (buildah) can lose a cached layer the same way while committing a step
 * ("layer not known"). Built again, it finds the cache as it is now.
 */
const PARENT_VANISHED =
  /failed to get digest sha256:[0-9a-f]+:.*no such file or directory|no such image: sha256:[0-9a-f]+|committing the finished image: .*layer not known/i

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
  backend: Backend,
  cli: Service["cli"],
  platform: Context.Context<CommandExecutor.CommandExecutor>
): ImageOperations => {
  const kind = backend.kind
  const fromEither = <A, E>(either: Either.Either<A, E>): Effect.Effect<A, E> => either

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

  const exists = (ref: Ref): Effect.Effect<boolean, CliError> =>
    Effect.flatMap(cli(existsArgs(kind, ref), { timeout: QUERY_TIMEOUT }), (result) =>
      fromEither(interpretExists(kind, result))
    )

  return {
    exists,
    build,
    tag: (source, target) =>
      Effect.flatMap(cli(tagArgs(source, target), { timeout: QUERY_TIMEOUT }), (result) =>
        fromEither(classifyMissing(source, result))
      ),
    remove: (ref, options = {}) =>
      Effect.flatMap(cli(removeArgs(ref, options.force === true), { timeout: QUERY_TIMEOUT }), (result) =>
        fromEither(classifyRemove(kind, ref, result))
      ),
    pull: (ref) => Effect.flatMap(cli(pullArgs(ref)), (result) => fromEither(classifyPull(ref, result))),
    push: (ref) => Effect.flatMap(cli(pushArgs(ref)), (result) => fromEither(classifyPush(ref, result))),
    inspect: (ref) =>
      Effect.flatMap(cli(inspectArgs(ref), { timeout: QUERY_TIMEOUT }), (result) =>
        Effect.zipRight(
          fromEither(classifyMissing(ref, result)),
          fromEither(decodeInspect(result.argv, decodeText(result.stdout)))
        )
      ),
    listLabeled: (filters) => listLabeled(cli, labeledImages, filters),
    listByName: (name) =>
      Effect.flatMap(
        cli(listByNameArgs(kind, name), { timeout: QUERY_TIMEOUT }),
        (result): Effect.Effect<ReadonlyArray<Ref>, CommandFailed | UnexpectedOutput> =>
          result.exitCode === 0
            ? fromEither(parseListByName(result.argv, name, decodeText(result.stdout)))
            : Effect.fail(failure(result))
      )
  }
}
