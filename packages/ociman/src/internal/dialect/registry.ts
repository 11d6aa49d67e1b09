/**
 * Registries on the Docker and Podman CLIs: the argv of `pull`, `push`, `login` and `logout`
 * (golden-tested), how their failures read, and how each CLI reports pull progress.
 *
 * Neither CLI gives a machine-readable error, so failures are classified by the registry's own
 * words, which both CLIs pass through (checked against a real `docker-registry`, open and behind
 * htpasswd, and an unreachable port):
 * - not found: the OCI error code `manifest unknown`;
 * - unauthorized: `unauthorized`, `authentication required`, `no basic auth credentials`,
 *   `denied`, `401 Unauthorized`, `invalid username/password`;
 * - unreachable: the dialer's words (`connection refused`, `no such host`, `i/o timeout`, …).
 *
 * Pull progress when stdout is not a terminal: Docker prints `<12-hex>: <status>` per layer and
 * `Digest:` / `Status:` lines on stdout; Podman prints `Copying blob sha256:<hex>[ done| skipped…]`
 * and `Copying config …` on stderr. Neither prints byte counts without a terminal.
 */
import type { PullEvent } from "../../ContainerRuntime.js"
import * as ImageReference from "../../ImageReference.js"
import type { Kind } from "../kind.js"

type Ref = ImageReference.ImageReference

// ---------------------------------------------------------------------------------------------
// argv builders (pure)
// ---------------------------------------------------------------------------------------------

export const pullArgs = (ref: Ref): ReadonlyArray<string> => ["image", "pull", ImageReference.format(ref)]

export const pushArgs = (ref: Ref): ReadonlyArray<string> => ["image", "push", ImageReference.format(ref)]

/** The password goes on stdin (`--password-stdin`), never into argv. */
export const loginArgs = (registry: string, username: string): ReadonlyArray<string> => [
  "login",
  "--username",
  username,
  "--password-stdin",
  registry
]

export const logoutArgs = (registry: string): ReadonlyArray<string> => ["logout", registry]

// ---------------------------------------------------------------------------------------------
// failures
// ---------------------------------------------------------------------------------------------

/** A pull of a reference the registry does not have (both CLIs print the registry's error). */
export const MANIFEST_UNKNOWN = /manifest unknown/

const UNAUTHORIZED =
  /unauthorized|authentication required|no basic auth credentials|\bdenied\b|401 Unauthorized|invalid username\/password/i

const UNREACHABLE =
  /connection refused|no such host|i\/o timeout|network is unreachable|no route to host|server misbehaving|TLS handshake timeout|connection reset/i

/** Docker: `An image does not exist locally with the tag: x`; Podman: `x: image not known`. */
const NOT_STORED_LOCALLY = /does not exist locally|image not known|no such image/i

/** What a registry's answer (or the lack of one) says about a failed call. */
export type RegistryFailure = "Unauthorized" | "Unreachable" | "Other"

export const registryFailure = (stderr: string): RegistryFailure =>
  UNAUTHORIZED.test(stderr) ? "Unauthorized" : UNREACHABLE.test(stderr) ? "Unreachable" : "Other"

export const pullFailure = (stderr: string): "NotFound" | RegistryFailure =>
  MANIFEST_UNKNOWN.test(stderr) ? "NotFound" : registryFailure(stderr)

export const pushFailure = (stderr: string): "NotStoredLocally" | RegistryFailure =>
  NOT_STORED_LOCALLY.test(stderr) ? "NotStoredLocally" : registryFailure(stderr)

// ---------------------------------------------------------------------------------------------
// pull progress
// ---------------------------------------------------------------------------------------------

const DOCKER_LAYER = /^([0-9a-f]{12}): (.+)$/
const PODMAN_BLOB = /^Copying blob (?:sha256:)?([0-9a-f]+)(?:\s+(.+))?$/

const status = (message: string): PullEvent => ({ _tag: "Status", message })

/** One line of a pull's output (either stream) as a progress event, per runtime. */
export const pullEventOf: Readonly<Record<Kind, (line: string) => PullEvent>> = {
  docker: (line) => {
    const layer = DOCKER_LAYER.exec(line)
    return layer?.[1] !== undefined && layer[2] !== undefined
      ? { _tag: "Layer", layer: layer[1], status: layer[2] }
      : status(line)
  },
  podman: (line) => {
    const blob = PODMAN_BLOB.exec(line)
    return blob?.[1] !== undefined
      ? { _tag: "Layer", layer: blob[1].slice(0, 12), status: blob[2] ?? "Copying" }
      : status(line)
  }
}
