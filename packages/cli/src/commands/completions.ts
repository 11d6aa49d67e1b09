/**
 * `ociman completions bash|zsh|fish`: prints the shell's completion script for every ociman
 * command and option, as @effect/cli generates it. For example, in ~/.bashrc:
 * `source <(ociman completions bash)`.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import { lazyAction } from "../lazy.js"

export const completionsConfig = {
  shell: Args.choice(
    [
      ["bash", "bash"],
      ["zsh", "zsh"],
      ["fish", "fish"]
    ] as const,
    { name: "SHELL" }
  ).pipe(Args.withDescription("The shell to complete in: bash, zsh or fish"))
}

/** What `ociman completions`'s command line parses to. */
export type CompletionsInput = Command.Command.ParseConfig<typeof completionsConfig>

export const completions = Command.make(
  "completions",
  completionsConfig,
  lazyAction(() => import("../actions/completions.js"))
).pipe(
  Command.withDescription(
    "Print the completion script of a shell: bash (source <(ociman completions bash)), zsh or fish (ociman completions fish > ~/.config/fish/completions/ociman.fish)"
  )
)
