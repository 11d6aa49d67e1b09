/**
 * Child process of `bench/containers.ts`: builds one runtime layer (resolve + probe) in a fresh
 * process, where no earlier probe is cached, and prints `{ "milliseconds": n, "transport": t }`
 * (the transport the built runtime uses) as one JSON line. Only `Layer.build` is timed, not the
 * loading of the modules.
 *
 *   node --import tsx bench/layerChild.ts <docker|podman> <transport>
 */
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Console, Context, Effect, Layer } from "effect"
import { ContainerRuntime } from "ociman"
import { BenchError, timed } from "./measurement.js"
import { isTransport, runtimeLayer, transportOf } from "./transport.js"

const [kind, transport] = process.argv.slice(2)

const program = Effect.gen(function* () {
  if ((kind !== "docker" && kind !== "podman") || transport === undefined || !isTransport(transport)) {
    return yield* new BenchError({ reason: "usage: layerChild.ts <docker|podman> <transport>" })
  }
  const { seconds, value } = yield* Effect.scoped(timed(Layer.build(runtimeLayer(kind, transport))))
  const built = transportOf(Context.get(value, ContainerRuntime.ContainerRuntime).backend)
  yield* Console.log(JSON.stringify({ milliseconds: seconds * 1000, transport: built }))
})

program.pipe(Effect.provide(NodeContext.layer), NodeRuntime.runMain)
