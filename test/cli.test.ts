/**
 * Acceptance: `ociman run`, `exec`, `ps` and `doctor`, run as the built command (`npm run build`
 * first) against real Docker and Podman. Each spawn costs ~1.5 s, so each test covers one flow.
 *
 * What the CLI did is checked by asking the runtime directly (not through the library), and
 * containers are removed the same way, so a library bug cannot hide a CLI bug.
 */
import { describe, expect, it } from "@effect/vitest"
import { execFileSync, spawn, spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { hostname, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describeEachRuntime, type Kind, TEST_IMAGE } from "./support/backends.js"

const cliLauncher = fileURLToPath(new URL("../packages/cli/bin/ociman.js", import.meta.url))

interface Outcome {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs the built `ociman` (output piped, so not a terminal) with an isolated HOME and no
 * OCIMAN_BACKEND. Asynchronously: a worker blocked in `spawnSync` cannot answer vitest's RPC calls.
 */
const ocimanCli = (args: ReadonlyArray<string>, env: Record<string, string> = {}): Promise<Outcome> => {
  const home = mkdtempSync(join(tmpdir(), "ociman-cli-home-"))
  const { OCIMAN_BACKEND: _ignored, ...inherited } = process.env
  return new Promise<Outcome>((resolve) => {
    const child = spawn(process.execPath, [cliLauncher, ...args], {
      env: { ...inherited, HOME: home, XDG_CONFIG_HOME: "", ...env }
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.on("close", (status) => resolve({ status, stdout, stderr }))
  }).finally(() => rmSync(home, { recursive: true, force: true }))
}

/** Starts the built `ociman` without waiting for it (output piped). */
const spawnCli = (args: ReadonlyArray<string>) => spawn(process.execPath, [cliLauncher, ...args])

/** Prints a line, another on stderr, and a second line on stdout 3 s later. */
const STREAMING = "echo first; echo to-stderr >&2; sleep 3; echo second"

/** Asks the runtime directly. */
const runtime = (kind: Kind, args: ReadonlyArray<string>): string =>
  execFileSync(kind, args, { encoding: "utf8" }).trim()

const removeContainer = (kind: Kind, name: string) => {
  spawnSync(kind, ["container", "rm", "--force", name], { stdio: "ignore" })
}

/** The ids of the containers (running or not) with this label. */
const containersLabelled = (kind: Kind, label: string): ReadonlyArray<string> =>
  runtime(kind, ["container", "ls", "--all", "--quiet", "--filter", `label=${label}`])
    .split("\n")
    .filter((line) => line !== "")

/** One line on stderr, `ociman: …`, and exit 1. */
const expectOneLineFailure = (outcome: Outcome, message: string | RegExp) => {
  expect(outcome.status).toBe(1)
  const lines = outcome.stderr.trim().split("\n")
  expect(lines).toHaveLength(1)
  if (typeof message === "string") expect(lines[0]).toBe(`ociman: ${message}`)
  else expect(lines[0]).toMatch(message)
}

describeEachRuntime("ociman run / exec / ps / doctor", (kind) => {
  const unique = `ociman-test-cli-${process.pid}-${kind}`

  it("run in the foreground prints the output, exits with the container's code and removes it; --keep keeps it", async () => {
    try {
      const failing = await ocimanCli([
        "run",
        "--backend",
        kind,
        "-e",
        "GREETING=hello-from-env",
        "--label",
        `ociman-test.cli=${unique}`,
        TEST_IMAGE,
        "--",
        "sh",
        "-c",
        'echo "$GREETING"; echo to-stderr >&2; exit 3'
      ])
      expect(failing).toEqual({ status: 3, stdout: "hello-from-env\n", stderr: "to-stderr\n" })
      expect(
        runtime(kind, ["container", "ls", "--all", "--quiet", "--filter", `label=ociman-test.cli=${unique}`])
      ).toBe("")

      const kept = await ocimanCli([
        "run",
        "--backend",
        kind,
        "--keep",
        "--json",
        "--name",
        unique,
        TEST_IMAGE,
        "echo",
        "kept"
      ])
      expect(kept.status).toBe(0)
      expect(JSON.parse(kept.stdout)).toEqual({ exitCode: 0, stdout: "kept\n", stderr: "" })
      expect(runtime(kind, ["container", "inspect", "--format", "{{.State.Status}}", unique])).toBe("exited")
    } finally {
      removeContainer(kind, unique)
    }
  })

  it("run in the foreground streams the output as it is written", async () => {
    const label = `ociman-test.cli-stream=${unique}`
    const child = spawnCli(["run", "--backend", kind, "--label", label, TEST_IMAGE, "--", "sh", "-c", STREAMING])
    let stdout = ""
    let stderr = ""
    let exited = false
    child.on("exit", () => (exited = true))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    const first = new Promise<{ readonly stdout: string; readonly exited: boolean }>((resolve) =>
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk
        if (stdout.includes("first\n")) resolve({ stdout, exited })
      })
    )
    const closed = new Promise<number | null>((resolve) => child.on("close", resolve))
    try {
      // the first line arrives while the container (and ociman) still runs, 3 s before the second
      const seen = await Promise.race([first, closed.then(() => ({ stdout, exited: true }))])
      expect(seen).toEqual({ stdout: "first\n", exited: false })
      expect(await closed).toBe(0)
      expect({ stdout, stderr }).toEqual({ stdout: "first\nsecond\n", stderr: "to-stderr\n" })
      expect(containersLabelled(kind, label)).toEqual([])
    } finally {
      child.kill("SIGKILL")
      for (const id of containersLabelled(kind, label)) removeContainer(kind, id)
    }
  })

  it("everything after IMAGE is the container's command, dashes included; -- before it works too", async () => {
    const label = `ociman-test.cli-args=${unique}`
    const run = (...args: ReadonlyArray<string>) => ocimanCli(["run", "--backend", kind, "--label", label, ...args])
    try {
      const [echo, grep, list, separated] = await Promise.all([
        // -p, -l, --json and --help are ociman run's own options before IMAGE
        run(TEST_IMAGE, "echo", "-p", "80", "-l", "/www", "--json", "--help"),
        run(TEST_IMAGE, "grep", "-e", "localhost", "/etc/hosts"),
        // -d is --detach before IMAGE
        run(TEST_IMAGE, "ls", "-d", "-l", "/www"),
        run(TEST_IMAGE, "--", "echo", "-d", "--")
      ])
      expect(echo).toEqual({ status: 0, stdout: "-p 80 -l /www --json --help\n", stderr: "" })
      expect(grep.status).toBe(0)
      expect(grep.stdout).toMatch(/\blocalhost\b/)
      expect(list.status).toBe(0)
      expect(list.stdout).toMatch(/^d[rwx-]{9} .* \/www\n$/)
      expect(separated).toEqual({ status: 0, stdout: "-d --\n", stderr: "" })
      // each was a foreground run, removed when it exited
      expect(containersLabelled(kind, label)).toEqual([])
    } finally {
      for (const id of containersLabelled(kind, label)) removeContainer(kind, id)
    }
  })

  it("-it after IMAGE is the container's; -dit before it starts a detached container with a TTY and stdin open", async () => {
    const label = `ociman-test.cli-dit=${unique}`
    const run = (...args: ReadonlyArray<string>) => ocimanCli(["run", "--backend", kind, "--label", label, ...args])
    try {
      const [echo, detached] = await Promise.all([run(TEST_IMAGE, "echo", "-it"), run("-dit", TEST_IMAGE, "sh")])
      expect(echo).toEqual({ status: 0, stdout: "-it\n", stderr: "" })
      expect(detached.status).toBe(0)
      const id = detached.stdout.trim()
      expect(containersLabelled(kind, label)).toEqual([expect.stringMatching(new RegExp(`^${id.slice(0, 12)}`))])
      // an interactive sh on a TTY waits for input instead of exiting
      expect(
        runtime(kind, [
          "container",
          "inspect",
          "--format",
          "{{.Config.Tty}} {{.Config.OpenStdin}} {{.State.Running}}",
          id
        ])
      ).toBe("true true true")
    } finally {
      for (const id of containersLabelled(kind, label)) {
        // a shell as PID 1 ignores SIGTERM: Podman would wait out its 10 s stop timeout
        spawnSync(kind, ["container", "rm", "--force", ...(kind === "podman" ? ["--time", "0"] : []), id], {
          stdio: "ignore"
        })
      }
    }
  })

  it("info --json says which executable runs and what selected the runtime, as the text does", async () => {
    const [chosen, fromEnvironment, text] = await Promise.all([
      ocimanCli(["info", "--json", "--backend", kind]),
      ocimanCli(["info", "--json"], { OCIMAN_BACKEND: kind }),
      ocimanCli(["info", "--backend", kind])
    ])
    expect(chosen.stderr).toBe("")
    expect(JSON.parse(chosen.stdout)).toEqual({
      kind,
      clientVersion: expect.any(String),
      engineVersion: expect.any(String),
      rootless: expect.any(Boolean),
      executable: expect.stringMatching(new RegExp(`(^|/)${kind}$`)),
      selectedBy: "argument",
      // this machine's local engine (test/remote.test.ts covers contexts, connections and ssh)
      endpoint: expect.objectContaining({ source: "default", remote: false }),
      // the default, auto: this machine's engine answers on its socket (Podman's API service runs here)
      transport: "api"
    })
    expect(JSON.parse(fromEnvironment.stdout)).toMatchObject({ kind, selectedBy: "environment" })
    // OCIMAN_TRANSPORT=cli: the container operations go through the CLI
    const overCli = await ocimanCli(["info", "--json", "--backend", kind], { OCIMAN_TRANSPORT: "cli" })
    expect(JSON.parse(overCli.stdout)).toMatchObject({ kind, transport: "cli" })
    // both probes see the same client
    expect(JSON.parse(overCli.stdout).clientVersion).toBe(JSON.parse(chosen.stdout).clientVersion)
    expect(text.stdout).toContain(`executable:     ${JSON.parse(chosen.stdout).executable}\n`)
    expect(text.stdout).toContain("selected by:    argument")
    expect(text.stdout).toMatch(/\nendpoint: {7}(unix:\/\/\S+|local) \(default\)\n/)
    expect(text.stdout).toContain("\ntransport:      api")
  })

  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143]
  ] as const) {
    it(`a foreground run ended by ${signal} removes its container and exits ${code}`, async () => {
      const label = `ociman-test.cli-${signal.toLowerCase()}=${unique}`
      const child = spawnCli(["run", "--backend", kind, "--label", label, TEST_IMAGE, "sleep", "600"])
      const closed = new Promise<number | null>((resolve) => child.on("close", resolve))
      try {
        for (let i = 0; i < 100 && containersLabelled(kind, label).length === 0; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
        expect(containersLabelled(kind, label)).toHaveLength(1)
        child.kill(signal)
        expect(await closed).toBe(code)
        // gone before ociman exited: the scope was closed first
        expect(containersLabelled(kind, label)).toEqual([])
      } finally {
        child.kill("SIGKILL")
        for (const id of containersLabelled(kind, label)) removeContainer(kind, id)
      }
    })
  }

  it("run --detach leaves a labelled container running that ps lists and exec runs commands in", async () => {
    try {
      const started = await ocimanCli([
        "run",
        "--backend",
        kind,
        "--detach",
        "--name",
        unique,
        "-p",
        "127.0.0.1::8080",
        "--workdir",
        "/tmp",
        "--user",
        "1234",
        "-e",
        "A=1",
        TEST_IMAGE,
        "--",
        "sh",
        "-c",
        "trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait"
      ])
      expect(started.stderr).toBe("")
      expect(started.status).toBe(0)
      const id = started.stdout.trim()
      expect(id).toMatch(/^[0-9a-f]{64}$/)
      expect(runtime(kind, ["container", "inspect", "--format", "{{.State.Status}}", id])).toBe("running")
      expect(runtime(kind, ["container", "port", id, "8080/tcp"])).toMatch(/^127\.0\.0\.1:\d+$/)

      const listed = await ocimanCli(["ps", "--backend", kind, "--json"])
      expect(listed.status).toBe(0)
      const rows: ReadonlyArray<Record<string, unknown>> = JSON.parse(listed.stdout)
      const row = rows.find((candidate) => candidate["id"] === id)
      // its owner (the exited `ociman run`) is gone, but it is labelled detached: no sweep takes it
      expect(row, listed.stdout).toEqual({
        id,
        names: [unique],
        image: TEST_IMAGE,
        status: "running",
        session: expect.stringMatching(/^[0-9a-f-]{36}$/),
        pid: expect.any(Number),
        host: hostname(),
        created: expect.stringMatching(/^\d{4}-\d\d-\d\dT/)
      })

      const exec = await ocimanCli([
        "exec",
        "--backend",
        kind,
        "-e",
        "B=2",
        unique,
        "--",
        "sh",
        "-c",
        'pwd; id -u; echo "$A $B"; exit 4'
      ])
      expect(exec).toEqual({ status: 4, stdout: "/tmp\n1234\n1 2\n", stderr: "" })
      // everything after CONTAINER is the command's: -u, -w, -e and --json are exec's own before it
      const passed = await ocimanCli([
        "exec",
        "--backend",
        kind,
        unique,
        "echo",
        "-u",
        "7",
        "-w",
        "/x",
        "-e",
        "A=2",
        "--json"
      ])
      expect(passed).toEqual({ status: 0, stdout: "-u 7 -w /x -e A=2 --json\n", stderr: "" })
      const asRoot = await ocimanCli([
        "exec",
        "--backend",
        kind,
        "--json",
        "--user",
        "0",
        "--workdir",
        "/",
        id,
        "id",
        "-u"
      ])
      expect(asRoot.status).toBe(0)
      expect(JSON.parse(asRoot.stdout)).toEqual({ exitCode: 0, stdout: "0\n", stderr: "" })
    } finally {
      removeContainer(kind, unique)
    }
    expectOneLineFailure(await ocimanCli(["exec", "--backend", kind, unique, "true"]), `no such container: ${unique}`)
  })

  it("doctor checks the runtime, and says how to fix a missing image", async () => {
    const healthy = await ocimanCli(["doctor", "--backend", kind, "--json"])
    expect(healthy.stderr).toBe("")
    expect(healthy.status).toBe(0)
    const report = JSON.parse(healthy.stdout)
    expect(report).toMatchObject({ ok: true, image: "localhost/ociman-test/busybox:1", selected: { ok: true } })
    expect(report.runtimes).toHaveLength(1)
    expect(report.runtimes[0]).toMatchObject({
      kind,
      ok: true,
      rootless: expect.any(Boolean),
      endpoint: expect.objectContaining({ source: "default", remote: false })
    })
    expect(report.runtimes[0].checks.map((check: { check: string; ok: boolean }) => [check.check, check.ok])).toEqual([
      ["installed", true],
      ["engine", true],
      ["run", true]
    ])

    const absent = "localhost/ociman-test/absent:1"
    const missing = await ocimanCli(["doctor", "--backend", kind, "--image", absent])
    expectOneLineFailure(missing, `${kind} did not pass every check (see the report above for how to fix it)`)
    expect(missing.stdout).toContain(`✗ runs a container image ${absent} is not present on ${kind}`)
    expect(missing.stdout).toContain(`fix: pull or build ${absent} with ${kind} first`)
  })
})

describe("ociman run / exec / doctor without a runtime", () => {
  it("a bad flag is one line and exit 1, before any runtime is asked", async () => {
    const [port, name, env] = await Promise.all([
      ocimanCli(["run", "-p", "70000", TEST_IMAGE]),
      ocimanCli(["run", "--name", "bad name", "-e", "A=1", TEST_IMAGE]),
      ocimanCli(["exec", "-e", "OCIMAN_TEST_UNSET_VARIABLE", "some-container", "true"])
    ])
    expectOneLineFailure(port, 'Container port must be an integer from 1 to 65535 (got "70000")')
    expectOneLineFailure(name, `Container name may only contain ASCII alphanumerics, '_', '.', '-' (got "bad name")`)
    expectOneLineFailure(
      env,
      "-e OCIMAN_TEST_UNSET_VARIABLE: OCIMAN_TEST_UNSET_VARIABLE is not set in the environment (or pass OCIMAN_TEST_UNSET_VARIABLE=VALUE)"
    )
  })

  it("a usage error is one line that names the wrong token; --verbose adds the cause chain, mapped to the sources", async () => {
    const [nope, choice, interactive, unknown, missing, extra, subcommand, verbose] = await Promise.all([
      ocimanCli(["hash", "--nope", "some-dir"]),
      ocimanCli(["info", "--backend", "nerdctl"]),
      ocimanCli(["run", "-itz", TEST_IMAGE, "sh"]),
      ocimanCli(["run", "-zz", TEST_IMAGE, "true"]),
      ocimanCli(["hash", "--instructions"]),
      ocimanCli(["ps", "extra"]),
      ocimanCli(["nope"]),
      ocimanCli(["hash", "--verbose", "/nonexistent/ociman-context"])
    ])
    expectOneLineFailure(nope, "unknown option --nope for ociman hash (ociman hash --help lists its options)")
    expectOneLineFailure(choice, '--backend expects docker or podman, got "nerdctl"')
    expectOneLineFailure(interactive, "unknown option -itz for ociman run (ociman run --help lists its options)")
    expectOneLineFailure(unknown, "unknown option -zz for ociman run (ociman run --help lists its options)")
    expectOneLineFailure(missing, "--instructions needs a value (ociman hash --help)")
    expectOneLineFailure(extra, "Received unknown argument: 'extra'")
    expectOneLineFailure(subcommand, /^ociman: Invalid subcommand for ociman - use one of 'info', 'hash', /)
    expect(verbose.status).toBe(1)
    const [first, ...chain] = verbose.stderr.trim().split("\n")
    expect(first).toMatch(/^ociman: build context \/nonexistent\/ociman-context does not exist/)
    expect(chain[0]).toMatch(/^ContextNotFound: build context/)
    // the bundle's source maps point the stack at the TypeScript sources
    expect(chain.join("\n")).toMatch(/packages\/ociman\/src\/ContentHash\.ts:\d+:\d+/)
  })

  it("help is plain text when piped or under NO_COLOR, and completions are generated for bash, zsh and fish", async () => {
    const [help, runHelp, noColor, bash, zsh, fish, badShell] = await Promise.all([
      ocimanCli(["--help"]),
      ocimanCli(["run", "--help"]),
      ocimanCli(["--help"], { NO_COLOR: "1" }),
      ocimanCli(["completions", "bash"]),
      ocimanCli(["completions", "zsh"]),
      ocimanCli(["completions", "fish"]),
      ocimanCli(["completions", "tcsh"])
    ])
    for (const outcome of [help, runHelp, noColor, bash, zsh, fish]) {
      expect(outcome.status).toBe(0)
      expect(outcome.stdout).not.toContain("\u001b")
    }
    expect(help.stdout).toContain("completions")
    expect(help.stdout).toContain("--verbose")
    expect(runHelp.stdout).toContain("Everything after IMAGE belongs to the container")
    // the bash script parses, and completes ociman's commands
    expect(spawnSync("bash", ["-n"], { input: bash.stdout }).status).toBe(0)
    expect(bash.stdout).toContain("complete -F _ociman_bash_completions")
    expect(bash.stdout).toContain("prune")
    expect(zsh.stdout).toMatch(/^#compdef ociman/)
    expect(fish.stdout).toContain("complete -c ociman")
    expectOneLineFailure(badShell, 'SHELL expects one of bash, zsh, fish, got "tcsh"')
  })

  it("doctor explains how to install a missing runtime, and fails", async () => {
    const noRuntimes = mkdtempSync(join(tmpdir(), "ociman-empty-path-"))
    try {
      const outcome = await ocimanCli(["doctor", "--json"], { PATH: noRuntimes })
      expectOneLineFailure(outcome, "no container runtime passed every check (see the report above for how to fix it)")
      const report = JSON.parse(outcome.stdout)
      expect(report.ok).toBe(false)
      for (const kind of ["docker", "podman"]) {
        expect(report.runtimes.find((runtime: { kind: string }) => runtime.kind === kind).checks[0]).toMatchObject({
          check: "installed",
          ok: false,
          detail: expect.stringMatching(/^NotInstalled: /),
          hint: `install ${kind} or put it on PATH`
        })
      }
      expect(report.selected.ok).toBe(false)
    } finally {
      rmSync(noRuntimes, { recursive: true, force: true })
    }
  })

  it("run takes -i / -t (--interactive / --tty, clustered with other flags) before IMAGE, as exec does", async () => {
    const [runHelp, execHelp, unknownLetter] = await Promise.all([
      ocimanCli(["run", "--help"]),
      ocimanCli(["exec", "--help"]),
      ocimanCli(["run", "-dix", TEST_IMAGE, "sh"])
    ])
    for (const help of [runHelp, execHelp]) {
      expect(help.status).toBe(0)
      expect(help.stdout).toContain("[(-i, --interactive)]")
      expect(help.stdout).toContain("[(-t, --tty)]")
    }
    expect(runHelp.stdout).toContain("attached to this terminal with -it")
    // -d, -i and -x: x is not one of run's flags, so the cluster is not split
    expectOneLineFailure(unknownLetter, "unknown option -dix for ociman run (ociman run --help lists its options)")
  })

  it("every command has --help, --backend and --json", async () => {
    const commands = ["info", "hash", "build", "run", "exec", "ps", "doctor", "prune", "pull"]
    const helps = await Promise.all(commands.map((command) => ocimanCli([command, "--help"])))
    for (const [i, help] of helps.entries()) {
      expect(help.status, commands[i]).toBe(0)
      expect(help.stdout, commands[i]).toContain("--backend docker | podman")
      expect(help.stdout, commands[i]).toContain("--json")
    }
    const [run, doctor, prune] = [helps[3], helps[6], helps[7]]
    for (const flag of ["--detach", "--keep", "--publish", "--env", "--label"]) expect(run?.stdout).toContain(flag)
    expect(doctor?.stdout).toContain("--image")
    expect(prune?.stdout).toContain("--include-detached")
    expect(prune?.stdout).toContain("--reuse")
    expect(helps[5]?.stdout).toContain("--reuse")
  })
})
