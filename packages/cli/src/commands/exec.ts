/**
 * `ociman exec CONTAINER CMD…`: runs a command in a running container, prints its output and
 * exits with its exit code (`--json`: one document with the exit code and both outputs).
 */
import { Args, Command } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { Container, type ContainerRuntime } from "ociman"
import { backendOption, jsonOption, runtimeLayer } from "../shared.js"
import { envOption, exitWith, parseEnv, userOption, workdirOption, writeOut } from "./containerFlags.js"

const containerArg = Args.text({ name: "CONTAINER" }).pipe(Args.withDescription("The container's id or name"))

const commandArgs = Args.text({ name: "CMD" }).pipe(
  Args.withDescription(
    "The command and its arguments; put them after -- when they start with a dash, e.g. -- sh -c 'echo hi'"
  ),
  Args.atLeast(1)
)

/** The JSON document `ociman exec --json` prints. */
export const execJson = (result: ContainerRuntime.ExecResult) => ({
  exitCode: result.exitCode,
  stdout: result.stdout,
  stderr: result.stderr
})

export const exec = Command.make(
  "exec",
  {
    container: containerArg,
    command: commandArgs,
    env: envOption,
    user: userOption,
    workdir: workdirOption,
    backend: backendOption,
    json: jsonOption
  },
  ({ backend, command, container, env, json, user, workdir }) =>
    Effect.gen(function* () {
      const vars = yield* parseEnv(env)
      const result = yield* Effect.flatMap(Container.handle(container), (handle) =>
        handle.exec(command, {
          env: Object.fromEntries(vars),
          user: Option.getOrUndefined(user),
          workdir: Option.getOrUndefined(workdir)
        })
      ).pipe(Effect.provide(runtimeLayer(backend)))
      if (json) {
        yield* Console.log(JSON.stringify(execJson(result)))
      } else {
        yield* writeOut(process.stdout, result.stdoutBytes)
        yield* writeOut(process.stderr, result.stderrBytes)
      }
      yield* exitWith(result.exitCode)
    })
).pipe(
  Command.withDescription(
    "Run a command in a running container, print its output and exit with its exit code (a bare -e KEY takes KEY's value from this environment)"
  )
)
