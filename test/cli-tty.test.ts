/**
 * Acceptance: `ociman exec -i` / `-t` and `ociman run -i` / `-t` (issue #17), run as the built
 * command (`npm run build` first) against real Docker and Podman. On a terminal (a pseudo-terminal
 * from util-linux `script`) the engine's CLI is attached to it, so an interactive shell works;
 * without one, the library's exec or foreground run gets what is piped in.
 */
import { describe, expect, it } from "@effect/vitest"
import { type ChildProcessWithoutNullStreams, execFileSync, spawn, spawnSync } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { hostname } from "node:os"
import { fileURLToPath } from "node:url"
import { describeEachRuntime, type Kind, TEST_IMAGE } from "./support/backends.js"

const cliLauncher = fileURLToPath(new URL("../packages/cli/bin/ociman.js", import.meta.url))

interface Outcome {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/** A program started, its stdin still open, and how it ends. */
interface Started {
  readonly child: ChildProcessWithoutNullStreams
  readonly outcome: Promise<Outcome>
}

/** Starts a program without OCIMAN_BACKEND, collecting its output. */
const startProgram = (executable: string, args: ReadonlyArray<string>): Started => {
  const { OCIMAN_BACKEND: _ignored, ...env } = process.env
  const child = spawn(executable, [...args], { env })
  const outcome = new Promise<Outcome>((resolve) => {
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.on("close", (status) => resolve({ status, stdout: stdout.replaceAll("\r", ""), stderr }))
  })
  return { child, outcome }
}

/** Runs a program (asynchronously: a worker blocked in `spawnSync` cannot answer vitest's RPC calls). */
const runProgram = (
  executable: string,
  args: ReadonlyArray<string>,
  input: { readonly text: string; readonly afterMillis: number } | undefined
): Promise<Outcome> => {
  const { child, outcome } = startProgram(executable, args)
  // Without input, stdin stays open until the program ends: `script` types a control character on
  // the terminal when its stdin ends, which a terminal in raw mode echoes ("^@") into the output.
  if (input === undefined) child.on("exit", () => child.stdin.end())
  else setTimeout(() => child.stdin.end(input.text), input.afterMillis)
  return outcome
}

/** Quotes one word for `sh`. */
const quote = (word: string): string => `'${word.replaceAll("'", `'\\''`)}'`

/** `script`'s arguments that run the built `ociman` under a pseudo-terminal (its exit code is ociman's). */
const scriptArgs = (args: ReadonlyArray<string>): ReadonlyArray<string> => [
  "-qec",
  [process.execPath, cliLauncher, ...args].map(quote).join(" "),
  "/dev/null"
]

/** The built `ociman` under a pseudo-terminal: its stdin and stdout are a terminal. */
const onTerminal = (args: ReadonlyArray<string>, input?: { readonly text: string; readonly afterMillis: number }) =>
  runProgram("script", scriptArgs(args), input)

/** The same, started: what is written to the child's stdin is typed on the terminal. */
const startOnTerminal = (args: ReadonlyArray<string>): Started => startProgram("script", scriptArgs(args))

/** The built `ociman` with pipes: no terminal. */
const piped = (args: ReadonlyArray<string>, text: string) =>
  runProgram(process.execPath, [cliLauncher, ...args], { text, afterMillis: 0 })

const startSleeper = (kind: Kind): string =>
  execFileSync(kind, ["run", "--detach", "--rm", TEST_IMAGE, "sleep", "300"], { encoding: "utf8" }).trim()

const removeContainer = (kind: Kind, id: string) => {
  // Podman would wait out the 10 s stop timeout of a `sleep` that ignores SIGTERM
  spawnSync(kind, ["container", "rm", "--force", ...(kind === "podman" ? ["--time", "0"] : []), id], {
    stdio: "ignore"
  })
}

const hasScript = spawnSync("script", ["--version"], { stdio: "ignore" }).status === 0

describe("cli-tty prerequisites", () => {
  it("util-linux script is installed (the pseudo-terminal of these tests)", () => {
    expect(hasScript).toBe(true)
  })
})

describeEachRuntime("ociman exec -it", (kind) => {
  it("on a terminal: the engine's CLI gets it, the command sees a TTY (-it clustered)", async () => {
    const id = startSleeper(kind)
    try {
      const outcome = await onTerminal(["exec", "--backend", kind, "-it", id, "sh", "-c", "tty; echo ok"])
      expect(outcome.status).toBe(0)
      expect(outcome.stdout).toMatch(/\/dev\/pts\/\d+\nok/)
    } finally {
      removeContainer(kind, id)
    }
  }, 60_000)

  it("on a terminal: an interactive shell reads what is typed and exits with its code", async () => {
    const id = startSleeper(kind)
    try {
      const outcome = await onTerminal(["exec", "--backend", kind, "-i", "-t", id, "sh"], {
        text: "echo inside-$((1+2))\nexit 7\n",
        afterMillis: 1500
      })
      expect(outcome.stdout).toContain("inside-3")
      expect(outcome.status).toBe(7)
    } finally {
      removeContainer(kind, id)
    }
  }, 60_000)

  it("without a terminal: -i feeds what is piped in; -it too (Docker's over its Engine API, Podman's CLI)", async () => {
    const id = startSleeper(kind)
    try {
      const plain = await piped(["exec", "--backend", kind, "-i", id, "sh", "-c", "tty; cat"], "piped\n")
      expect(plain.status).toBe(0)
      expect(plain.stdout).toBe("not a tty\npiped\n")
      const withTty = await piped(["exec", "--backend", kind, "-it", id, "sh", "-c", "tty; cat"], "typed\n") // ociman ends the input
      expect(withTty.status).toBe(0)
      expect(withTty.stdout).toMatch(/\/dev\/pts\/\d+/)
      expect(withTty.stdout).toContain("typed")
    } finally {
      removeContainer(kind, id)
    }
  }, 60_000)
})

/** The ids of the containers (running or not) with this label. */
const containersLabelled = (kind: Kind, label: string): ReadonlyArray<string> =>
  execFileSync(kind, ["container", "ls", "--all", "--quiet", "--filter", `label=${label}`], { encoding: "utf8" })
    .split("\n")
    .filter((line) => line !== "")

/** Polls (up to 20 s) until one container carries `label`; its id. */
const containerWhenUp = async (kind: Kind, label: string): Promise<string | undefined> => {
  for (let i = 0; i < 200; i++) {
    const [id] = containersLabelled(kind, label)
    if (id !== undefined) return id
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return undefined
}

const labelsOf = (kind: Kind, id: string): Record<string, string> =>
  JSON.parse(
    execFileSync(kind, ["container", "inspect", "--format", "{{json .Config.Labels}}", id], { encoding: "utf8" })
  )

/**
 * The labels of a container `run` keeps running; if it is already gone, the failure says how
 * `ociman` ended (its status and output), which is what tells why.
 */
const labelsWhileRunning = async (kind: Kind, id: string, run: Started): Promise<Record<string, string>> => {
  try {
    return labelsOf(kind, id)
  } catch (error) {
    const ended = await Promise.race([
      run.outcome,
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 5_000))
    ])
    return expect.unreachable(
      `${String(error)}\nociman ${ended === undefined ? "was still running 5 s later" : `ended: ${JSON.stringify(ended)}`}`
    )
  }
}

/** The pid of the `ociman` process (node running the launcher) whose command line has `marker`. */
const ocimanPid = (marker: string): number | undefined => {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0")
      if (argv[0] === process.execPath && argv[1] === cliLauncher && argv.includes(marker)) return Number(entry)
    } catch {
      // the process ended while the list was read
    }
  }
  return undefined
}

describeEachRuntime("ociman run -it", (kind) => {
  const unique = `${process.pid}-${Date.now()}`

  it("on a terminal: a labelled container sees a TTY, reads what is typed, is removed, and its code passes through", async () => {
    const label = `ociman-test.run-tty=${kind}-${unique}`
    const run = startOnTerminal([
      "run",
      "--backend",
      kind,
      "-it",
      "--label",
      label,
      TEST_IMAGE,
      "sh",
      "-c",
      "tty; read x; echo got:$x; exit 3"
    ])
    try {
      const id = await containerWhenUp(kind, label)
      expect(id).toBeDefined()
      // while it runs: the ownership labels the library gives a scoped container, naming this ociman
      const labels = await labelsWhileRunning(kind, id ?? "", run)
      expect(labels).toMatchObject({
        "ociman.managed": "true",
        "ociman.lifecycle": "scoped",
        "ociman.host": hostname(),
        "ociman.pid": String(ocimanPid(label))
      })
      expect(labels["ociman.session"]).toMatch(/^[0-9a-f-]{36}$/)
      expect(Number.isNaN(Date.parse(labels["ociman.created"] ?? ""))).toBe(false)
      // ociman's own listing (the sweeper's view of ownership) knows it
      const ps = await runProgram(process.execPath, [cliLauncher, "ps", "--backend", kind, "--json"], undefined)
      const rows: ReadonlyArray<{ readonly id: string; readonly pid?: number }> = JSON.parse(ps.stdout)
      expect(rows.find((row) => row.id.startsWith(id ?? "-"))?.pid).toBe(Number(labels["ociman.pid"]))
      run.child.stdin.end("hello\n")
      const outcome = await run.outcome
      expect(outcome.stdout).toMatch(/\/dev\/pts\/\d+\n/)
      expect(outcome.stdout).toContain("got:hello")
      expect(outcome.status).toBe(3)
      expect(containersLabelled(kind, label)).toEqual([])
    } finally {
      run.child.kill("SIGKILL")
      for (const id of containersLabelled(kind, label)) removeContainer(kind, id)
    }
  }, 60_000)

  it("on a terminal: -e (a name the CLI reads itself too), -w, and --keep keeps it, labelled detached", async () => {
    const name = `ociman-test-tty-keep-${kind}-${unique}`
    try {
      const outcome = await onTerminal(
        [
          "run",
          "--backend",
          kind,
          "-it",
          "--keep",
          "--name",
          name,
          "-e",
          "HOME=/home/x",
          "-e",
          "GREETING=hi there",
          "-w",
          "/tmp",
          TEST_IMAGE,
          "sh",
          "-c",
          // a command that prints and exits at once can end before Podman's CLI has attached the
          // terminal (its own race, seen once in CI under load): the output would be lost
          'sleep 1; echo "$HOME|$GREETING|$(pwd)"'
        ],
        { text: "", afterMillis: 0 }
      )
      expect(outcome.stdout).toContain("/home/x|hi there|/tmp")
      expect(outcome.status).toBe(0)
      const state = execFileSync(
        kind,
        ["container", "inspect", "--format", '{{index .Config.Labels "ociman.lifecycle"}} {{.State.Status}}', name],
        { encoding: "utf8" }
      )
      expect(state.trim()).toBe("detached exited")
    } finally {
      removeContainer(kind, name)
    }
  }, 60_000)

  it("on a terminal: SIGTERM removes the container first, then ociman exits 143 (--interactive --tty)", async () => {
    const label = `ociman-test.run-tty-term=${kind}-${unique}`
    const run = startOnTerminal([
      "run",
      "--backend",
      kind,
      "--interactive",
      "--tty",
      "--label",
      label,
      TEST_IMAGE,
      "sleep",
      "300"
    ])
    try {
      expect(await containerWhenUp(kind, label)).toBeDefined()
      const pid = ocimanPid(label)
      expect(pid).toBeDefined()
      process.kill(pid ?? 0, "SIGTERM")
      expect((await run.outcome).status).toBe(143)
      expect(containersLabelled(kind, label)).toEqual([])
    } finally {
      run.child.kill("SIGKILL")
      for (const id of containersLabelled(kind, label)) removeContainer(kind, id)
    }
  }, 60_000)

  it("without a terminal: -i feeds what is piped in, -it too (Docker's over its Engine API), and the code passes on", async () => {
    const label = `ociman-test.run-piped=${kind}-${unique}`
    const run = ["run", "--backend", kind, "--label", label]
    const plain = await piped([...run, "-i", TEST_IMAGE, "sh", "-c", "tty; cat; exit 4"], "piped\n")
    expect(plain.stdout).toBe("not a tty\npiped\n")
    expect(plain.status).toBe(4)
    const withTty = await piped([...run, "-it", TEST_IMAGE, "sh", "-c", "tty; cat; exit 5"], "typed\n") // ociman ends the input
    expect(withTty.stdout).toMatch(/\/dev\/pts\/\d+\n/)
    expect(withTty.stdout).toContain("typed")
    expect(withTty.status).toBe(5)
    expect(containersLabelled(kind, label)).toEqual([])
  }, 60_000)
})
