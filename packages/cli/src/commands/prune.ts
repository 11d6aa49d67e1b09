/**
 * `ociman prune [--dry-run] [--all-sessions] [--include-detached] [--older-than DURATION]`: removes
 * the containers, networks and images ociman created whose owning process is gone
 * (`Sweeper.sweep`), and prints what it found and did. Resources of living processes and resources
 * ociman did not create are never touched; `--all-sessions` also removes those created on other
 * hosts, whose owners cannot be checked from here (see the `Sweeper` module). Containers started
 * detached (`ociman run --detach` or `--keep`) outlive their `ociman` process on purpose: they are
 * kept unless `--include-detached` is given.
 */
import { Command, Options } from "@effect/cli"
import { Console, Data, Duration, Effect, Option } from "effect"
import { Sweeper } from "ociman"
import { backendOption, jsonOption, runtimeLayer } from "../shared.js"
import { UsageError } from "./definition.js"

/** Some resources were to be removed and could not be (the report says which and why). */
export class PruneIncomplete extends Data.TaggedError("PruneIncomplete")<{ readonly failed: number }> {
  override get message(): string {
    return `${this.failed} resource${this.failed === 1 ? "" : "s"} could not be removed (see above)`
  }
}

const dryRunOption = Options.boolean("dry-run").pipe(
  Options.withDescription("Show what would be removed, and remove nothing")
)
const allSessionsOption = Options.boolean("all-sessions").pipe(
  Options.withDescription(
    "Also remove what was created on other hosts (their processes cannot be checked from here); combine with --older-than"
  )
)
const includeDetachedOption = Options.boolean("include-detached").pipe(
  Options.withDescription(
    "Also remove containers started detached (ociman run --detach, --keep) whose process is gone; by default they are the user's and kept"
  )
)
const olderThanOption = Options.text("older-than").pipe(
  Options.withDescription("Only remove what is at least this old: 30s, 10m, 2h, 1d"),
  Options.optional
)

const UNITS: Record<string, (n: number) => Duration.Duration> = {
  s: Duration.seconds,
  m: Duration.minutes,
  h: Duration.hours,
  d: Duration.days
}

/** `30s`, `10m`, `2h`, `1d` (a number and one unit). */
export const parseAge = (input: string): Effect.Effect<Duration.Duration, UsageError> => {
  const match = /^(\d+)([smhd])$/.exec(input.trim())
  const unit = match?.[2] === undefined ? undefined : UNITS[match[2]]
  return match?.[1] === undefined || unit === undefined
    ? Effect.fail(
        new UsageError({
          detail: `invalid --older-than ${JSON.stringify(input)}: use a number and s, m, h or d (e.g. 10m)`
        })
      )
    : Effect.succeed(unit(Number(match[1])))
}

const VERB: Record<Sweeper.Outcome, string> = {
  Removed: "removed",
  WouldRemove: "would remove",
  AlreadyGone: "already gone",
  Failed: "failed to remove",
  Kept: "kept"
}

const WHY: Record<Sweeper.Reason, string> = {
  OwnerGone: "its process is gone",
  OtherHost: "created on another host",
  UnknownOwner: "its owner labels are missing or unreadable",
  OwnerAlive: "its process is running",
  ThisProcess: "created by this process",
  TooRecent: "younger than --older-than",
  Inherited: "its labels were inherited, not given by ociman",
  Detached: "started detached, so it is the user's; --include-detached removes it",
  InUse: "still used by a container; the next prune takes it"
}

/** One line per resource: what happened, what it is, whose it was, and why. */
export const pruneText = (report: Sweeper.Report): string => {
  if (report.entries.length === 0) return "nothing created by ociman was found"
  const lines = report.entries.map((entry) => {
    const owner = `session ${entry.session ?? "?"}, pid ${entry.pid ?? "?"} on ${entry.host ?? "?"}`
    const error = entry.error === undefined ? "" : `: ${entry.error}`
    return `${VERB[entry.outcome]} ${entry.kind} ${entry.name} (${owner}; ${WHY[entry.reason]})${error}`
  })
  const count = Sweeper.removed(report).length
  return [...lines, `${count} ${report.dryRun ? "would be removed" : "removed"}`].join("\n")
}

export const prune = Command.make(
  "prune",
  {
    dryRun: dryRunOption,
    allSessions: allSessionsOption,
    includeDetached: includeDetachedOption,
    olderThan: olderThanOption,
    backend: backendOption,
    json: jsonOption
  },
  ({ allSessions, backend, dryRun, includeDetached, json, olderThan }) =>
    Effect.gen(function* () {
      const age = Option.isSome(olderThan) ? yield* parseAge(olderThan.value) : undefined
      const report = yield* Sweeper.sweep({ dryRun, allSessions, includeDetached, olderThan: age })
      yield* Console.log(json ? JSON.stringify(report) : pruneText(report))
      const failed = report.entries.filter((entry) => entry.outcome === "Failed").length
      if (failed > 0) return yield* new PruneIncomplete({ failed })
    }).pipe(
      // the command is the sweep: the layer's own automatic one would race it (runtimeLayer has none)
      Effect.provide(runtimeLayer(backend))
    )
).pipe(
  Command.withDescription(
    "Remove the containers, networks and images ociman created whose process is gone (never those of running processes; detached containers only with --include-detached)"
  )
)
