/**
 * Foreground runs on the CLI wing, where Podman's attached output can be lost (the command's output
 * gone, its exit code intact): a removed run without a TTY on the local engine passes its output
 * through (`--log-driver passthrough`), and a staged run that brought nothing back reads the
 * container's log. Against a stubbed CLI: the argv, the stdin each call got, and what the run returns.
 */
import type { CommandExecutor, FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as Def from "../../../src/ContainerDefinition.js"
import type { Backend, CliOptions, CliResult, RunSpec } from "../../../src/ContainerRuntime.js"
import { makeContainerOperations } from "../../../src/internal/cli/containers.js"
import { validate } from "../../../src/internal/containerSpec.js"
import { passesOutputThrough, runArgs } from "../../../src/internal/dialect/containers.js"
import { backendOf as backendWith } from "../../support/backend.js"
import { result } from "../../support/stubCli.js"

const IMAGE = "localhost/ociman-test/busybox:1"
const ID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
const PASSTHROUGH = ["--log-driver", "passthrough"]

const specOf = (definition: Def.ContainerDefinition): RunSpec => Either.getOrThrow(validate(definition))

const removed = Def.make(IMAGE).pipe(Def.withRemove, Def.command(["sh", "-c", "echo oops >&2; exit 3"]))

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

describe("passesOutputThrough", () => {
  it.each([
    {
      case: "a removed run without a TTY on local Podman",
      kind: "podman",
      definition: removed,
      url: undefined,
      passes: true
    },
    {
      case: "a kept run (its log stays readable)",
      kind: "podman",
      definition: Def.make(IMAGE),
      url: undefined,
      passes: false
    },
    {
      case: "a run with a TTY (Podman refuses it)",
      kind: "podman",
      definition: removed.pipe(Def.withTty),
      url: undefined,
      passes: false
    },
    {
      case: "a remote client (Podman refuses it)",
      kind: "podman",
      definition: removed,
      url: "ssh://core@host/run/podman/podman.sock",
      passes: false
    },
    { case: "Docker (no such driver)", kind: "docker", definition: removed, url: undefined, passes: false }
  ] as const)("$case: $passes", ({ kind, definition, url, passes }) => {
    expect(passesOutputThrough(kind, specOf(definition), url)).toBe(passes)
  })

  it("runArgs adds the driver only when told, before the image", () => {
    const spec = specOf(removed)
    const passed = runArgs(spec, { detach: false, envArgs: [], passOutputThrough: true })
    const attached = runArgs(spec, { detach: false, envArgs: [] })
    expect(attached).not.toContain("passthrough")
    expect(passed.filter((arg) => !PASSTHROUGH.includes(arg))).toEqual(attached)
    expect(passed.indexOf("passthrough")).toBeLessThan(passed.indexOf(IMAGE))
  })
})

describe("a foreground run on the CLI", () => {
  it.effect(
    "Podman, removed, no TTY: passes its output through, and the command's exit and stderr are the result",
    () =>
      Effect.gen(function* () {
        const { outcome, calls } = yield* runOn(backendOf("podman"), removed, (args) => result(args, 3, "", "oops\n"))
        expect(calls).toHaveLength(1)
        expect(calls[0]?.args.join(" ")).toContain("--rm --log-driver passthrough")
        const value = Either.getOrThrow(outcome)
        expect(value.exitCode).toBe(3)
        expect(value.stderr).toBe("oops\n")
      })
  )

  it.effect("passed through, stdin reaches the command only when the definition is interactive", () =>
    Effect.gen(function* () {
      const answer = (args: ReadonlyArray<string>) => result(args, 0)
      const plain = yield* runOn(backendOf("podman"), removed, answer, "input")
      const interactive = yield* runOn(backendOf("podman"), removed.pipe(Def.withInteractive), answer, "input")
      expect(plain.calls[0]?.stdin).toBeUndefined()
      expect(new TextDecoder().decode(interactive.calls[0]?.stdin)).toBe("input")
      expect(interactive.calls[0]?.args).toContain("passthrough")
    })
  )

  it.effect("attached (kept, or remote), stdin is given as before and no driver is named", () =>
    Effect.gen(function* () {
      const answer = (args: ReadonlyArray<string>) => result(args, 0)
      const kept = yield* runOn(backendOf("podman"), Def.make(IMAGE), answer, "input")
      const remote = yield* runOn(backendOf("podman", "unix:///run/podman/podman.sock"), removed, answer)
      const docker = yield* runOn(backendOf("docker"), removed, answer)
      for (const { calls } of [kept, remote, docker]) {
        expect(calls).toHaveLength(1)
        expect(calls[0]?.args).not.toContain("--log-driver")
      }
      expect(new TextDecoder().decode(kept.calls[0]?.stdin)).toBe("input")
    })
  )

  it.effect("a Podman that refuses passthrough (made remote by its configuration) is asked again attached", () =>
    Effect.gen(function* () {
      const refusal = "Error: the '--log-driver passthrough' option is not supported in remote mode\n"
      const { outcome, calls } = yield* runOn(backendOf("podman"), removed, (args) =>
        args.includes("passthrough") ? result(args, 125, "", refusal) : result(args, 3, "", "oops\n")
      )
      expect(calls.map(({ args }) => args.includes("passthrough"))).toEqual([true, false])
      expect(Either.getOrThrow(outcome).stderr).toBe("oops\n")
    })
  )

  it.effect("another runtime failure with passthrough is not asked again: it is the run's failure", () =>
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
