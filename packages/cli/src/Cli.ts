/**
 * The `ociman` command, built with @effect/cli on the ociman library.
 *
 * Every command is declared here with its options (cheap: no library code), and loads what it
 * does (`actions/<command>.ts`, with the ociman library) only when it runs.
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
import * as Command from "@effect/cli/Command"
import * as CommandDescriptor from "@effect/cli/CommandDescriptor"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as HashMap from "effect/HashMap"
import type { CommandSpec } from "./argv.js"
import { optionsOf, positionalsOf } from "./argv.js"
import { build } from "./commands/build.js"
import { completions } from "./commands/completions.js"
import { doctor } from "./commands/doctor.js"
import { exec } from "./commands/exec.js"
import { hash } from "./commands/hash.js"
import { info } from "./commands/info.js"
import { postgres } from "./commands/postgres.js"
import { ps } from "./commands/ps.js"
import { pull } from "./commands/pull.js"
import { prune } from "./commands/prune.js"
import { run as runCommand } from "./commands/run.js"

/** Documented here; `argv.ts` takes it from anywhere on the command line, for every command. */
const verboseOption = Options.boolean("verbose").pipe(
  Options.withDescription("On a failure, also print its cause chain (every command accepts it)")
)

/** A command's failure, as the entry point reports it: one line from its message. */
export interface CommandFailure {
  readonly _tag: string
  readonly message: string
}

/**
 * `ociman postgres`, its failures seen as {@link CommandFailure}s: the command's own error types
 * come from @ociman/postgres's sources, which this package's declarations cannot name.
 */
const postgresCommand = Command.transformHandler(postgres, (effect) =>
  Effect.mapError(effect, (error): CommandFailure => error)
)

/** ociman's subcommands, in the order its help lists them. */
const subcommands = [
  info,
  hash,
  build,
  pull,
  runCommand,
  exec,
  ps,
  doctor,
  prune,
  postgresCommand,
  completions
] as const

/** The root command and its subcommands. */
export const ociman = Command.make("ociman", { verbose: verboseOption }).pipe(
  Command.withDescription("Run throwaway containers and content-addressed images on Docker or Podman"),
  Command.withSubcommands([...subcommands])
)

/** The commands whose trailing arguments are the container's command: after IMAGE, after CONTAINER. */
const PASS_THROUGH_AFTER: Readonly<Record<string, number>> = { run: 1, exec: 1 }

/** Each subcommand's options, as `argv.ts` checks them, read from the declarations above. */
export const commandSpecs: ReadonlyArray<CommandSpec> = subcommands.map((command) => {
  const descriptor: CommandDescriptor.Command<unknown> = command.descriptor
  const [name = ""] = CommandDescriptor.getNames(descriptor)
  return {
    name,
    options: optionsOf(CommandDescriptor.getUsage(descriptor)),
    positionals: positionalsOf(CommandDescriptor.getUsage(descriptor)),
    passThroughAfter: PASS_THROUGH_AFTER[name],
    // a command with subcommands of its own lists them, not itself
    nested: Array.from(HashMap.keys(CommandDescriptor.getSubcommands(descriptor))).some((child) => child !== name)
  }
})

/** Parses the process argv (`[node, script, ...args]`) and runs the command. */
export const run = Command.run(ociman, { name: "ociman", version: "0.1.0" })
