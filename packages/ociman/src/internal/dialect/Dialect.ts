/**
 * What differs between Docker and Podman, as one record per runtime (`docker.ts`, `podman.ts`):
 * the backends read these fields and never branch on the runtime's name themselves.
 */
import type { UnavailableReason } from "../../RuntimeError.js"
import type { Kind } from "../kind.js"

export interface Dialect {
  readonly kind: Kind
  /** The variable that points the CLI at a remote engine (`DOCKER_HOST`, `CONTAINER_HOST`). */
  readonly engineHostVariable: string
  /** The network a container joins when none is given. */
  readonly defaultNetwork: string
  /**
   * The name under which a container reaches this host, and the `--add-host` address that makes it
   * resolvable (`undefined`: the runtime always adds it, and Podman 4 rejects `host-gateway`).
   */
  readonly hostGateway: { readonly name: string; readonly addHostAddress: string | undefined }
  /**
   * The argv that runs a container's health check once, where the engine runs checks only when
   * asked (Podman without systemd timers); `undefined` where the engine runs them by itself.
   */
  readonly healthcheckRunArgs: ((container: string) => ReadonlyArray<string>) | undefined
  /** What that run prints for a container without a health check. */
  readonly healthcheckMissing: RegExp
  /** What to do when the runtime cannot be used for this reason (`RuntimeUnavailable.hint`). */
  readonly unavailableHint: (reason: UnavailableReason) => string
}
