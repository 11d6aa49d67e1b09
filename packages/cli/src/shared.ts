/**
 * Options and plumbing shared by every command: `--backend`, `--json`, and the runtime layer.
 */
import { Options } from "@effect/cli"
import { NodeContext } from "@effect/platform-node"
import { Layer, Option } from "effect"
import { ContainerRuntime } from "ociman"

/** `--backend docker|podman`; without it the environment decides (OCIMAN_BACKEND, config file, autodetect). */
export const backendOption = Options.choice("backend", ["docker", "podman"]).pipe(
  Options.withDescription(
    "Use this runtime instead of the one OCIMAN_BACKEND / ~/.config/ociman.toml / autodetection picks"
  ),
  Options.optional
)

/** `--json`: print data as one JSON document instead of text. */
export const jsonOption = Options.boolean("json").pipe(Options.withDescription("Print the result as JSON"))

/**
 * The runtime layer for a command, from its `--backend` option. Without the library's automatic
 * sweep: a command that only looks (`ps`, `info`, `doctor`) must not remove anything on the way;
 * `ociman prune` is the sweep, when the user asks for it.
 */
export const runtimeLayer = (backend: Option.Option<"docker" | "podman">) =>
  ContainerRuntime.layer({ backend: Option.getOrElse(backend, () => "auto" as const), sweep: false }).pipe(
    Layer.provide(NodeContext.layer)
  )
