/**
 * The runtime layer of every command that needs a runtime (the one place the CLI builds it). Apart
 * from `platform.ts` so that a command without a runtime (`hash`) never loads the runtime's code.
 */
import { Duration, Layer, Option } from "effect"
import * as ContainerRuntime from "ociman/ContainerRuntime"
import type * as RuntimeError from "ociman/RuntimeError"
import { platformLayer } from "./platform.js"

/**
 * The runtime from the `--backend` option. Without the library's automatic sweep: a command that
 * only looks (`ps`, `info`) must not remove anything on the way, `ociman prune` is the sweep itself
 * (the layer's own would race it), and a sweep would cost every command its time.
 */
export const runtimeLayer = (
  backend: Option.Option<ContainerRuntime.Kind>,
  options: { readonly foreground?: boolean } = {}
): Layer.Layer<ContainerRuntime.ContainerRuntime, RuntimeError.ResolveError> =>
  ContainerRuntime.layer({
    backend: Option.getOrElse(backend, () => "auto" as const),
    sweep: false,
    // a container run in the foreground runs until it exits or Ctrl-C, however long: no wait deadline
    ...(options.foreground === true ? { deadlines: { wait: Duration.infinity } } : {})
  }).pipe(Layer.provide(platformLayer))
