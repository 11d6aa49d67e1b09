/**
 * Stopping and restarting the local Docker engine in a test, to see how the library behaves when
 * the daemon goes away. The engine is restarted with the very argv it was running with, and the
 * helpers wait until `docker version` answers again, so later tests find it as it was.
 */
import { spawn, spawnSync } from "node:child_process"
import { openSync, readdirSync, readFileSync, rmSync } from "node:fs"

const commandOf = (pid: string): string | undefined => {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim()
  } catch {
    return undefined // gone meanwhile
  }
}

/** Whether a dockerd is a spare one a test started (`frozenEngine.ts`), not the machine's engine. */
const isSpare = (pid: string): boolean => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("ociman-frozen")
  } catch {
    return false
  }
}

/** The machine's running dockerd's pid, if there is exactly one (read from /proc: no procps needed). */
export const dockerdPid = (): number | undefined => {
  const pids = readdirSync("/proc").filter(
    (entry) => /^\d+$/.test(entry) && commandOf(entry) === "dockerd" && !isSpare(entry)
  )
  return pids.length === 1 ? Number(pids[0]) : undefined
}

/** The argv a process runs with. */
export const argvOf = (pid: number): ReadonlyArray<string> =>
  readFileSync(`/proc/${pid}/cmdline`, "utf8")
    .split("\0")
    .filter((arg) => arg.length > 0)

/** Whether the engine answers (`docker version` reports a server). */
export const engineAnswers = (): boolean =>
  spawnSync("docker", ["version", "--format", "{{.Server.Version}}"], { timeout: 10_000, stdio: "ignore" }).status === 0

const sleepSync = (millis: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, millis)

/** Polls `done` every 250 ms until it holds or `millis` have passed; returns whether it holds. */
export const waitFor = (done: () => boolean, millis: number): boolean => {
  const deadline = Date.now() + millis
  while (Date.now() < deadline) {
    if (done()) return true
    sleepSync(250)
  }
  return done()
}

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Sends `signal` to dockerd and, unless it only freezes it, waits until the process is gone. */
export const signalDockerd = (pid: number, signal: NodeJS.Signals): void => {
  process.kill(pid, signal)
  if (signal !== "SIGSTOP") waitFor(() => !isRunning(pid), 60_000)
}

/**
 * Starts dockerd with `argv` unless one runs, detached (it outlives the test process), logging to
 * `/var/log/ociman-dockerd.log` as `scripts/provision-runtimes.sh` does, and waits until it
 * answers. A dockerd that was killed leaves its pid file behind, which would stop the new one.
 */
export const restartDockerd = (argv: ReadonlyArray<string>): boolean => {
  const pid = dockerdPid()
  if (pid !== undefined) {
    // a frozen one is thawed; a running one is left alone
    process.kill(pid, "SIGCONT")
    return waitFor(engineAnswers, 60_000)
  }
  rmSync("/var/run/docker.pid", { force: true })
  const log = openSync("/var/log/ociman-dockerd.log", "a")
  const [command, ...args] = argv
  spawn(command ?? "dockerd", args, { detached: true, stdio: ["ignore", log, log] }).unref()
  return waitFor(engineAnswers, 60_000)
}

/** Force-removes containers by id, whether or not they exist. */
export const forceRemove = (ids: ReadonlyArray<string>): void => {
  if (ids.length > 0) spawnSync("docker", ["container", "rm", "--force", ...ids], { stdio: "ignore" })
}

/** Whether this process may stop and start dockerd (root, and one dockerd running). */
export const canControlDockerd = (): boolean => process.getuid?.() === 0 && dockerdPid() !== undefined
