/**
 * Which clock keeps time for a runtime's deadlines and polls. Docker and Podman run real processes,
 * so their timeouts, kill grace periods, retries and readiness polls run on the live clock whatever
 * clock the caller provides (`@effect/vitest`'s `it.effect` provides a `TestClock` that only moves
 * when the test adjusts it: a poll on it would wait for ever). The in-memory runtime simulates
 * processes, so it follows the ambient clock and a unit test can drive it with `TestClock.adjust`.
 */
import { Clock, Effect } from "effect"
import type { Capabilities } from "../ContainerRuntime.js"

/** The live clock (one per process: it holds no state). */
export const liveClock: Clock.Clock = Clock.make()

/** Runs `effect` on the live clock, whatever clock its caller provides. */
export const onLiveClock = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withClock(effect, liveClock)

/** The clock of a runtime with these capabilities: live for real processes, the ambient one otherwise. */
export const onClockOf =
  (capabilities: Capabilities) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    capabilities.processes ? onLiveClock(effect) : effect
