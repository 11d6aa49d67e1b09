/**
 * `ociman run [OPTIONS] IMAGE [CMD…]`: runs a container with the usual flags. In the foreground
 * (the default) it streams the container's output as it is written (stdout to stdout, stderr to
 * stderr) and exits with the container's exit code; the container is removed when it exits, or
 * when ociman is interrupted (Ctrl-C, SIGTERM: then ociman exits 130 / 143), unless `--keep` is
 * given (then it is only stopped on interruption). With `--detach` it prints the new container's id
 * and leaves it running.
 *
 * As with `docker run`, everything after IMAGE is the container's command, dashes included
 * (`ociman run busybox ls -l /www`): ociman's options go before IMAGE (see `argv.ts`).
 *
 * Either way the container carries ociman's ownership labels, so `ociman ps` lists it. A
 * foreground container is scoped: if ociman is killed outright (SIGKILL), `ociman prune` removes
 * it. One started with `--detach` or `--keep` outlives ociman on purpose: `ociman prune` removes it
 * only with `--include-detached`.
 *
 * `-i` / `-t` (or `-it`, before IMAGE): the container's log carries no stdin and no terminal, so
 * when this process's stdin and stdout are both terminals the engine's CLI runs the container
 * attached to them (`docker run --rm --interactive --tty …`, see `actions/runAttached.ts`): an
 * interactive shell works, the container keeps the ownership labels, is removed when it exits
 * (kept with `--keep`) or on SIGINT / SIGTERM (then ociman exits 130 / 143), and ociman exits with
 * its command's code. Without a terminal (or with `--json`) the library runs it in the foreground
 * with a TTY and, with `-i`, what is piped in as stdin (a TTY fed from a pipe, which Docker's CLI
 * cannot take, goes over its API, or is `TtyInputUnsupported`, as for `ociman exec -it`). With
 * `--detach` they are the started container's (`docker run -dit`: attach later, or exec into it).
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { lazyAction } from "../lazy.js"
import { backendOption, jsonOption } from "../options.js"
import { envOption, userOption, workdirOption } from "./containerOptions.js"

const imageArg = Args.text({ name: "IMAGE" }).pipe(Args.withDescription("The image to run"))

const commandArgs = Args.text({ name: "CMD" }).pipe(
  Args.withDescription(
    "The command and its arguments (default: the image's). Everything after IMAGE belongs to the container, dashes included, as with docker run (ociman's options go before IMAGE); a -- before the command also works"
  ),
  Args.repeated
)

export const runOptions = {
  name: Options.text("name").pipe(Options.withDescription("The container's name"), Options.optional),
  env: envOption,
  publish: Options.text("publish").pipe(
    Options.withAlias("p"),
    Options.withDescription(
      "Publish a container port: [IP:][HOSTPORT:]PORT[/udp] (repeatable); no HOSTPORT means a free port, IPv6 in brackets"
    ),
    Options.repeated
  ),
  label: Options.text("label").pipe(
    Options.withAlias("l"),
    Options.withDescription("A container label KEY=VALUE (repeatable)"),
    Options.repeated
  ),
  workdir: workdirOption,
  user: userOption,
  entrypoint: Options.text("entrypoint").pipe(
    Options.withDescription("Override the image's entrypoint (one executable; its arguments go in CMD)"),
    Options.optional
  ),
  network: Options.text("network").pipe(
    Options.withDescription("Connect the container to this network (a name, host, none, …)"),
    Options.optional
  ),
  detach: Options.boolean("detach").pipe(
    Options.withAlias("d"),
    Options.withDescription("Start the container in the background, print its id and leave it running")
  ),
  interactive: Options.boolean("interactive").pipe(
    Options.withAlias("i"),
    Options.withDescription(
      "Keep the container's stdin open: it reads this terminal (with a terminal on both ends the engine's CLI is attached to it, as docker run -it), or what is piped in. Before IMAGE"
    )
  ),
  tty: Options.boolean("tty").pipe(
    Options.withAlias("t"),
    Options.withDescription(
      "Give the container a TTY (-it on a terminal: an interactive shell, the engine's CLI attached to this terminal; the container keeps ociman's labels and is removed when it exits). Before IMAGE"
    )
  ),
  keep: Options.boolean("keep").pipe(
    Options.withDescription(
      "Keep the container after a foreground run exits (default: it is removed); on Ctrl-C it is stopped, not removed"
    )
  ),
  backend: backendOption,
  json: jsonOption
}

/** What `ociman run`'s command line parses to. */
export type RunInput = Command.Command.ParseConfig<typeof runOptions> & {
  readonly image: string
  readonly command: ReadonlyArray<string>
}

export const run = Command.make(
  "run",
  { image: imageArg, command: commandArgs, ...runOptions },
  lazyAction(() => import("../actions/run.js"))
).pipe(
  Command.withDescription(
    "Run a container: in the foreground (streams its output, exits with its exit code, removed afterwards unless --keep), attached to this terminal with -it (an interactive shell), or --detach'ed (prints its id, left running until removed)"
  )
)
