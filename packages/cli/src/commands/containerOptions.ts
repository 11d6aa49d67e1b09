/**
 * The docker-style options `ociman run` and `ociman exec` share (`-e K=V`, `-u`, `-w`).
 * Declarations only; `actions/containerFlags.ts` validates the values.
 */
import * as Options from "@effect/cli/Options"

export const envOption = Options.text("env").pipe(
  Options.withAlias("e"),
  Options.withDescription(
    "Set an environment variable KEY=VALUE in the container (repeatable); a bare KEY takes its value from this environment. Values never appear in the runtime CLI's argv"
  ),
  Options.repeated
)

export const userOption = Options.text("user").pipe(
  Options.withAlias("u"),
  Options.withDescription("Run as this user inside the container: NAME, UID or UID:GID"),
  Options.optional
)

export const workdirOption = Options.text("workdir").pipe(
  Options.withAlias("w"),
  Options.withDescription("The working directory inside the container"),
  Options.optional
)
