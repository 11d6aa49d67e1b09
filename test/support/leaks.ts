/**
 * The leak matrix, shared by `leakMatrix.ts` (the tests) and `scripts/leak-figures.ts`: run the fixture
 * program `test/fixtures/programs/scoped.ts` (scoped containers, a scoped network and a scoped image
 * under `NodeRuntime.runMain`), end it one way, and ask the runtime itself (not the library) what
 * is left with the program's `ociman.session` label. After a SIGKILL, the "next process" (the
 * fixture acquiring nothing) runs first: its runtime layer's automatic sweep must remove the rest.
 */
import { execFile, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { bundledProgram } from "./bundledProgram.js"

export type Kind = "docker" | "podman"

/** The six ways a program ends. */
export type Mode = "exit" | "fail" | "interrupt" | "SIGINT" | "SIGTERM" | "SIGKILL"
export const MODES: ReadonlyArray<Mode> = ["exit", "fail", "interrupt", "SIGINT", "SIGTERM", "SIGKILL"]

/** What one run left behind, and how the program ended. */
export interface RunResult {
  readonly kind: Kind
  readonly mode: Mode
  readonly containers: number
  readonly session: string | undefined
  readonly exitCode: number | null
  readonly signal: string | null
  /**
   * Resources still carrying the session's label after the run (and, for SIGKILL, the sweep), and
   * the containers' anonymous volumes (from the image's `VOLUME`) that still exist.
   */
  readonly leaked: {
    readonly containers: number
    readonly networks: number
    readonly images: number
    readonly volumes: number
  }
  /** The containers' anonymous volumes, as the program reported them. */
  readonly volumeNames: ReadonlyArray<string>
  readonly millis: number
  /** What went wrong with the run itself (not ready in time, ended before ready, a hang), if anything. */
  readonly problem: string | undefined
  /** What the program printed, for diagnosis: the end of its stderr, and its stdout when something leaked. */
  readonly stderr: string
}

const repoRoot = fileURLToPath(new URL("../../", import.meta.url))
const fixture = fileURLToPath(new URL("../fixtures/programs/scoped.ts", import.meta.url))
const execFileAsync = promisify(execFile)

/** How long one listing by the harness may take: a wedged engine fails the test here, clearly. */
const LISTING_TIMEOUT_MS = 60_000

/**
 * Podman fails a listing when something listed is removed before it is read (`no volume with name …
 * found in database`, an image's `locating item named …`): the fixture programs remove theirs while
 * the harness lists. Asked again, the listing answers (the library does the same: `storageRace.ts`).
 */
const LISTING_RACE = /found in database|locating item named|layer not known/
const LISTING_RETRIES = 4

const stderrOf = (error: unknown): string =>
  typeof error === "object" && error !== null && "stderr" in error ? String(error.stderr) : ""

/** The harness's own `docker` / `podman` listings, bounded (the library's calls have deadlines too). */
const run = (kind: string, args: ReadonlyArray<string>, retriesLeft = LISTING_RETRIES): Promise<{ stdout: string }> =>
  execFileAsync(kind, [...args], { timeout: LISTING_TIMEOUT_MS, killSignal: "SIGKILL" }).catch((error: unknown) =>
    retriesLeft > 0 && LISTING_RACE.test(stderrOf(error))
      ? new Promise<void>((resolve) => setTimeout(resolve, 200)).then(() => run(kind, args, retriesLeft - 1))
      : Promise.reject(
          new Error(
            `${kind} ${args.join(" ")} did not answer within ${LISTING_TIMEOUT_MS / 1000} s or failed: ${String(error)}`
          )
        )
  )

/** Longest a program may take to become ready, or to end once told to. */
const STEP_TIMEOUT_MS = 120_000

const parseJson = (line: string): unknown => {
  try {
    return JSON.parse(line)
  } catch {
    return undefined
  }
}

export interface Ended {
  readonly exitCode: number | null
  readonly signal: string | null
  readonly session: string | undefined
  readonly ready: boolean
  readonly stdout: string
  readonly stderr: string
  readonly problem: string | undefined
}

/** The fixture's JSON lines on stdout: `{"event": "session" | …, "session": …}`. */
const events = (stdout: string): ReadonlyArray<{ readonly event: string; readonly session: string }> =>
  stdout
    .split("\n")
    .slice(0, -1) // complete lines only: a chunk may end mid-line
    .filter((line) => line.startsWith("{"))
    .map(parseJson)
    .flatMap((value) =>
      typeof value === "object" && value !== null && "event" in value && "session" in value
        ? [{ event: String(value.event), session: String(value.session) }]
        : []
    )

/**
 * Runs the fixture; `onReady` is called with the child once it printed its ready line. The session
 * is known from the first line, printed before anything is acquired, so what a run that never got
 * ready left behind is counted too.
 */
const runFixture = (
  args: ReadonlyArray<string>,
  onReady: (kill: (signal: NodeJS.Signals) => void, session: string) => void,
  env: Readonly<Record<string, string>> = {}
) =>
  bundledProgram(fixture).then(
    (program) =>
      new Promise<Ended>((resolve) => {
        const child = spawn(process.execPath, [program, ...args], {
          cwd: repoRoot,
          env: { ...process.env, ...env },
          stdio: ["ignore", "pipe", "pipe"]
        })
        let stdout = ""
        let stderr = ""
        let session: string | undefined
        let ready = false
        let problem: string | undefined
        const timer = setTimeout(() => {
          const last = events(stdout).at(-1)?.event ?? "nothing"
          problem = ready ? "did not end in time" : `not ready in time (last event: ${last})`
          child.kill("SIGKILL")
        }, STEP_TIMEOUT_MS)
        child.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk.toString("utf8")
          if (ready) return
          const seen = events(stdout)
          session = seen[0]?.session
          if (session !== undefined && seen.some((e) => e.event === "ready")) {
            ready = true
            timer.refresh()
            onReady((signal) => child.kill(signal), session)
          }
        })
        child.stderr.on("data", (chunk: Buffer) => {
          stderr = (stderr + chunk.toString("utf8")).slice(-4_000)
        })
        child.on("close", (exitCode, signal) => {
          clearTimeout(timer)
          if (!ready && problem === undefined) {
            const last = events(`${stdout}\n`).at(-1)?.event ?? "nothing"
            problem = `ended before it was ready (exit ${exitCode ?? signal}, last event: ${last})`
          }
          // the whole of stdout: a few JSON lines, the ready one naming every container and volume
          resolve({ exitCode, signal, session, ready, stdout, stderr, problem })
        })
      })
  )

/** A fixture program that is up (it printed its ready line) and waits to be ended. */
export interface Started {
  readonly session: string
  readonly kill: (signal: NodeJS.Signals) => void
  readonly ended: Promise<Ended>
}

/** Runs the fixture to its end (`args` after `--backend`), the automatic sweep as `sweep` says. */
export const runToEnd = (kind: Kind, args: ReadonlyArray<string>, sweep: boolean): Promise<Ended> =>
  runFixture(["--backend", kind, ...args], () => undefined, { OCIMAN_SWEEP: sweep ? "1" : "0" })

/** A list the fixture's ready line carries (`detached`, `volumes`, …), as strings. */
const readyList = (stdout: string, field: string): ReadonlyArray<string> =>
  stdout
    .split("\n")
    .map(parseJson)
    .flatMap((value) => {
      if (typeof value !== "object" || value === null || !("event" in value) || value.event !== "ready") return []
      const list: unknown = Object.getOwnPropertyDescriptor(value, field)?.value
      return Array.isArray(list) ? list.map(String) : []
    })

/** The ids of the containers the fixture started with `--detached N`, from its ready line. */
export const detachedIds = (stdout: string): ReadonlyArray<string> => readyList(stdout, "detached")

/** Starts the fixture in `--mode wait` and resolves once it is ready (rejects if it never is). */
export const startWaiting = (kind: Kind, extraArgs: ReadonlyArray<string> = []): Promise<Started> =>
  new Promise((resolve, reject) => {
    const ended = runFixture(
      ["--backend", kind, "--mode", "wait", ...extraArgs],
      (kill, session) => resolve({ session, kill, ended }),
      // no automatic sweep of its own: the caller decides what sweeps, and when
      { OCIMAN_SWEEP: "0" }
    )
    void ended.then((end) => {
      if (!end.ready) reject(new Error(`the fixture ended before it was ready: ${end.problem ?? ""} ${end.stderr}`))
    })
  })

/** How many resources carry the label `ociman.session=<session>`, asked of the runtime directly. */
export const leftovers = async (kind: Kind, session: string) => {
  const count = async (args: ReadonlyArray<string>, attempt = 1): Promise<number> => {
    try {
      const { stdout } = await run(kind, [...args, "--quiet", "--filter", `label=ociman.session=${session}`])
      return stdout.split("\n").filter((line) => line.trim().length > 0).length
    } catch (error) {
      // Podman's listing fails when something it listed is removed meanwhile (another run's cleanup)
      if (attempt >= 5) return Promise.reject(error)
      await new Promise((resolve) => setTimeout(resolve, 500))
      return count(args, attempt + 1)
    }
  }
  const [containers, networks, images] = await Promise.all([
    count(["container", "list", "--all"]),
    count(["network", "ls"]),
    count(["image", "ls"])
  ])
  return { containers, networks, images }
}

/** The names of the program's anonymous volumes, from its ready line. */
const readyVolumes = (stdout: string): ReadonlyArray<string> => readyList(stdout, "volumes")

/** How many of `volumes` still exist (volumes carry no labels: they are named by the containers). */
const volumesLeft = async (kind: Kind, volumes: ReadonlyArray<string>): Promise<number> => {
  if (volumes.length === 0) return 0
  const { stdout } = await run(kind, ["volume", "ls", "--quiet"])
  const existing = new Set(stdout.split("\n").map((line) => line.trim()))
  return volumes.filter((volume) => existing.has(volume)).length
}

/** One run: start the program, end it the `mode` way, sweep after a SIGKILL, count what is left. */
export const runOnce = async (kind: Kind, mode: Mode, containers = 2): Promise<RunResult> => {
  const started = Date.now()
  const fixtureMode = mode === "exit" || mode === "fail" || mode === "interrupt" ? mode : "wait"
  const ended = await runFixture(
    ["--backend", kind, "--mode", fixtureMode, "--containers", String(containers)],
    (kill) => {
      if (mode === "SIGINT" || mode === "SIGTERM" || mode === "SIGKILL") kill(mode)
    },
    // Only the next process sweeps: the runs' own sweeps would only add load (each run cleans up
    // after itself, or is SIGKILLed before it could matter).
    { OCIMAN_SWEEP: "0" }
  )
  const volumes = readyVolumes(ended.stdout)
  let problem = ended.problem
  if (problem === undefined && volumes.length !== containers) {
    problem = `the program reported ${volumes.length} anonymous volumes for ${containers} containers`
  }
  let sweepOutput = ""
  if (mode === "SIGKILL" && problem === undefined) {
    // the next process: acquires nothing, its layer's automatic sweep removes what the killed one left
    const next = await runFixture(
      ["--backend", kind, "--mode", "exit", "--containers", "0", "--no-network", "--no-image"],
      () => undefined,
      { OCIMAN_SWEEP: "1" }
    )
    if (next.exitCode !== 0) problem = `the next process failed (${next.exitCode ?? next.signal}): ${next.stderr}`
    sweepOutput = `${next.stdout}${next.stderr}`
  }
  const leaked =
    ended.session === undefined
      ? { containers: 0, networks: 0, images: 0, volumes: 0 }
      : { ...(await leftovers(kind, ended.session)), volumes: await volumesLeft(kind, volumes) }
  return {
    kind,
    mode,
    containers,
    session: ended.session,
    exitCode: ended.exitCode,
    signal: ended.signal,
    leaked,
    volumeNames: volumes,
    millis: Date.now() - started,
    problem,
    // what the program and the sweeping process said (the warnings of a failed release are logged
    // on stdout), when something survived them
    stderr:
      leaked.containers + leaked.networks + leaked.images > 0
        ? `${ended.stdout}\n${ended.stderr}\n${sweepOutput}`
        : problem === undefined
          ? ended.stderr
          : `${ended.stdout}\n${ended.stderr}`
  }
}

/** Runs `tasks` with at most `concurrency` at a time, in order of start. */
export const pooled = async <A>(
  tasks: ReadonlyArray<() => Promise<A>>,
  concurrency: number,
  onDone: (a: A) => void = () => undefined
): Promise<ReadonlyArray<A>> => {
  const results: Array<A> = []
  let next = 0
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next++]
      if (task === undefined) return
      const result = await task()
      results.push(result)
      onDone(result)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker))
  return results
}

/** Every mode `runs` times on one runtime, modes interleaved so each wave mixes them. */
export const runMatrix = (
  kind: Kind,
  options: {
    readonly runs: number
    readonly concurrency: number
    readonly modes?: ReadonlyArray<Mode>
    readonly onDone?: (result: RunResult) => void
  }
): Promise<ReadonlyArray<RunResult>> => {
  const modes = options.modes ?? MODES
  const tasks = Array.from({ length: options.runs }, () => modes.map((mode) => () => runOnce(kind, mode))).flat()
  return pooled(tasks, options.concurrency, options.onDone)
}

/** The total a run left behind. */
export const leakedCount = (result: RunResult): number =>
  result.leaked.containers + result.leaked.networks + result.leaked.images + result.leaked.volumes

/** One row of the figures: a mode on a runtime. */
export interface Row {
  readonly mode: string
  readonly kind: Kind
  readonly runs: number
  readonly containersPerRun: number
  /** Runs that left anything behind. */
  readonly leakyRuns: number
  /** Containers, networks, images and anonymous volumes left behind, over all runs. */
  readonly leaked: number
  readonly problems: number
}

export const summarize = (results: ReadonlyArray<RunResult>): ReadonlyArray<Row> => {
  const groups = new Map<string, Array<RunResult>>()
  // runtime, then the modes in their order, then the larger runs
  const order = (r: RunResult) =>
    `${r.kind}\u0000${r.containers.toString().padStart(4, "0")}\u0000${MODES.indexOf(r.mode)}`
  for (const result of [...results].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0))) {
    const key = `${result.kind}\u0000${result.mode}\u0000${result.containers}`
    groups.set(key, [...(groups.get(key) ?? []), result])
  }
  return Array.from(groups.values()).flatMap((group) => {
    const first = group[0]
    if (first === undefined) return []
    const row: Row = {
      mode: first.containers === 2 ? first.mode : `${first.mode}, ${first.containers} concurrent containers`,
      kind: first.kind,
      runs: group.length,
      containersPerRun: first.containers,
      leakyRuns: group.filter((r) => leakedCount(r) > 0).length,
      leaked: group.reduce((sum, r) => sum + leakedCount(r), 0),
      problems: group.filter((r) => r.problem !== undefined).length
    }
    return [row]
  })
}

/** The figures as a Markdown table. */
export const markdownTable = (rows: ReadonlyArray<Row>): string =>
  [
    "| how the program ended | runtime | runs | resources per run | runs that leaked | resources leaked | runs that went wrong first |",
    "|---|---|---:|---|---:|---:|---:|",
    ...rows.map(
      (row) =>
        `| ${row.mode} | ${row.kind} | ${row.runs} | ${row.containersPerRun} containers (each with an anonymous volume), 1 network, 1 image | ${row.leakyRuns} | ${row.leaked} | ${row.problems} |`
    )
  ].join("\n")
