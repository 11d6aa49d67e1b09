/** Health as a backend reports it: from the inspected state, in words a `WaitTimedOut` can show. */
import type * as ContainerInspect from "../ContainerInspect.js"
import type { HealthcheckOutcome } from "../ContainerRuntime.js"

/** The last `max` characters of a check's output, trimmed. */
export const tail = (text: string, max = 300): string => {
  const trimmed = text.trim()
  return trimmed.length <= max ? trimmed : `…${trimmed.slice(-max)}`
}

/** Why a container is not healthy (yet), from its inspected health. */
export const healthSummary = (health: ContainerInspect.Health): string => {
  const last = health.log.at(-1)
  if (last === undefined) return `health is ${health.status} (no check has run yet)`
  const output = tail(last.output)
  return `health is ${health.status} (last check exited ${last.exitCode}${output === "" ? "" : `: ${output}`})`
}

/** The outcome that the inspected health gives by itself. */
export const outcomeOf = (health: ContainerInspect.Health): HealthcheckOutcome =>
  health.status === "healthy" ? { _tag: "Healthy" } : { _tag: "Unhealthy", reason: healthSummary(health) }
