/**
 * Typed failures of a wait (`Wait.forContainer`, `Container.start(definition, { waitFor })`). The
 * container-side ones carry the container, the strategy as text and its last 50 log lines, so a
 * failed start can be diagnosed from the error alone.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Container, ContainerDefinition as Def, Wait } from "ociman"
 *
 * const program = Container.start(Def.make("localhost/ociman-test/busybox:1"), {
 *   waitFor: Wait.logLine("ready"),
 *   timeout: "10 seconds"
 * }).pipe(
 *   Effect.catchTags({
 *     ContainerExitedBeforeReady: (e) => Effect.logError(`exit ${e.exitCode}`, e.lastLogs),
 *     WaitTimedOut: (e) => Effect.logError(e.lastError)
 *   }),
 *   Effect.scoped
 * )
 * ```
 *
 * @since 0.1.0
 */
import { Data } from "effect"
import type { PortNotPublished } from "./ContainerError.js"
import type * as ContainerInspect from "./ContainerInspect.js"
import type * as EnvVar from "./EnvVar.js"
import type { LogLine } from "./ContainerRuntime.js"

/** How many of them the error messages show. */
const MESSAGE_LOG_LINES = 10

const logExcerpt = (lines: ReadonlyArray<LogLine>): string =>
  lines.length === 0
    ? " (no log output)"
    : `; last log lines:\n${lines
        .slice(-MESSAGE_LOG_LINES)
        .map((line) => `  ${line.text}`)
        .join("\n")}`

const shortId = (id: string): string => (/^[0-9a-f]{64}$/.test(id) ? id.slice(0, 12) : id)

/**
 * The container stopped before the strategy passed. `exitCode` is `undefined` when the container
 * is gone (removed after it exited, e.g. `--rm`, or by someone else); `lastLogs` holds its last
 * 50 log lines.
 * @since 0.1.0
 * @category errors
 */
export class ContainerExitedBeforeReady extends Data.TaggedError("ContainerExitedBeforeReady")<{
  readonly container: string
  readonly strategy: string
  readonly exitCode: number | undefined
  readonly lastLogs: ReadonlyArray<LogLine>
}> {
  override get message(): string {
    const how =
      this.exitCode === undefined
        ? "was removed (after it exited, or by someone else)"
        : `exited with code ${this.exitCode}`
    return `container ${shortId(this.container)} ${how} before it was ready (waiting for ${this.strategy})${logExcerpt(this.lastLogs)}`
  }
}

/**
 * The deadline passed before the strategy did. `elapsedMillis` counts from the start of the
 * budget (for `Container.start`, before the container was run); `lastError` says why each check
 * still pending failed its last attempt (`;` between the checks of `all`, `|` between those of
 * `any`).
 * @since 0.1.0
 * @category errors
 */
export class WaitTimedOut extends Data.TaggedError("WaitTimedOut")<{
  readonly container: string
  readonly strategy: string
  readonly elapsedMillis: number
  readonly lastError: string
  readonly lastLogs: ReadonlyArray<LogLine>
}> {
  override get message(): string {
    return `container ${shortId(this.container)} was not ready after ${this.elapsedMillis} ms (waiting for ${this.strategy}): ${this.lastError}. Raise the timeout if the service is just slow${logExcerpt(this.lastLogs)}`
  }
}

/**
 * `Wait.healthy` on a container whose image and definition define no HEALTHCHECK.
 * @since 0.1.0
 * @category errors
 */
export class HealthcheckMissing extends Data.TaggedError("HealthcheckMissing")<{ readonly container: string }> {
  override get message(): string {
    return `container ${shortId(this.container)} has no health check, so Wait.healthy can never pass: add a HEALTHCHECK to the image or ContainerDefinition.healthcheck({ command }), or wait with another strategy`
  }
}

/**
 * A strategy that can never pass as written (`times` below 1, a UDP port, an empty `any()`, …).
 * @since 0.1.0
 * @category errors
 */
export class InvalidWaitStrategy extends Data.TaggedError("InvalidWaitStrategy")<{
  readonly strategy: string
  readonly reason: string
}> {
  override get message(): string {
    return `invalid wait strategy ${this.strategy}: ${this.reason}`
  }
}

/**
 * Every way a wait can fail.
 * @since 0.1.0
 * @category errors
 */
export type WaitError =
  | ContainerExitedBeforeReady
  | WaitTimedOut
  | HealthcheckMissing
  | InvalidWaitStrategy
  | PortNotPublished
  | ContainerInspect.InvalidInspect
  | EnvVar.InvalidEnvVar
