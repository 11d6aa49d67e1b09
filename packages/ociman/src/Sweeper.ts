/**
 * The sweeper: removes containers, networks, volumes and images that this library created for a scope
 * whose owning process is gone (crashed, SIGKILLed, killed by a CI timeout). No sidecar container,
 * no engine socket, no image pull: it lists resources by their ownership labels through the same
 * CLI as everything else, so it works the same on Docker, rootful and rootless Podman, and remote
 * engines.
 *
 * **Ownership labels.** Everything the library creates for a scope (`Container.start` /
 * `startDetached`, `Network.make`, `Image.buildScoped`) carries `ociman.managed=true`,
 * `ociman.session` (one random id per process), `ociman.pid`, `ociman.host`, `ociman.created`
 * (ISO 8601), `ociman.lifecycle` (`scoped`, or `detached` for `Container.startDetached`) and, on
 * Linux, `ociman.pidns` (the pid namespace). Content-addressed images (`Image.build`,
 * `buildIfAbsent`) carry none: they are a cache shared across runs, and the labels would make every
 * build unique.
 *
 * **The rule.** A resource is removed when it carries `ociman.managed=true` and its owner is gone:
 * - it was created on this host (same `ociman.host` and, where both are known, the same pid
 *   namespace), and
 * - no process has its `ociman.pid` (`kill(pid, 0)` fails with `ESRCH`; `EPERM` means alive), and
 * - it is not this process's (same pid: never, whatever the session, so two copies of the library
 *   in one process cannot sweep each other), and
 * - it is scoped, not detached (see below), unless `includeDetached` is given, and
 * - with `olderThan`, its `ociman.created` is at least that old (a missing or unreadable time
 *   counts as too recent).
 *
 * With `allSessions`, resources created on another host (or in another pid namespace, or whose
 * owner labels cannot be read) are removed too: their owner cannot be checked from here, so they
 * are assumed gone. Use it on a machine that no other host's test run shares, or together with
 * `olderThan` to spare recent ones. Resources of living processes on this host are kept in every
 * mode.
 *
 * **Detached containers are the caller's.** A container from `Container.startDetached` (or
 * `ociman run --detach`) outlives its scope on purpose, and often its process: the process that
 * starts it may exit at once. So the automatic sweep and a default {@link sweep} keep it (reason
 * `Detached`) even when its owner is gone; `sweep({ includeDetached: true })` removes it then (a
 * living owner's is kept in every mode).
 *
 * **In use.** Nothing is forced: an image some container still uses (a user's container run from
 * a leaked image) or a network some container is still attached to is kept (reason `InUse`) after
 * a short wait for containers being removed, and taken by a later sweep once it is free.
 *
 * **Never the library's.** Labels are inherited: a container run from a labelled image carries the
 * image's labels, and so does an image built `FROM` one or committed from a labelled container. A
 * container whose ownership labels are exactly its image's (same session and creation time), and an
 * image that no longer carries the reference it was built under (`ociman.reference`), were not
 * created by the library and are kept (reason `Inherited`).
 *
 * **PID reuse.** If the owner died and another process got its pid, the resources look alive and
 * are kept until that process ends too: the safe direction. A pid can never make a living owner's
 * resources look dead.
 *
 * **Automatically.** Building `ContainerRuntime.layer` (and `layerDocker`, `layerPodman`,
 * `layerFromEnv`) starts one sweep per process and runtime, in a background (daemon) fiber, so the
 * layer is never slower and never fails because of it: errors are logged as warnings, removals at
 * info level. A sweep cut short by the process's exit is finished by the next one. Opt out with
 * `ContainerRuntime.layer({ sweep: false })` or `OCIMAN_SWEEP=0`. On demand: {@link sweep}, or
 * `ociman prune [--dry-run] [--all-sessions] [--include-detached] [--older-than DURATION]`.
 *
 * @example
 * ```ts
 * import { NodeContext, NodeRuntime } from "@effect/platform-node"
 * import { Console, Effect } from "effect"
 * import { ContainerRuntime, Sweeper } from "ociman"
 *
 * const program = Effect.gen(function* () {
 *   const report = yield* Sweeper.sweep({ dryRun: true })
 *   for (const entry of report.entries) {
 *     yield* Console.log(`${entry.outcome} ${entry.kind} ${entry.name} (${entry.reason})`)
 *   }
 * })
 *
 * program.pipe(
 *   Effect.provide(ContainerRuntime.layer({ sweep: false })),
 *   Effect.provide(NodeContext.layer),
 *   NodeRuntime.runMain
 * )
 * ```
 *
 * @since 0.1.0
 */
import { type Duration, Effect } from "effect"
import type { CliError, UnexpectedOutput } from "./CliError.js"
import { ContainerRuntime } from "./internal/runtimeTag.js"
import * as reuse from "./internal/reuse.js"
import { bounded } from "./internal/deadline.js"
import * as internal from "./internal/sweep.js"
import { ownershipLabels as sessionOwnershipLabels, sessionId } from "./internal/session.js"

/**
 * What kind of resource an entry is about.
 * @since 0.1.0
 * @category models
 */
export type ResourceKind = "container" | "network" | "volume" | "image"

/**
 * Why a resource is removed or kept:
 * - `OwnerGone`: created on this host by a process that no longer exists (removed);
 * - `OtherHost`: created on another host or in another pid namespace (removed with `allSessions`);
 * - `UnknownOwner`: its `ociman.pid` / `ociman.host` labels are missing or unreadable (removed with
 *   `allSessions`);
 * - `OwnerAlive`: its owner is still running (kept);
 * - `ThisProcess`: created by the process that sweeps (kept);
 * - `TooRecent`: younger than `olderThan`, or its creation time cannot be read (kept);
 * - `Inherited`: its labels were inherited, not given by the library (kept; see the module notes);
 * - `Detached`: started detached (`Container.startDetached`) by an owner that is gone: the caller's
 *   to remove (kept, removed with `includeDetached`);
 * - `InUse`: to be removed, but an image some container still uses or a network some container is
 *   still attached to, after waiting a little for containers being removed (kept: the next sweep
 *   takes it once they are gone).
 *
 * @since 0.1.0
 * @category models
 */
export type Reason =
  | "OwnerGone"
  | "OtherHost"
  | "UnknownOwner"
  | "OwnerAlive"
  | "ThisProcess"
  | "TooRecent"
  | "Inherited"
  | "Detached"
  | "InUse"

/**
 * What happened to a resource:
 * - `Removed`, or `WouldRemove` in a dry run;
 * - `AlreadyGone`: it was to be removed, and something else removed it first;
 * - `Failed`: it was to be removed and could not be (`error` says why);
 * - `Kept`: it is not to be removed, or (`InUse`) is still used by a container (`reason` says why).
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome = "Removed" | "WouldRemove" | "AlreadyGone" | "Failed" | "Kept"

/**
 * One resource carrying `ociman.managed=true`, what its labels say, and what the sweep did.
 * @since 0.1.0
 * @category models
 */
export interface Entry {
  readonly kind: ResourceKind
  /** The runtime's id of the resource. */
  readonly id: string
  /** Container name, network name, or image reference. */
  readonly name: string
  /** The owner, as labelled (`undefined` where a label is missing). */
  readonly session: string | undefined
  readonly pid: string | undefined
  readonly host: string | undefined
  readonly created: string | undefined
  /** Started detached (`ociman.lifecycle=detached`): the caller's to remove (see {@link Options}). */
  readonly detached?: boolean | undefined
  readonly reason: Reason
  readonly outcome: Outcome
  /** Why a removal failed. */
  readonly error?: string | undefined
}

/**
 * What a sweep found and did: containers first, then networks, then images (the order of removal).
 * @since 0.1.0
 * @category models
 */
export interface Report {
  readonly dryRun: boolean
  readonly entries: ReadonlyArray<Entry>
}

/**
 * Options of {@link sweep}.
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Also remove resources whose owner cannot be checked from here (another host, unreadable labels). */
  readonly allSessions?: boolean | undefined
  /** Only remove resources at least this old (by `ociman.created`). */
  readonly olderThan?: Duration.DurationInput | undefined
  /** Find and decide, but remove nothing (`WouldRemove`). */
  readonly dryRun?: boolean | undefined
  /**
   * Also remove containers started detached (`Container.startDetached`, `ociman run --detach`)
   * whose owner is gone. Without it they are kept (reason `Detached`): they are the caller's.
   */
  readonly includeDetached?: boolean | undefined
  /**
   * Deadline of the whole sweep (default: the runtime's `sweep` deadline, 2 min): past it, the
   * sweep fails with `OperationTimedOut` and what it had started is interrupted.
   */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * Failures of {@link sweep}: listing the resources failed. A resource that cannot be removed is
 * not a failure of the sweep; its entry says `Failed`.
 * @since 0.1.0
 * @category errors
 */
export type SweepError = CliError | UnexpectedOutput

/**
 * This process's session id: the `ociman.session` label of everything it creates.
 *
 * @example
 * ```ts
 * import { Sweeper } from "ociman"
 *
 * const filter = `label=ociman.session=${Sweeper.session}` // for `docker ps --filter`
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const session: string = sessionId

/**
 * The ownership labels this process gives a container it creates now (managed, lifecycle,
 * session, pid, host, created, pid namespace): for a container another tool creates on this
 * process's behalf (an engine's CLI attached to a terminal, as `ociman run -it` does) that the
 * sweeper must treat as the library's own. `scoped`: removed once this process is gone;
 * `detached`: kept by default sweeps.
 *
 * @example
 * ```ts
 * import { Sweeper } from "ociman"
 *
 * const flags = Sweeper.ownershipLabels("scoped").flatMap(([key, value]) => ["--label", `${key}=${value}`])
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const ownershipLabels = (
  lifecycle: "scoped" | "detached",
  now: Date = new Date()
): ReadonlyArray<readonly [string, string]> => sessionOwnershipLabels(now, lifecycle)

/**
 * Removes the resources whose owner is gone (see the module notes for the exact rule), on the
 * runtime in context, and reports every resource it found with the ownership labels. Detached
 * containers are kept unless `includeDetached` is given. Reused containers (`Container.start(…,
 * { reuse: true })`) are never swept, and not reported: {@link listReused} and
 * {@link removeReused} are theirs.
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { Sweeper } from "ociman"
 *
 * const prune = Effect.gen(function* () {
 *   const report = yield* Sweeper.sweep({ olderThan: "10 minutes" })
 *   yield* Console.log(`${Sweeper.removed(report).length} leaked resources removed`)
 * })
 * ```
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { Sweeper } from "ociman"
 *
 * // also the containers started with `Container.startDetached` (or `ociman run --detach`) by
 * // processes that have exited: a default sweep keeps those (reason "Detached")
 * const pruneDetached = Effect.gen(function* () {
 *   const report = yield* Sweeper.sweep({ includeDetached: true })
 *   const detached = Sweeper.removed(report).filter((entry) => entry.detached)
 *   yield* Console.log(`${detached.length} detached containers removed`)
 * })
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const sweep = (options: Options = {}): Effect.Effect<Report, SweepError, ContainerRuntime> =>
  Effect.flatMap(ContainerRuntime, (runtime) =>
    internal.run(runtime, options).pipe(bounded(runtime, "sweep", "sweep", undefined, options.timeout))
  )

/**
 * The entries a sweep removed (or, in a dry run, would remove).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Sweeper } from "ociman"
 *
 * const count = Effect.map(Sweeper.sweep(), (report) => Sweeper.removed(report).length)
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const removed = (report: Report): ReadonlyArray<Entry> =>
  report.entries.filter((entry) => entry.outcome === "Removed" || entry.outcome === "WouldRemove")

// ---------------------------------------------------------------------------------------------
// Reused containers (`Container.start(definition, { reuse: true })`): never swept, listed and
// removed on request
// ---------------------------------------------------------------------------------------------

/**
 * A reused container (`ociman.lifecycle=reused`): its definition key (`ociman.reuse`) and when it
 * was created.
 * @since 0.1.0
 * @category models
 */
export interface ReusedContainer {
  readonly id: string
  readonly name: string
  /** The definition's key: a SHA-256 of the definition (the `ociman.reuse` label). */
  readonly key: string
  /** When it was created (`ociman.created`, ISO 8601), if the label is readable. */
  readonly created: string | undefined
}

/**
 * What {@link removeReused} did with one reused container: `Removed` (`WouldRemove` in a dry run),
 * `AlreadyGone`, `Failed` (`error` says why), or `Kept` (younger than `olderThan`).
 * @since 0.1.0
 * @category models
 */
export interface ReusedRemoval {
  readonly container: ReusedContainer
  readonly outcome: Extract<Outcome, "Removed" | "WouldRemove" | "AlreadyGone" | "Failed" | "Kept">
  readonly error?: string | undefined
}

/**
 * Options of {@link removeReused}.
 * @since 0.1.0
 * @category models
 */
export interface RemoveReusedOptions {
  /** Only remove reused containers at least this old (by `ociman.created`); the others are `Kept`. */
  readonly olderThan?: Duration.DurationInput | undefined
  /** Find and decide, but remove nothing (`WouldRemove`). */
  readonly dryRun?: boolean | undefined
}

/**
 * The reused containers on the runtime in context (`ociman ps --reuse`), whoever started them.
 * No sweep removes them; {@link removeReused} does.
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { Sweeper } from "ociman"
 *
 * const show = Effect.flatMap(Sweeper.listReused, (reused) =>
 *   Effect.forEach(reused, (c) => Console.log(`${c.name} ${c.key.slice(0, 12)} created ${c.created ?? "?"}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const listReused: Effect.Effect<ReadonlyArray<ReusedContainer>, SweepError, ContainerRuntime> = Effect.flatMap(
  ContainerRuntime,
  (runtime) => reuse.list(runtime).pipe(bounded(runtime, "query", "sweeper.listReused", undefined))
)

/**
 * Removes the reused containers on the runtime in context (`ociman prune --reuse [--older-than]`):
 * all of them, or those at least `olderThan` old; a later `start` with `reuse` creates a new one.
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { Sweeper } from "ociman"
 *
 * const pruneReused = Effect.gen(function* () {
 *   const removals = yield* Sweeper.removeReused({ olderThan: "7 days" })
 *   const removed = removals.filter((removal) => removal.outcome === "Removed")
 *   yield* Console.log(`${removed.length} reused containers removed`)
 * })
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const removeReused = (
  options: RemoveReusedOptions = {}
): Effect.Effect<ReadonlyArray<ReusedRemoval>, SweepError, ContainerRuntime> =>
  Effect.flatMap(ContainerRuntime, (runtime) =>
    reuse.remove(runtime, options).pipe(bounded(runtime, "sweep", "sweeper.removeReused", undefined))
  ).pipe(Effect.withSpan("ociman.Sweeper.removeReused", { attributes: { dryRun: options.dryRun ?? false } }))
