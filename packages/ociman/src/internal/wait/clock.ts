/**
 * Readiness polls keep the time of the runtime they poll (see `internal/clock.ts`): the live clock
 * on Docker and Podman, whatever clock a test provides; the ambient one in memory.
 */
import { Effect, Option } from "effect"
import { ContainerRuntime } from "../runtimeTag.js"
import { onClockOf } from "../clock.js"

/** Runs `effect` on the clock of the runtime in context; without a runtime, on the ambient clock. */
export const onRuntimeClock = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(
    Effect.serviceOption(ContainerRuntime),
    Option.match({ onNone: () => effect, onSome: (runtime) => onClockOf(runtime.capabilities)(effect) })
  )
