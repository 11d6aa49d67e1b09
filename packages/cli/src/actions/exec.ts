/**
 * What `ociman exec` does (see `commands/exec.ts`).
 */
import { Console, Effect, Option } from "effect"
import { Container, type ContainerRuntime } from "ociman"
import type { ExecInput } from "../commands/exec.js"
import { runtimeLayer } from "../platform.js"
import { exitWith, parseEnv, writeOut } from "./containerFlags.js"

/** The JSON document `ociman exec --json` prints. */
export const execJson = (result: ContainerRuntime.ExecResult) => ({
  exitCode: result.exitCode,
  stdout: result.stdout,
  stderr: result.stderr
})

export const action = ({ backend, command, container, env, json, user, workdir }: ExecInput) =>
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
