/**
 * Container output as it happens: `container logs [--follow]` and `container exec` streamed line
 * by line through `process.stream`, stdout and stderr drained concurrently.
 *
 * A missing container is asked about first (one cheap probe) so that the CLI's own "no such
 * container" message is not handed to the caller as a line the container wrote. If the container
 * goes away between the probe and the call, the exit is still classified as `ContainerNotFound`.
 */
import type { CommandExecutor, FileSystem, Path } from "@effect/platform"
import { type Context, Effect, Stream } from "effect"
import type { CliError } from "../../CliError.js"
import { ContainerExitedNonZero, ContainerNotFound, ContainerPaused } from "../../ContainerError.js"
import type { Backend } from "../../ContainerRuntime.js"
import { CONTAINER_NOT_FOUND, execArgs, streamLogsArgs, ttyInputRefusal } from "../dialect/containers.js"
import { envPlan } from "./env.js"
import { failure, type Invocation, stream, type StreamEvent } from "./process.js"
import type { ContainerOperations, LogLine } from "../../ContainerRuntime.js"

/** How many of the last lines of each output a `ContainerExitedNonZero` of a streamed exec keeps. */
export const STREAM_TAIL_LINES = 50

type Platform = CommandExecutor.CommandExecutor | FileSystem.FileSystem | Path.Path

/** The last lines of stdout and stderr, kept while the lines flow on. */
class Tail {
  readonly stdout: Array<string> = []
  readonly stderr: Array<string> = []
  keep(line: LogLine): void {
    const lines = line.stream === "stdout" ? this.stdout : this.stderr
    lines.push(line.text)
    if (lines.length > STREAM_TAIL_LINES) lines.shift()
  }
  text(stream: "stdout" | "stderr"): string {
    const lines = stream === "stdout" ? this.stdout : this.stderr
    return lines.map((line) => `${line}\n`).join("")
  }
}

type Exit = Extract<StreamEvent, { readonly _tag: "Exit" }>

/**
 * Turns a streamed call into its lines, deciding at the exit: `onExit` returns the failure to end
 * with, or `undefined` for a clean end.
 */
const linesUntilExit = <E, F, R>(
  events: Stream.Stream<StreamEvent, E, R>,
  onExit: (exit: Exit, tail: Tail) => Effect.Effect<F | undefined>
): Stream.Stream<LogLine, E | F, R> =>
  Stream.suspend(() => {
    const tail = new Tail()
    return events.pipe(
      Stream.mapEffect((event) => {
        if (event._tag === "Exit") {
          return Effect.flatMap(onExit(event, tail), (failed) =>
            failed === undefined ? Effect.succeed([]) : Effect.fail(failed)
          )
        }
        const line: LogLine = { stream: event._tag === "Stdout" ? "stdout" : "stderr", text: event.line }
        tail.keep(line)
        return Effect.succeed([line])
      }),
      Stream.flattenIterables
    )
  })

/** How a streamed exec ends when it fails. */
type ExecFailure = ContainerNotFound | ContainerPaused | ContainerExitedNonZero

const missing = (exit: Exit, tail: Tail): boolean =>
  exit.exitCode !== 0 && CONTAINER_NOT_FOUND.test(tail.text("stderr"))

/** The streaming members of the container operations of a CLI runtime. */
export const makeContainerStreams = (
  backend: Backend,
  /** Fails with `ContainerNotFound` unless the container exists. */
  present: (container: string) => Effect.Effect<void, ContainerNotFound | CliError>,
  /** Whether a failed exec was refused because the container is paused (as the non-streamed exec decides). */
  refusedAsPaused: (container: string, stderr: string) => Effect.Effect<boolean>,
  platform: Context.Context<Platform>
): Pick<ContainerOperations, "streamLogs" | "streamExec"> => {
  const run = (invocation: Omit<Invocation, "executable">) =>
    stream({ executable: backend.executable, ...invocation }).pipe(Stream.provideContext(platform))

  return {
    streamLogs: (container, options) =>
      Stream.unwrap(
        Effect.as(
          present(container),
          linesUntilExit(run({ args: streamLogsArgs(container, options) }), (exit, tail) =>
            Effect.succeed(
              exit.exitCode === 0
                ? undefined
                : missing(exit, tail)
                  ? new ContainerNotFound({ container })
                  : failure({
                      ...exit,
                      stdout: new Uint8Array(),
                      stderr: new TextEncoder().encode(tail.text("stderr"))
                    })
            )
          )
        )
      ),

    streamExec: (container, spec, options = {}) =>
      Stream.unwrapScoped(
        Effect.gen(function* () {
          yield* ttyInputRefusal(backend.kind, "exec", spec)
          yield* present(container)
          const env = yield* envPlan(spec.env)
          return linesUntilExit(
            run({
              args: execArgs(container, spec, env.args),
              env: env.env,
              secrets: env.secrets,
              stdin: spec.stdin,
              timeout: options.timeout
            }),
            (exit, tail): Effect.Effect<ExecFailure | undefined> =>
              exit.exitCode === 0
                ? Effect.succeed(undefined)
                : missing(exit, tail)
                  ? Effect.succeed(new ContainerNotFound({ container }))
                  : Effect.map(
                      refusedAsPaused(container, tail.text("stderr")),
                      (paused): ContainerPaused | ContainerExitedNonZero =>
                        paused
                          ? new ContainerPaused({ container, operation: "exec", stderr: tail.text("stderr").trim() })
                          : new ContainerExitedNonZero({
                              argv: exit.argv,
                              exitCode: exit.exitCode,
                              stdout: tail.text("stdout"),
                              stderr: tail.text("stderr")
                            })
                    )
          )
        }).pipe(Effect.provide(platform))
      )
  }
}
