/**
 * The runtimes of a vitest run, resolved once (in the global setup) and handed to the workers as
 * plain data. Safe to import in a global setup: nothing here loads vitest.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { ContainerRuntime, Testing } from "ociman"

/**
 * A runtime plan as plain data, for `provide` / `inject` (see `globalSetup`): `Run` with the
 * resolved backend, or `Skip` / `Fail` with why it is unavailable.
 * @since 0.1.0
 * @category schemas
 */
export const PlanSchema = Schema.Union(
  Schema.Struct({ _tag: Schema.Literal("Run"), backend: ContainerRuntime.BackendSchema }),
  Schema.Struct({
    _tag: Schema.Literal("Skip", "Fail"),
    kind: Schema.Literal("docker", "podman"),
    reason: Schema.String
  })
)

/**
 * The decoded form of {@link PlanSchema}.
 * @since 0.1.0
 * @category models
 */
export type Plan = typeof PlanSchema.Type

/** The key under which `globalSetup` hands the resolved runtimes to the workers. */
export const RUNTIMES_KEY = "ociman:runtimes"

declare module "vitest" {
  export interface ProvidedContext {
    /** The runtimes `globalSetup` resolved, encoded with `PlanSchema` (`@ociman/vitest`). */
    "ociman:runtimes": ReadonlyArray<typeof PlanSchema.Encoded> | undefined
  }
}

export const kindOf = (plan: Plan): ContainerRuntime.Kind => (plan._tag === "Run" ? plan.backend.kind : plan.kind)

/**
 * Probes the runtimes once and applies the required-backends policy: the plans `globalSetup`
 * hands to the workers, and what `describeRuntimes` uses without it.
 *
 * @example
 * ```ts
 * import { NodeContext } from "@effect/platform-node"
 * import { Effect } from "effect"
 * import { planRuntimes } from "@ociman/vitest"
 *
 * const plans = await Effect.runPromise(planRuntimes().pipe(Effect.provide(NodeContext.layer)))
 * ```
 * @since 0.1.0
 * @category effects
 */
export const planRuntimes = (options: { readonly kinds?: ReadonlyArray<ContainerRuntime.Kind> | undefined } = {}) =>
  Effect.map(Testing.planBackends({ kinds: options.kinds }), (plans): ReadonlyArray<Plan> =>
    plans.map((plan) =>
      plan._tag === "Run"
        ? { _tag: "Run", backend: plan.backend }
        : { _tag: plan._tag, kind: plan.kind, reason: plan.error.message }
    )
  )
