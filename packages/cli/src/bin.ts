/**
 * Entry point of the `ociman` command: one clear line and a non-zero exit code on failure, and
 * 130 / 143 after SIGINT / SIGTERM, once the program's scopes are closed (its containers removed).
 *
 * Start-up is kept short: only @effect/cli and the commands' declarations load here; a command's
 * action (and the ociman library) loads when it runs, and the platform provided here is what
 * @effect/cli itself needs (files, paths, the terminal).
 */
import * as Command from "@effect/cli/Command"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import type * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import { prepareArgs } from "./argv.js"
import { commandSpecs, ociman } from "./Cli.js"
import { recordSignal, teardown } from "./exit.js"
import { helpPage } from "./help.js"
import { colourWanted, type Failure, failureLines, parserConsole } from "./output.js"

const APP = { name: "ociman", version: "0.1.0" } as const

// Before runMain installs its own listeners, which interrupt the program but forget the signal.
const signal = recordSignal()

const [runtime = "node", script = "ociman", ...args] = process.argv
const prepared = prepareArgs(args, commandSpecs)
const verbose = Either.match(prepared, { onLeft: () => args.includes("--verbose"), onRight: (line) => line.verbose })

/** @effect/cli prints help and usage errors with the parser console; the command runs with the real one. */
const parseAndRun = (line: ReadonlyArray<string>) =>
  Effect.consoleWith((console) => {
    const cli = Command.run(
      Command.transformHandler(ociman, (effect) => Effect.withConsole(effect, console)),
      APP
    )
    return Effect.withConsole(
      cli([runtime, script, ...line]),
      parserConsole(console, colourWanted(process.stdout, process.env))
    )
  })

const cliPlatform = Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer)

const program = Effect.flatMap(prepared, (line) => {
  if (line.help === undefined) return parseAndRun(line.args)
  const page = helpPage(ociman, { ...APP, colour: colourWanted(process.stdout, process.env) }, line.help.subcommand)
  return page === undefined ? parseAndRun(line.args) : Console.log(page)
})

program.pipe(
  Effect.tapErrorCause((cause: Cause.Cause<Failure>) =>
    Effect.forEach(failureLines(cause, verbose), (text) => Console.error(text))
  ),
  Effect.provide(cliPlatform),
  NodeRuntime.runMain({ disableErrorReporting: true, teardown: teardown(signal) })
)
