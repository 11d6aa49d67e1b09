/**
 * Conformance: TTYs (issue #17). Part of the suite in `suite.ts`, run on Docker, Podman (both
 * transports) and the in-memory runtime. Observed from inside, with busybox `tty`:
 * - an exec or a foreground run with `tty` prints a `/dev/pts/N` path, without it "not a tty",
 *   with or without stdin;
 * - stdin bytes reach a command that has a TTY on Podman (ended by the terminal's EOF, `\x04`:
 *   over a TTY the end of stdin is not an end of file); Docker's CLI cannot take them from a pipe,
 *   so that is `TtyInputUnsupported` before anything runs.
 */
import { expect } from "@effect/vitest"
import { Effect } from "effect"
import { Container, ContainerDefinition as Def, TestRuntime } from "ociman"
import { type Part, partLayer, whereOf } from "./part.js"

const SLEEPER = ["sh", "-c", "trap 'exit 0' TERM; sleep 60 & wait"]
/** Prints the TTY's path, or "not a tty"; exits 0 either way. */
const TTY_PROBE = ["sh", "-c", "tty; true"]
/** Prints the TTY's path, then copies stdin (to the terminal's EOF). */
const TTY_CAT = ["sh", "-c", "tty; cat"]
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

    it.scoped(
      kind === "docker"
        ? "tty: an exec with a TTY and stdin is TtyInputUnsupported on Docker, before anything runs"
        : "tty: an exec with a TTY receives stdin on Podman",
      () =>
        Effect.gen(function* () {
          const c = yield* Container.start(sleeper)
          if (kind === "docker") {
            const error = yield* Effect.flip(c.exec(TTY_CAT, { tty: true, stdin: INPUT }))
            expect(error._tag).toBe("TtyInputUnsupported")
            expect(error.message).toContain("drop `tty`")
            // an open stdin without bytes is the same refusal
            const interactive = yield* Effect.flip(c.exec(TTY_PROBE, { tty: true, interactive: true }))
            expect(interactive._tag).toBe("TtyInputUnsupported")
          } else {
            const result = yield* c.exec(TTY_CAT, { tty: true, stdin: INPUT, timeout: "30 seconds" })
            expect(result.exitCode).toBe(0)
            expect(result.stdout).toMatch(PTS)
            expect(result.stdout).toContain("hello-through-tty")
          }
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

    it.effect(
      kind === "docker"
        ? "tty: a foreground run withTty and withInteractive is TtyInputUnsupported on Docker"
        : "tty: a foreground run withTty and withInteractive receives stdin on Podman",
      () =>
        Effect.gen(function* () {
          const definition = Def.make(image).pipe(
            Def.command(TTY_CAT),
            Def.withTty,
            Def.withInteractive,
            Def.withRemove
          )
          if (kind === "docker") {
            const error = yield* Effect.flip(Container.run(definition, { stdin: INPUT }))
            expect(error._tag).toBe("TtyInputUnsupported")
          } else {
            const result = yield* Container.run(definition, { stdin: INPUT, timeout: "30 seconds" })
            expect(result.stdout).toMatch(PTS)
            expect(result.stdout).toContain("hello-through-tty")
          }
        })
    )
  })
}
