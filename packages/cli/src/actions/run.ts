/**
 * What `ociman run` does (see `commands/run.ts`).
 *
 * The output is the container's log, line by line: each line is printed with a newline (a last line
 * without one gets one), as text. `--json` prints one document when the container has exited.
 */
import { Console, Effect, Exit, Option, Ref, Stream } from "effect"
import * as Container from "ociman/Container"
import * as Def from "ociman/ContainerDefinition"
import type * as ContainerRuntime from "ociman/ContainerRuntime"
import * as Image from "ociman/Image"
import * as Wait from "ociman/Wait"
import type { RunInput } from "../commands/run.js"
import { runtimeLayer } from "../runtimeLayer.js"
import { pullShown } from "./pull.js"
import { exitWith, parseEnv, parseLabels, parseName, parsePublish, writeLine } from "./containerFlags.js"
import { runAttached } from "./runAttached.js"

/** What the definition is made of: `-i` / `-t` change how it runs (see `action`), not what it is. */
export type DefinitionInput = Omit<RunInput, "interactive" | "tty">

/**
 * The definition the flags describe; every value is validated here, before a runtime is probed.
 * A field set here needs its flag in `runAttached.ts`'s `attachedRunArgs` too (`-it` on a terminal).
 */
export const toDefinition = (input: DefinitionInput) =>
  Effect.gen(function* () {
    const env = yield* parseEnv(input.env)
    const labels = yield* parseLabels(input.label)
    const publish = yield* Effect.forEach(input.publish, parsePublish)
    let def = Def.make(input.image).pipe(
      Def.command(input.command),
      Def.env(env),
      Def.labels(labels),
      Def.publish(...publish)
    )
    if (Option.isSome(input.name)) def = Def.name(yield* parseName(input.name.value))(def)
    if (Option.isSome(input.workdir)) def = Def.workdir(input.workdir.value)(def)
    if (Option.isSome(input.user)) def = Def.user(input.user.value)(def)
    if (Option.isSome(input.entrypoint)) def = Def.entrypoint(input.entrypoint.value)(def)
    if (Option.isSome(input.network)) def = Def.network(input.network.value)(def)
    // No --rm, even in the foreground: its log and exit code are read until it has exited (an --rm
    // container may vanish first); the scope that started it removes it then.
    return def
  })

/** The JSON document `ociman run --json` prints: the id when detached, else the outcome. */
export const runJson = {
  detached: (id: string) => ({ id }),
  foreground: (exitCode: number, stdout: string, stderr: string) => ({ exitCode, stdout, stderr })
}

/** What a foreground run does with each line of the container's output, as it is written. */
export type OnLine = (line: ContainerRuntime.LogLine) => Effect.Effect<void>

/**
 * Started in the scope, and only stopped when the run does not end normally (Ctrl-C, a failure),
 * so that `--keep` keeps it. A detached start: the user removes it (or `prune --include-detached`).
 */
const startKept = (def: Def.ContainerDefinition) =>
  Effect.acquireRelease(Container.startDetached(def), (container, exit) =>
    Exit.isSuccess(exit) ? Effect.void : Effect.ignore(container.stop())
  )

/**
 * Runs `def` in the foreground: starts it in a scope (which removes it, or with `keep` stops it
 * if the run is interrupted), follows its logs into `onLine` while waiting for it to exit, and
 * returns its exit code once its output is drained.
 */
export const foreground = (
  def: Def.ContainerDefinition,
  options: { readonly keep: boolean; readonly onLine: OnLine }
) =>
  Effect.scoped(
    Effect.gen(function* () {
      // released as `docker run` ends on Ctrl-C: SIGTERM and a grace period, then the kill; no
      // readiness wait, as `docker run` has none (a one-shot command may have exited already)
      const container = yield* options.keep
        ? startKept(def)
        : Container.start(def, { stopTimeout: "10 seconds", waitFor: Wait.none })
      // Together: a failing log stream ends the wait too; `logs --follow` ends when the container exits.
      const [, exitCode] = yield* Effect.all(
        [container.streamLogs({ follow: true }).pipe(Stream.runForEach(options.onLine)), container.wait],
        { concurrency: 2 }
      )
      return exitCode
    })
  )

/** Each line to the terminal as it comes, on the stream it was written to. */
const printLine: OnLine = (line) => writeLine(line.stream === "stdout" ? process.stdout : process.stderr, line.text)

/** `--json`: the lines are kept, and printed as one document once the container has exited. */
const foregroundJson = (def: Def.ContainerDefinition, keep: boolean) =>
  Effect.gen(function* () {
    const output = yield* Ref.make({ stdout: "", stderr: "" })
    const onLine: OnLine = (line) =>
      Ref.update(output, ({ stderr, stdout }) =>
        line.stream === "stdout"
          ? { stdout: `${stdout}${line.text}\n`, stderr }
          : { stdout, stderr: `${stderr}${line.text}\n` }
      )
    const exitCode = yield* foreground(def, { keep, onLine })
    const { stderr, stdout } = yield* Ref.get(output)
    yield* Console.log(JSON.stringify(runJson.foreground(exitCode, stdout, stderr)))
    return exitCode
  })

/** With `-i` / `-t` a detached container keeps stdin open / gets a TTY (`docker run -dit`: attach later). */
const detached = (def: Def.ContainerDefinition, input: RunInput) =>
  Effect.flatMap(
    Container.startDetached(
      def.pipe(
        (d) => (input.tty ? Def.withTty(d) : d),
        (d) => (input.interactive ? Def.withInteractive(d) : d)
      )
    ),
    (container) => Console.log(input.json ? JSON.stringify(runJson.detached(container.id)) : container.id)
  )

/** The container's exit code is its answer, not ociman's failure: the command exits with it. */
const inForeground = (def: Def.ContainerDefinition, keep: boolean, json: boolean) =>
  Effect.flatMap(json ? foregroundJson(def, keep) : foreground(def, { keep, onLine: printLine }), exitWith)

/**
 * A missing image is pulled first, its progress on stderr as `ociman pull` shows it (the layer
 * board on a terminal), unless `--json` keeps the output to one document: the start then pulls it
 * quietly.
 */
const pulledIfMissing = (image: string, json: boolean) =>
  json
    ? Effect.void
    : Effect.flatMap(Image.exists(image), (present) => (present ? Effect.void : pullShown(image, "stderr")))

export const action = (input: RunInput) =>
  Effect.gen(function* () {
    const def = yield* toDefinition(input)
    yield* pulledIfMissing(input.image, input.json)
    if (input.detach) return yield* detached(def, input)
    // -i / -t: the container's log carries no stdin and no terminal (see `runAttached.ts`)
    return yield* input.interactive || input.tty
      ? runAttached(def, input, runJson.foreground)
      : inForeground(def, input.keep, input.json)
  }).pipe(Effect.provide(runtimeLayer(input.backend, { foreground: !input.detach })))
