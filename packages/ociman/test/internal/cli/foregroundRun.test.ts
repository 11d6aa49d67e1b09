/**
 * Foreground runs on the CLI wing, where Podman's attached output can be lost (the command's output
 * gone, its exit code intact): a removed run on the local engine keeps a log of its own and reads
 * the outputs back from it when the attached run brought none, and a staged run that brought
 * nothing back reads the container's log. Against a stubbed CLI (which writes the log as conmon
 * would) on the real file system: the argv, the stdin each call got, and what the run returns.
 */
import type { CommandExecutor, FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import * as Def from "../../../src/ContainerDefinition.js"
import type { Backend, CliOptions, CliResult, RunSpec } from "../../../src/ContainerRuntime.js"
import { makeContainerOperations } from "../../../src/internal/cli/containers.js"
import { validate } from "../../../src/internal/containerSpec.js"
import { keepsOutputLog, runArgs } from "../../../src/internal/dialect/containers.js"
import { backendOf as backendWith } from "../../support/backend.js"
import { result } from "../../support/stubCli.js"

const IMAGE = "localhost/ociman-test/busybox:1"
const ID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

const specOf = (definition: Def.ContainerDefinition): RunSpec => Either.getOrThrow(validate(definition))

const removed = Def.make(IMAGE).pipe(Def.withRemove, Def.command(["sh", "-c", "echo out; echo oops >&2; exit 3"]))

/** A CLI-transport backend; `url`: the endpoint a variable or connection names (the CLI is then remote). */
const backendOf = (kind: Backend["kind"], url?: string): Backend =>
  backendWith(kind, "cli", {
    endpoint: {
      url,
      source: url === undefined ? "default" : "environment",
      name: undefined,
      remote: false,
      host: undefined
    }
  })

/** A stubbed CLI that records each call's argv and the stdin it was given. */
const recordingCli = (answer: (args: ReadonlyArray<string>) => CliResult) => {
  const calls: Array<{ readonly args: ReadonlyArray<string>; readonly stdin: Uint8Array | undefined }> = []
  // recorded when the call runs, not when its effect is made (a clean-up is made long before)
  const cli = (args: ReadonlyArray<string>, options?: CliOptions) =>
    Effect.sync(() => {
      calls.push({ args, stdin: options?.stdin })
      return answer(args)
    })
  return { cli, calls }
}

const runOn = (
  backend: Backend,
  definition: Def.ContainerDefinition,
  answer: (args: ReadonlyArray<string>) => CliResult,
  stdin?: string
) =>
  Effect.gen(function* () {
    const platform = yield* Effect.context<FileSystem.FileSystem | Path.Path | CommandExecutor.CommandExecutor>()
    const { cli, calls } = recordingCli(answer)
    const outcome = yield* Effect.either(
      makeContainerOperations(backend, cli, platform).runForeground(specOf(definition), {
        stdin: stdin === undefined ? undefined : new TextEncoder().encode(stdin)
      })
    )
    return { outcome, calls }
  }).pipe(Effect.provide(NodeContext.layer))

/** The path a run's argv gives its log (`--log-opt path=P`), if any. */
const logPathOf = (args: ReadonlyArray<string> | undefined): string | undefined =>
  args?.find((arg) => arg.startsWith("path="))?.slice("path=".length)

/** What conmon writes for `echo out; echo oops >&2`, as `k8s-file`. */
const CONMON_LOG =
  "2026-12-05T03:17:50.798255664+00:00 stdout F out\n2026-12-05T03:17:50.798480916+00:00 stderr F oops\n"

/** What Podman 4.3.1 prints when conmon cannot open the log it was given (exit 126). */
const CONMON_REFUSAL =
  "[conmon:e]: Failed to open log file No such file or directory\nError: write child: broken pipe\n"

/** An engine whose attached run lost the output (nothing on either stream) after conmon logged it. */
const losingEngine = (args: ReadonlyArray<string>): CliResult => {
  const path = logPathOf(args)
  if (path !== undefined) writeFileSync(path, CONMON_LOG)
  return result(args, 3)
}

describe("keepsOutputLog", () => {
  it.each([
    {
      case: "a removed run on local Podman",
      kind: "podman",
      definition: removed,
      url: undefined,
      linux: true,
      keeps: true
    },
    {
      case: "with a TTY too",
      kind: "podman",
      definition: removed.pipe(Def.withTty),
      url: undefined,
      linux: true,
      keeps: true
    },
    {
      case: "a kept run (its log stays where `logs` reads it)",
      kind: "podman",
      definition: Def.make(IMAGE),
      url: undefined,
      linux: true,
      keeps: false
    },
    {
      case: "a remote engine (it cannot write the library's path)",
      kind: "podman",
      definition: removed,
      url: "ssh://core@host/run/podman/podman.sock",
      linux: true,
      keeps: false
    },
    {
      case: "Podman on macOS or Windows (a remote client)",
      kind: "podman",
      definition: removed,
      url: undefined,
      linux: false,
      keeps: false
    },
    {
      case: "Docker (its attach loses nothing)",
      kind: "docker",
      definition: removed,
      url: undefined,
      linux: true,
      keeps: false
    }
  ] as const)("$case: $keeps", ({ kind, definition, url, linux, keeps }) => {
    expect(keepsOutputLog(kind, specOf(definition), url, linux)).toBe(keeps)
  })

  it("runArgs names the log only when given one, before the image", () => {
    const spec = specOf(removed)
    const logged = runArgs(spec, { detach: false, envArgs: [], outputLog: "/tmp/d/output.log" })
    const attached = runArgs(spec, { detach: false, envArgs: [] })
    expect(attached).not.toContain("--log-driver")
    const at = logged.indexOf("--log-driver")
    expect(logged.slice(at, at + 4)).toEqual(["--log-driver", "k8s-file", "--log-opt", "path=/tmp/d/output.log"])
    expect([...logged.slice(0, at), ...logged.slice(at + 4)]).toEqual(attached)
    expect(at).toBeLessThan(logged.indexOf(IMAGE))
  })
})

describe("a foreground run on the CLI", () => {
  it.effect("Podman, removed: an attached run that lost its output reads it back from its own log, removed after", () =>
    Effect.gen(function* () {
      const { outcome, calls } = yield* runOn(backendOf("podman"), removed, losingEngine)
      expect(calls).toHaveLength(1)
      const path = logPathOf(calls[0]?.args)
      if (path === undefined) return expect.fail("the run named no log")
      expect(existsSync(dirname(path))).toBe(false)
      expect(Either.getOrThrow(outcome)).toMatchObject({ exitCode: 3, stdout: "out\n", stderr: "oops\n" })
    })
  )

  it.effect("a run that brought output back returns it, whatever the log holds", () =>
    Effect.gen(function* () {
      const { outcome } = yield* runOn(backendOf("podman"), removed, (args) => {
        losingEngine(args)
        return result(args, 3, "", "attached\n")
      })
      expect(Either.getOrThrow(outcome)).toMatchObject({ stdout: "", stderr: "attached\n" })
    })
  )

  it.effect("stdin is given to the run as before", () =>
    Effect.gen(function* () {
      const { calls } = yield* runOn(backendOf("podman"), removed.pipe(Def.withInteractive), losingEngine, "input")
      expect(new TextDecoder().decode(calls[0]?.stdin)).toBe("input")
    })
  )

  it.effect("a kept run, a remote engine and Docker name no log", () =>
    Effect.gen(function* () {
      const answer = (args: ReadonlyArray<string>) => result(args, 0)
      const kept = yield* runOn(backendOf("podman"), Def.make(IMAGE), answer)
      const remote = yield* runOn(backendOf("podman", "unix:///run/podman/podman.sock"), removed, answer)
      const docker = yield* runOn(backendOf("docker"), removed, answer)
      for (const { calls } of [kept, remote, docker]) {
        expect(calls).toHaveLength(1)
        expect(calls[0]?.args).not.toContain("--log-driver")
      }
    })
  )

  it.effect(
    "an engine that cannot use the log (conmon fails first) is asked again without it, and never given one again",
    () =>
      Effect.gen(function* () {
        const platform = yield* Effect.context<FileSystem.FileSystem | Path.Path | CommandExecutor.CommandExecutor>()
        const { cli, calls } = recordingCli((args) =>
          logPathOf(args) === undefined ? result(args, 3, "", "oops\n") : result(args, 126, "", CONMON_REFUSAL)
        )
        const ops = makeContainerOperations(backendOf("podman"), cli, platform)
        const first = yield* Effect.either(ops.runForeground(specOf(removed), {}))
        const second = yield* Effect.either(ops.runForeground(specOf(removed), {}))
        expect(calls.map(({ args }) => args.includes("--log-driver"))).toEqual([true, false, false])
        expect(Either.getOrThrow(first)).toMatchObject({ exitCode: 3, stderr: "oops\n" })
        expect(Either.getOrThrow(second)).toMatchObject({ exitCode: 3, stderr: "oops\n" })
      }).pipe(Effect.provide(NodeContext.layer))
  )

  it.effect("conmon failing after the command logged output is not asked again (the command ran)", () =>
    Effect.gen(function* () {
      const { outcome, calls } = yield* runOn(backendOf("podman"), removed, (args) => {
        losingEngine(args)
        return result(args, 126, "", CONMON_REFUSAL)
      })
      expect(calls).toHaveLength(1)
      expect(Either.getOrThrow(outcome).exitCode).toBe(126)
    })
  )

  it.effect("Podman's own warnings on stderr do not hide a lost output: they come first, then the command's", () =>
    Effect.gen(function* () {
      const warning = 'time="2026-12-05T01:54:44Z" level=warning msg="\\"/\\" is not a shared mount"\n'
      const { outcome } = yield* runOn(backendOf("podman"), removed, (args) => {
        losingEngine(args)
        return result(args, 3, "", warning)
      })
      expect(Either.getOrThrow(outcome)).toMatchObject({ stdout: "out\n", stderr: `${warning}oops\n` })
    })
  )

  it.effect("a temporary directory whose path has a ':' (conmon would cut the path there) gets no log", () =>
    Effect.gen(function* () {
      const parent = mkdtempSync(join(tmpdir(), "with:colon-"))
      const before = process.env["TMPDIR"]
      const { calls } = yield* Effect.acquireUseRelease(
        Effect.sync(() => {
          process.env["TMPDIR"] = parent
        }),
        () => runOn(backendOf("podman"), removed, (args) => result(args, 0)),
        () =>
          Effect.sync(() => {
            if (before === undefined) delete process.env["TMPDIR"]
            else process.env["TMPDIR"] = before
            rmSync(parent, { recursive: true, force: true })
          })
      )
      expect(calls[0]?.args).not.toContain("--log-driver")
    })
  )

  it.effect("another runtime failure is not asked again: it is the run's failure", () =>
    Effect.gen(function* () {
      const { outcome, calls } = yield* runOn(backendOf("podman"), removed, (args) =>
        result(args, 125, "", "Error: crun: executable file `sh` not found\n")
      )
      expect(calls).toHaveLength(1)
      if (Either.isRight(outcome)) return expect.fail("expected the run to fail")
      expect(outcome.left._tag).toBe("ContainerStartFailed")
    })
  )
})

describe("a staged foreground run on the CLI (create, connect, start --attach)", () => {
  const staged = removed.pipe(Def.network("front"), Def.joinNetwork("back"))

  /** The engine's answers: the create's id, an attached start that brought `started` back, the log. */
  const engine =
    (started: { readonly stdout: string; readonly stderr: string }) =>
    (args: ReadonlyArray<string>): CliResult => {
      if (args[1] === "create") return result(args, 0, `${ID}\n`)
      if (args[1] === "start") return result(args, 3, started.stdout, started.stderr)
      if (args[1] === "logs") return result(args, 0, "out\n", "oops\n")
      return result(args, 0)
    }

  const logsCalls = (calls: ReadonlyArray<{ readonly args: ReadonlyArray<string> }>) =>
    calls.filter(({ args }) => args[1] === "logs")

  it.effect("Podman: a start that brought nothing back reads the container's log, before removing it", () =>
    Effect.gen(function* () {
      const { outcome, calls } = yield* runOn(backendOf("podman"), staged, engine({ stdout: "", stderr: "" }))
      expect(logsCalls(calls).map(({ args }) => args)).toEqual([["container", "logs", ID]])
      const order = calls.map(({ args }) => args[1])
      expect(order.indexOf("logs")).toBeLessThan(order.lastIndexOf("rm"))
      const value = Either.getOrThrow(outcome)
      expect(value).toMatchObject({ exitCode: 3, stdout: "out\n", stderr: "oops\n" })
      // the create named no log driver: its log is what is read
      expect(calls.find(({ args }) => args[1] === "create")?.args).not.toContain("--log-driver")
    })
  )

  it.effect("a start that brought output back, and Docker's, read no log", () =>
    Effect.gen(function* () {
      const withOutput = yield* runOn(backendOf("podman"), staged, engine({ stdout: "", stderr: "oops\n" }))
      const docker = yield* runOn(backendOf("docker"), staged, engine({ stdout: "", stderr: "" }))
      expect(logsCalls(withOutput.calls)).toEqual([])
      expect(logsCalls(docker.calls)).toEqual([])
      expect(Either.getOrThrow(docker.outcome).stderr).toBe("")
    })
  )

  it.effect("a log that cannot be read (`--log-driver none`) leaves the start's answer", () =>
    Effect.gen(function* () {
      const { outcome } = yield* runOn(backendOf("podman"), staged, (args) =>
        args[1] === "logs"
          ? result(args, 125, "", "Error: failed to obtain logs\n")
          : engine({ stdout: "", stderr: "" })(args)
      )
      expect(Either.getOrThrow(outcome)).toMatchObject({ exitCode: 3, stdout: "", stderr: "" })
    })
  )
})
