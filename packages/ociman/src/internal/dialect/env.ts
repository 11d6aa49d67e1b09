/**
 * How a set of environment variables reaches a container through the Docker or Podman CLI,
 * without any value in argv (see the `EnvVar` module documentation):
 * - most variables: `--env NAME` in argv, the value in the CLI's own environment (both CLIs copy
 *   a bare `--env NAME` from there);
 * - the variables of `EnvVar.usesEnvFile` (names the CLI reads itself, names with `*`): one
 *   `NAME=value` line each in an `--env-file`.
 */
import { Either, Redacted } from "effect"
import * as EnvVar from "../../EnvVar.js"
import { sortedUnique } from "../bytes.js"

/**
 * How a set of variables reaches the container:
 * - `args`: `--env NAME` for each variable that travels in the CLI's environment, in name order;
 *   the caller adds `--env-file <path>` when `envFile` is defined;
 * - `processEnv`: those variables' values, to add to the CLI process's environment;
 * - `envFile`: the text of the env file (`NAME=value` lines, in name order) for the variables of
 *   `EnvVar.usesEnvFile`, or `undefined` when there are none;
 * - `secrets`: every `Redacted` value, to hide wherever an argv or output is shown.
 */
export interface EnvPlan {
  readonly args: ReadonlyArray<string>
  readonly processEnv: Readonly<Record<string, string>>
  readonly envFile: string | undefined
  readonly secrets: ReadonlyArray<string>
}

const reveal = (value: EnvVar.Value): string => (Redacted.isRedacted(value) ? Redacted.value(value) : value)

/** The first rule this variable breaks (`EnvVar.make`'s checks, name first), if any. */
const invalid = (entry: readonly [string, EnvVar.Value]): EnvVar.InvalidEnvVar | undefined => {
  const checked = EnvVar.make([entry])
  return Either.isLeft(checked) ? checked.left : undefined
}

/**
 * Splits a set of variables between the CLI's environment and an env file (see `EnvPlan`). Fails
 * with the first variable that cannot be delivered; a set built with `EnvVar.make` or
 * `EnvVar.merge` never does.
 */
export const envPlan = (vars: EnvVar.EnvVars): Either.Either<EnvPlan, EnvVar.InvalidEnvVar> => {
  const args: Array<string> = []
  const processEnv: Array<readonly [string, string]> = []
  const lines: Array<string> = []
  const secrets: Array<string> = []
  // `EnvVars` may be built by hand: validate and deduplicate again.
  for (const [n, v] of sortedUnique(vars)) {
    const error = invalid([n, v])
    if (error !== undefined) return Either.left(error)
    const text = reveal(v)
    if (Redacted.isRedacted(v)) secrets.push(text)
    if (EnvVar.usesEnvFile(n)) lines.push(`${n}=${text}\n`)
    else {
      args.push("--env", n)
      processEnv.push([n, text])
    }
  }
  return Either.right({
    args,
    // `fromEntries` defines own properties, so a variable named `__proto__` stays a variable.
    processEnv: Object.fromEntries(processEnv),
    envFile: lines.length === 0 ? undefined : lines.join(""),
    secrets
  })
}
