/**
 * What `ociman exec` does (see `commands/exec.ts`).
 */
import { Console, Effect, Option, Redacted } from "effect"
import type * as CliError from "ociman/CliError"
import * as Container from "ociman/Container"
import * as ContainerRuntime from "ociman/ContainerRuntime"
import type * as EnvVar from "ociman/EnvVar"
import type { ExecInput } from "../commands/exec.js"
import { runtimeLayer } from "../runtimeLayer.js"
import { exitWith, parseEnv, writeOut } from "./containerFlags.js"
import { exitCodeOf, onTerminal, pipedInput, spawnAttached } from "./terminal.js"

/** The JSON document `ociman exec --json` prints. */
export const execJson = (result: ContainerRuntime.ExecResult) => ({
  exitCode: result.exitCode,
  stdout: result.stdout,
  stderr: result.stderr
})

/**
 * Runs the engine's CLI on this terminal (stdio inherited: an interactive shell needs the terminal
 * itself, which the library's pipes are not); its exit code, or 128 + the signal's number.
 * Variables travel in the child's environment, their names alone in the argv (`--env NAME`).
 */
const attached = (
  executable: string,
  args: ReadonlyArray<string>,
  vars: EnvVar.EnvVars
): Effect.Effect<number | undefined, CliError.SpawnFailed> =>
  Effect.flatMap(
    spawnAttached(
      executable,
      args,
      Object.fromEntries(
        vars.map(([name, value]) => [name, Redacted.isRedacted(value) ? Redacted.value(value) : value])
      )
    ),
    exitCodeOf
  )

/** `exec -i` / `-t` with a terminal on both ends: the engine's CLI attached to it. */
const execOnTerminal = (input: ExecInput, vars: EnvVar.EnvVars) =>
  Effect.gen(function* () {
    const runtime = yield* ContainerRuntime.ContainerRuntime
    const handle = yield* Container.handle(input.container)
    return yield* attached(
      runtime.backend.executable,
      [
        "exec",
        ...(input.interactive ? ["--interactive"] : []),
        ...(input.tty ? ["--tty"] : []),
        ...vars.flatMap(([name]) => ["--env", name]),
        ...Option.match(input.user, { onNone: () => [], onSome: (user) => ["--user", user] }),
        ...Option.match(input.workdir, { onNone: () => [], onSome: (dir) => ["--workdir", dir] }),
        handle.id,
        ...input.command
      ],
      vars
    )
  }).pipe(Effect.provide(runtimeLayer(input.backend)))

export const action = (input: ExecInput) =>
  Effect.gen(function* () {
    const { backend, command, container, env, interactive, json, tty, user, workdir } = input
    const vars = yield* parseEnv(env)
    if ((interactive || tty) && !json && onTerminal()) return yield* exitWith(yield* execOnTerminal(input, vars))
    // without a terminal: the library's exec, fed what is piped in with -i
    const stdin = interactive ? yield* pipedInput(tty) : undefined
    const result = yield* Effect.flatMap(Container.handle(container), (handle) =>
      handle.exec(command, {
        env: Object.fromEntries(vars),
        user: Option.getOrUndefined(user),
        workdir: Option.getOrUndefined(workdir),
        tty,
        interactive,
        stdin
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
