/**
 * Per-command code loaded only when that command runs: a command's declaration (its options and
 * help) is cheap and always loaded; what it does, and the ociman library with it, is in
 * `actions/<command>.ts`, imported when the command is chosen. `ociman --help` and `ociman hash`
 * thus never load the container runtime's code.
 */
import * as Effect from "effect/Effect"

/** An action module: one function from the parsed command line to the command's effect. */
export interface ActionModule<I, E, R> {
  readonly action: (input: I) => Effect.Effect<void, E, R>
}

/** A command handler that imports its action module (a separate chunk of the bundle) first. */
export const lazyAction =
  <I, E, R>(load: () => Promise<ActionModule<I, E, R>>) =>
  (input: I): Effect.Effect<void, E, R> =>
    // a chunk that fails to load is a broken install, a defect, not a user error
    Effect.flatMap(Effect.promise(load), (module) => module.action(input))
