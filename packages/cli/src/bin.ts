/**
 * Entry point of the `ociman` command: one clear line and a non-zero exit code on failure.
 */
import { ValidationError } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Console, Effect } from "effect"
import { run } from "./Cli.js"

run(process.argv).pipe(
  // @effect/cli has already printed usage errors; every other failure is a typed error with a message.
  Effect.tapError((error) =>
    ValidationError.isValidationError(error) ? Effect.void : Console.error(`ociman: ${error.message}`)
  ),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
