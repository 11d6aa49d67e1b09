/**
 * What a `run` or `exec` of the CLIs needs for its environment: `--env NAME` arguments (values
 * never in argv), the values for the CLI's own environment, and a 0600 env file for names the
 * CLI itself reserves (the split is `dialect/env.ts`'s `envPlan`).
 */
import { Effect, Either } from "effect"
import type * as EnvVar from "../../EnvVar.js"
import { envPlan as planOf } from "../dialect/env.js"
import { writeEnvFile } from "./envFile.js"

/** Needs a scope: the env file, when there is one, is removed when it closes. */
export const envPlan = (vars: EnvVar.EnvVars) =>
  Effect.gen(function* () {
    const plan = yield* Either.match(planOf(vars), { onLeft: Effect.fail, onRight: Effect.succeed })
    const file = plan.envFile === undefined ? undefined : yield* writeEnvFile(plan.envFile)
    const args = file === undefined ? plan.args : [...plan.args, "--env-file", file]
    return { args, env: plan.processEnv, secrets: plan.secrets }
  })
