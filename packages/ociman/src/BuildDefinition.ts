/**
 * Build definitions: what to build (a directory or Dockerfile text) and how the image is named (a
 * fixed reference, or a name whose tag is the content hash), as immutable values changed with
 * pipeable combinators; `Image` hashes and builds them.
 *
 * @example
 * ```ts
 * import { BuildDefinition } from "ociman"
 *
 * const db = BuildDefinition.fromDirectory("./docker/db", { name: "my-org/db" }).pipe(
 *   BuildDefinition.buildArg("PG_MAJOR", "17"),
 *   BuildDefinition.label("com.example.role", "db"),
 *   BuildDefinition.target("runtime")
 * )
 * ```
 *
 * @since 0.1.0
 */
import { Data, type Redacted } from "effect"
import { dual } from "effect/Function"
import type { Pipeable } from "effect/Pipeable"
import type * as BuildArg from "./BuildArg.js"
import type { InvalidBuildDefinition } from "./ImageError.js"
import type * as ImageReference from "./ImageReference.js"
import type * as Label from "./Label.js"
import { entriesOf as pairs } from "./internal/bytes.js"
import { pipeOnPrototype } from "./internal/pipeable.js"

/**
 * Where a build definition reads from.
 * @since 0.1.0
 * @category models
 */
export type Source =
  | { readonly _tag: "Directory"; readonly context: string }
  | { readonly _tag: "Instructions"; readonly dockerfile: string }

/**
 * How a built image is named: a fixed reference, or a name whose tag is the content hash.
 * @since 0.1.0
 * @category models
 */
export type ImageTarget =
  | { readonly _tag: "Fixed"; readonly reference: string | ImageReference.ImageReference }
  | { readonly _tag: "ContentAddressed"; readonly name: string | ImageReference.ImageReference }

/**
 * The target given to `fromDirectory` / `fromInstructions`: `{ name }` for `name:<content hash>`,
 * `{ reference }` for a fixed reference.
 * @since 0.1.0
 * @category models
 */
export type TargetInput =
  | { readonly name: string | ImageReference.ImageReference; readonly reference?: undefined }
  | { readonly reference: string | ImageReference.ImageReference; readonly name?: undefined }

/**
 * Any way a definition can be invalid.
 * @since 0.1.0
 * @category errors
 */
export type DefinitionError =
  ImageReference.InvalidImageReference | BuildArg.InvalidBuildArg | Label.InvalidLabel | InvalidBuildDefinition

/**
 * The fields of a {@link BuildDefinition}.
 * @since 0.1.0
 * @category models
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
 * import { BuildDefinition } from "ociman"
 *
 * const a = BuildDefinition.fromDirectory("./app", { name: "app" }).pipe(BuildDefinition.buildArg("VERSION", "1"))
 * const b = BuildDefinition.fromDirectory("./app", { name: "app" }).pipe(BuildDefinition.buildArg("VERSION", "1"))
 * Equal.equals(a, b) // true
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class BuildDefinition extends Data.Class<BuildDefinitionFields> implements Pipeable {
  readonly _tag = "BuildDefinition"
  declare readonly pipe: Pipeable["pipe"]
}
pipeOnPrototype(BuildDefinition.prototype)

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
 * import { BuildDefinition } from "ociman"
 *
 * const hashed = BuildDefinition.fromDirectory("./docker/db", { name: "my-org/db" })
 * const fixed = BuildDefinition.fromDirectory("./docker/db", { reference: "my-org/db:dev" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromDirectory = (context: string, target: TargetInput): BuildDefinition =>
  makeDefinition(Data.struct({ _tag: "Directory", context }), target)

/**
 * A build of Dockerfile text, sent on stdin with no context (so `COPY` has nothing to copy).
 *
 * @example
 * ```ts
 * import { BuildDefinition } from "ociman"
 *
 * const def = BuildDefinition.fromInstructions("FROM busybox:1\nRUN echo hi > /hi\n", { name: "my-org/hi" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
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
 * import { BuildDefinition } from "ociman"
 *
 * const def = BuildDefinition.fromDirectory("./app", { name: "app" }).pipe(
 *   BuildDefinition.buildArg("VERSION", "1.2.3"),
 *   BuildDefinition.buildArg("NPM_TOKEN", Redacted.make("s3cr3t"))
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
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
 * import { BuildDefinition } from "ociman"
 *
 * const def = BuildDefinition.fromDirectory("./app", { name: "app" }).pipe(
 *   BuildDefinition.buildArgs({ A: "1", B: "2" })
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
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
 * import { BuildDefinition } from "ociman"
 *
 * const def = BuildDefinition.fromInstructions("FROM busybox:1\n", { name: "x" }).pipe(
 *   BuildDefinition.label("com.example.role", "db")
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
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
 * import { BuildDefinition } from "ociman"
 *
 * const def = BuildDefinition.fromInstructions("FROM busybox:1\n", { name: "x" }).pipe(
 *   BuildDefinition.labels({ a: "1", b: "2" })
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
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
 * import { BuildDefinition } from "ociman"
 *
 * const def = BuildDefinition.fromDirectory("./app", { name: "app" }).pipe(BuildDefinition.target("runtime"))
 * ```
 *
 * @since 0.1.0
 * @category combinators
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
 * import { BuildDefinition } from "ociman"
 *
 * const def = BuildDefinition.fromDirectory("./app", { name: "app" }).pipe(BuildDefinition.platform("linux/amd64"))
 * ```
 *
 * @since 0.1.0
 * @category combinators
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
 * import { BuildDefinition } from "ociman"
 *
 * const def = BuildDefinition.fromDirectory("./app", { name: "app" }).pipe(
 *   BuildDefinition.dockerfile("docker/Dockerfile.prod")
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
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
 * import { BuildDefinition } from "ociman"
 *
 * const def = BuildDefinition.fromDirectory("./app", { reference: "app:dev" }).pipe(BuildDefinition.noCache)
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const noCache = (self: BuildDefinition): BuildDefinition => update(self, { noCache: true })

/**
 * Always tries to pull a newer version of the base images (Docker `--pull`, Podman
 * `--pull=always`; the build fails when the registry cannot be reached). Not hashed. (Named
 * `pullBase` because `Image.pull` pulls an image.)
 *
 * @example
 * ```ts
 * import { BuildDefinition } from "ociman"
 *
 * const def = BuildDefinition.fromDirectory("./app", { reference: "app:dev" }).pipe(BuildDefinition.pullBase)
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const pullBase = (self: BuildDefinition): BuildDefinition => update(self, { pull: true })

/**
 * Names the result `reference`, whatever the content.
 *
 * @example
 * ```ts
 * import { BuildDefinition } from "ociman"
 *
 * const def = BuildDefinition.fromDirectory("./app", { name: "app" }).pipe(BuildDefinition.tagged("app:dev"))
 * ```
 *
 * @since 0.1.0
 * @category combinators
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
 * import { BuildDefinition } from "ociman"
 *
 * const def = BuildDefinition.fromDirectory("./app", { reference: "app:dev" }).pipe(
 *   BuildDefinition.contentAddressed("ghcr.io/org/app")
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const contentAddressed: {
  (name: string | ImageReference.ImageReference): (self: BuildDefinition) => BuildDefinition
  (self: BuildDefinition, name: string | ImageReference.ImageReference): BuildDefinition
} = dual(2, (self: BuildDefinition, name: string | ImageReference.ImageReference): BuildDefinition =>
  update(self, { image: toTarget({ name }) })
)
