/**
 * `ociman run IMAGE [CMD…]`: runs a container with the usual flags. In the foreground (the
 * default) it prints the container's output and exits with its exit code, and the container is
 * removed when it exits unless `--keep` is given. With `--detach` it prints the new container's id
 * and leaves it running; it carries ociman's ownership labels, so `ociman ps` lists it and the
 * user (or `ociman prune`) removes it.
 *
 * The foreground output is printed when the container exits (the library's `Container.run`
 * collects it), stdout to stdout and stderr to stderr: byte for byte after a zero exit, as UTF-8 text
 * after a non-zero one (the library's `ContainerExitedNonZero` carries text). A foreground container
 * without `--name` is named `ociman-run-<random>`, so that an interrupted run (Ctrl-C, SIGTERM)
 * can remove it (with `--keep`: stop it).
 */
import { Args, Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { Container, ContainerDefinition as Def } from "ociman"
import { backendOption, jsonOption, runtimeLayer } from "../shared.js"
import {
  envOption,
  exitWith,
  parseEnv,
  parseLabels,
  parseName,
  parsePublish,
  userOption,
  workdirOption,
  writeOut
} from "./containerFlags.js"

const imageArg = Args.text({ name: "IMAGE" }).pipe(Args.withDescription("The image to run"))

const commandArgs = Args.text({ name: "CMD" }).pipe(
  Args.withDescription(
    "The command and its arguments (default: the image's); put them after -- when they start with a dash, e.g. -- sh -c 'echo hi'"
  ),
  Args.repeated
)

const options = {
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
  keep: Options.boolean("keep").pipe(
    Options.withDescription("Keep the container after a foreground run exits (default: it is removed)")
  ),
  backend: backendOption,
  json: jsonOption
}

type Input = Command.Command.ParseConfig<typeof options> & {
  readonly image: string
  readonly command: ReadonlyArray<string>
}

/** The definition the flags describe; every value is validated here, before a runtime is probed. */
export const toDefinition = (input: Input) =>
  Effect.gen(function* () {
    const env = yield* parseEnv(input.env)
    const labels = yield* parseLabels(input.label)
    const publish = yield* Effect.forEach(input.publish, parsePublish)
    let def = Def.make(input.image).pipe(
      Def.command(input.command),
      Def.env(env),
      Def.labels(labels),
      Def.publish(...publish)
    )
    if (Option.isSome(input.name)) def = Def.name(yield* parseName(input.name.value))(def)
    if (Option.isSome(input.workdir)) def = Def.workdir(input.workdir.value)(def)
    if (Option.isSome(input.user)) def = Def.user(input.user.value)(def)
    if (Option.isSome(input.entrypoint)) def = Def.entrypoint(input.entrypoint.value)(def)
    if (Option.isSome(input.network)) def = Def.network(input.network.value)(def)
    // A detached container stays until the user or `ociman prune` removes it.
    if (!input.detach && !input.keep) def = Def.withRemove(def)
    return def
  })

/** The JSON document `ociman run --json` prints: the id when detached, else the outcome. */
export const runJson = {
  detached: (id: string) => ({ id }),
  foreground: (exitCode: number | undefined, stdout: string, stderr: string) => ({ exitCode, stdout, stderr })
}

const encoder = new TextEncoder()

export const run = Command.make(
  "run",
  { image: imageArg, command: commandArgs, ...options },
  ({ backend, json, ...input }) =>
    Effect.gen(function* () {
      if (input.detach) {
        const def = yield* toDefinition({ backend, json, ...input })
        const container = yield* Container.startDetached(def).pipe(Effect.provide(runtimeLayer(backend)))
        return yield* Console.log(json ? JSON.stringify(runJson.detached(container.id)) : container.id)
      }
      // Named, so that an interrupted run (Ctrl-C) can remove (with --keep: stop) its container:
      // killing the runtime's CLI does not stop a container whose PID 1 ignores the signal.
      const name = Option.getOrElse(input.name, () => `ociman-run-${globalThis.crypto.randomUUID().slice(0, 12)}`)
      const def = yield* toDefinition({ backend, json, ...input, name: Option.some(name) })
      const release = Effect.flatMap(Container.handle(name), (container) =>
        input.keep ? container.stop() : container.remove({ force: true })
      ).pipe(Effect.ignore)
      // A non-zero exit is the container's answer, not ociman's failure: print it and pass the code on.
      const outcome = yield* Container.run(def).pipe(
        Effect.onInterrupt(() => release),
        Effect.map((result) => ({
          exitCode: result.exitCode,
          stdout: result.stdoutBytes,
          stderr: result.stderrBytes
        })),
        Effect.catchTag("ContainerExitedNonZero", (error) =>
          Effect.succeed({
            exitCode: error.exitCode,
            stdout: encoder.encode(error.stdout),
            stderr: encoder.encode(error.stderr)
          })
        ),
        Effect.provide(runtimeLayer(backend))
      )
      if (json) {
        const decoder = new TextDecoder()
        yield* Console.log(
          JSON.stringify(
            runJson.foreground(outcome.exitCode, decoder.decode(outcome.stdout), decoder.decode(outcome.stderr))
          )
        )
      } else {
        yield* writeOut(process.stdout, outcome.stdout)
        yield* writeOut(process.stderr, outcome.stderr)
      }
      yield* exitWith(outcome.exitCode)
    })
).pipe(
  Command.withDescription(
    "Run a container: in the foreground (prints its output, exits with its exit code, removed afterwards unless --keep) or --detach'ed (prints its id, left running until removed or pruned)"
  )
)
