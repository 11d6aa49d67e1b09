/**
 * Mounts (`run --mount …`): bind mounts, named or anonymous volumes, tmpfs, or a raw spec.
 *
 * `--mount` takes one CSV record (both CLIs read it with Go's `encoding/csv`), so a field that
 * contains `,`, `"` or a newline is written in double quotes with `"` doubled:
 * `type=bind,"source=/data/a,b",target=/data`. Verified with docker 20.10 and podman 4.3: a bind
 * source or target containing `,` or `"` (and a source with a newline) mounts correctly on both
 * when quoted so, while an unquoted `"` fails on both ("bare \" in non-quoted-field").
 *
 * Rules, each checked by the constructors (which return `Either<Mount, InvalidMount>`):
 * - `target` is an absolute path in the container, and not `/` itself (docker refuses `/`).
 * - A bind `source` is an absolute host path (`/…`, or `C:\…` / `C:/…` for Docker Desktop on
 *   Windows): docker refuses relative sources, podman resolves them against its working directory.
 * - A volume `source` is a volume name, `[A-Za-z0-9][A-Za-z0-9_.-]+` (docker's rule, stricter than
 *   podman's: at least two characters); without one the volume is anonymous.
 * - A read-only anonymous volume is refused (docker: "must not set ReadOnly mode when using
 *   anonymous volumes"; podman accepts it, but it cannot be useful).
 * - No field may contain NUL (argv cannot) or a carriage return: Go's CSV reader turns `\r\n`
 *   inside a quoted field into `\n` (observed on both runtimes: the source path is then wrong).
 *
 * Read-only is written `readonly` for binds and `ro` for volumes: podman 4.3 refuses `readonly`
 * (and `readonly=true`) on volume mounts ("invalid mount option"), and both runtimes accept `ro`
 * there. tmpfs options are `tmpfs-size` (bytes) and `tmpfs-mode` (octal), which both accept.
 *
 * Deliberate differences from ociman 0.8: ociman's `Mount` is an unchecked string; here it is a
 * checked value, and `raw` keeps the string form for anything else (`type=image`, options such as
 * `bind-propagation`).
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Mount } from "ociman"
 *
 * const data = Either.getOrThrow(Mount.bind({ source: "/srv/data", target: "/data", readOnly: true }))
 * Mount.format(data) // "type=bind,source=/srv/data,target=/data,readonly"
 * ```
 *
 * @since 0.1.0
 */
import { Data, Either } from "effect"
import { hasNul, quoteExcerpt } from "./internal/bytes.js"

/**
 * A host directory or file mounted into the container.
 *
 * @since 0.1.0
 * @category models
 */
export interface Bind {
  readonly _tag: "Bind"
  readonly source: string
  readonly target: string
  readonly readOnly: boolean
  /**
   * `source` is a path on the engine's machine, said so on purpose: an engine on another machine
   * (a remote `DOCKER_HOST`, context or connection) mounts its own path, so a bind without this
   * is refused there (`BindMountOnRemoteEngine`).
   */
  readonly onEngineHost: boolean
}

/**
 * A named volume (`source`), or an anonymous one (`source` undefined).
 *
 * @since 0.1.0
 * @category models
 */
export interface Volume {
  readonly _tag: "Volume"
  readonly source: string | undefined
  readonly target: string
  readonly readOnly: boolean
}

/**
 * A tmpfs file system in memory.
 *
 * @since 0.1.0
 * @category models
 */
export interface Tmpfs {
  readonly _tag: "Tmpfs"
  readonly target: string
  /** Size limit in bytes; none means the runtime's default (half of the memory). */
  readonly sizeBytes: number | undefined
  /** Permission bits (e.g. `0o1777`); none means the runtime's default (`1777`). */
  readonly mode: number | undefined
}

/**
 * A `--mount` value passed as written.
 *
 * @since 0.1.0
 * @category models
 */
export interface Raw {
  readonly _tag: "Raw"
  readonly spec: string
}

/**
 * A mount. Built by `bind`, `volume`, `tmpfs` and `raw`, so its fields are valid; a `Data` value
 * (structural `Equal`).
 *
 * @since 0.1.0
 * @category models
 */
export type Mount = Bind | Volume | Tmpfs | Raw

type Check = Either.Either<void, InvalidMount>

const ok: Check = Either.void

const fail = (input: string, reason: InvalidMountReason): Check => Either.left(new InvalidMount({ input, reason }))

const checkCharacters = (field: string): Check =>
  hasNul(field) || field.includes("\r") ? fail(field, "InvalidCharacter") : ok

const checkTarget = (target: string): Check =>
  Either.flatMap(checkCharacters(target), () =>
    !target.startsWith("/")
      ? fail(target, "TargetNotAbsolute")
      : /^\/+$/.test(target)
        ? fail(target, "TargetIsRoot")
        : ok
  )

const WINDOWS_ABSOLUTE = /^[A-Za-z]:[\\/]/

const checkBindSource = (source: string): Check =>
  Either.flatMap(checkCharacters(source), () =>
    source.startsWith("/") || WINDOWS_ABSOLUTE.test(source) ? ok : fail(source, "SourceNotAbsolute")
  )

const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]+$/

const checkVolumeName = (source: string | undefined): Check =>
  source === undefined || VOLUME_NAME.test(source) ? ok : fail(source, "InvalidVolumeName")

const allOk = (checks: ReadonlyArray<() => Check>): Check =>
  checks.reduce<Check>((acc, check) => Either.flatMap(acc, check), ok)

/**
 * A bind mount of an absolute host path.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Mount } from "ociman"
 *
 * Mount.bind({ source: "/srv/a,b", target: "/data" }).pipe(Either.map(Mount.format))
 * // Either.right('type=bind,"source=/srv/a,b",target=/data')
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const bind = (options: {
  readonly source: string
  readonly target: string
  readonly readOnly?: boolean | undefined
  /** The path is on the engine's machine (needed, and checked, only for a remote engine). */
  readonly onEngineHost?: boolean | undefined
}): Either.Either<Mount, InvalidMount> =>
  Either.map(allOk([() => checkBindSource(options.source), () => checkTarget(options.target)]), () =>
    Data.struct<Bind>({
      _tag: "Bind",
      source: options.source,
      target: options.target,
      readOnly: options.readOnly ?? false,
      onEngineHost: options.onEngineHost ?? false
    })
  )

/**
 * A named volume (created by the runtime if missing), or an anonymous one without `source`.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Mount } from "ociman"
 *
 * Mount.volume({ source: "pgdata", target: "/var/lib/postgresql/data" }).pipe(Either.map(Mount.format))
 * // Either.right("type=volume,source=pgdata,target=/var/lib/postgresql/data")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const volume = (options: {
  readonly source?: string | undefined
  readonly target: string
  readonly readOnly?: boolean | undefined
}): Either.Either<Mount, InvalidMount> => {
  const readOnly = options.readOnly ?? false
  return Either.map(
    allOk([
      () => checkVolumeName(options.source),
      () => checkTarget(options.target),
      () => (readOnly && options.source === undefined ? fail(options.target, "ReadOnlyAnonymousVolume") : ok)
    ]),
    () => Data.struct<Volume>({ _tag: "Volume", source: options.source, target: options.target, readOnly })
  )
}

/**
 * A tmpfs mount, with an optional size in bytes and permission bits.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Mount } from "ociman"
 *
 * Mount.tmpfs({ target: "/tmp", sizeBytes: 64 * 1024 * 1024, mode: 0o1777 }).pipe(Either.map(Mount.format))
 * // Either.right("type=tmpfs,target=/tmp,tmpfs-size=67108864,tmpfs-mode=1777")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const tmpfs = (options: {
  readonly target: string
  readonly sizeBytes?: number | undefined
  readonly mode?: number | undefined
}): Either.Either<Mount, InvalidMount> => {
  const { mode, sizeBytes, target } = options
  return Either.map(
    allOk([
      () => checkTarget(target),
      () =>
        sizeBytes === undefined || (Number.isSafeInteger(sizeBytes) && sizeBytes > 0)
          ? ok
          : fail(String(sizeBytes), "InvalidTmpfsSize"),
      () =>
        mode === undefined || (Number.isInteger(mode) && mode >= 0 && mode <= 0o7777)
          ? ok
          : fail(String(mode), "InvalidTmpfsMode")
    ]),
    () => Data.struct<Tmpfs>({ _tag: "Tmpfs", target, sizeBytes, mode })
  )
}

/**
 * A `--mount` value passed as written (only checked to be non-empty, without NUL), for mount
 * types and options this module does not model.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Mount } from "ociman"
 *
 * Mount.raw("type=bind,source=/srv,target=/srv,bind-propagation=rshared").pipe(Either.map(Mount.format))
 * // Either.right("type=bind,source=/srv,target=/srv,bind-propagation=rshared")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const raw = (spec: string): Either.Either<Mount, InvalidMount> =>
  spec.length === 0
    ? Either.left(new InvalidMount({ input: spec, reason: "Empty" }))
    : hasNul(spec)
      ? Either.left(new InvalidMount({ input: spec, reason: "InvalidCharacter" }))
      : Either.right(Data.struct<Raw>({ _tag: "Raw", spec }))

/** One CSV field as Go's `encoding/csv` reads it. */
const csvField = (field: string): string => (/[",\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field)

const record = (fields: ReadonlyArray<string>): string => fields.map(csvField).join(",")

/**
 * The `--mount` value.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Mount } from "ociman"
 *
 * Mount.volume({ source: "cache", target: "/cache", readOnly: true }).pipe(Either.map(Mount.format))
 * // Either.right("type=volume,source=cache,target=/cache,ro")
 * ```
 *
 * @since 0.1.0
 * @category formatting
 */
export const format = (mount: Mount): string => {
  switch (mount._tag) {
    case "Bind":
      return record([
        "type=bind",
        `source=${mount.source}`,
        `target=${mount.target}`,
        ...(mount.readOnly ? ["readonly"] : [])
      ])
    case "Volume":
      return record([
        "type=volume",
        ...(mount.source === undefined ? [] : [`source=${mount.source}`]),
        `target=${mount.target}`,
        ...(mount.readOnly ? ["ro"] : [])
      ])
    case "Tmpfs":
      return record([
        "type=tmpfs",
        `target=${mount.target}`,
        ...(mount.sizeBytes === undefined ? [] : [`tmpfs-size=${mount.sizeBytes}`]),
        ...(mount.mode === undefined ? [] : [`tmpfs-mode=${mount.mode.toString(8)}`])
      ])
    case "Raw":
      return mount.spec
  }
}

/**
 * Why a mount is rejected.
 *
 * @since 0.1.0
 * @category errors
 */
export type InvalidMountReason =
  | "SourceNotAbsolute"
  | "TargetNotAbsolute"
  | "TargetIsRoot"
  | "InvalidVolumeName"
  | "ReadOnlyAnonymousVolume"
  | "InvalidCharacter"
  | "InvalidTmpfsSize"
  | "InvalidTmpfsMode"
  | "Empty"

/**
 * An invalid mount. `input` is the offending field (a path, name, number or raw spec) as text.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Mount } from "ociman"
 *
 * Either.flip(Mount.bind({ source: "./data", target: "/data" })).pipe(Either.map((e) => e.reason))
 * // Either.right("SourceNotAbsolute")
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidMount extends Data.TaggedError("InvalidMount")<{
  readonly input: string
  readonly reason: InvalidMountReason
}> {
  override get message(): string {
    const got = quoteExcerpt(this.input)
    switch (this.reason) {
      case "SourceNotAbsolute":
        return `Bind mount source must be an absolute host path (got ${got}): resolve it first, e.g. with path.resolve`
      case "TargetNotAbsolute":
        return `Mount target must be an absolute path in the container (got ${got})`
      case "TargetIsRoot":
        return `Mount target cannot be "/" (the container's root file system)`
      case "InvalidVolumeName":
        return `Volume name must match [A-Za-z0-9][A-Za-z0-9_.-]+ (at least two characters; got ${got}); for a host directory use a bind mount`
      case "ReadOnlyAnonymousVolume":
        return `An anonymous volume cannot be read-only (docker refuses it): give the volume a name, or drop readOnly`
      case "InvalidCharacter":
        return `Mount field cannot contain a NUL or carriage-return character (got ${got})`
      case "InvalidTmpfsSize":
        return `tmpfs size must be a positive integer number of bytes (got ${got})`
      case "InvalidTmpfsMode":
        return `tmpfs mode must be an integer from 0 to 0o7777, e.g. 0o1777 (got ${got})`
      case "Empty":
        return "Raw mount spec cannot be empty"
    }
  }
}
