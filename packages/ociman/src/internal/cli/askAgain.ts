/**
 * Calls an engine can fail for a moment because of what another process did meanwhile (removed an
 * image it was reading, deleted a host interface it was listing), and that are safe to repeat: they
 * are asked again a few times, after a short pause, before the failure is classified.
 */
import { type Duration, Effect } from "effect"
import type { ProcessError } from "../../CliError.js"
import type { CliOptions, CliResult, Service } from "../../ContainerRuntime.js"

type Cli = Service["cli"]

/** Which failures are brief, and how often and how patiently a call is asked again after one. */
export interface BriefFailure {
  readonly isBrief: (result: CliResult) => boolean
  readonly retries: number
  readonly pause: Duration.DurationInput
}

/** The last answer of a call, and whether an earlier attempt failed briefly. */
export interface Answer {
  readonly result: CliResult
  readonly askedAgain: boolean
}

/**
 * Runs `args`, asking again (up to `brief.retries` times) while the call fails briefly. The last
 * result is returned as it is, brief failure or not, for the caller to classify.
 */
export const askAgainAfterBriefFailure = (
  cli: Cli,
  args: ReadonlyArray<string>,
  options: CliOptions | undefined,
  brief: BriefFailure
): Effect.Effect<Answer, ProcessError> => {
  const ask = (retriesLeft: number, askedAgain: boolean): Effect.Effect<Answer, ProcessError> =>
    Effect.flatMap(cli(args, options), (result) =>
      retriesLeft > 0 && brief.isBrief(result)
        ? Effect.zipRight(Effect.sleep(brief.pause), ask(retriesLeft - 1, true))
        : Effect.succeed({ result, askedAgain })
    )
  return ask(brief.retries, false)
}
