/**
 * What `ociman completions` does (see `commands/completions.ts`).
 */
import { Command } from "@effect/cli"
import { Console, Effect } from "effect"
import { ociman } from "../Cli.js"
import type { CompletionsInput } from "../commands/completions.js"

const generators = {
  bash: Command.getBashCompletions,
  zsh: Command.getZshCompletions,
  fish: Command.getFishCompletions
} as const

export const action = ({ shell }: CompletionsInput): Effect.Effect<void> =>
  Effect.flatMap(generators[shell](ociman, "ociman"), (lines) => Console.log(lines.join("\n")))
