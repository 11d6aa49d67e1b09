/**
 * Container operations that stand for the CLI wing in tests of the API transport: each one dies
 * saying which operation reached it, so a test sees the API transport delegate nothing unexpected.
 */
import { Effect, Stream } from "effect"
import type { ContainerOperations } from "../../src/ContainerRuntime.js"

const reachedCli = (operation: string) => () => Effect.dieMessage(`reached the CLI: ${operation}`)

export const cliOpsThatDie: ContainerOperations = {
  runForeground: reachedCli("runForeground"),
  runDetached: reachedCli("runDetached"),
  exec: reachedCli("exec"),
  stop: reachedCli("stop"),
  remove: reachedCli("remove"),
  inspect: reachedCli("inspect"),
  exists: reachedCli("exists"),
  list: reachedCli("list"),
  listLabeled: reachedCli("listLabeled"),
  logs: reachedCli("logs"),
  streamLogs: () => Stream.dieMessage("reached the CLI: streamLogs"),
  streamExec: () => Stream.dieMessage("reached the CLI: streamExec"),
  wait: reachedCli("wait"),
  commit: reachedCli("commit"),
  healthcheck: reachedCli("healthcheck"),
  probePort: reachedCli("probePort"),
  restart: reachedCli("restart"),
  pause: reachedCli("pause"),
  unpause: reachedCli("unpause"),
  kill: reachedCli("kill"),
  putArchive: reachedCli("putArchive"),
  getArchive: reachedCli("getArchive"),
  top: reachedCli("top"),
  stats: reachedCli("stats")
}
