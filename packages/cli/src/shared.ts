/**
 * Options and plumbing shared by every command: `--backend`, `--json`, and the runtime layer.
 */
import { Options } from "@effect/cli"
import { NodeContext } from "@effect/platform-node"
import { Layer, Option } from "effect"
import { ContainerRuntime, type RuntimeError } from "ociman"

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
 * The runtime layer of every command that needs a runtime, from its `--backend` option (the one
 * place the CLI builds it). Without the library's automatic sweep: a command that only looks
 * (`ps`, `info`) must not remove anything on the way, and `ociman prune` is the sweep itself (the
 * layer's own would race it).
 */
export const runtimeLayer = (
  backend: Option.Option<ContainerRuntime.Kind>
): Layer.Layer<ContainerRuntime.ContainerRuntime, RuntimeError.ResolveError> =>
  ContainerRuntime.layer({ backend: Option.getOrElse(backend, () => "auto" as const), sweep: false }).pipe(
    Layer.provide(NodeContext.layer)
  )
