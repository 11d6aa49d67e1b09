/**
 * Reusable containers (`Container.start(definition, { reuse: true })`): one container per
 * definition, shared by every process and every run on the engine.
 *
 * - The key is a SHA-256 of the validated definition (secrets included, hashed, never stored), kept
 *   in the `ociman.reuse` label; a changed definition has another key and gets its own container.
 * - Exactly one container per key, however many processes start it at once: each creates it under
 *   a name derived from the key, and the engine accepts one create per name. A name conflict means
 *   another process won: its container is found by the key, awaited until it runs, and used.
 * - A reused container survives its scope and its process (`ociman.lifecycle=reused`): no sweep
 *   takes it; `listReused` / `removeReused` (`ociman ps --reuse`, `ociman prune --reuse`) do.
 * - `OCIMAN_REUSE=0` turns reuse off: `reuse: true` then starts an ordinary container.
 */
import { Clock, Config, Duration, Effect, Option, Redacted } from "effect"
import type { RunSpec, Service, StartError } from "../ContainerRuntime.js"
import type { CliError } from "../CliError.js"
import { type ContainerNotFound, NameInUse } from "../ContainerError.js"
import type { InvalidInspect } from "../ContainerInspect.js"
import { onClockOf } from "./clock.js"
import { labelFilter } from "./labelFilter.js"
import { makeSha256 } from "./hash/segments.js"
import { CREATED_LABEL, LIFECYCLE_LABEL, MANAGED_LABEL, REUSE_LABEL } from "./session.js"
import { fields, make } from "../ContainerDefinition.js"

export { REUSE_LABEL }

/** The `ociman.lifecycle` value of a reused container. */
export const REUSED_LIFECYCLE = "reused"

/** The environment variable that turns reuse off (`0`, `false`, `no`, `off`). */
export const ENV_VARIABLE = "OCIMAN_REUSE"

/** Whether `OCIMAN_REUSE` allows reuse; an unreadable value turns it off, with a warning. */
export const enabledByEnvironment: Effect.Effect<boolean> = Config.option(Config.boolean(ENV_VARIABLE)).pipe(
  Effect.map(Option.getOrElse(() => true)),
  Effect.catchAll((error) =>
    Effect.as(Effect.logWarning(`ociman: ${ENV_VARIABLE} is not a boolean (${error.message}); reuse is off`), false)
  )
)

/** A stable text for any value: object keys sorted, secrets revealed (the text is only hashed). */
const canonical = (value: unknown): unknown => {
  if (Redacted.isRedacted(value)) return { redacted: Redacted.value(value) }
  // a health check's durations: the same time whatever its unit (and a bigint is no JSON)
  if (Duration.isDuration(value)) {
    return { nanos: String(Duration.toNanos(value).pipe(Option.getOrElse(() => "infinity"))) }
  }
  if (Array.isArray(value)) return value.map(canonical)
  if (value instanceof Map) return { map: Array.from(value.entries()).map(canonical) }
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical(Reflect.get(value, key))])
    )
  }
  return value === undefined ? null : value
}

/**
 * Fields added to definitions after the first release: left as a new definition has them, they
 * are not part of the key, so a definition that does not set them keeps the key it had and its
 * reused container (a database server kept across runs) is found again after an upgrade.
 */
const LATER_FIELDS: ReadonlySet<string> = new Set([
  "privileged",
  "capAdd",
  "capDrop",
  "shmSizeBytes",
  "ulimits",
  "pidsLimit",
  "readOnly",
  "stopSignal",
  "stopTimeoutSeconds",
  "healthcheck",
  "moreNetworks",
  "exposedHostPorts"
])

const unset = fields(make("unset"))

const isUnsetLaterField = (key: string, value: unknown): boolean =>
  LATER_FIELDS.has(key) && JSON.stringify(canonical(value)) === JSON.stringify(canonical(Reflect.get(unset, key)))

/** The key of a validated definition (without the ownership labels): SHA-256, hex. */
export const definitionKey = (spec: RunSpec): string => {
  // the files by their digest (content, modes, paths; not the archive's times), and only when
  // there are some, so the key of a definition without files stays what it was
  const { files, ...all } = spec
  const rest = Object.fromEntries(Object.entries(all).filter(([key, value]) => !isUnsetLaterField(key, value)))
  const keyed = files === undefined ? { version: 1, spec: rest } : { version: 1, spec: rest, files: files.digest }
  return makeSha256()
    .update(JSON.stringify(canonical(keyed)))
    .digest("hex")
}

/** The container name a key reserves on the engine: the atomic step that makes one container per key. */
export const reuseName = (key: string): string => `ociman-reuse-${key.slice(0, 32)}`

/** The labels that mark a reused container (added after the ownership labels). */
export const reuseLabels = (key: string): ReadonlyArray<readonly [string, string]> => [[REUSE_LABEL, key]]

/** States of a container whose creator is still starting it. */
const STARTING: ReadonlySet<string> = new Set(["created", "configured", "initialized"])
const RUNNING: ReadonlySet<string> = new Set(["running"])

/** How long another process may take between creating the container and starting it. */
const STARTING_BUDGET = Duration.seconds(120)
const STARTING_POLL = Duration.millis(100)
/** A found container can be gone again (removed by a prune) before it is used: try again, a few times. */
const ATTEMPTS = 5

/** The container's state once its creator has started it (polls while it is only created). */
const statusOnceStarted = (
  service: Service,
  id: string
): Effect.Effect<string, ContainerNotFound | CliError | InvalidInspect> =>
  Effect.flatMap(service.containers.inspect(id), (info) =>
    STARTING.has(info.state.status)
      ? Effect.zipRight(
          Effect.sleep(STARTING_POLL),
          Effect.suspend(() => statusOnceStarted(service, id))
        )
      : Effect.succeed(info.state.status)
  )

type Found = { readonly _tag: "Running"; readonly id: string } | { readonly _tag: "Absent" }

/**
 * The running container for `key`, if one exists: one that is starting is awaited; one that has
 * stopped (the engine restarted, someone stopped it) is removed, so that a new one is created.
 */
const findRunning = (service: Service, key: string): Effect.Effect<Found, StartError> =>
  Effect.gen(function* () {
    const listed = yield* service.containers.listLabeled([labelFilter(REUSE_LABEL, key)])
    const mine = listed.filter((container) => container.labels.get(REUSE_LABEL) === key)
    for (const container of mine) {
      const status = yield* statusOnceStarted(service, container.id).pipe(
        Effect.timeoutTo({
          duration: STARTING_BUDGET,
          onSuccess: (current) => current,
          onTimeout: () => "stuck"
        }),
        Effect.catchTag("ContainerNotFound", () => Effect.succeed("gone")),
        Effect.catchTag("InvalidInspect", () => Effect.succeed("unreadable"))
      )
      if (RUNNING.has(status)) return { _tag: "Running", id: container.id }
      if (status === "gone") continue
      // stopped for good (or never started): its name must be freed for a new one
      yield* service.containers
        .remove(container.id, { force: true, volumes: true })
        .pipe(Effect.catchTag("ContainerNotFound", () => Effect.void))
    }
    const absent: Found = { _tag: "Absent" }
    return absent
  })

/**
 * The id of the one running container for `spec` (which carries the reuse labels and name): an
 * existing one, or one this process creates with `create`. A name conflict with a container of
 * another definition (a name the user gave twice) is `NameInUse`.
 */
export const acquire = (
  service: Service,
  key: string,
  spec: RunSpec,
  create: (spec: RunSpec) => Effect.Effect<string, StartError>
): Effect.Effect<string, StartError> => {
  const once = Effect.gen(function* () {
    const found = yield* findRunning(service, key)
    if (found._tag === "Running") return Option.some(found.id)
    return yield* create(spec).pipe(
      Effect.map(Option.some),
      // someone else created it first: look again
      Effect.catchTag("NameInUse", () => Effect.succeed(Option.none<string>()))
    )
  })
  const attempt = (left: number): Effect.Effect<string, StartError> =>
    Effect.flatMap(
      once,
      Option.match({
        onSome: Effect.succeed,
        onNone: () =>
          // no pause: the winner's container exists as soon as our create conflicted with it
          left > 1
            ? attempt(left - 1)
            : Effect.fail(
                new NameInUse({
                  name: spec.name ?? "",
                  stderr: "the name is held by a container of another definition (not reusable for this one)"
                })
              )
      })
    )
  return attempt(ATTEMPTS).pipe(onClockOf(service.capabilities))
}

// ---------------------------------------------------------------------------------------------
// Listing and removing reused containers
// ---------------------------------------------------------------------------------------------

/** A reused container, as `listReused` reports it. */
export interface Reused {
  readonly id: string
  readonly name: string
  /** The definition key (`ociman.reuse`). */
  readonly key: string
  /** When it was created (`ociman.created`), if readable. */
  readonly created: string | undefined
}

const managed = labelFilter(MANAGED_LABEL, "true")

/** Every reused container on the service's engine. */
export const list = (service: Service) =>
  Effect.map(service.containers.listLabeled([managed, labelFilter(LIFECYCLE_LABEL, REUSED_LIFECYCLE)]), (containers) =>
    containers.flatMap((container): ReadonlyArray<Reused> => {
      const key = container.labels.get(REUSE_LABEL)
      if (container.labels.get(LIFECYCLE_LABEL) !== REUSED_LIFECYCLE || key === undefined) return []
      return [
        {
          id: container.id,
          name: container.names[0] ?? container.id,
          key,
          created: container.labels.get(CREATED_LABEL)
        }
      ]
    })
  )

/** Whether a reused container is at least `olderThanMillis` old at `now` (an unreadable age is not old). */
export const isOlderThan = (reused: Reused, olderThanMillis: number | undefined, now: number): boolean => {
  if (olderThanMillis === undefined) return true
  const created = Date.parse(reused.created ?? "")
  return !Number.isNaN(created) && now - created >= olderThanMillis
}

/** What `remove` did with one reused container. */
export interface Removal {
  readonly container: Reused
  readonly outcome: "Removed" | "WouldRemove" | "AlreadyGone" | "Failed" | "Kept"
  readonly error?: string | undefined
}

/** Removes the reused containers at least `olderThan` old (all without it); the others are `Kept`. */
export const remove = (
  service: Service,
  options: { readonly olderThan?: Duration.DurationInput | undefined; readonly dryRun?: boolean | undefined }
) =>
  Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis
    const olderThan = options.olderThan === undefined ? undefined : Duration.toMillis(options.olderThan)
    const reused = yield* list(service)
    return yield* Effect.forEach(
      reused,
      (container): Effect.Effect<Removal> =>
        !isOlderThan(container, olderThan, now)
          ? Effect.succeed({ container, outcome: "Kept" })
          : options.dryRun === true
            ? Effect.succeed({ container, outcome: "WouldRemove" })
            : service.containers.remove(container.id, { force: true, volumes: true }).pipe(
                Effect.as<Removal>({ container, outcome: "Removed" }),
                Effect.catchTag("ContainerNotFound", () =>
                  Effect.succeed<Removal>({ container, outcome: "AlreadyGone" })
                ),
                Effect.catchAll((error) =>
                  Effect.succeed<Removal>({ container, outcome: "Failed", error: error.message })
                )
              ),
      { concurrency: 4 }
    )
  }).pipe(onClockOf(service.capabilities))
