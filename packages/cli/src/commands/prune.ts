/**
 * `ociman prune [--dry-run] [--all-sessions] [--include-detached] [--older-than DURATION]`: removes
 * the containers, networks, volumes and images ociman created whose owning process is gone
 * (`Sweeper.sweep`), and prints what it found and did. Resources of living processes and resources
 * ociman did not create are never touched; `--all-sessions` also removes those created on other
 * hosts, whose owners cannot be checked from here (see the `Sweeper` module). Containers started
 * detached (`ociman run --detach` or `--keep`) outlive their `ociman` process on purpose: they are
 * kept unless `--include-detached` is given. `--reuse` removes the reused containers instead
 * (`Sweeper.removeReused`; with `--older-than`, only those at least that old).
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { lazyAction } from "../lazy.js"
import { backendOption, jsonOption } from "../options.js"

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

const reuseOption = Options.boolean("reuse").pipe(
  Options.withDescription(
    "Remove the reused containers (started with reuse: true) instead, which no sweep removes; with --older-than, only those at least that old"
  )
)

export const pruneConfig = {
  dryRun: dryRunOption,
  reuse: reuseOption,
  allSessions: allSessionsOption,
  includeDetached: includeDetachedOption,
  olderThan: olderThanOption,
  backend: backendOption,
  json: jsonOption
}

/** What `ociman prune`'s command line parses to. */
export type PruneInput = Command.Command.ParseConfig<typeof pruneConfig>

export const prune = Command.make(
  "prune",
  pruneConfig,
  lazyAction(() => import("../actions/prune.js"))
).pipe(
  Command.withDescription(
    "Remove the containers, networks, volumes and images ociman created whose process is gone (never those of running processes; detached containers only with --include-detached)"
  )
)
