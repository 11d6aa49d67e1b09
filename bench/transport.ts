/**
 * The ociman runtime layers the container benchmarks compare: one per transport the library
 * offers (`bench/containers.ts`, and `bench/layerChild.ts` for the layer's build time).
 */
import { Console, Context, Effect, Either, Layer } from "effect"
import { ContainerRuntime } from "ociman"

/** Whether `ContainerRuntime.LayerOptions` has `transport` yet (the Engine-API transport of issue #14). */
type HasTransport = "transport" extends keyof ContainerRuntime.LayerOptions ? true : false

/** How the library reaches the engine; `api` only exists once the library offers it. */
export type Transport = HasTransport extends true ? "cli" | "api" : "cli"

/**
 * The transports measured, CLI first. ISSUE #14: "api" type-checks only while
 * `ContainerRuntime.LayerOptions` accepts `transport`; should that option go, make the next line
 * `["cli"]`. A built library without it (a stale `dist/`) is caught at run time (`usableTransports`).
 */
export const TRANSPORTS: ReadonlyArray<Transport> = ["cli", "api"]

export const isTransport = (input: string): input is Transport => TRANSPORTS.some((transport) => transport === input)

/**
 * The runtime layer for one kind and transport, without the automatic sweep (it would run in the
 * background while rounds are timed). `transport` is spread in so this compiles before the option
 * exists; until then "cli" is the only transport and the library ignores the field.
 */
export const runtimeLayer = (backend: ContainerRuntime.Kind, transport: Transport) =>
  ContainerRuntime.layer({ backend, sweep: false, ...{ transport } })

/** The transport a built runtime really uses; a library from before transports existed has only the CLI. */
export const transportOf = (backend: ContainerRuntime.Backend): string =>
  "transport" in backend && typeof backend.transport === "string" ? backend.transport : "cli"

/**
 * The transports of `TRANSPORTS` whose layer builds for `kind` and really uses that transport (a
 * stale `packages/ociman/dist` may not have it yet); each one left out is said on stderr.
 */
export const usableTransports = (kind: ContainerRuntime.Kind) =>
  Effect.filter(TRANSPORTS, (transport) =>
    Effect.scoped(Layer.build(runtimeLayer(kind, transport))).pipe(
      Effect.map((context) => transportOf(Context.get(context, ContainerRuntime.ContainerRuntime).backend)),
      Effect.either,
      Effect.flatMap((built) => {
        const skipped = Either.isLeft(built)
          ? built.left.message
          : built.right === transport
            ? undefined
            : `the layer runs over ${built.right}: the library in use has no ${transport} transport (npm run build?)`
        return skipped === undefined
          ? Effect.succeed(true)
          : Effect.as(Console.error(`containers: skipping ociman ${transport} on ${kind}: ${skipped}`), false)
      })
    )
  )
