/**
 * `ociman ps`: the containers ociman created (its ownership labels), running or not, with the
 * session, process and host that created them.
 *
 * Every ociman process is its own session, so by default `ps` lists the containers of every
 * session on this host; `--all-sessions` also lists those created from other hosts (an engine
 * shared through DOCKER_HOST, CONTAINER_HOST or a remote connection).
 *
 * The list is the library's: a dry-run `Sweeper.sweep` finds what carries the ownership labels and
 * reads them (the label names stay the library's business), then one inspect per container adds
 * its image and status. `--reuse` lists the reused containers instead (`Container.start(def,
 * { reuse: true })`, `Sweeper.listReused`), which outlive every process and no sweep removes.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { lazyAction } from "../lazy.js"
import { backendOption, jsonOption } from "../options.js"

export const psConfig = {
  allSessions: Options.boolean("all-sessions").pipe(
    Options.withDescription("Also list containers created from other hosts (default: every session on this host)")
  ),
  reuse: Options.boolean("reuse").pipe(
    Options.withDescription("List the reused containers (started with reuse: true), which no sweep removes")
  ),
  backend: backendOption,
  json: jsonOption
}

/** What `ociman ps`'s command line parses to. */
export type PsInput = Command.Command.ParseConfig<typeof psConfig>

export const ps = Command.make(
  "ps",
  psConfig,
  lazyAction(() => import("../actions/ps.js"))
).pipe(
  Command.withDescription(
    "List the containers ociman created (its ownership labels), running or not, with their session, owner pid, host and creation time; by default every session on this host"
  )
)
