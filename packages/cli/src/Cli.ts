/**
 * The `ociman` command, built with @effect/cli on the ociman library.
 *
 * @example
 * ```ts
 * import { NodeContext, NodeRuntime } from "@effect/platform-node"
 * import { Effect } from "effect"
 * import { run } from "@ociman/cli"
 *
 * run(["node", "ociman", "info", "--json"]).pipe(Effect.provide(NodeContext.layer), NodeRuntime.runMain)
 * ```
 */
import { Command } from "@effect/cli"
import { build } from "./commands/build.js"
import { doctor } from "./commands/doctor.js"
import { exec } from "./commands/exec.js"
import { hash } from "./commands/hash.js"
import { info } from "./commands/info.js"
import { ps } from "./commands/ps.js"
import { prune } from "./commands/prune.js"
import { run as runCommand } from "./commands/run.js"

/** The root command and its subcommands. */
export const ociman = Command.make("ociman").pipe(
  Command.withDescription("Run throwaway containers and content-addressed images on Docker or Podman"),
  Command.withSubcommands([info, hash, build, runCommand, exec, ps, doctor, prune])
)

/** Parses the process argv (`[node, script, ...args]`) and runs the command. */
export const run = Command.run(ociman, { name: "ociman", version: "0.1.0" })
