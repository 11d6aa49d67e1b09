/**
 * Image references (`alpine`, `ghcr.io/org/app:1.2`, `localhost:5000/x@sha256:…`) as the `docker`
 * CLI reads them: the grammar of distribution/reference with Docker's rule for the domain
 * (`ParseNormalizedNamed`). A parsed reference keeps exactly what was written (`format` gives the
 * input back); `normalize` and `familiar` give Docker's long and short spellings.
 *
 * Rules (those of distribution/reference, which Docker uses):
 * - `reference := name [":" tag] ["@" digest]`, `name := [domain "/"] path`.
 * - The first `/`-segment is a domain only if it is `localhost`, contains `.` or `:`, has upper
 *   case (namespaces are lowercase) or is bracketed (an IPv6 host). So `pg-ephemeral/main` and
 *   `library/alpine` have no domain, while `localhost/x`, `ghcr.io/x`, `host:5000/x`, `[::1]/x`,
 *   `[1]/x` and `Foo/x` do. A name without `/`
 *   never has one: `localhost:5000` is image `localhost` with tag `5000`. If such a segment is not a
 *   valid host but a valid path (`my_registry.com/foo`: `_` is not allowed in a host), Docker reads the
 *   whole name as a path with no domain, and so does this module.
 * - Path components are `[a-z0-9]+` joined by `.`, `_`, `__` or runs of `-`; upper case is an error
 *   (`UpperCaseInPath`). Domains may use upper case and are kept as written (`Docker.IO` is not Docker Hub).
 * - The path is at most 255 characters; the domain does not count, but the `library/` that Docker
 *   adds to single-segment Docker Hub names does (`"a".repeat(248)` is too long).
 * - Ports are `[0-9]+` with no range check (`localhost:99999/x` is valid) and keep leading zeros.
 * - IPv6 hosts are `[`, one or more hex digits (either case) and `:`, then `]`, with no further
 *   check, kept as written, optionally followed by `:port` and always by `/path`: `[::1]/x`,
 *   `[1]/x`, `[:::::]:5000/x` and `[2001:DB8::1]/x` are valid; `[]/x`, `[::1]` (no path), zone
 *   IDs (`[fe80::1%eth0]/x`) and IPv4-mapped forms (`[::ffff:1.2.3.4]/x`) are not.
 * - Tags are `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
 * - Digests are `sha256`, `sha384` or `sha512` with exactly 64, 96 or 128 lowercase hex digits. Any
 *   other algorithm, even one the grammar allows (`md5:…`, `sha256+b64u:…`), is rejected, as go-digest
 *   does for algorithms it has not registered.
 * - A name that is 64 lowercase hex characters is an image ID, not a name (`ImageIdAsName`).
 * - Nothing else: no trailing newline, no non-ASCII, no whitespace.
 *
 * Normalization follows `ParseNormalizedNamed` and so adds no `:latest` (only `ParseDockerRef` does):
 * `normalize` of `alpine` is `docker.io/library/alpine`.
 *
 * Compared with distribution's plain `Parse` (no normalization), which the docker CLI does not use
 * for user input: `Parse` takes any valid host-like first segment for a domain (`foo/bar` has domain
 * `foo` there), counts neither `library/` nor such a segment towards the 255 limit (so it accepts
 * `"a".repeat(255)` and `"a/".repeat(128) + "a"`), accepts 64-hex names, and knows only the digest
 * algorithms linked into the program (sha384/sha512 are accepted here, as in the docker CLI).
 *
 * One deliberate difference from `ParseNormalizedNamed`: a bracketed first segment without `:`
 * (`[1]/foo`, `[abc]/foo`) is an IPv6 host here, as the grammar and `Parse` read it. Docker's
 * domain rule looks only for `.`, `:`, upper case or `localhost`, so it reads such a name as a
 * Docker Hub path and rejects it; since no such segment can be a path, a host is the only meaning
 * it can have.
 *
 * Deliberate differences from ociman 0.8 (`reference.rs`), where it strays from the grammar:
 * - Domain detection is Docker's (above), not ociman's `is_registry` (port, IP literal, `localhost` or
 *   two dot-separated labels). `Foo/bar` and `LOCALHOST/foo` are accepted with a domain (ociman
 *   rejects them); `192.168.1.1foo/bar` and `10.0.0.1.nip.io/foo` have a domain (ociman: none);
 *   `1.2.3.4.example.com:5000/foo` is accepted (ociman rejects it).
 * - The 255-character path limit is enforced (ociman has none).
 * - Digests are checked as above (ociman accepts any algorithm with 32 or more hex digits of either
 *   case, such as its own doc example `alpine@sha256:0123456789abcdef0123456789abcdef`).
 * - Ports are not capped at 65535 and keep leading zeros; IPv6 hosts are neither validated nor
 *   re-rendered (ociman rejects `[:::::]:5000/foo` and prints `[0:0:0:0:0:0:0:1]` as `[::1]`). So
 *   `format(parse(s)) === s` for every valid `s`, which ociman does not guarantee.
 * - Normalization exists (`normalize`, `familiar`); ociman has none.
 * - Errors are typed, with a reason and a position, instead of parser-combinator strings.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { ImageReference } from "ociman"
 *
 * const ref = Either.getOrThrow(ImageReference.parse("postgres:17"))
 * ref.path // "postgres"
 * ImageReference.normalize(ref) // "docker.io/library/postgres:17"
 * ImageReference.parse("Postgres") // Either.left(InvalidImageReference { reason: "UpperCaseInPath", position: 0 })
 * ```
 *
 * @since 0.1.0
 */
import { Data, Effect, Either, Inspectable, ParseResult, Predicate, Schema } from "effect"
import { dual } from "effect/Function"
import * as internal from "./internal/imageReference.js"

/**
 * A parsed image reference, as written. Get one from `parse`, `make` or the `with*` helpers, which
 * guarantee valid fields; it is a `Data` value (structural `Equal`/`Hash`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ImageReference {
  /** Registry host with optional port (`ghcr.io`, `localhost:5000`, `[::1]`), or `undefined` when none was written. */
  readonly domain: string | undefined
  /** Repository path (`library/alpine`, `pg-ephemeral/main`). */
  readonly path: string
  readonly tag: string | undefined
  /** `algorithm:hex`, e.g. `sha256:` followed by 64 hex digits. */
  readonly digest: string | undefined
}

/**
 * Why a string is not an image reference.
 * - `Empty`: the string is empty.
 * - `InvalidFormat`: it does not follow the grammar (bad character, separator, port, tag, …).
 * - `UpperCaseInPath`: the repository path has upper case (Docker: "repository name must be lowercase").
 * - `NameTooLong`: the path is longer than 255 characters.
 * - `InvalidDigest`: the part after `@` is not a supported digest.
 * - `ImageIdAsName`: the name is a 64-character hex image ID.
 *
 * @since 0.1.0
 * @category models
 */
export type InvalidImageReferenceReason =
  "Empty" | "InvalidFormat" | "UpperCaseInPath" | "NameTooLong" | "InvalidDigest" | "ImageIdAsName"

/** How much of a very long input an error message quotes (the `input` field keeps it all). */
const MESSAGE_EXCERPT = 200

/**
 * A string that is not a valid image reference.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { ImageReference } from "ociman"
 *
 * const error = Either.flip(ImageReference.parse("alpine:.latest"))
 * // InvalidImageReference { reason: "InvalidFormat", position: 7, ... }
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidImageReference extends Data.TaggedError("InvalidImageReference")<{
  readonly input: string
  readonly reason: InvalidImageReferenceReason
  /** UTF-16 index into `input` where it went wrong, when one place is to blame. */
  readonly position: number | undefined
  /** What is wrong there, in words. */
  readonly detail: string
}> {
  override get message(): string {
    const shown =
      this.input.length <= MESSAGE_EXCERPT
        ? JSON.stringify(this.input)
        : `${JSON.stringify(this.input.slice(0, MESSAGE_EXCERPT))}… (${this.input.length} characters)`
    const where = this.position === undefined ? "" : ` (at index ${this.position})`
    return `invalid image reference ${shown}: ${this.detail}${where}`
  }
}

/**
 * A parsed reference: a `Data` value (structural `Equal`/`Hash`) that prints as `format` gives it,
 * in a template string (`toString`), in `JSON.stringify` and Effect's logs (`toJSON`) and in
 * `console.log` / `util.inspect` (`NodeInspectSymbol`), rather than as `[object Object]`.
 */
class Reference
  extends Data.Class<{
    readonly domain: string | undefined
    readonly path: string
    readonly tag: string | undefined
    readonly digest: string | undefined
  }>
  implements Inspectable.Inspectable
{
  override toString(): string {
    return format(this)
  }
  toJSON(): string {
    return format(this)
  }
  [Inspectable.NodeInspectSymbol](): string {
    return format(this)
  }
}

const fromParts = (parts: internal.Parts): ImageReference =>
  new Reference({ domain: parts.domain, path: parts.path, tag: parts.tag, digest: parts.digest })

/**
 * Parses a reference as the `docker` CLI would, keeping it as written. Never throws: any string
 * (empty, huge, non-ASCII, with control characters) gives a `Right` or a `Left`, in linear time.
 *
 * @example
 * ```ts
 * import { ImageReference } from "ociman"
 *
 * ImageReference.parse("localhost:5000/team/app:1.0")
 * // Either.right({ domain: "localhost:5000", path: "team/app", tag: "1.0", digest: undefined })
 * ImageReference.parse("pg-ephemeral/main")
 * // Either.right({ domain: undefined, path: "pg-ephemeral/main", tag: undefined, digest: undefined })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const parse = (input: string): Either.Either<ImageReference, InvalidImageReference> =>
  Either.mapBoth(internal.scan(input), {
    onLeft: (failure) => new InvalidImageReference({ input, ...failure }),
    onRight: fromParts
  })

/**
 * `parse` as an Effect, failing with `InvalidImageReference`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ImageReference } from "ociman"
 *
 * const program = ImageReference.parseEffect("ghcr.io/org/app:1.2").pipe(
 *   Effect.map(ImageReference.normalize),
 *   Effect.catchTag("InvalidImageReference", (e) => Effect.succeed(e.message))
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const parseEffect = (input: string): Effect.Effect<ImageReference, InvalidImageReference> =>
  Effect.suspend(() => parse(input))

/**
 * What an API taking `string | ImageReference` works with: a string is parsed, a reference passes
 * through as it is.
 *
 * @example
 * ```ts
 * import { ImageReference } from "ociman"
 *
 * ImageReference.fromInput("busybox:1") // Either.right({ domain: undefined, path: "busybox", tag: "1", … })
 * ImageReference.fromInput("Bad:Ref") // Either.left(InvalidImageReference)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromInput = (input: string | ImageReference): Either.Either<ImageReference, InvalidImageReference> =>
  typeof input === "string" ? parse(input) : Either.right(input instanceof Reference ? input : fromParts(input))

/**
 * The reference exactly as it was parsed: `format(parse(s)) === s` for every valid `s`.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { ImageReference } from "ociman"
 *
 * ImageReference.format(Either.getOrThrow(ImageReference.parse("[::1]:05000/x:y"))) // "[::1]:05000/x:y"
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const format = (ref: ImageReference): string =>
  `${name(ref)}${ref.tag === undefined ? "" : `:${ref.tag}`}${ref.digest === undefined ? "" : `@${ref.digest}`}`

/**
 * The repository name as written: domain and path, without tag or digest.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { ImageReference } from "ociman"
 *
 * ImageReference.name(Either.getOrThrow(ImageReference.parse("ghcr.io/org/app:1.2"))) // "ghcr.io/org/app"
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const name = (ref: ImageReference): string => (ref.domain === undefined ? ref.path : `${ref.domain}/${ref.path}`)

/** Docker's fully qualified domain and path (`splitDockerDomain`). */
const normalizedName = (ref: ImageReference): { readonly domain: string | undefined; readonly path: string } => {
  const { domain, path } = ref
  if (domain === undefined) {
    const slash = path.indexOf("/")
    // `my_registry.com/foo`: Docker takes the first segment for a host, the grammar then reads it all
    // as a path, and the result keeps no domain at all (distribution's Domain() is "").
    if (slash >= 0 && internal.looksLikeDomain(path.slice(0, slash))) return { domain, path }
  } else if (domain !== internal.DOCKER_HUB && domain !== internal.LEGACY_DOCKER_HUB) {
    return { domain, path }
  }
  return {
    domain: internal.DOCKER_HUB,
    path: internal.isOfficialShortPath(domain, path) ? `${internal.OFFICIAL_PREFIX}${path}` : path
  }
}

const withSuffix = (base: string, ref: ImageReference): string =>
  `${base}${ref.tag === undefined ? "" : `:${ref.tag}`}${ref.digest === undefined ? "" : `@${ref.digest}`}`

/**
 * The fully qualified form, as `ParseNormalizedNamed(s).String()`: Docker Hub names get `docker.io/`
 * and, for a single path segment, `library/`; `index.docker.io` becomes `docker.io`. Tag and digest
 * are kept; no `:latest` is added (Docker adds it only later, in `ParseDockerRef`).
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { ImageReference } from "ociman"
 *
 * const normalize = (s: string) => ImageReference.normalize(Either.getOrThrow(ImageReference.parse(s)))
 * normalize("alpine") // "docker.io/library/alpine"
 * normalize("index.docker.io/x/y:1") // "docker.io/x/y:1"
 * normalize("ghcr.io/org/app") // "ghcr.io/org/app"
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const normalize = (ref: ImageReference): string => {
  const n = normalizedName(ref)
  return withSuffix(n.domain === undefined ? n.path : `${n.domain}/${n.path}`, ref)
}

/**
 * The short form Docker prints (`FamiliarString`): `docker.io/` is dropped, and so is `library/` when
 * no further `/` follows. Other registries are kept. Tag and digest are kept.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { ImageReference } from "ociman"
 *
 * const familiar = (s: string) => ImageReference.familiar(Either.getOrThrow(ImageReference.parse(s)))
 * familiar("docker.io/library/alpine:3") // "alpine:3"
 * familiar("docker.io/x/y") // "x/y"
 * familiar("docker.io/library/foo/bar") // "library/foo/bar"
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const familiar = (ref: ImageReference): string => {
  const n = normalizedName(ref)
  if (n.domain !== internal.DOCKER_HUB)
    return withSuffix(n.domain === undefined ? n.path : `${n.domain}/${n.path}`, ref)
  const official = n.path.startsWith(internal.OFFICIAL_PREFIX) ? n.path.slice(internal.OFFICIAL_PREFIX.length) : n.path
  return withSuffix(official.includes("/") ? n.path : official, ref)
}

/**
 * Builds a reference from parts, validated as a whole: the result is what `parse` gives for the
 * formatted string, and it fails if that string would be read differently (for example
 * `{ domain: "team", path: "app" }`, since `team/app` has no domain for Docker).
 *
 * @example
 * ```ts
 * import { ImageReference } from "ociman"
 *
 * ImageReference.make({ domain: "ghcr.io", path: "org/app", tag: "1.2" })
 * // Either.right({ domain: "ghcr.io", path: "org/app", tag: "1.2", digest: undefined })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (parts: {
  readonly domain?: string | undefined
  readonly path: string
  readonly tag?: string | undefined
  readonly digest?: string | undefined
}): Either.Either<ImageReference, InvalidImageReference> => {
  const wanted: ImageReference = {
    domain: parts.domain,
    path: parts.path,
    tag: parts.tag,
    digest: parts.digest
  }
  const input = format(wanted)
  return Either.flatMap(parse(input), (ref) =>
    ref.domain === wanted.domain && ref.path === wanted.path && ref.tag === wanted.tag && ref.digest === wanted.digest
      ? Either.right(ref)
      : Either.left(
          new InvalidImageReference({
            input,
            reason: "InvalidFormat",
            position: undefined,
            detail:
              ref.domain === undefined
                ? `the domain ${JSON.stringify(wanted.domain)} would not be read as a registry (it needs a '.' or ':', upper case, or to be "localhost")`
                : `the path ${JSON.stringify(wanted.path)} would be read as domain ${JSON.stringify(ref.domain)} and path ${JSON.stringify(ref.path)}`
          })
        )
  )
}

/**
 * Sets (or replaces) the tag, validating the result.
 *
 * @example
 * ```ts
 * import { Either, pipe } from "effect"
 * import { ImageReference } from "ociman"
 *
 * pipe(ImageReference.parse("alpine"), Either.flatMap(ImageReference.withTag("3.20")), Either.map(ImageReference.format))
 * // Either.right("alpine:3.20")
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withTag: {
  (tag: string): (self: ImageReference) => Either.Either<ImageReference, InvalidImageReference>
  (self: ImageReference, tag: string): Either.Either<ImageReference, InvalidImageReference>
} = dual(2, (self: ImageReference, tag: string) => make({ ...self, tag }))

/**
 * Sets (or replaces) the digest (`algorithm:hex`), validating the result; the tag is kept.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { ImageReference } from "ociman"
 *
 * const ref = Either.getOrThrow(ImageReference.parse("alpine:3.20"))
 * ImageReference.withDigest(ref, `sha256:${"a".repeat(64)}`) // Either.right(alpine:3.20@sha256:aaa…)
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withDigest: {
  (digest: string): (self: ImageReference) => Either.Either<ImageReference, InvalidImageReference>
  (self: ImageReference, digest: string): Either.Either<ImageReference, InvalidImageReference>
} = dual(2, (self: ImageReference, digest: string) => make({ ...self, digest }))

const isOptionalString = (u: unknown): u is string | undefined => u === undefined || Predicate.isString(u)

/**
 * `true` for a value with the four fields whose formatted form parses back to the same fields.
 *
 * @example
 * ```ts
 * import { ImageReference } from "ociman"
 *
 * ImageReference.isImageReference({ domain: undefined, path: "alpine", tag: undefined, digest: undefined }) // true
 * ImageReference.isImageReference({ domain: undefined, path: "Alpine", tag: undefined, digest: undefined }) // false
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isImageReference = (u: unknown): u is ImageReference =>
  Predicate.hasProperty(u, "domain") &&
  Predicate.hasProperty(u, "path") &&
  Predicate.hasProperty(u, "tag") &&
  Predicate.hasProperty(u, "digest") &&
  isOptionalString(u.domain) &&
  Predicate.isString(u.path) &&
  isOptionalString(u.tag) &&
  isOptionalString(u.digest) &&
  Either.isRight(make({ domain: u.domain, path: u.path, tag: u.tag, digest: u.digest }))

/**
 * Schema of an already parsed `ImageReference` (checked with `isImageReference`).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { ImageReference } from "ociman"
 *
 * const Job = Schema.Struct({ image: ImageReference.FromSelf })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const FromSelf: Schema.Schema<ImageReference> = Schema.declare(isImageReference, {
  identifier: "ImageReference",
  description: "an OCI image reference"
})

/**
 * Decodes a string with `parse` and encodes with `format`; for Config and CLI flags. A failure's
 * message is the `InvalidImageReference` message.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { ImageReference } from "ociman"
 *
 * const image = Schema.Config("IMAGE", ImageReference.FromString) // Config<ImageReference>
 * Schema.decodeUnknownSync(ImageReference.FromString)("postgres:17").tag // "17"
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const FromString: Schema.Schema<ImageReference, string> = Schema.transformOrFail(Schema.String, FromSelf, {
  strict: true,
  decode: (input, _options, ast) =>
    Either.mapLeft(parse(input), (error) => new ParseResult.Type(ast, input, error.message)),
  encode: (ref) => ParseResult.succeed(format(ref))
}).annotations({
  identifier: "ImageReferenceFromString",
  // Show the parse error's own message rather than a tree around it (Config and CLI print this).
  message: (issue) => {
    if (issue._tag !== "Transformation") return { message: "invalid image reference", override: false }
    if (issue.kind === "Transformation" && issue.issue._tag === "Type" && issue.issue.message !== undefined) {
      return issue.issue.message
    }
    // Not a string at all: say so (formatting `issue` itself would recurse into this annotation).
    return ParseResult.TreeFormatter.formatIssueSync(issue.issue)
  }
})
