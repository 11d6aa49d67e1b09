/**
 * The labels that mark what this library creates, so a later sweep can find resources whose
 * owning process is gone. One session id per process (a random UUID), the owner's pid and host,
 * and the creation time.
 */
import { hostname } from "node:os" // not in @effect/platform; Node, Bun and Deno all provide it

export const LABEL_PREFIX = "ociman"
export const MANAGED_LABEL = `${LABEL_PREFIX}.managed`
export const SESSION_LABEL = `${LABEL_PREFIX}.session`
export const PID_LABEL = `${LABEL_PREFIX}.pid`
export const HOST_LABEL = `${LABEL_PREFIX}.host`
export const CREATED_LABEL = `${LABEL_PREFIX}.created`

/** This process's session id. */
export const sessionId: string = globalThis.crypto.randomUUID()

/** The labels for a resource created now by this process. */
export const ownershipLabels = (now: Date = new Date()): ReadonlyArray<readonly [string, string]> => [
  [MANAGED_LABEL, "true"],
  [SESSION_LABEL, sessionId],
  [PID_LABEL, String(process.pid)],
  [HOST_LABEL, hostname()],
  [CREATED_LABEL, now.toISOString()]
]
