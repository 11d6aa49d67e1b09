/**
 * Acceptance: `ociman exec -i` / `-t` (issue #17), run as the built command (`npm run build` first)
 * against real Docker and Podman. On a terminal (a pseudo-terminal from util-linux `script`) the
 * engine's CLI is attached to it, so an interactive shell works; without one, the library's exec
 * runs with what is piped in.
 */
import { describe, expect, it } from "@effect/vitest"
import { execFileSync, spawn, spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describeEachRuntime, type Kind, TEST_IMAGE } from "./support/backends.js"

const cliLauncher = fileURLToPath(new URL("../packages/cli/bin/ociman.js", import.meta.url))

interface Outcome {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs a program (asynchronously: a worker blocked in `spawnSync` cannot answer vitest's RPC calls). */
const runProgram = (
  executable: string,
  args: ReadonlyArray<string>,
  input: { readonly text: string; readonly afterMillis: number } | undefined
): Promise<Outcome> => {
  const { OCIMAN_BACKEND: _ignored, ...env } = process.env
  return new Promise<Outcome>((resolve) => {
    const child = spawn(executable, [...args], { env })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.on("close", (status) => resolve({ status, stdout: stdout.replaceAll("\r", ""), stderr }))
    if (input === undefined) child.stdin.end()
    else setTimeout(() => child.stdin.end(input.text), input.afterMillis)
  })
}

/** Quotes one word for `sh`. */
const quote = (word: string): string => `'${word.replaceAll("'", `'\\''`)}'`

/** The built `ociman` under a pseudo-terminal: its stdin and stdout are a terminal. */
const onTerminal = (args: ReadonlyArray<string>, input?: { readonly text: string; readonly afterMillis: number }) =>
  runProgram("script", ["-qec", [process.execPath, cliLauncher, ...args].map(quote).join(" "), "/dev/null"], input)

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

  it("without a terminal: -i feeds what is piped in; with -t it is TtyInputUnsupported on Docker", async () => {
    const id = startSleeper(kind)
    try {
      const plain = await piped(["exec", "--backend", kind, "-i", id, "sh", "-c", "tty; cat"], "piped\n")
      expect(plain.status).toBe(0)
      expect(plain.stdout).toBe("not a tty\npiped\n")
      const withTty = await piped(["exec", "--backend", kind, "-it", id, "sh", "-c", "tty; cat"], "typed\n\x04")
      if (kind === "docker") {
        expect(withTty.status).not.toBe(0)
        expect(withTty.stderr).toContain("docker exec cannot send stdin to a TTY")
      } else {
        expect(withTty.status).toBe(0)
        expect(withTty.stdout).toMatch(/\/dev\/pts\/\d+/)
        expect(withTty.stdout).toContain("typed")
      }
    } finally {
      removeContainer(kind, id)
    }
  }, 60_000)
})
