/**
 * Reusable containers (`Container.start(definition, { reuse: true })`): one container per
 * definition, shared by every process and every run on the engine.
 *
 * - The key is a SHA-256 of the validated definition (secrets included, hashed, never stored), kept
 *   in the `ociman.reuse` label; a changed definition has another key and gets its own container.
 * - Exactly one container per key, however many processes start it at once: each creates it under
 *   a name derived from the key, and the engine accepts one create per name. A name conflict means
 *   another process won: its container is found by its name, awaited until it runs, and used. An
 *   engine reserves the name before the container can be found (Docker makes its writable layer in
 *   between), so a conflict with nothing found yet is tried again after a pause, for a while.
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
/**
 * How long a name may stay reserved with no container to be found under it. Docker reserves the
 * name first and lists the container only once its writable layer exists (tens of milliseconds,
 * seconds on a loaded machine), so a create can lose the name to a container nobody can see yet.
 */
const UNLISTED_BUDGET = Duration.seconds(30)
const UNLISTED_FIRST_PAUSE = Duration.millis(10)
const UNLISTED_LONGEST_PAUSE = Duration.millis(250)

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

/**
 * A container of this definition, once its creator has started it: its id when it runs; none when
 * it is gone, or when it stopped for good (the engine restarted, someone stopped it) or never
 * started, in which case it is removed so that its name is free for a new one.
 */
const runningOrCleared = (service: Service, id: string): Effect.Effect<Option.Option<string>, StartError> =>
  Effect.gen(function* () {
    const status = yield* statusOnceStarted(service, id).pipe(
      Effect.timeoutTo({
        duration: STARTING_BUDGET,
        onSuccess: (current) => current,
        onTimeout: () => "stuck"
      }),
      Effect.catchTag("ContainerNotFound", () => Effect.succeed("gone")),
      Effect.catchTag("InvalidInspect", () => Effect.succeed("unreadable"))
    )
    if (RUNNING.has(status)) return Option.some(id)
    if (status !== "gone") {
      yield* service.containers
        .remove(id, { force: true, volumes: true })
        .pipe(Effect.catchTag("ContainerNotFound", () => Effect.void))
    }
    return Option.none()
  })

/** The running container for `key`, if one is listed (one that is starting is awaited). */
const findRunning = (service: Service, key: string): Effect.Effect<Option.Option<string>, StartError> =>
  Effect.gen(function* () {
    const listed = yield* service.containers.listLabeled([labelFilter(REUSE_LABEL, key)])
    for (const container of listed.filter((each) => each.labels.get(REUSE_LABEL) === key)) {
      const running = yield* runningOrCleared(service, container.id)
      if (Option.isSome(running)) return running
    }
    return Option.none()
  })

/** What one look-or-create came to. */
type Outcome =
  | { readonly _tag: "Acquired"; readonly id: string }
  // the container found was gone or stopped before it could be used
  | { readonly _tag: "LookAgain" }
  // the name is reserved, but no container can be found under it yet
  | { readonly _tag: "NotListedYet" }

const acquired = (id: string): Outcome => ({ _tag: "Acquired", id })
const lookAgain: Outcome = { _tag: "LookAgain" }
const notListedYet: Outcome = { _tag: "NotListedYet" }

/**
 * After a create lost `name`: who holds it. A container of this definition is awaited and used; one
 * of another definition (a name the user gave twice) is `NameInUse`; none found means the winner's
 * create has reserved the name and is still making the container.
 */
const holderOf = (
  service: Service,
  key: string,
  name: string,
  conflict: NameInUse
): Effect.Effect<Outcome, StartError> =>
  service.containers.inspect(name).pipe(
    Effect.flatMap((holder) =>
      holder.labels.get(REUSE_LABEL) === key
        ? Effect.map(runningOrCleared(service, holder.id), Option.match({ onNone: () => lookAgain, onSome: acquired }))
        : Effect.fail(
            new NameInUse({
              name,
              stderr: `${conflict.stderr.trim()}\n(the name is held by a container of another definition: not reusable for this one)`
            })
          )
    ),
    Effect.catchTag("ContainerNotFound", () => Effect.succeed(notListedYet)),
    // a holder that cannot be read is looked for again by its labels
    Effect.catchTag("InvalidInspect", () => Effect.succeed(lookAgain))
  )

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
  const name = spec.name ?? reuseName(key)
  const once: Effect.Effect<Outcome, StartError> = Effect.flatMap(
    findRunning(service, key),
    Option.match({
      onSome: (id) => Effect.succeed(acquired(id)),
      onNone: () =>
        create(spec).pipe(
          Effect.map(acquired),
          Effect.catchTag("NameInUse", (conflict) => holderOf(service, key, name, conflict))
        )
    })
  )
  const failing = (stderr: string) => Effect.fail(new NameInUse({ name, stderr }))
  const attempt = (left: number, pause: Duration.Duration, since: number): Effect.Effect<string, StartError> =>
    Effect.flatMap(once, (outcome) => {
      switch (outcome._tag) {
        case "Acquired":
          return Effect.succeed(outcome.id)
        case "LookAgain":
          return left > 1
            ? attempt(left - 1, UNLISTED_FIRST_PAUSE, since)
            : failing(`the container of this definition was gone each time it was found (${ATTEMPTS} times)`)
        case "NotListedYet":
          return Effect.flatMap(Clock.currentTimeMillis, (now) =>
            now - since >= Duration.toMillis(UNLISTED_BUDGET)
              ? failing(
                  `the name has been reserved on the engine for ${Duration.format(UNLISTED_BUDGET)}, but no container can be found under it`
                )
              : Effect.zipRight(
                  Effect.sleep(pause),
                  attempt(left, Duration.min(Duration.times(pause, 2), UNLISTED_LONGEST_PAUSE), since)
                )
          )
      }
    })
  return Effect.flatMap(Clock.currentTimeMillis, (since) => attempt(ATTEMPTS, UNLISTED_FIRST_PAUSE, since)).pipe(
    onClockOf(service.capabilities)
  )
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
