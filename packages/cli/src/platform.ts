/**
 * The Node platform the actions run on, only the parts they use (no HTTP client, no workers), and
 * the runtime layer of every command that needs a runtime (the one place the CLI builds it).
 */
import * as NodeCommandExecutor from "@effect/platform-node/NodeCommandExecutor"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import { Duration, Layer, Option } from "effect"
import { ContainerRuntime, type RuntimeError } from "ociman"

/** Files and paths: what hashing a build context needs. */
export const filesLayer = Layer.merge(NodeFileSystem.layer, NodePath.layer)

/** Files, paths and processes: what resolving and driving a runtime needs. */
export const platformLayer = Layer.provideMerge(NodeCommandExecutor.layer, filesLayer)

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
