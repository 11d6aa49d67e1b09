/**
 * `ociman exec [OPTIONS] CONTAINER CMD…`: runs a command in a running container, prints its output
 * and exits with its exit code (`--json`: one document with the exit code and both outputs). As
 * with `docker exec`, everything after CONTAINER is the command, dashes included.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import { lazyAction } from "../lazy.js"
import { backendOption, jsonOption } from "../options.js"
import { envOption, userOption, workdirOption } from "./containerOptions.js"

export const execConfig = {
  container: Args.text({ name: "CONTAINER" }).pipe(Args.withDescription("The container's id or name")),
  command: Args.text({ name: "CMD" }).pipe(
    Args.withDescription(
      "The command and its arguments. Everything after CONTAINER belongs to the command, dashes included (ociman's options go before CONTAINER); a -- before it also works"
    ),
    Args.atLeast(1)
  ),
  env: envOption,
  user: userOption,
  workdir: workdirOption,
  backend: backendOption,
  json: jsonOption
}

/** What `ociman exec`'s command line parses to. */
export type ExecInput = Command.Command.ParseConfig<typeof execConfig>

export const exec = Command.make(
  "exec",
  execConfig,
  lazyAction(() => import("../actions/exec.js"))
).pipe(
  Command.withDescription(
    "Run a command in a running container, print its output and exit with its exit code (a bare -e KEY takes KEY's value from this environment)"
  )
)
