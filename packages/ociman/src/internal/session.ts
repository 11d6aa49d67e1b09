/**
 * The labels that mark what this library creates, so a later sweep can find resources whose
 * owning process is gone. One session id per process (a random UUID), the owner's pid and host,
 * the creation time, and (on Linux) the owner's pid namespace: a process in a container that
 * shares the host's name (`--network host`) has pids that mean nothing outside it.
 */
import { readlinkSync } from "node:fs" // not in @effect/platform; Node, Bun and Deno all provide it
import { hostname } from "node:os" // not in @effect/platform; Node, Bun and Deno all provide it

export const LABEL_PREFIX = "ociman"
export const MANAGED_LABEL = `${LABEL_PREFIX}.managed`
export const SESSION_LABEL = `${LABEL_PREFIX}.session`
export const PID_LABEL = `${LABEL_PREFIX}.pid`
export const HOST_LABEL = `${LABEL_PREFIX}.host`
export const CREATED_LABEL = `${LABEL_PREFIX}.created`
/** The pid namespace of the owner (`/proc/self/ns/pid`'s inode), where there is one. */
export const PIDNS_LABEL = `${LABEL_PREFIX}.pidns`
/**
 * Images only: the reference the library built the image under. Labels are inherited (by images
 * built `FROM` it, and by containers run from it), so an image is the library's only while it
 * still carries that reference.
 */
export const REFERENCE_LABEL = `${LABEL_PREFIX}.reference`

/**
 * How the resource's life is managed: `scoped` (released by its scope; the sweep removes it once
 * its owner is gone) or `detached` (`Container.startDetached`: the caller's to remove, so a sweep
 * takes it only when asked to). Always set, so a label inherited from an image (a container
 * committed from a detached one) never decides it.
 */
export const LIFECYCLE_LABEL = `${LABEL_PREFIX}.lifecycle`

/**
 * Scoped containers only: a random value per `Container.start`, set before the run, so the release
 * finds a container that a timed-out or interrupted run created after all.
 */
export const START_LABEL = `${LABEL_PREFIX}.start`

/** A reused container's definition key (see `reuse.ts`). */
export const REUSE_LABEL = `${LABEL_PREFIX}.reuse`

/** The values of {@link LIFECYCLE_LABEL} (`reused`: `Container.start(…, { reuse: true })`, see `reuse.ts`). */
export type Lifecycle = "scoped" | "detached" | "reused"

/** This process's session id. */
export const sessionId: string = globalThis.crypto.randomUUID()

const readPidNamespace = (): string | undefined => {
  try {
    return /^pid:\[(\d+)\]$/.exec(readlinkSync("/proc/self/ns/pid"))?.[1]
  } catch {
    // not Linux, or no /proc: pids are compared by host name alone
    return undefined
  }
}

/** Where this process's pids mean something: its host name and, on Linux, its pid namespace. */
export const here: { readonly host: string; readonly pidNamespace: string | undefined } = {
  host: hostname(),
  pidNamespace: readPidNamespace()
}

/** The labels for a resource created now by this process. */
export const ownershipLabels = (
  now: Date = new Date(),
  lifecycle: Lifecycle = "scoped"
): ReadonlyArray<readonly [string, string]> => [
  [MANAGED_LABEL, "true"],
  [LIFECYCLE_LABEL, lifecycle],
  [SESSION_LABEL, sessionId],
  [PID_LABEL, String(process.pid)],
  [HOST_LABEL, here.host],
  [CREATED_LABEL, now.toISOString()],
  ...(here.pidNamespace === undefined ? [] : [[PIDNS_LABEL, here.pidNamespace] as const])
]
