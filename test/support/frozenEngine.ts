/**
 * Engines that stop answering, for the deadline tests, without touching the engines other tests
 * use: a spare dockerd of its own (socket, data root, exec root) that a test freezes with SIGSTOP,
 * and a spare Podman storage (its own `--root` / `--runroot`, reached through a wrapper script)
 * whose state database lock a test holds, as a hung `podman` process would.
 */
import { Either } from "effect"
import { spawn, spawnSync } from "node:child_process"
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { waitFor } from "./dockerd.js"

const SPARE = "ociman-frozen"
/** The spare dockerd's socket (`DOCKER_HOST`). */
export const SPARE_DOCKER_HOST = `unix:///run/${SPARE}/docker.sock`
const SPARE_DOCKER_PIDFILE = `/run/${SPARE}/docker.pid`
const SPARE_PODMAN_ROOT = `/var/lib/${SPARE}-podman`
const SPARE_PODMAN_RUNROOT = `/run/${SPARE}-podman`
/** The wrapper that runs `podman` on the spare storage. */
export const SPARE_PODMAN = `/run/${SPARE}-podman/podman`
const STATE_DB = `${SPARE_PODMAN_ROOT}/libpod/bolt_state.db`

/** Whether this process may run spare engines (root, with both runtimes installed). */
export const canRunSpareEngines = (): boolean =>
  process.getuid?.() === 0 &&
  spawnSync("dockerd", ["--version"], { stdio: "ignore" }).status === 0 &&
  spawnSync("podman", ["--version"], { stdio: "ignore" }).status === 0

const spareDocker = (args: ReadonlyArray<string>, input?: Buffer) =>
  spawnSync("docker", ["--host", SPARE_DOCKER_HOST, ...args], { input, timeout: 60_000 })

const spareDockerAnswers = (): boolean => spareDocker(["version", "--format", "{{.Server.Version}}"]).status === 0

/** A setup step's outcome: its value, or why it failed (the test reports it). */
export type Setup<A> = Either.Either<A, string>

/**
 * The environment of a call to the machine's own engine: the deadline tests point this process's
 * `DOCKER_HOST` at the spare dockerd, which a save from the main engine must not follow.
 */
const mainEngineEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== "DOCKER_HOST"))

/** Copies `image` from the main engine (`runtime`) into a spare one with `load`, unless it is there. */
const copyImage = (
  runtime: "docker" | "podman",
  image: string,
  load: (archive: Buffer) => number | null,
  present: () => boolean
): Setup<void> => {
  if (present()) return Either.void
  const archive = spawnSync(runtime, ["image", "save", image], { maxBuffer: 1 << 30, env: mainEngineEnv() })
  if (archive.status !== 0) return Either.left(`${runtime} image save ${image}: ${archive.stderr.toString()}`)
  return load(archive.stdout) === 0 ? Either.void : Either.left(`could not load ${image} into the spare ${runtime}`)
}

const sparePid = (): number | undefined => {
  if (!existsSync(SPARE_DOCKER_PIDFILE)) return undefined
  const pid = Number(readFileSync(SPARE_DOCKER_PIDFILE, "utf8").trim())
  return Number.isInteger(pid) && pid > 0 ? pid : undefined
}

const SPARE_BRIDGE = "ociman-frz0"

/** Creates the spare dockerd's bridge unless it exists (dockerd uses a named bridge, never creates one). */
const ensureBridge = (): Setup<void> => {
  if (spawnSync("ip", ["link", "show", SPARE_BRIDGE], { stdio: "ignore" }).status === 0) return Either.void
  for (const args of [
    ["link", "add", "name", SPARE_BRIDGE, "type", "bridge"],
    ["addr", "add", "172.31.254.1/24", "dev", SPARE_BRIDGE],
    ["link", "set", SPARE_BRIDGE, "up"]
  ]) {
    const done = spawnSync("ip", args)
    if (done.status !== 0) return Either.left(`ip ${args.join(" ")}: ${done.stderr.toString()}`)
  }
  return Either.void
}

/**
 * Starts the spare dockerd with `image` loaded: its own bridge and no iptables rules, so it never
 * disturbs the machine's engine.
 */
export const startSpareDockerd = (image: string): Setup<number> => {
  if (!spareDockerAnswers()) {
    const bridge = ensureBridge()
    if (Either.isLeft(bridge)) return Either.left(bridge.left)
    mkdirSync(`/run/${SPARE}`, { recursive: true })
    rmSync(SPARE_DOCKER_PIDFILE, { force: true })
    spawn(
      "dockerd",
      [
        "--host",
        SPARE_DOCKER_HOST,
        "--data-root",
        `/var/lib/${SPARE}`,
        "--exec-root",
        `/run/${SPARE}/exec`,
        "--pidfile",
        SPARE_DOCKER_PIDFILE,
        // its own bridge: with `--bridge none` dockerd deletes the machine's docker0
        "--bridge",
        SPARE_BRIDGE,
        "--iptables=false",
        "--ip-masq=false"
      ],
      { detached: true, stdio: "ignore" }
    ).unref()
    if (!waitFor(spareDockerAnswers, 60_000)) return Either.left("the spare dockerd did not answer within 60 s")
  }
  const loaded = copyImage(
    "docker",
    image,
    (archive) => spareDocker(["image", "load", "--quiet"], archive).status,
    () => spareDocker(["image", "inspect", image]).status === 0
  )
  const pid = sparePid()
  return Either.flatMap(loaded, () =>
    pid === undefined
      ? Either.left(`the spare dockerd wrote no pid file at ${SPARE_DOCKER_PIDFILE}`)
      : Either.right(pid)
  )
}

/** Stops the spare dockerd (thawed first) and waits until it is gone. */
export const stopSpareDockerd = (): void => {
  const pid = sparePid()
  if (pid === undefined) return
  try {
    process.kill(pid, "SIGCONT")
    process.kill(pid, "SIGTERM")
  } catch {
    return // already gone
  }
  waitFor(() => !existsSync(SPARE_DOCKER_PIDFILE), 30_000)
}

/** Freezes (SIGSTOP) or thaws (SIGCONT) the spare dockerd; thawing waits until it answers (whether it does). */
export const freezeSpareDockerd = (pid: number, frozen: boolean): boolean => {
  process.kill(pid, frozen ? "SIGSTOP" : "SIGCONT")
  return frozen || waitFor(spareDockerAnswers, 30_000)
}

/** The spare engine's containers carrying `label` (asked with the CLI, not the library). */
export const spareContainers = (kind: "docker" | "podman", label: string): Setup<ReadonlyArray<string>> => {
  const args = ["container", "list", "--all", "--quiet", "--filter", `label=${label}`]
  const listed = kind === "docker" ? spareDocker(args) : spawnSync(SPARE_PODMAN, args, { timeout: 60_000 })
  if (listed.status !== 0) return Either.left(`listing the spare ${kind} containers: ${listed.stderr.toString()}`)
  return Either.right(
    listed.stdout
      .toString()
      .split("\n")
      .filter((line) => line.length > 0)
  )
}

/** Prepares the spare Podman storage with `image` loaded, and the wrapper script that uses it. */
export const prepareSparePodman = (image: string): Setup<string> => {
  mkdirSync(SPARE_PODMAN_ROOT, { recursive: true })
  mkdirSync(SPARE_PODMAN_RUNROOT, { recursive: true })
  writeFileSync(
    SPARE_PODMAN,
    `#!/bin/sh\nexec podman --root ${SPARE_PODMAN_ROOT} --runroot ${SPARE_PODMAN_RUNROOT} "$@"\n`
  )
  chmodSync(SPARE_PODMAN, 0o755)
  const loaded = copyImage(
    "podman",
    image,
    (archive) => spawnSync(SPARE_PODMAN, ["image", "load", "--quiet"], { input: archive, timeout: 60_000 }).status,
    () => spawnSync(SPARE_PODMAN, ["image", "exists", image]).status === 0
  )
  return Either.map(loaded, () => SPARE_PODMAN)
}

/**
 * Holds the spare storage's state database lock (an exclusive `flock`, what every `podman`
 * command takes first) until the returned function is called.
 */
export const holdPodmanStateLock = (): Setup<() => void> => {
  // `--close`: only flock holds the lock, not the `sleep` it waits on; its own process group, so
  // killing the group leaves nothing behind
  const holder = spawn("flock", ["--exclusive", "--close", STATE_DB, "sleep", "3600"], {
    stdio: "ignore",
    detached: true
  })
  const kill = () => {
    if (holder.pid !== undefined) process.kill(-holder.pid, "SIGKILL")
  }
  const held = () => spawnSync("flock", ["--nonblock", STATE_DB, "true"]).status === 1
  if (!waitFor(held, 10_000)) {
    kill()
    return Either.left(`could not take the lock on ${STATE_DB}`)
  }
  return Either.right(() => {
    kill()
    waitFor(() => !held(), 10_000)
  })
}
