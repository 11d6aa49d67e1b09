/**
 * `ociman exec [OPTIONS] CONTAINER CMD…`: runs a command in a running container, prints its output
 * and exits with its exit code (`--json`: one document with the exit code and both outputs). As
 * with `docker exec`, everything after CONTAINER is the command, dashes included.
 *
 * `-i` / `-t` (or `-it`): when this process's stdin and stdout are both terminals, the engine's CLI
 * runs attached to them (`docker exec -i -t …`), so an interactive shell works; otherwise the
 * library runs the exec with a TTY and, with `-i`, what is piped in as stdin (a TTY fed from a
 * pipe, which Docker's CLI cannot take, goes over its API socket; `TtyInputUnsupported` only where
 * that socket cannot be reached).
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
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
  interactive: Options.boolean("interactive").pipe(
    Options.withAlias("i"),
    Options.withDescription(
      "Keep stdin open: the command reads this terminal (with -t, and a terminal on both ends, the engine's CLI gets it), or what is piped in"
    )
  ),
  tty: Options.boolean("tty").pipe(
    Options.withAlias("t"),
    Options.withDescription(
      "Give the command a TTY (-it on a terminal: an interactive shell, the engine's CLI attached to this terminal)"
    )
  ),
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
