/**
 * The sweeper's engine (see `Sweeper.ts` for the rule and its reasons): list everything carrying
 * `ociman.managed=true` through the service's `listLabeled` operations, judge each resource by its
 * labels, then remove containers, networks, volumes and images, in that order (a network, a
 * volume or an image is free only once its containers are gone).
 */
import { Brand, Clock, Config, Duration, Effect, Option, Schedule } from "effect"
import type { Backend, Service } from "../ContainerRuntime.js"
import * as ImageReference from "../ImageReference.js"
import * as Label from "../Label.js"
import type { Entry, Options, Outcome, Reason, Report, ResourceKind, SweepError } from "../Sweeper.js"
import {
  CREATED_LABEL,
  here,
  HOST_LABEL,
  LIFECYCLE_LABEL,
  MANAGED_LABEL,
  PID_LABEL,
  PIDNS_LABEL,
  SESSION_LABEL,
  sessionId
} from "./session.js"
import type { LabeledContainer, ListedImage, ListedNetwork, ListedVolume } from "../ContainerRuntime.js"
import { builtReference } from "./builtImage.js"
import { onClockOf } from "./clock.js"
import { bounded } from "./deadline.js"
import { REUSED_LIFECYCLE } from "./reuse.js"

// ---------------------------------------------------------------------------------------------
// Judging one resource (pure)
// ---------------------------------------------------------------------------------------------

/** Where the sweep runs, as the judge sees it (a parameter, so tests can stand anywhere). */
export interface Vantage {
  readonly host: string
  readonly pidNamespace: string | undefined
  readonly pid: number
  readonly session: string
  readonly now: number
  readonly isAlive: (pid: number) => boolean
}

/** What the judge decided: why, and whether to remove. */
export interface Verdict {
  readonly reason: Reason
  readonly remove: boolean
}

/** `kill(pid, 0)` semantics: `ESRCH` means no such process; anything else (`EPERM`: another user's) means alive. */
export const isAlive = (pid: number): boolean => {
  try {
    // not in @effect/platform; Node, Bun and Deno all provide process.kill
    process.kill(pid, 0)
    return true
  } catch (error) {
    return !(typeof error === "object" && error !== null && "code" in error && error.code === "ESRCH")
  }
}

const PID = /^[1-9][0-9]*$/

/** What the judge is told to take beyond the resources of gone owners on this host. */
export interface Judgement {
  readonly allSessions: boolean
  readonly olderThanMillis: number | undefined
  readonly includeDetached?: boolean | undefined
}

/**
 * Whether a resource was started detached: the caller's to remove. Absent (resources of earlier
 * versions) or `scoped` is scoped; any other value, a later version's kind included, is kept as
 * detached: the safe direction.
 */
export const isDetached = (labels: ReadonlyMap<string, string>): boolean => {
  const lifecycle = labels.get(LIFECYCLE_LABEL)
  return lifecycle !== undefined && lifecycle !== "scoped"
}

/** Judges one resource from its labels (the caller has checked `ociman.managed=true`). */
export const judge = (labels: ReadonlyMap<string, string>, options: Judgement, vantage: Vantage): Verdict => {
  const host = labels.get(HOST_LABEL)
  const pidText = labels.get(PID_LABEL) ?? ""
  // pid 0 and negative pids address process groups in kill(2): never taken for an owner
  const pid = PID.test(pidText) ? Number(pidText) : undefined
  const namespace = labels.get(PIDNS_LABEL)
  const sameHost =
    host === vantage.host &&
    (namespace === undefined || vantage.pidNamespace === undefined || namespace === vantage.pidNamespace)
  if (labels.get(SESSION_LABEL) === vantage.session || (sameHost && pid === vantage.pid)) {
    return { reason: "ThisProcess", remove: false }
  }
  const reason: Reason =
    host === undefined || (sameHost && pid === undefined)
      ? "UnknownOwner"
      : !sameHost
        ? "OtherHost"
        : pid !== undefined && vantage.isAlive(pid)
          ? "OwnerAlive"
          : "OwnerGone"
  const removable =
    reason === "OwnerGone" || (options.allSessions && (reason === "OtherHost" || reason === "UnknownOwner"))
  if (!removable) return { reason, remove: false }
  if (isDetached(labels) && options.includeDetached !== true) return { reason: "Detached", remove: false }
  if (options.olderThanMillis !== undefined) {
    const created = Date.parse(labels.get(CREATED_LABEL) ?? "")
    if (Number.isNaN(created) || vantage.now - created < options.olderThanMillis) {
      return { reason: "TooRecent", remove: false }
    }
  }
  return { reason, remove: true }
}

const withoutPrefix = (id: string): string => id.replace(/^sha256:/, "")

/**
 * A container's ownership labels are inherited when its image carries the very same ones (same
 * session and creation time): the library gives each container its own creation time.
 */
export const inheritsFromImage = (
  container: Pick<LabeledContainer, "image" | "labels">,
  images: ReadonlyMap<string, ReadonlyMap<string, string>>
): boolean => {
  const image = images.get(withoutPrefix(container.image))
  return (
    image !== undefined &&
    image.get(SESSION_LABEL) === container.labels.get(SESSION_LABEL) &&
    image.get(CREATED_LABEL) === container.labels.get(CREATED_LABEL)
  )
}

// ---------------------------------------------------------------------------------------------
// The sweep
// ---------------------------------------------------------------------------------------------

const brandKey = Brand.nominal<Label.Key>()
const brandValue = Brand.nominal<Label.Value>()
/** Constant, valid label filters (checked by the unit tests, not at run time). */
const labelFilter = (key: string, value: string): Label.Filter => Label.exact(brandKey(key), brandValue(value))

const CONTAINER_CONCURRENCY = 8
const OTHER_CONCURRENCY = 4
/**
 * A network or an image may briefly stay "in use" while its containers are torn down, by this
 * sweep or by another process's sweeping at the same time (which also makes a container's removal
 * "already in progress").
 */
const IN_USE_RETRY = Schedule.spaced("250 millis").pipe(Schedule.intersect(Schedule.recurs(20)))
const BEING_REMOVED = /already in progress|is being removed/i

/** What a removal found: it removed the resource, someone else did first, or a container still uses it. */
type Removal = "Removed" | "AlreadyGone" | "InUse"

interface Candidate {
  readonly kind: ResourceKind
  readonly id: string
  readonly name: string
  readonly labels: ReadonlyMap<string, string>
  readonly verdict: Verdict
  readonly remove: Effect.Effect<Removal, { readonly message: string }>
}

const entryOf = (candidate: Candidate, outcome: Outcome, error?: string): Entry => ({
  kind: candidate.kind,
  id: candidate.id,
  name: candidate.name,
  session: candidate.labels.get(SESSION_LABEL),
  pid: candidate.labels.get(PID_LABEL),
  host: candidate.labels.get(HOST_LABEL),
  created: candidate.labels.get(CREATED_LABEL),
  detached: isDetached(candidate.labels),
  reason: candidate.verdict.reason,
  outcome,
  ...(error === undefined ? {} : { error })
})

/** A resource still in use was rightly left alone: kept, not a failure (the next sweep takes it once it is free). */
const removedEntry = (candidate: Candidate, removal: Removal): Entry =>
  removal === "InUse"
    ? entryOf({ ...candidate, verdict: { reason: "InUse", remove: false } }, "Kept")
    : entryOf(candidate, removal)

const settle = (candidates: ReadonlyArray<Candidate>, dryRun: boolean, concurrency: number) =>
  Effect.forEach(
    candidates,
    (candidate): Effect.Effect<Entry> =>
      !candidate.verdict.remove
        ? Effect.succeed(entryOf(candidate, "Kept"))
        : dryRun
          ? Effect.succeed(entryOf(candidate, "WouldRemove"))
          : candidate.remove.pipe(
              Effect.map((removal) => removedEntry(candidate, removal)),
              Effect.catchAll((error) => Effect.succeed(entryOf(candidate, "Failed", error.message)))
            ),
    { concurrency }
  )

/** Networks, then images (the order the report documents): each kind once the one before is settled. */
const settleInTurn = (kinds: ReadonlyArray<ReadonlyArray<Candidate>>, dryRun: boolean) =>
  Effect.map(
    Effect.forEach(kinds, (candidates) => settle(candidates, dryRun, OTHER_CONCURRENCY)),
    (entries) => entries.flat()
  )

/** What every candidate is judged with: where the sweep stands, what it was asked, what images say. */
interface Context {
  readonly service: Service
  readonly vantage: Vantage
  readonly judgement: Judgement
  /** Labels of every managed image by ID (without `sha256:`), to tell inherited container labels. */
  readonly imageLabels: ReadonlyMap<string, ReadonlyMap<string, string>>
}

const INHERITED: Verdict = { reason: "Inherited", remove: false }

const containerCandidate = (context: Context, container: LabeledContainer): Candidate => {
  const verdict = judge(container.labels, context.judgement, context.vantage)
  return {
    kind: "container",
    id: container.id,
    name: container.names[0] ?? container.id,
    labels: container.labels,
    verdict: verdict.remove && inheritsFromImage(container, context.imageLabels) ? INHERITED : verdict,
    remove: context.service.containers.remove(container.id, { force: true, volumes: true }).pipe(
      Effect.retry({
        schedule: IN_USE_RETRY,
        while: (error) => error._tag === "CommandFailed" && BEING_REMOVED.test(error.stderr)
      }),
      Effect.as<Removal>("Removed"),
      Effect.catchTag("ContainerNotFound", () => Effect.succeed<Removal>("AlreadyGone"))
    )
  }
}

/**
 * A removal that is never forced (Podman's force would take a network's containers, or an image
 * some other container still uses): retried while the resource is in use, then kept as `InUse`.
 */
const unforced = <E extends { readonly _tag: string; readonly message: string }>(
  removal: Effect.Effect<void, E>,
  tags: { readonly inUse: E["_tag"]; readonly notFound: E["_tag"] }
): Effect.Effect<Removal, E> =>
  removal.pipe(
    Effect.retry({ schedule: IN_USE_RETRY, while: (error) => error._tag === tags.inUse }),
    Effect.as<Removal>("Removed"),
    Effect.catchIf(
      (error) => error._tag === tags.inUse || error._tag === tags.notFound,
      (error) => Effect.succeed<Removal>(error._tag === tags.inUse ? "InUse" : "AlreadyGone")
    )
  )

const networkCandidate = (context: Context, network: ListedNetwork): Candidate => ({
  kind: "network",
  id: network.id,
  name: network.name,
  labels: network.labels,
  verdict: judge(network.labels, context.judgement, context.vantage),
  remove: unforced(context.service.networks.remove(network.id), { inUse: "NetworkInUse", notFound: "NetworkNotFound" })
})

const volumeCandidate = (context: Context, volume: ListedVolume): Candidate => ({
  kind: "volume",
  id: volume.name,
  name: volume.name,
  labels: volume.labels,
  verdict: judge(volume.labels, context.judgement, context.vantage),
  remove: unforced(context.service.volumes.remove(volume.name), { inUse: "VolumeInUse", notFound: "VolumeNotFound" })
})

const imageCandidate = (context: Context, image: ListedImage): Candidate => {
  const reference = builtReference(image)
  const parsed = reference === undefined ? undefined : ImageReference.parse(reference)
  const base = { kind: "image" as const, id: image.id, labels: image.labels }
  if (reference === undefined || parsed === undefined || parsed._tag === "Left") {
    const name = image.references[0] ?? image.id
    return { ...base, name, verdict: INHERITED, remove: Effect.succeed<Removal>("AlreadyGone") }
  }
  return {
    ...base,
    name: reference,
    verdict: judge(image.labels, context.judgement, context.vantage),
    remove: unforced(context.service.images.remove(parsed.right), { inUse: "ImageInUse", notFound: "ImageNotFound" })
  }
}

/** Labels of managed images by ID (without `sha256:`). */
const labelsById = (
  images: ReadonlyArray<{ readonly id: string; readonly labels: ReadonlyMap<string, string> }>
): ReadonlyMap<string, ReadonlyMap<string, string>> =>
  new Map(images.map((image) => [withoutPrefix(image.id), image.labels] as const))

const keyOf = (resource: { readonly kind: ResourceKind; readonly id: string }): string =>
  `${resource.kind} ${resource.id}`
const heldInUse = (entry: Entry): boolean => entry.outcome === "Kept" && entry.reason === "InUse"

/**
 * A network or an image still in use after the first pass may be held by a container created after
 * the listing: a gone owner's `docker run` that was still in flight when it was killed (the CLI
 * outlives it and the engine finishes the container). Containers are listed again, then images (a
 * new container may run an image built since the first listing, whose labels it inherits); if new
 * containers are removable, they go, and the held networks and images are tried once more. Otherwise the entries
 * stand: the wait is already spent (and a listing that fails now leaves the first pass's report).
 */
const secondPass = (
  context: Context,
  filters: ReadonlyArray<Label.Filter>,
  inScope: (labels: ReadonlyMap<string, string>) => boolean,
  listed: ReadonlyArray<Candidate>,
  freed: ReadonlyArray<ReadonlyArray<Candidate>>,
  first: ReadonlyArray<Entry>
): Effect.Effect<ReadonlyArray<Entry>> =>
  Effect.gen(function* () {
    const held = new Set(first.filter(heldInUse).map(keyOf))
    if (held.size === 0) return first
    const seen = new Set(listed.map((candidate) => candidate.id))
    const relisted = yield* context.service.containers.listLabeled(filters).pipe(Effect.orElseSucceed(() => []))
    const fresh = relisted.filter((container) => !seen.has(container.id) && inScope(container.labels))
    if (fresh.length === 0) return first
    const images = yield* context.service.images
      .listLabeled([labelFilter(MANAGED_LABEL, "true")])
      .pipe(Effect.orElseSucceed(() => []))
    const now = { ...context, imageLabels: new Map([...context.imageLabels, ...labelsById(images)]) }
    const late = fresh.map((container) => containerCandidate(now, container))
    if (!late.some((candidate) => candidate.verdict.remove)) return first
    const lateEntries = yield* settle(late, false, CONTAINER_CONCURRENCY)
    const stillHeld = freed.map((kind) => kind.filter((candidate) => held.has(keyOf(candidate))))
    const retried = new Map((yield* settleInTurn(stillHeld, false)).map((entry) => [keyOf(entry), entry] as const))
    // the first pass has one entry per listed container, first
    const again = first.map((entry) => retried.get(keyOf(entry)) ?? entry)
    return [...again.slice(0, listed.length), ...lateEntries, ...again.slice(listed.length)]
  })

/** Runs a sweep on a service (the `Sweeper.sweep` of the runtime in context, and the automatic one). */
export const run = (service: Service, options: Options = {}): Effect.Effect<Report, SweepError> =>
  Effect.gen(function* () {
    const allSessions = options.allSessions ?? false
    const dryRun = options.dryRun ?? false
    const managed = labelFilter(MANAGED_LABEL, "true")
    // Without allSessions only this host's resources can be removed: ask the runtime for those alone.
    const filters = allSessions ? [managed] : [managed, labelFilter(HOST_LABEL, here.host)]
    // containers first: the image of every container listed is then in the image listing, so an
    // image built (and run) meanwhile cannot make its container's inherited labels look like its own
    const containers = yield* service.containers.listLabeled(filters)
    const [networks, volumes, images] = yield* Effect.all(
      [
        service.networks.listLabeled(filters),
        service.volumes.listLabeled(filters),
        // every managed image, wherever made: a container's labels may come from any of them
        service.images.listLabeled([managed])
      ],
      { concurrency: "unbounded" }
    )
    const context: Context = {
      service,
      vantage: { ...here, pid: process.pid, session: sessionId, now: yield* Clock.currentTimeMillis, isAlive },
      judgement: {
        allSessions,
        olderThanMillis: options.olderThan === undefined ? undefined : Duration.toMillis(options.olderThan),
        includeDetached: options.includeDetached ?? false
      },
      imageLabels: labelsById(images)
    }
    // the runtime's filter is not trusted alone: a resource is judged only if its own labels say so
    // reused containers are never swept: `removeReused` (`ociman prune --reuse`) is their removal
    const inScope = (labels: ReadonlyMap<string, string>) =>
      labels.get(MANAGED_LABEL) === "true" &&
      labels.get(LIFECYCLE_LABEL) !== REUSED_LIFECYCLE &&
      (allSessions || labels.get(HOST_LABEL) === here.host)
    const containerCandidates = containers.filter((c) => inScope(c.labels)).map((c) => containerCandidate(context, c))
    const freedCandidates = [
      networks.filter((n) => inScope(n.labels)).map((n) => networkCandidate(context, n)),
      volumes.filter((v) => inScope(v.labels)).map((v) => volumeCandidate(context, v)),
      images.filter((i) => inScope(i.labels)).map((i) => imageCandidate(context, i))
    ]
    const first = [
      ...(yield* settle(containerCandidates, dryRun, CONTAINER_CONCURRENCY)),
      ...(yield* settleInTurn(freedCandidates, dryRun))
    ]
    const entries = dryRun
      ? first
      : yield* secondPass(context, filters, inScope, containerCandidates, freedCandidates, first)
    const report: Report = { dryRun, entries }
    return report
  }).pipe(
    // its retries wait on real removals, and resource ages are real time
    onClockOf(service.capabilities),
    Effect.withSpan("ociman.Sweeper.sweep", { attributes: { dryRun: options.dryRun ?? false } })
  )

// ---------------------------------------------------------------------------------------------
// The automatic sweep: once per process and runtime, in the background
// ---------------------------------------------------------------------------------------------

/** The environment variable that turns the automatic sweep off (`0`, `false`, `no`, `off`). */
export const ENV_VARIABLE = "OCIMAN_SWEEP"

/** The runtimes swept in this process: one automatic sweep per engine, however many layers. */
const swept = new Set<string>()

const describe = (entries: ReadonlyArray<Entry>): string => {
  const count = (kind: ResourceKind) => entries.filter((entry) => entry.kind === kind).length
  return (["container", "network", "volume", "image"] as const)
    .filter((kind) => count(kind) > 0)
    .map((kind) => `${count(kind)} ${kind}${count(kind) === 1 ? "" : "s"}`)
    .join(", ")
}

/**
 * Logs what an automatic sweep did: removals, and what was still in use, at info level; failures as
 * a warning; nothing otherwise.
 */
export const logReport = (backend: Backend, report: Report): Effect.Effect<void> => {
  const removed = report.entries.filter((entry) => entry.outcome === "Removed")
  const held = report.entries.filter(heldInUse)
  const failed = report.entries.filter((entry) => entry.outcome === "Failed")
  return Effect.all([
    removed.length === 0
      ? Effect.void
      : Effect.logInfo(`ociman: removed ${describe(removed)} left behind by processes that are gone (${backend.kind})`),
    held.length === 0
      ? Effect.void
      : Effect.logInfo(
          `ociman: kept ${describe(held)} left behind by processes that are gone, still in use (${backend.kind}): ${held
            .map((entry) => `${entry.kind} ${entry.name}`)
            .join("; ")}; a later sweep removes them once free`
        ),
    failed.length === 0
      ? Effect.void
      : Effect.logWarning(
          `ociman: could not remove ${describe(failed)} left behind by processes that are gone (${backend.kind}): ${failed
            .map((entry) => `${entry.kind} ${entry.name}: ${entry.error ?? "unknown error"}`)
            .join("; ")}`
        )
  ]).pipe(Effect.asVoid)
}

/** Whether `OCIMAN_SWEEP` allows the automatic sweep; an unreadable value turns it off, with a warning. */
const enabledByEnvironment: Effect.Effect<boolean> = Config.option(Config.boolean(ENV_VARIABLE)).pipe(
  Effect.map(Option.getOrElse(() => true)),
  Effect.catchAll((error) =>
    Effect.as(
      Effect.logWarning(`ociman: ${ENV_VARIABLE} is not a boolean (${error.message}); the automatic sweep is off`),
      false
    )
  )
)

/**
 * Starts this process's automatic sweep of the service's runtime, unless it ran already, `enabled`
 * is `false`, or `OCIMAN_SWEEP` says no. It runs in a daemon fiber and never fails: the caller (a
 * layer being built) does not wait for it.
 */
export const automatic = (service: Service, enabled: boolean | undefined): Effect.Effect<void> =>
  Effect.gen(function* () {
    if (enabled === false || !(yield* enabledByEnvironment)) return
    const backend = service.backend
    const key = [backend.kind, backend.executable, backend.endpoint.url ?? ""].join("\u0000")
    if (swept.has(key)) return
    swept.add(key)
    yield* Effect.forkDaemon(
      // abandoned past the runtime's sweep deadline (each call has its own deadline too)
      run(service).pipe(
        bounded(service, "sweep", "sweep", undefined),
        Effect.flatMap((report) => logReport(backend, report)),
        Effect.catchAll((error) =>
          Effect.logWarning(`ociman: the automatic sweep of ${backend.kind} failed: ${error.message}`)
        ),
        Effect.catchAllDefect((defect) =>
          Effect.logWarning(`ociman: the automatic sweep of ${backend.kind} failed: ${String(defect)}`)
        )
      )
    )
  })
