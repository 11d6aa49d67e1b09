/**
 * Images on the Docker and Podman CLIs: every argv builder (golden-tested), the decoders of their
 * output, the stderr patterns, and what differs per runtime (`imageDialects`):
 * - presence: Docker `image ls --filter reference=<familiar form> --quiet` (exit 0: present iff
 *   stdout is not empty; any other exit: failure), Podman `image exists -- <ref>` (0 present,
 *   1 absent, anything else: failure). Docker's filter compares the *familiar* form
 *   (`FamiliarMatch`), so a fully qualified `docker.io/library/x:1` never matches a stored `x:1`:
 *   the pattern is always the familiar form, glob characters escaped;
 * - remove: Podman's exit codes are documented (1 no such image, 2 in use); Docker exits 1 for
 *   everything, so its stderr is read;
 * - build `--pull`: Docker's flag is a boolean, Podman's takes a policy (`--pull=always`);
 * - build `--force-rm` on Docker: its classic builder otherwise leaves the failed step's container
 *   behind (Podman removes it by default; BuildKit creates none and accepts the flag);
 * - build `--layers=false`: Podman only (Docker has no such flag).
 */
import { Either, Redacted, Schema } from "effect"
import type * as BuildArg from "../../BuildArg.js"
import { UnexpectedOutput } from "../../CliError.js"
import type { BuildRequest, ImageInspect as Inspect, ListedImage } from "../../ContainerRuntime.js"
import * as ImageReference from "../../ImageReference.js"
import * as Label from "../../Label.js"
import { compareUtf8 } from "../bytes.js"
import type { Kind } from "../kind.js"
import type { LabeledKind } from "./labeled.js"
import { labelArgs } from "./values.js"

type Ref = ImageReference.ImageReference

// ---------------------------------------------------------------------------------------------
// stderr patterns
// ---------------------------------------------------------------------------------------------

/** Docker: `No such image: x`; Podman: `x: image not known`. */
export const IMAGE_NOT_FOUND = /no such image|image not known/i

/** Docker's remove conflicts: `conflict: unable to remove repository reference … (must force)` / `(must be forced)`. */
const DOCKER_IMAGE_IN_USE = /conflict: unable to (?:remove|delete)|must force|must be forced|image is being used/i

/**
 * Docker's classic builder reuses cached parent images that are untagged, and `image rm` of an
 * image prunes its untagged parents once it was their last child: a build that has just taken one
 * from the cache while a sibling image is removed (another scope's release, a sweep) fails with
 * one of these. Podman (buildah) can lose a cached layer the same way while committing a step
 * ("layer not known"). Built again, it finds the cache as it is now.
 */
export const PARENT_VANISHED =
  /failed to get digest sha256:[0-9a-f]+:.*no such file or directory|no such image: sha256:[0-9a-f]+|committing the finished image: .*layer not known/i

/**
 * Podman resolves an image name, and lists images, by reading every stored image's metadata: an
 * image that another process removes meanwhile fails the whole call (exit 125) with a message
 * naming *that* image (`locating item named "manifest" for image with ID …: file does not exist`,
 * `layer not known`). Asked again, the call answers. Seen under the leak matrix: a scoped image's
 * release and a sweep's listing failed this way while other programs removed their images. A
 * listing of volumes or containers fails the same way when one listed goes before it is read
 * (`no volume with name … found in database: no such volume`), seen under the same matrix; a call
 * naming a missing volume or container says `no … with name "X" found: …`, without "in database".
 */
const PODMAN_STORAGE_RACE: StorageRace = {
  exitCode: 125,
  stderr:
    /locating item named "[^"]*" for image with ID|layer not known|no (?:volume|container) with (?:name|ID) \S+ found in database/i
}

// ---------------------------------------------------------------------------------------------
// What differs per runtime
// ---------------------------------------------------------------------------------------------

/** How a call that failed only because another process removed an image meanwhile ends. */
export interface StorageRace {
  readonly exitCode: number
  readonly stderr: RegExp
}

/** Why an `image rm` failed, as far as the runtime says. */
export type RemoveFailure = "NotFound" | "InUse" | "Other"

/** One runtime's side of the image operations. */
export interface ImageDialect {
  /** The presence probe's argv (inventory §1.1 `is_image_present`). */
  readonly existsArgs: (ref: Ref) => ReadonlyArray<string>
  /** Its answer: present or not, `undefined` when the probe itself failed. */
  readonly presence: (exitCode: number | undefined, stdout: string) => boolean | undefined
  /** The `reference=` filter pattern of every tag of a name (`image list`). */
  readonly nameFilter: (name: Ref) => string
  /** Build flags: always given; for `intermediateLayers: false`; for `pull`. */
  readonly build: {
    readonly always: ReadonlyArray<string>
    readonly noIntermediateLayers: ReadonlyArray<string>
    readonly pull: string
  }
  /** Classifies a failed `image rm` from its exit code and stderr. */
  readonly removeFailure: (exitCode: number | undefined, stderr: string) => RemoveFailure
  /** A read of the image store failed by a concurrent removal (`undefined`: the runtime has no such failure). */
  readonly storageRace: StorageRace | undefined
}

/** `path.Match` metacharacters, escaped so that a reference is matched literally (`[::1]` hosts). */
const escapeGlob = (s: string): string => s.replace(/[[\]*?\\]/g, (c) => `\\${c}`)

const nameOnly = (ref: Ref): Ref => ({ ...ref, tag: undefined, digest: undefined })

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

export const imageDialects: Readonly<Record<Kind, ImageDialect>> = {
  docker: {
    existsArgs: (ref) => ["image", "ls", "--filter", `reference=${dockerReferencePattern(ref)}`, "--quiet"],
    presence: (exitCode, stdout) => (exitCode === 0 ? stdout.trim() !== "" : undefined),
    nameFilter: (name) => escapeGlob(ImageReference.familiar(nameOnly(name))),
    build: { always: ["--force-rm"], noIntermediateLayers: [], pull: "--pull" },
    removeFailure: (_exitCode, stderr) =>
      IMAGE_NOT_FOUND.test(stderr) ? "NotFound" : DOCKER_IMAGE_IN_USE.test(stderr) ? "InUse" : "Other",
    storageRace: undefined
  },
  podman: {
    existsArgs: (ref) => ["image", "exists", "--", ImageReference.format(ref)],
    presence: (exitCode) => (exitCode === 0 ? true : exitCode === 1 ? false : undefined),
    nameFilter: (name) => ImageReference.format(nameOnly(name)),
    build: { always: [], noIntermediateLayers: ["--layers=false"], pull: "--pull=always" },
    removeFailure: (exitCode) => (exitCode === 1 ? "NotFound" : exitCode === 2 ? "InUse" : "Other"),
    storageRace: PODMAN_STORAGE_RACE
  }
}

// ---------------------------------------------------------------------------------------------
// argv builders (pure)
// ---------------------------------------------------------------------------------------------

/** The presence probe (inventory §1.1 `is_image_present`). */
export const existsArgs = (kind: Kind, ref: Ref): ReadonlyArray<string> => imageDialects[kind].existsArgs(ref)

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

export const inspectArgs = (ref: Ref): ReadonlyArray<string> => ["image", "inspect", ImageReference.format(ref)]

/** `image list` of every tag of a name; the result still needs the client-side filter. */
export const listByNameArgs = (kind: Kind, name: Ref): ReadonlyArray<string> => [
  "image",
  "list",
  "--format",
  "{{.Repository}}:{{.Tag}}",
  "--filter",
  `reference=${imageDialects[kind].nameFilter(name)}:*`
]

/** A build's argv, stdin, environment (secret build args) and values to redact. */
export interface BuildInvocation {
  readonly args: ReadonlyArray<string>
  readonly stdin: Uint8Array | undefined
  readonly env: Readonly<Record<string, string>>
  readonly secrets: ReadonlyArray<string>
}

/** `--build-arg K=V`, or `--build-arg K` for a secret value (read from the CLI's environment). */
const buildArgFlags = (
  buildArgs: ReadonlyArray<readonly [BuildArg.Key, string | Redacted.Redacted<string>]>
): ReadonlyArray<string> =>
  buildArgs.flatMap(([key, value]) => ["--build-arg", Redacted.isRedacted(value) ? key : `${key}=${value}`])

/**
 * `build --tag <ref> [--force-rm (Docker)] [--file F] [--target T] [--platform P] [--no-cache] [--layers=false (Podman)] [--pull] [--build-arg K=V]…
 * [--label K=V]… <context | ->`. A `Redacted` build argument is `--build-arg K` with `K` in the
 * CLI's environment (both CLIs read it from there).
 */
export const buildInvocation = (kind: Kind, request: BuildRequest): BuildInvocation => {
  const dialect = imageDialects[kind].build
  const source = request.source
  const secretArgs = request.buildArgs.flatMap(([key, value]) =>
    Redacted.isRedacted(value) ? [[key, Redacted.value(value)] as const] : []
  )
  const args = [
    "build",
    "--tag",
    ImageReference.format(request.reference),
    ...dialect.always,
    ...(source._tag === "Directory" && source.dockerfile !== undefined ? ["--file", source.dockerfile] : []),
    ...(request.target === undefined ? [] : ["--target", request.target]),
    ...(request.platform === undefined ? [] : ["--platform", request.platform]),
    ...(request.noCache ? ["--no-cache"] : []),
    ...(request.intermediateLayers === false ? dialect.noIntermediateLayers : []),
    ...(request.pull ? [dialect.pull] : []),
    ...buildArgFlags(request.buildArgs),
    ...labelArgs(request.labels),
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
// Output decoders (pure)
// ---------------------------------------------------------------------------------------------

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

/** Decodes `image inspect` stdout (a JSON array holding one object; Podman's `Id` has no `sha256:`). */
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
