/**
 * Images: hashing and building build definitions (from a directory or from Dockerfile text, under
 * a fixed reference or a content-addressed tag; the definitions themselves are made with
 * `BuildDefinition`), and the image operations every runtime offers
 * (exists, build, pull, push, tag, remove, list by name, inspect, labels).
 *
 * A content-addressed image is `name:<64-hex>`, the tag being `ContentHash` of what the build
 * reads (context or instructions, Dockerfile path, build arguments, labels, stage, platform), so
 * `buildIfAbsent` builds only when that content has never been built: one hash, then one presence
 * probe.
 *
 * The functions here read the `ContainerRuntime` service from the context and call its `images`
 * operations, so the same program runs on Docker, Podman or an in-memory runtime.
 *
 * Notes:
 * - Build arguments go in argv as `--build-arg KEY=value`, as in ociman. A `Redacted` value is
 *   passed as `--build-arg KEY` with the value in the CLI's environment, so it shows in no
 *   process listing, span or error. It still ends up in the image's history (`docker history`),
 *   and a content-addressed tag hashes it: a short secret could be guessed from the tag. Prefer
 *   build secrets (`RUN --mount=type=secret`) through the `cli` escape hatch for real secrets.
 * - `dockerfile(path)` is relative to the context directory (or absolute, and may lie outside
 *   it), unlike `docker build -f`, which is relative to the current directory; the CLI gets an
 *   absolute path.
 * - `noCache` and `pullBase` change how a build runs, not what it is made of: they are not hashed.
 *
 * @example
 * ```ts
 * import { NodeContext, NodeRuntime } from "@effect/platform-node"
 * import { Console, Effect } from "effect"
 * import { BuildDefinition, ContainerRuntime, Image, ImageReference } from "ociman"
 *
 * const program = Effect.gen(function* () {
 *   const ref = yield* Image.buildIfAbsent(
 *     BuildDefinition.fromDirectory("./docker/db", { name: "my-org/db" }).pipe(
 *       BuildDefinition.buildArg("PG_MAJOR", "17"),
 *       BuildDefinition.label("com.example.role", "db")
 *     )
 *   )
 *   yield* Console.log(`ready: ${ImageReference.format(ref)}`)
 * })
 *
 * program.pipe(Effect.provide(ContainerRuntime.layerFromEnv), Effect.provide(NodeContext.layer), NodeRuntime.runMain)
 * ```
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { type Duration, Effect, type Redacted, type Scope, Stream } from "effect"
import type { CliError, OperationTimedOut, ProcessError, UnexpectedOutput } from "./CliError.js"
import type * as ContainerRuntime_ from "./ContainerRuntime.js"
import type {
  BuildOutput,
  BuildRequest,
  BuildRequestSource,
  ImageInspect,
  ImageOperations,
  PullEvent
} from "./ContainerRuntime.js"
import { ContainerRuntime } from "./internal/runtimeTag.js"
import * as ContentHash from "./ContentHash.js"
import {
  type BuildFailed,
  type ImageInUse,
  type ImageNotFound,
  InvalidBuildDefinition,
  type LoginFailed,
  type PullFailed,
  type PushFailed
} from "./ImageError.js"
import * as ImageReference from "./ImageReference.js"
import * as Label from "./Label.js"
import { bounded, boundedStream, deadlineOf, type Deadlines } from "./internal/deadline.js"
import { ownershipLabels, REFERENCE_LABEL, SESSION_LABEL } from "./internal/session.js"
import { builtReference } from "./internal/builtImage.js"
import { reveal, type Validated, validate } from "./internal/buildValidation.js"
import type { BuildDefinition, DefinitionError } from "./BuildDefinition.js"

// ---------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------

/**
 * The content tag of a definition and what was hashed.
 * @since 0.1.0
 * @category models
 */
export interface ContentTag {
  /** 64 lowercase hex characters. */
  readonly tag: string
  /** Files and symbolic links hashed (0 for instructions). */
  readonly files: number
  /** Bytes of file content hashed (the UTF-8 length of the instructions). */
  readonly bytes: number
}
/**
 * Options of hashing: a progress callback for large contexts.
 * @since 0.1.0
 * @category models
 */
export interface HashOptions {
  /** Called as the context is hashed (see `ContentHash.directory`); keep it quick. */
  readonly onProgress?: ((progress: ContentHash.Progress) => Effect.Effect<void>) | undefined
}
/**
 * A definition validated and hashed: the reference it builds and the request a runtime runs.
 * Get one with {@link prepare}; {@link build} and {@link buildIfAbsent} accept it, so a context is
 * hashed once however many times it is used.
 * @since 0.1.0
 * @category models
 */
export interface PreparedBuild {
  readonly _tag: "PreparedBuild"
  readonly reference: ImageReference.ImageReference
  readonly request: BuildRequest
  /** What was hashed, for a content-addressed target; `undefined` for a fixed one. */
  readonly hash: ContentTag | undefined
}
/**
 * Options of {@link build} and {@link buildIfAbsent}.
 * @since 0.1.0
 * @category models
 */
export interface BuildOptions extends HashOptions {
  /** Called with each line of build output, as it comes. */
  readonly onOutput?: ((output: BuildOutput) => Effect.Effect<void>) | undefined
  /** Kill the build (SIGTERM, then SIGKILL) when it runs longer than this. */
  readonly timeout?: Duration.DurationInput | undefined
}
/**
 * Every way a build can fail: an invalid definition, an unreadable context, or the build itself.
 * @since 0.1.0
 * @category errors
 */
export type BuildError = DefinitionError | ContentHash.DirectoryError | BuildFailed | ProcessError

const ensurePrepared = (
  def: BuildDefinition | PreparedBuild,
  options: BuildOptions
): Effect.Effect<PreparedBuild, DefinitionError | ContentHash.DirectoryError, FileSystem.FileSystem | Path.Path> =>
  def._tag === "PreparedBuild"
    ? Effect.succeed(
        options.timeout === undefined ? def : { ...def, request: { ...def.request, timeout: options.timeout } }
      )
    : prepare(def, options)

// ---------------------------------------------------------------------------------------------
// Validation and hashing
// ---------------------------------------------------------------------------------------------

const toReference = (input: string | ImageReference.ImageReference) =>
  Effect.suspend(() => ImageReference.fromInput(input))

const hashOf = (
  def: BuildDefinition,
  valid: Validated,
  options: HashOptions
): Effect.Effect<ContentTag, ContentHash.DirectoryError, FileSystem.FileSystem | Path.Path> => {
  const common = {
    buildArgs: valid.buildArgs.map(([k, v]) => [k, reveal(v)] as const),
    labels: valid.labels,
    target: valid.target,
    platform: valid.platform
  }
  if (def.source._tag === "Instructions") {
    const text = def.source.dockerfile
    return Effect.sync(() => ({
      tag: ContentHash.instructions({ dockerfile: text, ...common }),
      files: 0,
      bytes: new TextEncoder().encode(text).byteLength
    }))
  }
  return Effect.map(
    ContentHash.directory(def.source.context, {
      ...common,
      dockerfilePath: def.dockerfile,
      onProgress: options.onProgress
    }),
    ({ tag, files, bytes }) => ({ tag, files, bytes })
  )
}

/**
 * The content tag of a definition: what `name:<tag>` would be, whatever its target. Validates the
 * definition first.
 *
 * @example
 * ```ts
 * import { NodeContext } from "@effect/platform-node"
 * import { Effect } from "effect"
 * import { BuildDefinition, Image } from "ociman"
 *
 * const tag = Image.contentHash(BuildDefinition.fromInstructions("FROM busybox:1\n", { name: "x" })).pipe(
 *   Effect.map((hash) => hash.tag),
 *   Effect.provide(NodeContext.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const contentHash = (
  def: BuildDefinition,
  options: HashOptions = {}
): Effect.Effect<ContentTag, DefinitionError | ContentHash.DirectoryError, FileSystem.FileSystem | Path.Path> =>
  Effect.flatMap(validate(def), (valid) => hashOf(def, valid, options))

const contentAddressedReference = (
  input: string | ImageReference.ImageReference,
  tag: string
): Effect.Effect<ImageReference.ImageReference, ImageReference.InvalidImageReference | InvalidBuildDefinition> =>
  Effect.flatMap(
    toReference(input),
    (
      name
    ): Effect.Effect<ImageReference.ImageReference, ImageReference.InvalidImageReference | InvalidBuildDefinition> =>
      name.tag !== undefined || name.digest !== undefined
        ? Effect.fail(
            new InvalidBuildDefinition({
              field: "name",
              input: ImageReference.format(name),
              detail:
                "a content-addressed name takes no tag or digest (the tag is the content hash); pass { reference } for a fixed tag"
            })
          )
        : ImageReference.withTag(name, tag)
  )

/**
 * Validates a definition and computes its target reference (hashing the content for a
 * content-addressed target). Runs nothing.
 *
 * @example
 * ```ts
 * import { NodeContext } from "@effect/platform-node"
 * import { Effect } from "effect"
 * import { BuildDefinition, Image } from "ociman"
 *
 * const program = Effect.gen(function* () {
 *   const prepared = yield* Image.prepare(BuildDefinition.fromDirectory("./app", { name: "app" }))
 *   return prepared.reference
 * }).pipe(Effect.provide(NodeContext.layer))
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const prepare = (
  def: BuildDefinition,
  options: HashOptions & { readonly timeout?: Duration.DurationInput | undefined } = {}
): Effect.Effect<PreparedBuild, DefinitionError | ContentHash.DirectoryError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const valid = yield* validate(def)
    const image = def.image
    let hash: ContentTag | undefined = undefined
    let reference: ImageReference.ImageReference
    if (image._tag === "Fixed") {
      reference = yield* toReference(image.reference)
    } else {
      // Check the name before hashing a possibly large context.
      yield* contentAddressedReference(image.name, "0".repeat(64))
      hash = yield* hashOf(def, valid, options)
      reference = yield* contentAddressedReference(image.name, hash.tag)
    }
    const path = yield* Path.Path
    const source: BuildRequestSource =
      def.source._tag === "Instructions"
        ? { _tag: "Instructions", dockerfile: def.source.dockerfile }
        : {
            _tag: "Directory",
            context: path.resolve(def.source.context),
            dockerfile: def.dockerfile === undefined ? undefined : path.resolve(def.source.context, def.dockerfile)
          }
    const request: BuildRequest = {
      reference,
      source,
      buildArgs: valid.buildArgs,
      labels: valid.labels,
      target: valid.target,
      platform: valid.platform,
      noCache: def.noCache,
      pull: def.pull,
      timeout: options.timeout
    }
    const prepared: PreparedBuild = { _tag: "PreparedBuild", reference, request, hash }
    return prepared
  })

/**
 * The reference a definition builds, without building: the fixed reference, or
 * `name:<content hash>` (the context is hashed each time). Needs no runtime.
 *
 * @example
 * ```ts
 * import { NodeContext } from "@effect/platform-node"
 * import { Effect } from "effect"
 * import { BuildDefinition, Image, ImageReference } from "ociman"
 *
 * const ref = Image.targetReference(BuildDefinition.fromInstructions("FROM busybox:1\n", { name: "my/app" })).pipe(
 *   Effect.map(ImageReference.format), // "my/app:<64 hex>"
 *   Effect.provide(NodeContext.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const targetReference = (
  def: BuildDefinition,
  options: HashOptions = {}
): Effect.Effect<
  ImageReference.ImageReference,
  DefinitionError | ContentHash.DirectoryError,
  FileSystem.FileSystem | Path.Path
> => Effect.map(prepare(def, options), (prepared) => prepared.reference)

// ---------------------------------------------------------------------------------------------
// Building
// ---------------------------------------------------------------------------------------------

/**
 * Builds the image, streaming its output: the stream ends when the image is built and tagged
 * (its reference is `targetReference`), and fails with `BuildFailed` (exit code and last lines)
 * otherwise. Interrupting it kills the build.
 *
 * @example
 * ```ts
 * import { Console, Effect, Stream } from "effect"
 * import { BuildDefinition, Image } from "ociman"
 *
 * const logged = Image.buildStream(BuildDefinition.fromDirectory("./app", { name: "app" })).pipe(
 *   Stream.runForEach((output) => Console.log(output.line))
 * )
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const buildStream = (
  def: BuildDefinition | PreparedBuild,
  options: Omit<BuildOptions, "onOutput"> = {}
): Stream.Stream<BuildOutput, BuildError, ContainerRuntime | FileSystem.FileSystem | Path.Path> =>
  Stream.unwrap(
    Effect.flatMap(Effect.zip(ContainerRuntime, ensurePrepared(def, options)), ([runtime, ready]) =>
      Effect.succeed(runtime.images.build(withBuildDeadline(runtime, ready.request)))
    )
  )

/** The build's deadline is the process's own timeout (its error names the argv): the call's, else the runtime's. */
const withBuildDeadline = (runtime: ContainerRuntime_.Service, request: BuildRequest): BuildRequest => ({
  ...request,
  timeout: request.timeout ?? deadlineOf(runtime, "build")
})

/**
 * Builds the image (always) and returns its reference.
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { BuildDefinition, Image } from "ociman"
 *
 * const ref = Image.build(
 *   BuildDefinition.fromInstructions("FROM busybox:1\nRUN echo built > /built\n", { reference: "my/app:dev" }),
 *   { onOutput: (output) => Console.log(output.line) }
 * )
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const build = (
  def: BuildDefinition | PreparedBuild,
  options: BuildOptions = {}
): Effect.Effect<ImageReference.ImageReference, BuildError, ContainerRuntime | FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const runtime = yield* ContainerRuntime
    const ready = yield* ensurePrepared(def, options)
    const onOutput = options.onOutput
    yield* Stream.runForEach(runtime.images.build(withBuildDeadline(runtime, ready.request)), (output) =>
      onOutput === undefined ? Effect.void : onOutput(output)
    )
    return ready.reference
  })

/**
 * Builds only when the target is absent: validates and hashes, probes once, and builds if the
 * runtime says the image is not there. A failed probe is an error, never a reason to build.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { BuildDefinition, Image } from "ociman"
 *
 * const ref = Image.buildIfAbsent(BuildDefinition.fromDirectory("./docker/db", { name: "my-org/db" }))
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const buildIfAbsent = (
  def: BuildDefinition | PreparedBuild,
  options: BuildOptions = {}
): Effect.Effect<
  ImageReference.ImageReference,
  BuildError | CliError,
  ContainerRuntime | FileSystem.FileSystem | Path.Path
> =>
  Effect.gen(function* () {
    const ready = yield* ensurePrepared(def, options)
    if (yield* exists(ready.reference)) return ready.reference
    return yield* build(ready, options)
  })

/**
 * Builds a throwaway image that is removed when the scope closes, whatever happens (success,
 * failure, interruption, SIGINT/SIGTERM under `NodeRuntime.runMain`), and by the sweeper if the
 * process dies first. It needs a fixed reference (`{ reference }`): content-addressed images are a
 * cache shared across runs and processes, so they are never scoped (and never carry ownership
 * labels, which would change every build).
 *
 * The image carries the ownership labels (`ociman.managed`, `ociman.session`, …; not hashed) and
 * `ociman.reference`, the reference it was built under. Release removes that reference only while
 * it still names the image this scope built, and never forces: an image a container still uses
 * stays, with a warning.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { BuildDefinition, Container, ContainerDefinition as Def, Image } from "ociman"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function* () {
 *     const image = yield* Image.buildScoped(
 *       BuildDefinition.fromInstructions("FROM localhost/ociman-test/busybox:1\nRUN echo fixture > /fixture\n", {
 *         reference: "localhost/my-tests/fixture:1"
 *       })
 *     )
 *     return (yield* Container.run(Def.make(image).pipe(Def.withRemove, Def.command(["cat", "/fixture"])))).stdout
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const buildScoped = (
  def: BuildDefinition,
  options: BuildOptions = {}
): Effect.Effect<
  ImageReference.ImageReference,
  BuildError,
  ContainerRuntime | FileSystem.FileSystem | Path.Path | Scope.Scope
> =>
  Effect.gen(function* () {
    if (def.image._tag === "ContentAddressed") {
      return yield* new InvalidBuildDefinition({
        field: "name",
        input: typeof def.image.name === "string" ? def.image.name : ImageReference.format(def.image.name),
        detail:
          "a scoped image needs a fixed reference ({ reference }): content-addressed images are shared across runs and never removed with a scope"
      })
    }
    const runtime = yield* ContainerRuntime
    const ready = yield* prepare(def, options)
    const reference = ImageReference.format(ready.reference)
    const owned = ownershipLabels()
    // the ownership labels come last, so a user label cannot override them
    const labels = yield* Label.make([...ready.request.labels, ...owned, [REFERENCE_LABEL, reference]])
    // Registered before the build, so an interrupted build leaves nothing; it removes the reference
    // only if it names this scope's image (a failed build leaves someone else's image in place).
    yield* Effect.addFinalizer(() =>
      releaseBuilt(ready.reference, labels).pipe(
        Effect.provideService(ContainerRuntime, runtime),
        Effect.tapError((error) => Effect.logWarning(`ociman: could not remove image ${reference}: ${error.message}`)),
        Effect.ignore
      )
    )
    return yield* build({ ...ready, request: { ...ready.request, labels, intermediateLayers: false } }, options)
  }).pipe(Effect.withSpan("ociman.Image.buildScoped"))

/**
 * Removes the image {@link buildScoped} built under `reference` with `labels`, if the reference
 * still names it. Then it checks by listing the scope's labels, and removes once more what is left.
 * Why: under concurrent builds and removals, Podman's storage can answer "image not known" to an
 * inspect or a removal for an image that is there, or fail a removal as "in use" after it has
 * removed the image; its listings are asked again after such races (`cli/storageRace.ts`). So a
 * "not found" or "in use" answer is not taken as final: the listing decides.
 */
const releaseBuilt = (
  reference: ImageReference.ImageReference,
  labels: Label.Labels
): Effect.Effect<
  void,
  | ImageReference.InvalidImageReference
  | ImageInUse
  | ImageNotFound
  | CliError
  | UnexpectedOutput
  | OperationTimedOut
  | Label.InvalidInspectLabels,
  ContainerRuntime
> => {
  const wanted = new Map<string, string>(labels)
  const ours = (found: ReadonlyMap<string, string>) => [...wanted].every(([key, value]) => found.get(key) === value)
  const removeIfOurs = inspect(reference).pipe(
    Effect.flatMap((inspected) => (ours(inspected.labels) ? remove(reference) : Effect.void)),
    Effect.catchTags({ ImageNotFound: () => Effect.void, ImageInUse: () => Effect.void })
  )
  // the session and reference labels select this scope's image; `ours` compares the others
  const filters = labels
    .filter(([key]) => key === SESSION_LABEL || key === REFERENCE_LABEL)
    .map(([key, value]) => Label.exact(key, value))
  const left = Effect.flatMap(ContainerRuntime, (runtime) =>
    runtime.images
      .listLabeled(filters)
      .pipe(bounded(runtime, "query", "image.listLabeled", ImageReference.format(reference)))
  ).pipe(Effect.map((images) => images.some((image) => ours(image.labels) && builtReference(image) !== undefined)))
  return removeIfOurs.pipe(
    Effect.zipRight(left),
    // a second answer of "not found" after the listing saw the image is believed: it went meanwhile
    Effect.flatMap((stillThere) =>
      stillThere ? remove(reference).pipe(Effect.catchTag("ImageNotFound", () => Effect.void)) : Effect.void
    )
  )
}

// ---------------------------------------------------------------------------------------------
// Image operations
// ---------------------------------------------------------------------------------------------

/** Runs `f` on the runtime in context, bounded by the deadline of `kind` (the call's, the layer's, the default). */
const withRuntime = <A, E>(
  reference: string | ImageReference.ImageReference,
  kind: keyof Deadlines,
  operation: string,
  f: (images: ImageOperations, ref: ImageReference.ImageReference) => Effect.Effect<A, E>,
  perCall?: Duration.DurationInput | undefined
): Effect.Effect<A, E | OperationTimedOut | ImageReference.InvalidImageReference, ContainerRuntime> =>
  Effect.flatMap(Effect.zip(ContainerRuntime, toReference(reference)), ([runtime, ref]) =>
    f(runtime.images, ref).pipe(bounded(runtime, kind, `image.${operation}`, ImageReference.format(ref), perCall))
  )

/**
 * Whether the image is stored locally. `false` only when the runtime says it is absent: a
 * failing runtime (daemon down, storage error) is a `CommandFailed` error. Docker is asked with
 * `image ls --filter reference=<familiar form>` (so `docker.io/library/x:1` finds a stored
 * `x:1`), Podman with `image exists`. A reference with no tag means `:latest`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Image } from "ociman"
 *
 * const present = Image.exists("localhost/ociman-test/busybox:1") // Effect<boolean, …>
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const exists = (
  reference: string | ImageReference.ImageReference
): Effect.Effect<boolean, ImageReference.InvalidImageReference | CliError, ContainerRuntime> =>
  withRuntime(reference, "query", "exists", (images, ref) => images.exists(ref))

/**
 * Pulls the image. A registry that has no such image fails with `PullFailed` and reason
 * `NotFound`; refused credentials are `Unauthorized`, a registry that does not answer is
 * `Unreachable`, anything else `Other`. {@link pullStream} reports the progress.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Image } from "ociman"
 *
 * const pulled = Image.pull("postgres:17").pipe(Effect.catchTag("PullFailed", (e) => Effect.logWarning(e.message)))
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const pull = (
  reference: string | ImageReference.ImageReference,
  options: PullOptions = {}
): Effect.Effect<void, ImageReference.InvalidImageReference | PullFailed | ProcessError, ContainerRuntime> =>
  Stream.runDrain(pullStream(reference, options))

/**
 * Pulls the image and reports its progress as it comes: each layer's status, and the runtime's
 * other lines. The stream ends when the image is stored and fails as {@link pull} does.
 *
 * @example
 * ```ts
 * import { Console, Stream } from "effect"
 * import { Image } from "ociman"
 *
 * const shown = Image.pullStream("postgres:17").pipe(
 *   Stream.runForEach((event) => Console.error(event._tag === "Layer" ? `${event.layer} ${event.status}` : event.message))
 * )
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const pullStream = (
  reference: string | ImageReference.ImageReference,
  options: PullOptions = {}
): Stream.Stream<PullEvent, ImageReference.InvalidImageReference | PullFailed | ProcessError, ContainerRuntime> =>
  Stream.unwrap(
    Effect.map(Effect.zip(ContainerRuntime, toReference(reference)), ([runtime, ref]) =>
      runtime.images
        .pull(ref)
        .pipe(boundedStream(runtime, "pull", "image.pull", ImageReference.format(ref), options.timeout))
    )
  )

/**
 * Options of a pull or a push.
 * @since 0.1.0
 * @category models
 */
export interface PullOptions {
  /** Deadline (default: the runtime's `pull` or `push` deadline, 10 min): `OperationTimedOut` past it. */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * Pulls the image unless it is stored locally; returns whether it pulled. A failed presence
 * probe is an error and never leads to a pull.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Image } from "ociman"
 *
 * const ensured = Image.pullIfAbsent("postgres:17")
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const pullIfAbsent = (
  reference: string | ImageReference.ImageReference,
  options: PullOptions = {}
): Effect.Effect<boolean, ImageReference.InvalidImageReference | PullFailed | CliError, ContainerRuntime> =>
  Effect.flatMap(exists(reference), (present) =>
    present ? Effect.succeed(false) : Effect.as(pull(reference, options), true)
  )

/**
 * Pushes the image to its registry.
 *
 * @example
 * ```ts
 * import { Image } from "ociman"
 *
 * const pushed = Image.push("ghcr.io/org/app:1.2")
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const push = (
  reference: string | ImageReference.ImageReference,
  options: PullOptions = {}
): Effect.Effect<void, ImageReference.InvalidImageReference | PushFailed | ProcessError, ContainerRuntime> =>
  withRuntime(reference, "push", "push", (images, ref) => images.push(ref), options.timeout)

/**
 * Logs in to a registry, as `docker login` / `podman login` do: the credentials are stored for
 * later pulls and pushes of this runtime (in its usual credential store). The password reaches
 * the CLI on stdin, never in argv, spans or errors. Wrong credentials fail with `LoginFailed`
 * and reason `Unauthorized`, a registry that does not answer with `Unreachable`.
 *
 * @example
 * ```ts
 * import { Config, Effect } from "effect"
 * import { Image } from "ociman"
 *
 * const loggedIn = Effect.gen(function* () {
 *   const password = yield* Config.redacted("REGISTRY_PASSWORD")
 *   yield* Image.login("ghcr.io", { username: "ci-bot", password })
 * })
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const login = (
  registry: string,
  credentials: { readonly username: string; readonly password: Redacted.Redacted<string> }
): Effect.Effect<void, LoginFailed | ProcessError, ContainerRuntime> =>
  Effect.flatMap(ContainerRuntime, (runtime) =>
    runtime.images.login({ registry, ...credentials }).pipe(bounded(runtime, "registry", "image.login", registry))
  )

/**
 * Forgets the stored credentials for a registry; none stored is no error.
 *
 * @example
 * ```ts
 * import { Image } from "ociman"
 *
 * const loggedOut = Image.logout("ghcr.io")
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const logout = (registry: string): Effect.Effect<void, CliError, ContainerRuntime> =>
  Effect.flatMap(ContainerRuntime, (runtime) =>
    runtime.images.logout(registry).pipe(bounded(runtime, "registry", "image.logout", registry))
  )

/**
 * Gives the image `source` the additional name `target`.
 *
 * @example
 * ```ts
 * import { Image } from "ociman"
 *
 * const tagged = Image.tag("my/app:dev", "ghcr.io/org/app:1.2")
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const tag = (
  source: string | ImageReference.ImageReference,
  target: string | ImageReference.ImageReference
): Effect.Effect<void, ImageReference.InvalidImageReference | ImageNotFound | CliError, ContainerRuntime> =>
  Effect.flatMap(toReference(target), (to) =>
    withRuntime(source, "registry", "tag", (images, from) => images.tag(from, to))
  )

/**
 * Removes the name (and the image, once no name is left). Fails with `ImageNotFound` when there
 * is no such image and `ImageInUse` when a container uses it; `force` removes it anyway (Podman
 * also removes the containers that use it; Docker keeps them, with a dangling image ID).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Image } from "ociman"
 *
 * const removed = Image.remove("my/app:dev").pipe(Effect.catchTag("ImageNotFound", () => Effect.void))
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const remove = (
  reference: string | ImageReference.ImageReference,
  options: {
    readonly force?: boolean | undefined
    /** Deadline (default: the runtime's `remove` deadline, 30 s). */
    readonly timeout?: Duration.DurationInput | undefined
  } = {}
): Effect.Effect<
  void,
  ImageReference.InvalidImageReference | ImageNotFound | ImageInUse | CliError,
  ContainerRuntime
> =>
  withRuntime(
    reference,
    "remove",
    "remove",
    (images, ref) => images.remove(ref, { force: options.force }),
    options.timeout
  )

/**
 * Inspects the image, decoded (see `ContainerRuntime.ImageInspect`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Image } from "ociman"
 *
 * const created = Image.inspect("localhost/ociman-test/busybox:1").pipe(Effect.map((i) => i.created))
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const inspect = (
  reference: string | ImageReference.ImageReference
): Effect.Effect<
  ImageInspect,
  ImageReference.InvalidImageReference | ImageNotFound | CliError | UnexpectedOutput | Label.InvalidInspectLabels,
  ContainerRuntime
> => withRuntime(reference, "query", "inspect", (images, ref) => images.inspect(ref))

/**
 * The image's labels (`Config.Labels`), sorted by key.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Image } from "ociman"
 *
 * const role = Image.labelsOf("my/app:dev").pipe(Effect.map((labels) => labels.get("com.example.role")))
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const labelsOf = (
  reference: string | ImageReference.ImageReference
): Effect.Effect<
  ReadonlyMap<string, string>,
  ImageReference.InvalidImageReference | ImageNotFound | CliError | UnexpectedOutput | Label.InvalidInspectLabels,
  ContainerRuntime
> => Effect.map(inspect(reference), (inspected) => inspected.labels)

/**
 * Every stored `name:tag` of this name (see `ContainerRuntime.ImageOperations.listByName`), e.g. to clean
 * up every content-addressed build of a name.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Image } from "ociman"
 *
 * const removeAll = Image.listByName("my-org/db").pipe(
 *   Effect.flatMap(Effect.forEach((ref) => Image.remove(ref, { force: true })))
 * )
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const listByName = (
  name: string | ImageReference.ImageReference
): Effect.Effect<
  ReadonlyArray<ImageReference.ImageReference>,
  ImageReference.InvalidImageReference | CliError | UnexpectedOutput,
  ContainerRuntime
> => withRuntime(name, "query", "list", (images, ref) => images.listByName(ref))
