/**
 * `ociman run -i` / `-t` (see `commands/run.ts`): a container's log carries no stdin and no
 * terminal, so this is not `run.ts`'s foreground run.
 *
 * On a terminal (stdin and stdout both terminals, no `--json`) the engine's CLI runs the container
 * attached to it, `docker run --rm --interactive --tty …`, as `ociman exec -it` hands the terminal
 * to `docker exec`. Its argv is built here from the definition's fields (the library keeps its own
 * argv builders internal) with the ownership labels the library gives a scoped container, so the
 * sweeper treats it as one (`ociman prune` removes it if ociman is killed outright), and a nonce
 * label that finds it again: on SIGINT / SIGTERM it is removed (stopped with `--keep`) before
 * ociman exits 130 / 143. Otherwise ociman exits with the container command's exit code.
 *
 * Without a terminal (or with `--json`) the library's foreground run (`Container.run`), with a TTY
 * and, with `-i`, what is piped in as its stdin: a TTY fed from a pipe is the library's to deliver
 * (over Docker's API) or refuse (`TtyInputUnsupported`), as for `ociman exec -it`.
 */
import { FileSystem, Path } from "@effect/platform"
import { Console, Duration, Effect, Either, Exit, Redacted } from "effect"
import * as Container from "ociman/Container"
import * as Def from "ociman/ContainerDefinition"
import * as ContainerRuntime from "ociman/ContainerRuntime"
import * as EnvVar from "ociman/EnvVar"
import * as ImageReference from "ociman/ImageReference"
import * as Label from "ociman/Label"
import * as Port from "ociman/Port"
import * as Sweeper from "ociman/Sweeper"
import { filesLayer } from "../platform.js"
import { exitWith, writeOut } from "./containerFlags.js"
import { UsageError } from "./errors.js"
import { type Attached, endedWithin, exitCodeOf, onTerminal, pipedInput, spawnAttached } from "./terminal.js"

/** What `-i` / `-t` change, and the run flags that go with them. */
export interface AttachedOptions {
  readonly interactive: boolean
  readonly tty: boolean
  readonly keep: boolean
  readonly json: boolean
}

/** The JSON document of a foreground run (`run.ts`'s `runJson.foreground`). */
export type ForegroundJson = (exitCode: number, stdout: string, stderr: string) => object

const fromEither = <A, E>(either: Either.Either<A, E>): Effect.Effect<A, E> =>
  Either.match(either, { onLeft: Effect.fail, onRight: Effect.succeed })

// ---------------------------------------------------------------------------------------------
// The ownership labels
// ---------------------------------------------------------------------------------------------

/** The label whose value finds this run's container again (the library's `ociman.start`). */
export const NONCE_LABEL = "ociman.start"

/**
 * The labels the library gives a container it starts (`Sweeper.ownershipLabels`): `scoped` for a
 * container removed when the run ends, `detached` for a `--keep` one (the caller's, as `run --keep`
 * is); and the nonce. Asked of the library because the engine's CLI, not the library, creates it.
 */
export const ownershipLabels = (
  lifecycle: "scoped" | "detached",
  nonce: string,
  now: Date
): ReadonlyArray<readonly [string, string]> => [...Sweeper.ownershipLabels(lifecycle, now), [NONCE_LABEL, nonce]]

// ---------------------------------------------------------------------------------------------
// The argv (pure)
// ---------------------------------------------------------------------------------------------

/**
 * How the variables reach the container without a value in argv, as the library does: `--env
 * NAME` with the value in the CLI's environment, or (names the CLI reads itself, names with `*`:
 * `EnvVar.usesEnvFile`) a line of an env file.
 */
export interface EnvPlan {
  readonly args: ReadonlyArray<string>
  readonly processEnv: Readonly<Record<string, string>>
  readonly envFile: string | undefined
}

const reveal = (value: EnvVar.Value): string => (Redacted.isRedacted(value) ? Redacted.value(value) : value)

export const envPlan = (vars: Def.Fields["env"]): EnvPlan => {
  const inFile = vars.filter(([name]) => EnvVar.usesEnvFile(name))
  const inEnv = vars.filter(([name]) => !EnvVar.usesEnvFile(name))
  return {
    args: inEnv.flatMap(([name]) => ["--env", name]),
    // `fromEntries` defines own properties, so a variable named `__proto__` stays a variable
    processEnv: Object.fromEntries(inEnv.map(([name, value]) => [name, reveal(value)])),
    envFile: inFile.length === 0 ? undefined : inFile.map(([name, value]) => `${name}=${reveal(value)}\n`).join("")
  }
}

const flag = (name: string, value: string | undefined): ReadonlyArray<string> =>
  value === undefined ? [] : [name, value]

/**
 * `container run [--rm] [--interactive] [--tty] [--name N] <env> [--label K=V]… [--publish S]…
 * [--workdir W] [--entrypoint E] [--user U] [--network N] IMAGE [command…]`: the fields `ociman
 * run` sets, in the library's order.
 */
export const attachedRunArgs = (
  fields: Def.Fields,
  options: {
    readonly image: string
    readonly labels: Label.Labels
    readonly envArgs: ReadonlyArray<string>
    readonly interactive: boolean
    readonly tty: boolean
    readonly remove: boolean
  }
): ReadonlyArray<string> => [
  "container",
  "run",
  ...(options.remove ? ["--rm"] : []),
  ...(options.interactive ? ["--interactive"] : []),
  ...(options.tty ? ["--tty"] : []),
  ...flag("--name", fields.name),
  ...options.envArgs,
  ...options.labels.flatMap(([key, value]) => ["--label", `${key}=${value}`]),
  ...fields.publish.flatMap((publish) => ["--publish", Port.format(publish)]),
  ...flag("--workdir", fields.workdir),
  ...flag("--entrypoint", fields.entrypoint),
  ...flag("--user", fields.user),
  ...flag("--network", fields.network),
  options.image,
  ...fields.command
]

// ---------------------------------------------------------------------------------------------
// On a terminal
// ---------------------------------------------------------------------------------------------

/**
 * The env file's text in a fresh private directory (0700, the file 0600), removed when the scope
 * closes; the CLI reads it before the container starts.
 */
const writeEnvFile = (text: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    // not `makeTempDirectoryScoped`, which would turn a failed removal into a defect
    const directory = yield* Effect.acquireRelease(fs.makeTempDirectory({ prefix: "ociman-env-" }), (created) =>
      fs
        .remove(created, { recursive: true, force: true })
        .pipe(
          Effect.catchAll((error) =>
            Effect.logWarning(`ociman: could not remove the env file directory ${created}: ${error.message}`)
          )
        )
    )
    yield* fs.chmod(directory, 0o700)
    const file = path.join(directory, "env")
    yield* fs.writeFileString(file, text, { flag: "wx", mode: 0o600 })
    yield* fs.chmod(file, 0o600)
    return file
  }).pipe(
    Effect.mapError((error) => new UsageError({ detail: `writing the env file of -e: ${error.message}` })),
    Effect.provide(filesLayer)
  )

/** Removes (with `keep`, stops) the containers carrying this run's nonce; failures are logged. */
const endContainers = (nonce: Label.Filter, keep: boolean) =>
  Container.list([nonce]).pipe(
    Effect.flatMap((found) =>
      Effect.forEach(
        found,
        (listed) =>
          Effect.flatMap(Container.handle(listed.id), (container) =>
            keep ? container.stop({ timeout: "10 seconds" }) : container.remove({ force: true })
          ).pipe(Effect.catchTag("ContainerNotFound", () => Effect.void)),
        { concurrency: "unbounded", discard: true }
      )
    ),
    Effect.catchAll((error) => Effect.logWarning(`ociman: could not end the container of this run: ${error.message}`))
  )

/**
 * The release of an interrupted run (SIGINT, SIGTERM): the container goes (which ends the CLI
 * attached to it, and lets it give the terminal back as it was), looked for again while the CLI
 * has not ended, for a container it created after the first look; a CLI still running after that
 * is terminated, then killed.
 */
const release = (attached: Attached, nonce: Label.Filter, keep: boolean) =>
  Effect.gen(function* () {
    for (let attempt = 0; attempt < 10; attempt++) {
      yield* endContainers(nonce, keep)
      if (yield* endedWithin(attached, 500)) return
    }
    attached.child.kill("SIGTERM")
    if (!(yield* endedWithin(attached, 2000))) attached.child.kill("SIGKILL")
    yield* endContainers(nonce, keep)
  })

/** The container run by the engine's CLI on this terminal; its command's exit code. */
const attachedOnTerminal = (def: Def.ContainerDefinition, options: AttachedOptions) =>
  Effect.scoped(
    Effect.gen(function* () {
      const runtime = yield* ContainerRuntime.ContainerRuntime
      const fields = Def.fields(def)
      const image = yield* fromEither(ImageReference.fromInput(fields.image))
      const nonce = globalThis.crypto.randomUUID()
      const owned = ownershipLabels(options.keep ? "detached" : "scoped", nonce, new Date())
      // the library's labels win over the user's, as they do for `Container.start`
      const labels = yield* fromEither(Label.make([...fields.labels, ...owned]))
      const nonceFilter = Label.exact(yield* fromEither(Label.key(NONCE_LABEL)), yield* fromEither(Label.value(nonce)))
      const env = envPlan(fields.env)
      const envFile = env.envFile === undefined ? undefined : yield* writeEnvFile(env.envFile)
      const args = attachedRunArgs(fields, {
        image: ImageReference.format(image),
        labels,
        envArgs: envFile === undefined ? env.args : [...env.args, "--env-file", envFile],
        interactive: options.interactive,
        tty: options.tty,
        remove: !options.keep
      })
      return yield* Effect.acquireUseRelease(
        spawnAttached(runtime.backend.executable, args, env.processEnv),
        exitCodeOf,
        (attached, exit) => (Exit.isSuccess(exit) ? Effect.void : release(attached, nonceFilter, options.keep))
      )
    })
  )

// ---------------------------------------------------------------------------------------------
// Without a terminal
// ---------------------------------------------------------------------------------------------

/**
 * The library's foreground run, fed what is piped in with `-i`; no deadline (a run lasts as long
 * as its command). Its output is printed once it has exited, or as one `--json` document.
 */
const attachedPiped = (def: Def.ContainerDefinition, options: AttachedOptions, foregroundJson: ForegroundJson) =>
  Effect.gen(function* () {
    const stdin = options.interactive ? yield* pipedInput(options.tty) : undefined
    let run = options.keep ? def : Def.withRemove(def)
    if (options.tty) run = Def.withTty(run)
    if (options.interactive) run = Def.withInteractive(run)
    const outcome = yield* Container.run(run, { stdin, timeout: Duration.infinity }).pipe(
      Effect.map((result) => ({
        exitCode: result.exitCode,
        stdout: result.stdoutBytes,
        stderr: result.stderrBytes,
        stdoutText: result.stdout,
        stderrText: result.stderr
      })),
      // a non-zero exit is the command's answer: ociman exits with it
      Effect.catchTag("ContainerExitedNonZero", (exited) =>
        Effect.succeed({
          exitCode: exited.exitCode,
          stdout: Buffer.from(exited.stdout),
          stderr: Buffer.from(exited.stderr),
          stdoutText: exited.stdout,
          stderrText: exited.stderr
        })
      )
    )
    if (options.json) {
      yield* Console.log(JSON.stringify(foregroundJson(outcome.exitCode ?? 1, outcome.stdoutText, outcome.stderrText)))
    } else {
      yield* writeOut(process.stdout, outcome.stdout)
      yield* writeOut(process.stderr, outcome.stderr)
    }
    return outcome.exitCode
  })

/**
 * `ociman run -i` / `-t` in the foreground: attached to this terminal, or the library's run
 * without one; ociman exits with the container command's exit code.
 */
export const runAttached = (def: Def.ContainerDefinition, options: AttachedOptions, foregroundJson: ForegroundJson) =>
  Effect.flatMap(
    !options.json && onTerminal() ? attachedOnTerminal(def, options) : attachedPiped(def, options, foregroundJson),
    exitWith
  )
