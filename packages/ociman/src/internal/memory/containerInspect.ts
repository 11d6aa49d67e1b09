/**
 * `container inspect` of the in-memory runtime, as each runtime prints it (the fields
 * `ContainerInspect` reads, and a few more), following `memoryDialectOf(kind).inspect`.
 */
import type { Kind } from "../kind.js"
import { memoryDialectOf } from "../dialect/memory.js"
import { printedImageId } from "./names.js"
import { type ContainerRecord, findNetwork, processConfigJson, shortId, type State } from "./state.js"

export const containerInspectJson = (kind: Kind, state: State, c: ContainerRecord) => {
  const facts = memoryDialectOf(kind).inspect
  const running = c.status === "running"
  const paused = running && c.paused === true
  const network = findNetwork(state, c.network)
  // `none` and `host` give a container no address of its own.
  const addressless = c.network === "none" || c.network === "host"
  const userNetwork = network !== undefined && !network.builtin
  const endpoint = {
    IPAddress: running ? c.ipAddress : "",
    Gateway: running && !addressless ? (network?.gateway ?? "") : "",
    Aliases: userNetwork ? [...c.aliases, shortId(c.id)] : facts.builtinAliasesNull ? null : [shortId(c.id)],
    NetworkID: network?.id ?? ""
  }
  const more = Object.fromEntries(
    (c.moreNetworks ?? []).map((joined) => {
      const record = findNetwork(state, joined.name)
      return [
        joined.name,
        {
          IPAddress: running ? joined.ipAddress : "",
          Gateway: running ? (record?.gateway ?? "") : "",
          Aliases: [...joined.aliases, shortId(c.id)],
          NetworkID: record?.id ?? ""
        }
      ]
    })
  )
  const networks = addressless && !facts.addresslessNetworks ? undefined : { [c.network]: endpoint, ...more }
  return {
    Id: c.id,
    Name: facts.slashedName ? `/${c.name}` : c.name,
    Image: printedImageId(kind, c.imageId),
    Config: {
      Image: c.image,
      ...processConfigJson(c),
      Labels: Object.fromEntries(c.labels)
    },
    State: {
      Status: paused ? "paused" : c.status,
      Running: paused ? facts.pausedRunning : running,
      Paused: paused,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      ExitCode: c.exitCode,
      Error: "",
      StartedAt: c.startedAt,
      FinishedAt: c.finishedAt,
      // Podman 4.3 always prints a Health object (empty without a health check); Docker only with one.
      // A container with a health check shows it `starting`: its check is answered by the handlers
      // when asked (`healthcheck`), so `Wait.auto` sees there is one to wait for.
      ...(c.healthcheck !== undefined
        ? { Health: { Status: "starting", FailingStreak: 0, Log: null } }
        : facts.alwaysHealth
          ? { Health: { Status: "", FailingStreak: 0, Log: null } }
          : {})
    },
    NetworkSettings: {
      IPAddress: running && !userNetwork ? c.ipAddress : "",
      Gateway: running && !userNetwork && !addressless ? (network?.gateway ?? "") : "",
      // Docker drops the bindings once the container has stopped; Podman keeps reporting them.
      Ports:
        running || facts.portsAfterStop
          ? Object.fromEntries(
              c.ports.map((p) => [p.key, p.bindings.map((b) => ({ HostIp: b.hostIp, HostPort: String(b.hostPort) }))])
            )
          : {},
      ...(networks === undefined ? {} : { Networks: networks })
    }
  }
}
