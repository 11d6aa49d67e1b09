/**
 * Options every command shares: `--backend` and `--json`. Declarations only (no ociman import), so
 * that parsing a command line and printing help load nothing of the library.
 */
import * as Options from "@effect/cli/Options"

/** `--backend docker|podman`; without it the environment decides (OCIMAN_BACKEND, config file, autodetect). */
export const backendOption = Options.choice("backend", ["docker", "podman"]).pipe(
  Options.withDescription(
    "Use this runtime instead of the one OCIMAN_BACKEND / ~/.config/ociman.toml / autodetection picks"
  ),
  Options.optional
)

/** `--json`: print data as one JSON document instead of text. */
export const jsonOption = Options.boolean("json").pipe(Options.withDescription("Print the result as one JSON document"))
