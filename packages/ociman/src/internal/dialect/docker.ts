/** Docker's side of every difference (see `Dialect.ts`). */
import type { Dialect } from "./Dialect.js"

export const docker: Dialect = {
  kind: "docker",
  engineHostVariable: "DOCKER_HOST",
  defaultNetwork: "bridge",
  hostGateway: { name: "host.docker.internal", addHostAddress: "host-gateway" },
  healthcheckRunArgs: undefined,
  healthcheckMissing: /no healthcheck/i,
  unavailableHint: (reason) => {
    switch (reason) {
      case "NotInstalled":
        return "install docker or put it on PATH"
      case "DaemonUnreachable":
        return "start the Docker engine (dockerd), or check DOCKER_HOST / the docker context"
      case "PermissionDenied":
        return "add the user to the docker group, or use rootless Docker or Podman"
      case "ProbeFailed":
        return "run `docker info` to see what is wrong"
    }
  }
}
