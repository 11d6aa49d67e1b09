/**
 * Conformance: TTYs (issue #17). Part of the suite in `suite.ts`, run on Docker, Podman (both
 * transports) and the in-memory runtime. Observed from inside, with busybox `tty`:
 * - an exec or a foreground run with `tty` prints a `/dev/pts/N` path, without it "not a tty",
 *   with or without stdin;
 * - stdin bytes reach a command that has a TTY on both engines: a line for `read`, the exit code
 *   passed through, `cat` ended by the terminal's EOF (`\x04`: over a TTY the end of stdin is not
 *   an end of file). Podman's CLI takes them from a pipe; Docker's cannot, so that exec goes over
 *   the engine's API (a taken-over connection), on the CLI transport too;
 * - the same for a foreground run `withTty` and `withInteractive` (Docker: attached over the API).
 */
import { expect } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { Container, ContainerDefinition as Def, Label, TestRuntime } from "ociman"
import { labelKey, type Part, partLayer, removeContainersOnExit, whereOf } from "./part.js"

const SLEEPER = ["sh", "-c", "trap 'exit 0' TERM; sleep 60 & wait"]
/** Prints the TTY's path, or "not a tty"; exits 0 either way. */
const TTY_PROBE = ["sh", "-c", "tty; true"]
/** Prints the TTY's path, then copies stdin (to the terminal's EOF). */
const TTY_CAT = ["sh", "-c", "tty; cat"]
/** Prints the TTY's path, reads a line, prints it back. */
const TTY_READ = ["sh", "-c", "tty; read x; echo got:$x"]
/** Reads a line, exits 7. */
const READ_EXIT = ["sh", "-c", "read x; exit 7"]
/**
 * Writes 3000 files, then reads a line and prints it back: a container whose removal takes a
 * while (its writable layer has to go), so that a run returning before the removal is seen.
 */
const WRITE_MANY_THEN_READ = [
  "sh",
  "-c",
  "mkdir /many; i=0; while [ $i -lt 3000 ]; do echo $i > /many/$i; i=$((i+1)); done; read x; echo got:$x"
]
/** A terminal's end of file (Ctrl-D). */
const EOT = "\x04"
/** Ends the bytes as a terminal's end of file would: a TTY does not pass on the pipe's end. */
const INPUT = `hello-through-tty\n${EOT}`

const ttyLine = (tty: boolean | undefined) => (tty === true ? "/dev/pts/0\n" : "not a tty\n")

/** How the in-memory runtime answers the commands of these tests. */
export const ttyHandlers: ReadonlyArray<TestRuntime.Handler> = [
  TestRuntime.handler("*", TTY_PROBE, (ctx) => ({ stdout: ttyLine(ctx.tty), exitCode: 0 })),
  TestRuntime.handler("*", TTY_CAT, (ctx) => ({
    stdout: ttyLine(ctx.tty) + ctx.stdinText.replace(EOT, ""),
    exitCode: 0
  })),
  TestRuntime.handler("*", TTY_READ, (ctx) => ({
    stdout: `${ttyLine(ctx.tty)}got:${ctx.stdinText.split("\n")[0] ?? ""}\n`,
    exitCode: 0
  })),
  TestRuntime.handler("*", READ_EXIT, () => ({ stdout: "", exitCode: 7 })),
  TestRuntime.handler("*", WRITE_MANY_THEN_READ, (ctx) => ({
    stdout: `got:${ctx.stdinText.split("\n")[0] ?? ""}\n`,
    exitCode: 0
  }))
]

const PTS = /^\/dev\/pts\/\d+\r?$/m

/** Declares these tests for one runtime (see `conformance` in `suite.ts`). */
export const ttyConformance: Part = (kind, runtime, capabilities, image) => {
  const where = whereOf(kind, capabilities)
  const sleeper = Def.make(image).pipe(Def.command(SLEEPER))

  partLayer(runtime)(`tty ${where}`, (it) => {
    it.scoped("tty: an exec sees a TTY with `tty` and none without, no stdin", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(sleeper)
        const withTty = yield* c.exec(TTY_PROBE, { tty: true })
        expect(withTty.stdout).toMatch(PTS)
        const without = yield* c.exec(TTY_PROBE)
        expect(without.stdout.trim()).toBe("not a tty")
      })
    )

    it.scoped("tty: an exec without a TTY still takes stdin", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(sleeper)
        const result = yield* c.exec(TTY_CAT, { stdin: "plain\n" })
        expect(result.stdout).toBe("not a tty\nplain\n")
      })
    )

    it.scoped("tty: an exec with a TTY receives stdin: `read` gets the line, the exit code is passed through", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(sleeper)
        const read = yield* c.exec(TTY_READ, { tty: true, stdin: "hello\n", timeout: "30 seconds" })
        expect(read.exitCode).toBe(0)
        expect(read.stdout).toMatch(PTS)
        expect(read.stdout).toMatch(/^got:hello\r?$/m)
        const exited = yield* c.exec(READ_EXIT, { tty: true, stdin: "hello\n", timeout: "30 seconds" })
        expect(exited.exitCode).toBe(7)
      })
    )

    it.scoped("tty: `cat` with a TTY copies stdin and ends at the terminal's end of file", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(sleeper)
        const result = yield* c.exec(TTY_CAT, { tty: true, stdin: INPUT, timeout: "30 seconds" })
        expect(result.exitCode).toBe(0)
        expect(result.stdout).toMatch(PTS)
        expect(result.stdout).toContain("hello-through-tty")
        // an open stdin without bytes: the command runs with its TTY
        const interactive = yield* c.exec(TTY_PROBE, { tty: true, interactive: true, timeout: "30 seconds" })
        expect(interactive.exitCode).toBe(0)
        expect(interactive.stdout).toMatch(PTS)
      })
    )

    it.scoped("tty: a streamed exec with a TTY receives stdin, line by line", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(sleeper)
        const lines = yield* Stream.runCollect(
          c.streamExec(TTY_READ, { tty: true, stdin: "hello\n", timeout: "30 seconds" })
        )
        const texts = Chunk.toReadonlyArray(lines).map((line) => line.text)
        expect(texts.some((text) => PTS.test(text))).toBe(true)
        expect(texts).toContain("got:hello")
        const failed = yield* Effect.flip(
          Stream.runDrain(c.streamExec(READ_EXIT, { tty: true, stdin: "hello\n", timeout: "30 seconds" }))
        )
        expect(failed).toMatchObject({ _tag: "ContainerExitedNonZero", exitCode: 7 })
      })
    )

    it.effect("tty: a foreground run withTty sees a TTY, without it none", () =>
      Effect.gen(function* () {
        const withTty = yield* Container.run(Def.make(image).pipe(Def.command(TTY_PROBE), Def.withTty, Def.withRemove))
        expect(withTty.stdout).toMatch(PTS)
        const without = yield* Container.run(Def.make(image).pipe(Def.command(TTY_PROBE), Def.withRemove))
        expect(without.stdout.trim()).toBe("not a tty")
      })
    )

    it.effect("tty: a foreground run withTty and withInteractive receives stdin, its exit code passed through", () =>
      Effect.gen(function* () {
        const definition = (command: ReadonlyArray<string>) =>
          Def.make(image).pipe(Def.command(command), Def.withTty, Def.withInteractive, Def.withRemove)
        const read = yield* Container.run(definition(TTY_READ), { stdin: "hello\n", timeout: "30 seconds" })
        expect(read.exitCode).toBe(0)
        expect(read.stdout).toMatch(PTS)
        expect(read.stdout).toMatch(/^got:hello\r?$/m)
        const cat = yield* Container.run(definition(TTY_CAT), { stdin: INPUT, timeout: "30 seconds" })
        expect(cat.stdout).toMatch(PTS)
        expect(cat.stdout).toContain("hello-through-tty")
        // `Container.run` fails on a non-zero exit: the code is the command's
        const exited = yield* Effect.flip(
          Container.run(definition(READ_EXIT), { stdin: "hello\n", timeout: "30 seconds" })
        )
        expect(exited).toMatchObject({ _tag: "ContainerExitedNonZero", exitCode: 7 })
      })
    )

    it.scoped(
      "tty: a removed foreground run fed stdin, with a TTY or not, staged or not, has left nothing once it returns",
      () =>
        Effect.gen(function* () {
          const markerName = `ociman-test.tty-removed-${where}-${process.pid}`
          const marker = labelKey(markerName)
          yield* removeContainersOnExit(markerName)
          const slowToRemove = Def.make(image).pipe(
            Def.labels({ [marker]: "1" }),
            Def.command(WRITE_MANY_THEN_READ),
            Def.withInteractive,
            Def.withRemove
          )
          // with a TTY (Docker: over its API), without one, and staged (a file put in before the start)
          const staged = Def.files({ target: "/tmp/staged", content: "x" })
          for (const definition of [
            slowToRemove.pipe(Def.withTty),
            slowToRemove.pipe(Def.withTty, staged),
            slowToRemove,
            slowToRemove.pipe(staged)
          ]) {
            const result = yield* Container.run(definition, { stdin: "hello\n", timeout: "60 seconds" })
            expect(result.stdout).toMatch(/^got:hello\r?$/m)
            expect(yield* Container.list([Label.keyOnly(marker)])).toEqual([])
          }
        })
    )
  })
}
