/**
 * What `ociman prune` does (see `commands/prune.ts`).
 */
import { Console, Data, Duration, Effect, Option } from "effect"
import * as Sweeper from "ociman/Sweeper"
import type { PruneInput } from "../commands/prune.js"
import { runtimeLayer } from "../runtimeLayer.js"
import { UsageError } from "./errors.js"

/** Some resources were to be removed and could not be (the report says which and why). */
export class PruneIncomplete extends Data.TaggedError("PruneIncomplete")<{ readonly failed: number }> {
  override get message(): string {
    return `${this.failed} resource${this.failed === 1 ? "" : "s"} could not be removed (see above)`
  }
}

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

/** One line per reused container: what happened to it, and its definition key. */
export const reusedText = (removals: ReadonlyArray<Sweeper.ReusedRemoval>, dryRun: boolean): string => {
  if (removals.length === 0) return "no reused containers"
  const lines = removals.map((r) => {
    const error = r.error === undefined ? "" : `: ${r.error}`
    const why = r.outcome === "Kept" ? "; younger than --older-than" : ""
    return `${VERB[r.outcome]} reused container ${r.container.name} (key ${r.container.key.slice(0, 16)}, created ${r.container.created ?? "?"}${why})${error}`
  })
  const count = removals.filter((r) => r.outcome === "Removed" || r.outcome === "WouldRemove").length
  return [...lines, `${count} ${dryRun ? "would be removed" : "removed"}`].join("\n")
}

export const action = ({ allSessions, backend, dryRun, includeDetached, json, olderThan, reuse }: PruneInput) =>
  Effect.gen(function* () {
    const age = Option.isSome(olderThan) ? yield* parseAge(olderThan.value) : undefined
    if (reuse) {
      const removals = yield* Sweeper.removeReused({ olderThan: age, dryRun })
      yield* Console.log(json ? JSON.stringify(removals) : reusedText(removals, dryRun))
      const failedReused = removals.filter((r) => r.outcome === "Failed").length
      if (failedReused > 0) return yield* new PruneIncomplete({ failed: failedReused })
      return
    }
    const report = yield* Sweeper.sweep({ dryRun, allSessions, includeDetached, olderThan: age })
    yield* Console.log(json ? JSON.stringify(report) : pruneText(report))
    const failed = report.entries.filter((entry) => entry.outcome === "Failed").length
    if (failed > 0) return yield* new PruneIncomplete({ failed })
  }).pipe(
    // the command is the sweep: the layer's own automatic one would race it (runtimeLayer has none)
    Effect.provide(runtimeLayer(backend))
  )
