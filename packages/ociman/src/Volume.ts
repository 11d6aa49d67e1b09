/**
 * Named volumes as scoped resources: created with labels, mounted by value, removed when their
 * scope closes, and swept like networks when the process that made them is gone.
 *
 * @example
 * ```ts
 * import { Effect, Either, pipe } from "effect"
 * import { Container, ContainerDefinition as Def, Volume } from "ociman"
 *
 * const image = "localhost/ociman-test/busybox:1"
 * const program = Effect.gen(function* () {
 *   const data = yield* Volume.make() // removed when the scope closes
 *   const at = Either.getOrThrow(Volume.mount(data, "/data"))
 *   yield* Container.run(pipe(Def.make(image), Def.withRemove, Def.mount(at), Def.command(["sh", "-c", "echo hi > /data/f"])))
 *   const read = yield* Container.run(pipe(Def.make(image), Def.withRemove, Def.mount(at), Def.command(["cat", "/data/f"])))
 *   return read.stdout // "hi\n"
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 */
import { Effect, Either, Schedule, type Schema, type Scope } from "effect"
import type { CliError, UnexpectedOutput } from "./CliError.js"
import type { ListedVolume } from "./ContainerRuntime.js"
import { ContainerRuntime } from "./internal/runtimeTag.js"
import * as Label from "./Label.js"
import * as Mount from "./Mount.js"
import type { InvalidVolumeName, VolumeInUse, VolumeNameInUse, VolumeNotFound } from "./VolumeError.js"
import { entriesOf } from "./internal/bytes.js"
import { bounded, unanswered } from "./internal/deadline.js"
import { labelFilter } from "./internal/labelFilter.js"
import { ownershipLabels, SESSION_LABEL, sessionId } from "./internal/session.js"
import * as volumeName from "./internal/volumeName.js"
import type { VolumeName } from "./internal/volumeName.js"

export type { VolumeName } from "./internal/volumeName.js"

/**
 * A string that decodes to a `VolumeName`, for `Config` and CLI flags.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Volume } from "ociman"
 *
 * Schema.decodeUnknownSync(Volume.NameFromString)("pgdata") // "pgdata"
 * ```
 *
 * @since 0.1.0
 * @category values
 */
export const NameFromString: Schema.Schema<VolumeName, string> = volumeName.NameFromString

/**
 * Validates a volume name (at least two characters: letters, digits, `_`, `.`, `-`, starting with
 * a letter or digit).
 *
 * @example
 * ```ts
 * import { Volume } from "ociman"
 *
 * Volume.name("pgdata") // Either.right("pgdata")
 * Volume.name("-x") // Either.left(InvalidVolumeName { input: "-x" })
 * ```
 *
 * @since 0.1.0
 * @category values
 */
export const name: (input: string) => Either.Either<VolumeName, InvalidVolumeName> = volumeName.name

/**
 * A volume created by {@link make}.
 * @since 0.1.0
 * @category models
 */
export interface Volume {
  readonly name: VolumeName
}

/**
 * Options of {@link make}.
 * @since 0.1.0
 * @category models
 */
export interface MakeOptions {
  /** The volume's name; default: unique per call, `ociman-<session>-<random>`. */
  readonly name?: string | undefined
  /** Labels in addition to the ownership labels every volume created here carries. */
  readonly labels?: Readonly<Record<string, string>> | Iterable<readonly [string, string]> | undefined
}

/**
 * Failures of {@link make}.
 * @since 0.1.0
 * @category errors
 */
export type MakeError = InvalidVolumeName | Label.InvalidLabel | VolumeNameInUse | CliError

const uniqueName = (): VolumeName =>
  volumeName.brandName(`ociman-${sessionId.slice(0, 8)}-${globalThis.crypto.randomUUID().slice(0, 8)}`)

const fromEither = <A, E>(either: Either.Either<A, E>): Effect.Effect<A, E> =>
  Either.match(either, { onLeft: Effect.fail, onRight: Effect.succeed })

/** Short retries while a container that mounted the volume is still being removed. */
const IN_USE_RETRY = Schedule.spaced("250 millis")
const IN_USE_RETRIES = 8

/**
 * Creates a named volume that is removed when the scope closes. It carries the ownership labels (so
 * a sweep removes it if the process dies) and, unless `name` is given, a name unique to this call;
 * a name that exists already is `VolumeNameInUse` (on Docker too, whose own `volume create` would
 * silently take the existing one). Release tolerates a volume already gone, retries briefly while
 * containers that mounted it are still being removed, and never removes a container: start the
 * containers that mount it inside the same scope (after the volume), so they are released first.
 *
 * @example
 * ```ts
 * import { Effect, Either, pipe } from "effect"
 * import { Container, ContainerDefinition as Def, Volume } from "ociman"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function* () {
 *     const data = yield* Volume.make({ labels: { "com.example.suite": "db" } })
 *     const db = yield* Container.start(
 *       pipe(Def.make("postgres:17"), Def.mount(Either.getOrThrow(Volume.mount(data, "/var/lib/postgresql/data"))))
 *     )
 *     return { volume: data.name, db: db.id }
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const make = (options: MakeOptions = {}): Effect.Effect<Volume, MakeError, ContainerRuntime | Scope.Scope> =>
  Effect.gen(function* () {
    const runtime = yield* ContainerRuntime
    const volume = options.name === undefined ? uniqueName() : yield* fromEither(name(options.name))
    // the ownership labels come last, so a user label cannot override them
    const labels = yield* fromEither(Label.make([...entriesOf(options.labels ?? {}), ...ownershipLabels()]))
    const release = runtime.volumes.remove(volume).pipe(
      bounded(runtime, "volume", "volume.remove", volume),
      Effect.retry({ schedule: IN_USE_RETRY, times: IN_USE_RETRIES, while: (error) => error._tag === "VolumeInUse" }),
      Effect.catchTag("VolumeNotFound", () => Effect.void),
      Effect.tapError((error) => Effect.logWarning(`ociman: could not remove volume ${volume}: ${error.message}`)),
      Effect.ignore
    )
    // A create the engine did not answer may still be carried out: remove the volume if it turns
    // up with this process's labels (never someone else's of the same name).
    const releaseIfOurs = runtime.volumes.listLabeled([labelFilter(SESSION_LABEL, sessionId)]).pipe(
      bounded(runtime, "volume", "volume.list", volume),
      Effect.flatMap((listed) => (listed.some((v) => v.name === volume) ? release : Effect.void)),
      Effect.ignore
    )
    return yield* Effect.acquireRelease(
      runtime.volumes.create(volume, { labels }).pipe(
        bounded(runtime, "volume", "volume.create", volume),
        Effect.onError((cause) => (unanswered(cause) ? releaseIfOurs : Effect.void)),
        Effect.as<Volume>({ name: volume })
      ),
      () => release
    )
  }).pipe(Effect.withSpan("ociman.Volume.make"))

/**
 * A mount of the volume at `target` (an absolute path in the container), for `Def.mount`.
 *
 * @example
 * ```ts
 * import { Either, pipe } from "effect"
 * import { ContainerDefinition as Def, Volume } from "ociman"
 *
 * const data = { name: Either.getOrThrow(Volume.name("pgdata")) }
 * const def = pipe(Def.make("postgres:17"), Def.mount(Either.getOrThrow(Volume.mount(data, "/var/lib/postgresql/data"))))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const mount = (
  volume: Volume | VolumeName,
  target: string,
  options: { readonly readOnly?: boolean | undefined } = {}
): Either.Either<Mount.Mount, Mount.InvalidMount> =>
  Mount.volume({ source: typeof volume === "string" ? volume : volume.name, target, readOnly: options.readOnly })

/**
 * Whether a volume with this name exists.
 *
 * @example
 * ```ts
 * import { Volume } from "ociman"
 *
 * const present = Volume.exists("pgdata") // Effect<boolean, CliError, ContainerRuntime>
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const exists = (volume: string): Effect.Effect<boolean, CliError, ContainerRuntime> =>
  Effect.flatMap(ContainerRuntime, (runtime) =>
    runtime.volumes.exists(volume).pipe(bounded(runtime, "volume", "volume.exists", volume))
  )

/**
 * Removes a volume by name (for volumes not created with {@link make}); never one a container
 * still mounts (`VolumeInUse`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Volume } from "ociman"
 *
 * const cleanup = Volume.remove("leftover").pipe(Effect.catchTag("VolumeNotFound", () => Effect.void))
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const remove = (
  volume: string
): Effect.Effect<void, VolumeNotFound | VolumeInUse | CliError, ContainerRuntime> =>
  Effect.flatMap(ContainerRuntime, (runtime) =>
    runtime.volumes.remove(volume).pipe(bounded(runtime, "volume", "volume.remove", volume))
  )

/**
 * The volumes whose labels match every filter, each with its labels.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Label, Volume } from "ociman"
 *
 * const suite = Volume.listLabeled([Label.keyOnly(Either.getOrThrow(Label.key("com.example.suite")))])
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const listLabeled = (
  filters: ReadonlyArray<Label.Filter>
): Effect.Effect<ReadonlyArray<ListedVolume>, CliError | UnexpectedOutput, ContainerRuntime> =>
  Effect.flatMap(ContainerRuntime, (runtime) =>
    runtime.volumes.listLabeled(filters).pipe(bounded(runtime, "volume", "volume.list", undefined))
  )
