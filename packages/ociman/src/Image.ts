/**
 * Images: build definitions (from a directory or from Dockerfile text, under a fixed reference or
 * a content-addressed tag), and the image operations every runtime offers (exists, build, pull,
 * push, tag, remove, list by name, inspect, labels).
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
 * import { ContainerRuntime, Image } from "ociman"
 *
 * const program = Effect.gen(function* () {
 *   const ref = yield* Image.buildIfAbsent(
 *     Image.fromDirectory("./docker/db", { name: "my-org/db" }).pipe(
 *       Image.buildArg("PG_MAJOR", "17"),
 *       Image.label("com.example.role", "db")
 *     )
 *   )
 *   yield* Console.log(`ready: ${Image.format(ref)}`)
 * })
 *
 * program.pipe(Effect.provide(ContainerRuntime.layerFromEnv), Effect.provide(NodeContext.layer), NodeRuntime.runMain)
 * ```
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Data, type Duration, Effect, Redacted, type Scope, Stream } from "effect"
import { dual } from "effect/Function"
import { type Pipeable, pipeArguments } from "effect/Pipeable"
import * as BuildArg from "./BuildArg.js"
import type { CliError, ProcessError, UnexpectedOutput } from "./CliError.js"
import { ContainerRuntime } from "./ContainerRuntime.js"
import * as ContentHash from "./ContentHash.js"
import {
  type BuildFailed,
  type ImageInUse,
  type ImageNotFound,
  InvalidBuildDefinition,
  type PullFailed,
  type PushFailed
} from "./ImageError.js"
import * as ImageReference from "./ImageReference.js"
import * as Label from "./Label.js"
import { entriesOf as pairs, hasLoneSurrogate, hasNul } from "./internal/bytes.js"
import { ownershipLabels, REFERENCE_LABEL } from "./internal/session.js"

// ---------------------------------------------------------------------------------------------
// Operation level: what a runtime implements
// ---------------------------------------------------------------------------------------------

/**
 * A build, ready to run: validated values only. The runtime tags the result as `reference`.
 * @since 0.1.0
 */
export interface BuildRequest {
  readonly reference: ImageReference.ImageReference
  readonly source: BuildRequestSource
  /** Sorted by key, each key once; a `Redacted` value is kept out of argv. */
  readonly buildArgs: ReadonlyArray<readonly [BuildArg.Key, string | Redacted.Redacted<string>]>
  readonly labels: Label.Labels
  /** `--target`: the stage to build. */
  readonly target: string | undefined
  /** `--platform`, e.g. `linux/arm64`. */
  readonly platform: string | undefined
  readonly noCache: boolean
  /** Always try to pull a newer base image. */
  readonly pull: boolean
  /** Kill the build (SIGTERM, then SIGKILL) when it runs longer than this. */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * `false`: keep no intermediate images (Podman `--layers=false`). Podman's layer cache ignores
   * `--label`, so the intermediate images of a build with per-session labels would be reused by
   * other sessions' builds, and outlive the image they were built for. Docker's builder keeps
   * `--label` off its intermediate images and needs nothing. Default `true`.
   */
  readonly intermediateLayers?: boolean | undefined
}

/**
 * Where a build reads its Dockerfile and context: a directory (with an absolute Dockerfile path,
 * or the runtime's default `Dockerfile` in it), or Dockerfile text sent on stdin with no context.
 * @since 0.1.0
 */
export type BuildRequestSource =
  | { readonly _tag: "Directory"; readonly context: string; readonly dockerfile: string | undefined }
  | { readonly _tag: "Instructions"; readonly dockerfile: string }

/**
 * One line of build output, without its line ending.
 * @since 0.1.0
 */
export interface BuildOutput {
  readonly stream: "stdout" | "stderr"
  readonly line: string
}

/**
 * What `image inspect` says about an image, decoded. Docker and Podman agree on these fields;
 * anything else is in `raw`.
 * @since 0.1.0
 */
export interface Inspect {
  /** The image ID as `sha256:<hex>` on both runtimes (Podman prints it without the prefix). */
  readonly id: string
  readonly repoTags: ReadonlyArray<string>
  readonly repoDigests: ReadonlyArray<string>
  readonly created: string | undefined
  /** Bytes. */
  readonly size: number | undefined
  readonly architecture: string | undefined
  readonly os: string | undefined
  /** `Config.Labels`, sorted by key (Podman adds `io.buildah.version` to images it builds). */
  readonly labels: ReadonlyMap<string, string>
  readonly env: ReadonlyArray<string>
  readonly cmd: ReadonlyArray<string> | undefined
  readonly entrypoint: ReadonlyArray<string> | undefined
  readonly workingDir: string | undefined
  readonly user: string | undefined
  /** `Config.ExposedPorts` keys, e.g. `5432/tcp`. */
  readonly exposedPorts: ReadonlyArray<string>
  /** The whole inspect object. */
  readonly raw: unknown
}

/**
 * An image found by listing, with its labels.
 * @since 0.1.0
 */
export interface ListedImage {
  /** The image ID, as the runtime prints it (Docker with `sha256:`, Podman without). */
  readonly id: string
  /** Its `name:tag` references (`RepoTags`); empty for an untagged image. */
  readonly references: ReadonlyArray<string>
  readonly labels: ReadonlyMap<string, string>
}

/**
 * The image operations of a runtime (the `images` field of `ContainerRuntime.Service`). Docker,
 * Podman and the in-memory runtime implement them. "Absent" is only ever reported when the
 * runtime says so; a runtime that fails (daemon down, storage error) is a `CliError`.
 *
 * @example
 * ```ts
 * import { Effect, Either } from "effect"
 * import { ContainerRuntime, ImageReference } from "ociman"
 *
 * const present = Effect.gen(function* () {
 *   const runtime = yield* ContainerRuntime.ContainerRuntime
 *   return yield* runtime.images.exists(Either.getOrThrow(ImageReference.parse("busybox:1")))
 * })
 * ```
 *
 * @since 0.1.0
 */
export interface ImageOperations {
  /** Whether the image is stored locally. */
  readonly exists: (reference: ImageReference.ImageReference) => Effect.Effect<boolean, CliError>
  /** Runs a build; the stream ends when the image is built and tagged, and fails if the build fails. */
  readonly build: (request: BuildRequest) => Stream.Stream<BuildOutput, BuildFailed | ProcessError>
  /** Adds `target` as another name of `source`. */
  readonly tag: (
    source: ImageReference.ImageReference,
    target: ImageReference.ImageReference
  ) => Effect.Effect<void, ImageNotFound | CliError>
  /** Removes a name (and the image once no name is left); `force` also removes images in use. */
  readonly remove: (
    reference: ImageReference.ImageReference,
    options?: { readonly force?: boolean | undefined }
  ) => Effect.Effect<void, ImageNotFound | ImageInUse | CliError>
  readonly pull: (reference: ImageReference.ImageReference) => Effect.Effect<void, PullFailed | ProcessError>
  readonly push: (reference: ImageReference.ImageReference) => Effect.Effect<void, PushFailed | ProcessError>
  readonly inspect: (
    reference: ImageReference.ImageReference
  ) => Effect.Effect<Inspect, ImageNotFound | CliError | UnexpectedOutput | Label.InvalidInspectLabels>
  /**
   * Every stored `name:tag` with this name (its tag and digest are ignored). The path must match
   * exactly; the registry must match when `name` has one, and is ignored when it has none (Podman
   * stores local images under `localhost/`). Sorted, without duplicates or untagged images.
   */
  readonly listByName: (
    name: ImageReference.ImageReference
  ) => Effect.Effect<ReadonlyArray<ImageReference.ImageReference>, CliError | UnexpectedOutput>
  /** The images whose labels match every filter, with their labels (for the sweeper); untagged ones too. */
  readonly listLabeled: (
    filters: ReadonlyArray<Label.Filter>
  ) => Effect.Effect<ReadonlyArray<ListedImage>, CliError | UnexpectedOutput>
}

// ---------------------------------------------------------------------------------------------
// Build definitions
// ---------------------------------------------------------------------------------------------

/**
 * Where a build definition reads from.
 * @since 0.1.0
 */
export type Source =
  | { readonly _tag: "Directory"; readonly context: string }
  | { readonly _tag: "Instructions"; readonly dockerfile: string }

/**
 * How a built image is named: a fixed reference, or a name whose tag is the content hash.
 * @since 0.1.0
 */
export type ImageTarget =
  | { readonly _tag: "Fixed"; readonly reference: string | ImageReference.ImageReference }
  | { readonly _tag: "ContentAddressed"; readonly name: string | ImageReference.ImageReference }

/**
 * The target given to `fromDirectory` / `fromInstructions`: `{ name }` for `name:<content hash>`,
 * `{ reference }` for a fixed reference.
 * @since 0.1.0
 */
export type TargetInput =
  | { readonly name: string | ImageReference.ImageReference; readonly reference?: undefined }
  | { readonly reference: string | ImageReference.ImageReference; readonly name?: undefined }

/**
 * The fields of a {@link BuildDefinition}.
 * @since 0.1.0
 */
export interface BuildDefinitionFields {
  readonly source: Source
  readonly image: ImageTarget
  /** Dockerfile path relative to a directory context (or absolute); `undefined`: `<context>/Dockerfile`. */
  readonly dockerfile: string | undefined
  /** In the order given; the later value of a key wins. */
  readonly buildArgs: ReadonlyArray<readonly [string, string | Redacted.Redacted<string>]>
  /** In the order given; the later value of a key wins. */
  readonly labels: ReadonlyArray<readonly [string, string]>
  /** `--target` stage. */
  readonly target: string | undefined
  readonly platform: string | undefined
  readonly noCache: boolean
  readonly pull: boolean
}

/**
 * What to build: an immutable value with structural equality (two equal definitions are
 * `Equal`). Change it with the pipeable combinators; nothing is validated until it is hashed or
 * built.
 *
 * @example
 * ```ts
 * import { Equal } from "effect"
 * import { Image } from "ociman"
 *
 * const a = Image.fromDirectory("./app", { name: "app" }).pipe(Image.buildArg("VERSION", "1"))
 * const b = Image.fromDirectory("./app", { name: "app" }).pipe(Image.buildArg("VERSION", "1"))
 * Equal.equals(a, b) // true
 * ```
 *
 * @since 0.1.0
 */
export class BuildDefinition extends Data.Class<BuildDefinitionFields> implements Pipeable {
  readonly _tag = "BuildDefinition"
  declare readonly pipe: Pipeable["pipe"]
}
// On the prototype, not the instance, so structural equality compares only the fields.
Object.defineProperty(BuildDefinition.prototype, "pipe", {
  value(this: BuildDefinition) {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }
})

const toTarget = (input: TargetInput): ImageTarget =>
  input.name !== undefined
    ? Data.struct({ _tag: "ContentAddressed", name: input.name })
    : Data.struct({ _tag: "Fixed", reference: input.reference })

const makeDefinition = (source: Source, target: TargetInput): BuildDefinition =>
  new BuildDefinition({
    source,
    image: toTarget(target),
    dockerfile: undefined,
    buildArgs: Data.array([]),
    labels: Data.array([]),
    target: undefined,
    platform: undefined,
    noCache: false,
    pull: false
  })

const update = (self: BuildDefinition, patch: Partial<BuildDefinitionFields>): BuildDefinition =>
  new BuildDefinition({
    source: self.source,
    image: self.image,
    dockerfile: self.dockerfile,
    buildArgs: self.buildArgs,
    labels: self.labels,
    target: self.target,
    platform: self.platform,
    noCache: self.noCache,
    pull: self.pull,
    ...patch
  })

/**
 * A build of the directory `context` (its `Dockerfile`, unless `dockerfile` says otherwise).
 * With `{ name }` the image is `name:<content hash of the context>`; with `{ reference }` it is
 * that reference.
 *
 * @example
 * ```ts
 * import { Image } from "ociman"
 *
 * const hashed = Image.fromDirectory("./docker/db", { name: "my-org/db" })
 * const fixed = Image.fromDirectory("./docker/db", { reference: "my-org/db:dev" })
 * ```
 *
 * @since 0.1.0
 */
export const fromDirectory = (context: string, target: TargetInput): BuildDefinition =>
  makeDefinition(Data.struct({ _tag: "Directory", context }), target)

/**
 * A build of Dockerfile text, sent on stdin with no context (so `COPY` has nothing to copy).
 *
 * @example
 * ```ts
 * import { Image } from "ociman"
 *
 * const def = Image.fromInstructions("FROM busybox:1\nRUN echo hi > /hi\n", { name: "my-org/hi" })
 * ```
 *
 * @since 0.1.0
 */
export const fromInstructions = (dockerfile: string, target: TargetInput): BuildDefinition =>
  makeDefinition(Data.struct({ _tag: "Instructions", dockerfile }), target)

/**
 * Sets a build argument (`ARG`); a later value for the same key wins. A `Redacted` value stays
 * out of argv (see the module notes).
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import { Image } from "ociman"
 *
 * const def = Image.fromDirectory("./app", { name: "app" }).pipe(
 *   Image.buildArg("VERSION", "1.2.3"),
 *   Image.buildArg("NPM_TOKEN", Redacted.make("s3cr3t"))
 * )
 * ```
 *
 * @since 0.1.0
 */
export const buildArg: {
  (key: string, value: string | Redacted.Redacted<string>): (self: BuildDefinition) => BuildDefinition
  (self: BuildDefinition, key: string, value: string | Redacted.Redacted<string>): BuildDefinition
} = dual(3, (self: BuildDefinition, key: string, value: string | Redacted.Redacted<string>): BuildDefinition =>
  update(self, { buildArgs: Data.array([...self.buildArgs, Data.tuple(key, value)]) })
)

/**
 * Sets several build arguments, from a record or pairs.
 *
 * @example
 * ```ts
 * import { Image } from "ociman"
 *
 * const def = Image.fromDirectory("./app", { name: "app" }).pipe(Image.buildArgs({ A: "1", B: "2" }))
 * ```
 *
 * @since 0.1.0
 */
export const buildArgs: {
  (
    args:
      | Readonly<Record<string, string | Redacted.Redacted<string>>>
      | Iterable<readonly [string, string | Redacted.Redacted<string>]>
  ): (self: BuildDefinition) => BuildDefinition
  (
    self: BuildDefinition,
    args:
      | Readonly<Record<string, string | Redacted.Redacted<string>>>
      | Iterable<readonly [string, string | Redacted.Redacted<string>]>
  ): BuildDefinition
} = dual(
  2,
  (
    self: BuildDefinition,
    args:
      | Readonly<Record<string, string | Redacted.Redacted<string>>>
      | Iterable<readonly [string, string | Redacted.Redacted<string>]>
  ): BuildDefinition =>
    update(self, {
      buildArgs: Data.array([...self.buildArgs, ...pairs(args).map(([k, v]) => Data.tuple(k, v))])
    })
)

/**
 * Sets an image label (`--label`); a later value for the same key wins. Labels are part of the
 * content hash, as in ociman.
 *
 * @example
 * ```ts
 * import { Image } from "ociman"
 *
 * const def = Image.fromInstructions("FROM busybox:1\n", { name: "x" }).pipe(Image.label("com.example.role", "db"))
 * ```
 *
 * @since 0.1.0
 */
export const label: {
  (key: string, value: string): (self: BuildDefinition) => BuildDefinition
  (self: BuildDefinition, key: string, value: string): BuildDefinition
} = dual(3, (self: BuildDefinition, key: string, value: string): BuildDefinition =>
  update(self, { labels: Data.array([...self.labels, Data.tuple(key, value)]) })
)

/**
 * Sets several labels, from a record or pairs.
 *
 * @example
 * ```ts
 * import { Image } from "ociman"
 *
 * const def = Image.fromInstructions("FROM busybox:1\n", { name: "x" }).pipe(Image.labels({ a: "1", b: "2" }))
 * ```
 *
 * @since 0.1.0
 */
export const labels: {
  (
    labels: Readonly<Record<string, string>> | Iterable<readonly [string, string]>
  ): (self: BuildDefinition) => BuildDefinition
  (
    self: BuildDefinition,
    labels: Readonly<Record<string, string>> | Iterable<readonly [string, string]>
  ): BuildDefinition
} = dual(
  2,
  (
    self: BuildDefinition,
    input: Readonly<Record<string, string>> | Iterable<readonly [string, string]>
  ): BuildDefinition =>
    update(self, { labels: Data.array([...self.labels, ...pairs(input).map(([k, v]) => Data.tuple(k, v))]) })
)

/**
 * Builds this stage of a multi-stage Dockerfile (`--target`). Hashed.
 *
 * @example
 * ```ts
 * import { Image } from "ociman"
 *
 * const def = Image.fromDirectory("./app", { name: "app" }).pipe(Image.target("runtime"))
 * ```
 *
 * @since 0.1.0
 */
export const target: {
  (stage: string): (self: BuildDefinition) => BuildDefinition
  (self: BuildDefinition, stage: string): BuildDefinition
} = dual(2, (self: BuildDefinition, stage: string): BuildDefinition => update(self, { target: stage }))

/**
 * Builds for this platform (`--platform`, e.g. `linux/arm64`). Hashed.
 *
 * @example
 * ```ts
 * import { Image } from "ociman"
 *
 * const def = Image.fromDirectory("./app", { name: "app" }).pipe(Image.platform("linux/amd64"))
 * ```
 *
 * @since 0.1.0
 */
export const platform: {
  (platform: string): (self: BuildDefinition) => BuildDefinition
  (self: BuildDefinition, platform: string): BuildDefinition
} = dual(2, (self: BuildDefinition, value: string): BuildDefinition => update(self, { platform: value }))

/**
 * Uses this Dockerfile instead of `<context>/Dockerfile`: a path relative to the context
 * directory, or an absolute path (inside or outside the context). Only for directory builds.
 * Hashed, and its content too when it lies outside the context.
 *
 * @example
 * ```ts
 * import { Image } from "ociman"
 *
 * const def = Image.fromDirectory("./app", { name: "app" }).pipe(Image.dockerfile("docker/Dockerfile.prod"))
 * ```
 *
 * @since 0.1.0
 */
export const dockerfile: {
  (path: string): (self: BuildDefinition) => BuildDefinition
  (self: BuildDefinition, path: string): BuildDefinition
} = dual(2, (self: BuildDefinition, path: string): BuildDefinition => update(self, { dockerfile: path }))

/**
 * Builds without the layer cache (`--no-cache`). Not hashed.
 *
 * @example
 * ```ts
 * import { Image } from "ociman"
 *
 * const def = Image.fromDirectory("./app", { reference: "app:dev" }).pipe(Image.noCache)
 * ```
 *
 * @since 0.1.0
 */
export const noCache = (self: BuildDefinition): BuildDefinition => update(self, { noCache: true })

/**
 * Always tries to pull a newer version of the base images (Docker `--pull`, Podman
 * `--pull=always`; the build fails when the registry cannot be reached). Not hashed. (Named
 * `pullBase` because `Image.pull` pulls an image.)
 *
 * @example
 * ```ts
 * import { Image } from "ociman"
 *
 * const def = Image.fromDirectory("./app", { reference: "app:dev" }).pipe(Image.pullBase)
 * ```
 *
 * @since 0.1.0
 */
export const pullBase = (self: BuildDefinition): BuildDefinition => update(self, { pull: true })

/**
 * Names the result `reference`, whatever the content.
 *
 * @example
 * ```ts
 * import { Image } from "ociman"
 *
 * const def = Image.fromDirectory("./app", { name: "app" }).pipe(Image.tagged("app:dev"))
 * ```
 *
 * @since 0.1.0
 */
export const tagged: {
  (reference: string | ImageReference.ImageReference): (self: BuildDefinition) => BuildDefinition
  (self: BuildDefinition, reference: string | ImageReference.ImageReference): BuildDefinition
} = dual(2, (self: BuildDefinition, reference: string | ImageReference.ImageReference): BuildDefinition =>
  update(self, { image: toTarget({ reference }) })
)

/**
 * Names the result `name:<content hash>`.
 *
 * @example
 * ```ts
 * import { Image } from "ociman"
 *
 * const def = Image.fromDirectory("./app", { reference: "app:dev" }).pipe(Image.contentAddressed("ghcr.io/org/app"))
 * ```
 *
 * @since 0.1.0
 */
export const contentAddressed: {
  (name: string | ImageReference.ImageReference): (self: BuildDefinition) => BuildDefinition
  (self: BuildDefinition, name: string | ImageReference.ImageReference): BuildDefinition
} = dual(2, (self: BuildDefinition, name: string | ImageReference.ImageReference): BuildDefinition =>
  update(self, { image: toTarget({ name }) })
)

// ---------------------------------------------------------------------------------------------
// Validation and hashing
// ---------------------------------------------------------------------------------------------

/**
 * Any way a definition can be invalid.
 * @since 0.1.0
 */
export type DefinitionError =
  ImageReference.InvalidImageReference | BuildArg.InvalidBuildArg | Label.InvalidLabel | InvalidBuildDefinition

/**
 * The content tag of a definition and what was hashed.
 * @since 0.1.0
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
 */
export interface HashOptions {
  /** Called as the context is hashed (see `ContentHash.directory`); keep it quick. */
  readonly onProgress?: ((progress: ContentHash.Progress) => Effect.Effect<void>) | undefined
}

const toReference = (input: string | ImageReference.ImageReference) =>
  typeof input === "string" ? ImageReference.parseEffect(input) : Effect.succeed(input)

/** Stage names and platforms: one argv word that cannot be read as a flag. */
const checkWord = (
  field: string,
  input: string | undefined
): Effect.Effect<string | undefined, InvalidBuildDefinition> => {
  if (input === undefined) return Effect.succeed(undefined)
  // eslint-disable-next-line no-control-regex
  if (input.length === 0 || /[\s\u0000-\u001f\u007f]/.test(input) || input.startsWith("-") || hasLoneSurrogate(input)) {
    return Effect.fail(
      new InvalidBuildDefinition({
        field,
        input,
        detail: "must be a non-empty word with no whitespace or control characters, not starting with '-'"
      })
    )
  }
  return Effect.succeed(input)
}

interface Validated {
  readonly buildArgs: ReadonlyArray<readonly [BuildArg.Key, string | Redacted.Redacted<string>]>
  readonly labels: Label.Labels
  readonly target: string | undefined
  readonly platform: string | undefined
}

const validate = (def: BuildDefinition): Effect.Effect<Validated, DefinitionError> =>
  Effect.gen(function* () {
    if (def.source._tag === "Instructions" && def.dockerfile !== undefined) {
      return yield* new InvalidBuildDefinition({
        field: "dockerfile",
        input: def.dockerfile,
        detail:
          "an instructions build has no context and takes its Dockerfile as text: use fromDirectory for a Dockerfile path"
      })
    }
    if (def.dockerfile !== undefined && (def.dockerfile.length === 0 || hasNul(def.dockerfile))) {
      return yield* new InvalidBuildDefinition({
        field: "dockerfile",
        input: def.dockerfile,
        detail: "must be a non-empty path without NUL characters"
      })
    }
    // Later values win; a key's final value decides whether it is secret.
    const finalValues = new Map(def.buildArgs)
    const revealed = yield* BuildArg.make(
      Array.from(finalValues, ([k, v]) => [k, Redacted.isRedacted(v) ? Redacted.value(v) : v] as const)
    )
    const buildArgs = revealed.map(([k, v]) => {
      const original = finalValues.get(k)
      return [k, original !== undefined && Redacted.isRedacted(original) ? original : v] as const
    })
    const labels = yield* Label.make(def.labels)
    const target = yield* checkWord("target", def.target)
    const platform = yield* checkWord("platform", def.platform)
    return { buildArgs, labels, target, platform }
  })

const reveal = (value: string | Redacted.Redacted<string>): string =>
  Redacted.isRedacted(value) ? Redacted.value(value) : value

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
 * import { Image } from "ociman"
 *
 * const tag = Image.contentHash(Image.fromInstructions("FROM busybox:1\n", { name: "x" })).pipe(
 *   Effect.map((hash) => hash.tag),
 *   Effect.provide(NodeContext.layer)
 * )
 * ```
 *
 * @since 0.1.0
 */
export const contentHash = (
  def: BuildDefinition,
  options: HashOptions = {}
): Effect.Effect<ContentTag, DefinitionError | ContentHash.DirectoryError, FileSystem.FileSystem | Path.Path> =>
  Effect.flatMap(validate(def), (valid) => hashOf(def, valid, options))

/**
 * A definition validated and hashed: the reference it builds and the request a runtime runs.
 * Get one with {@link prepare}; {@link build} and {@link buildIfAbsent} accept it, so a context is
 * hashed once however many times it is used.
 * @since 0.1.0
 */
export interface PreparedBuild {
  readonly _tag: "PreparedBuild"
  readonly reference: ImageReference.ImageReference
  readonly request: BuildRequest
  /** What was hashed, for a content-addressed target; `undefined` for a fixed one. */
  readonly hash: ContentTag | undefined
}

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
 * import { Image } from "ociman"
 *
 * const program = Effect.gen(function* () {
 *   const prepared = yield* Image.prepare(Image.fromDirectory("./app", { name: "app" }))
 *   return prepared.reference
 * }).pipe(Effect.provide(NodeContext.layer))
 * ```
 *
 * @since 0.1.0
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
 * import { Image } from "ociman"
 *
 * const ref = Image.targetReference(Image.fromInstructions("FROM busybox:1\n", { name: "my/app" })).pipe(
 *   Effect.map(Image.format), // "my/app:<64 hex>"
 *   Effect.provide(NodeContext.layer)
 * )
 * ```
 *
 * @since 0.1.0
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
 * Options of {@link build} and {@link buildIfAbsent}.
 * @since 0.1.0
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

/**
 * Builds the image, streaming its output: the stream ends when the image is built and tagged
 * (its reference is `targetReference`), and fails with `BuildFailed` (exit code and last lines)
 * otherwise. Interrupting it kills the build.
 *
 * @example
 * ```ts
 * import { Console, Effect, Stream } from "effect"
 * import { Image } from "ociman"
 *
 * const logged = Image.buildStream(Image.fromDirectory("./app", { name: "app" })).pipe(
 *   Stream.runForEach((output) => Console.log(output.line))
 * )
 * ```
 *
 * @since 0.1.0
 */
export const buildStream = (
  def: BuildDefinition | PreparedBuild,
  options: Omit<BuildOptions, "onOutput"> = {}
): Stream.Stream<BuildOutput, BuildError, ContainerRuntime | FileSystem.FileSystem | Path.Path> =>
  Stream.unwrap(
    Effect.flatMap(Effect.zip(ContainerRuntime, ensurePrepared(def, options)), ([runtime, ready]) =>
      Effect.succeed(runtime.images.build(ready.request))
    )
  )

/**
 * Builds the image (always) and returns its reference.
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { Image } from "ociman"
 *
 * const ref = Image.build(
 *   Image.fromInstructions("FROM busybox:1\nRUN echo built > /built\n", { reference: "my/app:dev" }),
 *   { onOutput: (output) => Console.log(output.line) }
 * )
 * ```
 *
 * @since 0.1.0
 */
export const build = (
  def: BuildDefinition | PreparedBuild,
  options: BuildOptions = {}
): Effect.Effect<ImageReference.ImageReference, BuildError, ContainerRuntime | FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const runtime = yield* ContainerRuntime
    const ready = yield* ensurePrepared(def, options)
    const onOutput = options.onOutput
    yield* Stream.runForEach(runtime.images.build(ready.request), (output) =>
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
 * import { Image } from "ociman"
 *
 * const ref = Image.buildIfAbsent(Image.fromDirectory("./docker/db", { name: "my-org/db" }))
 * ```
 *
 * @since 0.1.0
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
    const runtime = yield* ContainerRuntime
    const ready = yield* ensurePrepared(def, options)
    if (yield* runtime.images.exists(ready.reference)) return ready.reference
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
 * import { Container, ContainerDefinition as Def, Image } from "ociman"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function* () {
 *     const image = yield* Image.buildScoped(
 *       Image.fromInstructions("FROM localhost/ociman-test/busybox:1\nRUN echo fixture > /fixture\n", {
 *         reference: "localhost/my-tests/fixture:1"
 *       })
 *     )
 *     return (yield* Container.run(Def.make(image).pipe(Def.withRemove, Def.command(["cat", "/fixture"])))).stdout
 *   })
 * )
 * ```
 *
 * @since 0.1.0
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
    const ours = (found: ReadonlyMap<string, string>) =>
      owned.every(([key, value]) => found.get(key) === value) && found.get(REFERENCE_LABEL) === reference
    // Registered before the build, so an interrupted build leaves nothing; it removes the reference
    // only if it names this scope's image (a failed build leaves someone else's image in place).
    yield* Effect.addFinalizer(() =>
      runtime.images.inspect(ready.reference).pipe(
        Effect.flatMap((inspected) => (ours(inspected.labels) ? runtime.images.remove(ready.reference) : Effect.void)),
        Effect.catchTag("ImageNotFound", () => Effect.void),
        Effect.tapError((error) => Effect.logWarning(`ociman: could not remove image ${reference}: ${error.message}`)),
        Effect.ignore
      )
    )
    return yield* build({ ...ready, request: { ...ready.request, labels, intermediateLayers: false } }, options)
  }).pipe(Effect.withSpan("ociman.Image.buildScoped"))

// ---------------------------------------------------------------------------------------------
// Image operations
// ---------------------------------------------------------------------------------------------

/**
 * Formats a reference (re-exported from `ImageReference` for convenience).
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Image, ImageReference } from "ociman"
 *
 * Image.format(Either.getOrThrow(ImageReference.parse("busybox:1"))) // "busybox:1"
 * ```
 *
 * @since 0.1.0
 */
export const format = ImageReference.format

const withRuntime = <A, E>(
  reference: string | ImageReference.ImageReference,
  f: (images: ImageOperations, ref: ImageReference.ImageReference) => Effect.Effect<A, E>
): Effect.Effect<A, E | ImageReference.InvalidImageReference, ContainerRuntime> =>
  Effect.flatMap(Effect.zip(ContainerRuntime, toReference(reference)), ([runtime, ref]) => f(runtime.images, ref))

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
 */
export const exists = (
  reference: string | ImageReference.ImageReference
): Effect.Effect<boolean, ImageReference.InvalidImageReference | CliError, ContainerRuntime> =>
  withRuntime(reference, (images, ref) => images.exists(ref))

/**
 * Pulls the image. A registry that has no such image fails with `PullFailed` and reason
 * `NotFound`; anything else (no network, authentication, …) with reason `Other`.
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
 */
export const pull = (
  reference: string | ImageReference.ImageReference
): Effect.Effect<void, ImageReference.InvalidImageReference | PullFailed | ProcessError, ContainerRuntime> =>
  withRuntime(reference, (images, ref) => images.pull(ref))

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
 */
export const pullIfAbsent = (
  reference: string | ImageReference.ImageReference
): Effect.Effect<boolean, ImageReference.InvalidImageReference | PullFailed | CliError, ContainerRuntime> =>
  withRuntime(reference, (images, ref) =>
    Effect.flatMap(images.exists(ref), (present) =>
      present ? Effect.succeed(false) : Effect.as(images.pull(ref), true)
    )
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
 */
export const push = (
  reference: string | ImageReference.ImageReference
): Effect.Effect<void, ImageReference.InvalidImageReference | PushFailed | ProcessError, ContainerRuntime> =>
  withRuntime(reference, (images, ref) => images.push(ref))

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
 */
export const tag = (
  source: string | ImageReference.ImageReference,
  target: string | ImageReference.ImageReference
): Effect.Effect<void, ImageReference.InvalidImageReference | ImageNotFound | CliError, ContainerRuntime> =>
  Effect.flatMap(toReference(target), (to) => withRuntime(source, (images, from) => images.tag(from, to)))

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
 */
export const remove = (
  reference: string | ImageReference.ImageReference,
  options: { readonly force?: boolean | undefined } = {}
): Effect.Effect<
  void,
  ImageReference.InvalidImageReference | ImageNotFound | ImageInUse | CliError,
  ContainerRuntime
> => withRuntime(reference, (images, ref) => images.remove(ref, options))

/**
 * Inspects the image, decoded (see {@link Inspect}).
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
 */
export const inspect = (
  reference: string | ImageReference.ImageReference
): Effect.Effect<
  Inspect,
  ImageReference.InvalidImageReference | ImageNotFound | CliError | UnexpectedOutput | Label.InvalidInspectLabels,
  ContainerRuntime
> => withRuntime(reference, (images, ref) => images.inspect(ref))

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
 */
export const labelsOf = (
  reference: string | ImageReference.ImageReference
): Effect.Effect<
  ReadonlyMap<string, string>,
  ImageReference.InvalidImageReference | ImageNotFound | CliError | UnexpectedOutput | Label.InvalidInspectLabels,
  ContainerRuntime
> => Effect.map(inspect(reference), (inspected) => inspected.labels)

/**
 * Every stored `name:tag` of this name (see {@link ImageOperations.listByName}), e.g. to clean
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
 */
export const listByName = (
  name: string | ImageReference.ImageReference
): Effect.Effect<
  ReadonlyArray<ImageReference.ImageReference>,
  ImageReference.InvalidImageReference | CliError | UnexpectedOutput,
  ContainerRuntime
> => withRuntime(name, (images, ref) => images.listByName(ref))
