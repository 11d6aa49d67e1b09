/** Podman's side of every difference (see `Dialect.ts`). */
import type { Dialect } from "./Dialect.js"

export const podman: Dialect = {
  kind: "podman",
  engineHostVariable: "CONTAINER_HOST",
  defaultNetwork: "podman",
  hostGateway: { name: "host.containers.internal", addHostAddress: undefined },
  healthcheckRunArgs: (container) => ["healthcheck", "run", container],
  healthcheckMissing: /no defined healthcheck/i,
  unavailableHint: (reason) => {
    switch (reason) {
      case "NotInstalled":
        return "install podman or put it on PATH"
      case "DaemonUnreachable":
        return "check the podman connection (podman system connection list) or the podman machine"
      case "PermissionDenied":
        return "check the user's subuid/subgid setup (podman system migrate)"
      case "ProbeFailed":
        return "run `podman info` to see what is wrong"
    }
  }
}
