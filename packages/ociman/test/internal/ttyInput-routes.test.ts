/**
 * Where a call with a TTY fed stdin goes (issue #17): Docker's CLI cannot take one from a pipe,
 * so the real runtime sends it over the engine's socket, on the `cli` transport too; with no
 * socket it can speak to (an `ssh://` host) or one that does not answer, it is
 * `TtyInputUnsupported` before anything runs (the executable here does not exist: a call that
 * reached it would fail otherwise).
 */
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Stream } from "effect"
import type { Backend, ExecSpec } from "../../src/ContainerRuntime.js"
import * as Def from "../../src/ContainerDefinition.js"
import { make } from "../../src/internal/cli/runtime.js"
import { validate } from "../../src/internal/containerSpec.js"
import { ttyInputOverApi, ttyInputRefusal } from "../../src/internal/dialect/containers.js"
import * as Version from "../../src/Version.js"

const dockerAt = (url: string): Backend => ({
  kind: "docker",
  executable: "/nonexistent/ociman-test/docker",
  clientVersion: Either.getOrThrow(Version.parse("20.10.24")),
  engineVersion: Either.getOrThrow(Version.parse("20.10.24")),
  rootless: false,
  source: "argument",
  endpoint: { url, source: "environment", name: "DOCKER_HOST", remote: url.startsWith("ssh:"), host: undefined },
  transport: "cli"
})

const ttyExec: ExecSpec = {
  command: ["sh", "-c", "tty; cat"],
  env: [],
  user: undefined,
  workdir: undefined,
  stdin: new TextEncoder().encode("hi\n\x04"),
  tty: true,
  interactive: false
}

const ttyRun = Either.getOrThrow(
  validate(Def.make("localhost/ociman-test/busybox:1").pipe(Def.withTty, Def.withInteractive))
)

describe("a TTY fed stdin", () => {
  it("goes over the API on Docker only, for an exec (bytes or an open stdin) and a foreground run", () => {
    expect(ttyInputOverApi("docker", "exec", ttyExec)).toBe(true)
    expect(ttyInputOverApi("docker", "exec", { ...ttyExec, stdin: undefined, interactive: true })).toBe(true)
    expect(ttyInputOverApi("docker", "run", ttyRun)).toBe(true)
    // without a TTY, or without stdin, Docker's CLI does it
    expect(ttyInputOverApi("docker", "exec", { ...ttyExec, tty: false })).toBe(false)
    expect(ttyInputOverApi("docker", "exec", { ...ttyExec, stdin: undefined })).toBe(false)
    // a foreground run's stdin bytes need `withInteractive`
    expect(ttyInputOverApi("docker", "run", { ...ttyRun, interactive: false })).toBe(false)
    expect(ttyInputOverApi("podman", "exec", ttyExec)).toBe(false)
    expect(ttyInputOverApi("podman", "run", ttyRun)).toBe(false)
  })

  it.effect("the CLI wing refuses what Docker's CLI cannot take, and nothing else", () =>
    Effect.gen(function* () {
      expect(yield* Effect.flip(ttyInputRefusal("docker", "exec", ttyExec))).toMatchObject({
        _tag: "TtyInputUnsupported",
        kind: "docker",
        operation: "exec"
      })
      yield* ttyInputRefusal("podman", "exec", ttyExec)
      yield* ttyInputRefusal("docker", "exec", { ...ttyExec, tty: false })
    })
  )

  for (const [where, url] of [
    ["an ssh:// Docker host (no socket this library speaks to)", "ssh://root@127.0.0.1:1"],
    ["a Docker socket that does not answer", "unix:///nonexistent/ociman-test/docker.sock"]
  ] as const) {
    it.effect(`on ${where}: TtyInputUnsupported for an exec, a streamed exec and a run, before anything runs`, () =>
      Effect.gen(function* () {
        const service = yield* make(dockerAt(url))
        const exec = yield* Effect.flip(service.containers.exec("c1", ttyExec))
        expect(exec).toMatchObject({ _tag: "TtyInputUnsupported", operation: "exec" })
        const streamed = yield* Effect.flip(Stream.runDrain(service.containers.streamExec("c1", ttyExec)))
        expect(streamed).toMatchObject({ _tag: "TtyInputUnsupported", operation: "exec" })
        const run = yield* Effect.flip(service.containers.runForeground(ttyRun, { stdin: ttyExec.stdin }))
        expect(run).toMatchObject({ _tag: "TtyInputUnsupported", operation: "run" })
        // the same exec without a TTY reaches the (missing) executable: the refusal was the route's
        const plain = yield* Effect.flip(service.containers.exec("c1", { ...ttyExec, tty: false }))
        expect(plain._tag).not.toBe("TtyInputUnsupported")
      }).pipe(Effect.provide(NodeContext.layer))
    )
  }
})
