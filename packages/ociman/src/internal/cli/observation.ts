/**
 * `top` and `stats` through the Docker and Podman CLIs (issue #17): the argv and decoders come
 * from the dialect (`dialect/observation.ts`); this module runs them and types the refusals.
 */
import { Effect, Either } from "effect"
import { type CliError, CommandFailed, UnexpectedOutput } from "../../CliError.js"
import { ContainerNotFound, ContainerNotRunning, StatsUnsupported } from "../../ContainerError.js"
import type { Backend, CliResult, ContainerOperations, ContainerStats, Service } from "../../ContainerRuntime.js"
import { decodeText } from "../bytes.js"
import { CONTAINER_NOT_FOUND } from "../dialect/containers.js"
import {
  EMPTY_SAMPLE,
  observationDialects,
  parseTop,
  STATS_UNSUPPORTED,
  TOP_NOT_RUNNING
} from "../dialect/observation.js"

/** Both answer in well under a second (Docker's stats waits for a second sample: about 1.5 s). */
const OBSERVATION_TIMEOUT = "60 seconds"

export const makeCliObservationOperations = (
  backend: Backend,
  cli: Service["cli"]
): Pick<ContainerOperations, "top" | "stats"> => {
  const dialect = observationDialects[backend.kind]

  /** A call that must succeed: a missing container and a stopped one are typed. */
  const observe = (
    container: string,
    operation: string,
    args: ReadonlyArray<string>
  ): Effect.Effect<CliResult, ContainerNotFound | ContainerNotRunning | StatsUnsupported | CliError> =>
    Effect.flatMap(
      cli(args, { timeout: OBSERVATION_TIMEOUT }),
      (result): Effect.Effect<CliResult, ContainerNotFound | ContainerNotRunning | StatsUnsupported | CliError> => {
        if (result.exitCode === 0) return Effect.succeed(result)
        const stderr = decodeText(result.stderr)
        if (STATS_UNSUPPORTED.test(stderr))
          return Effect.fail(new StatsUnsupported({ container, stderr: stderr.trim() }))
        if (CONTAINER_NOT_FOUND.test(stderr)) return Effect.fail(new ContainerNotFound({ container }))
        if (TOP_NOT_RUNNING.test(stderr)) {
          return Effect.fail(new ContainerNotRunning({ container, operation, stderr: stderr.trim() }))
        }
        return Effect.fail(
          new CommandFailed({
            argv: result.argv,
            exitCode: result.exitCode,
            signal: result.signal,
            stdout: decodeText(result.stdout),
            stderr
          })
        )
      }
    )

  return {
    top: (container) =>
      Effect.flatMap(observe(container, "top", dialect.topArgs(container)), (result) =>
        Either.match(parseTop(decodeText(result.stdout)), {
          onLeft: (line) =>
            Effect.fail(
              new UnexpectedOutput({ argv: result.argv, expected: "a PID USER COMMAND table", output: line })
            ),
          onRight: Effect.succeed
        })
      ),

    stats: (container) =>
      Effect.flatMap(
        observe(container, "stats", dialect.statsArgs(container)),
        (result): Effect.Effect<ContainerStats, UnexpectedOutput | ContainerNotRunning> =>
          Either.match(dialect.parseStats(decodeText(result.stdout)), {
            onLeft: (output) =>
              Effect.fail(new UnexpectedOutput({ argv: result.argv, expected: "one stats sample as JSON", output })),
            onRight: (reading) =>
              reading._tag === "Sample"
                ? Effect.succeed(reading.stats)
                : Effect.fail(new ContainerNotRunning({ container, operation: "stats", stderr: EMPTY_SAMPLE }))
          })
      )
  }
}
