/**
 * Entry point of the `ociman` command: one clear line and a non-zero exit code on failure, and
 * 130 / 143 after SIGINT / SIGTERM, once the program's scopes are closed (its containers removed).
 */
import { ValidationError } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Console, Effect } from "effect"
import { run } from "./Cli.js"
import { errorLine, recordSignal, teardown } from "./exit.js"

// Before runMain installs its own listeners, which interrupt the program but forget the signal.
const signal = recordSignal()

run(process.argv).pipe(
  // @effect/cli has already printed usage errors; every other failure is a typed error with a message.
  Effect.tapError((error) =>
    ValidationError.isValidationError(error) ? Effect.void : Console.error(errorLine(error.message))
  ),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({ disableErrorReporting: true, teardown: teardown(signal) })
)
