/**
 * Calls that Podman can fail while another process removes an image, or a volume or container they
 * list (`storageRace` in `../dialect/images.ts`): the image operations that read, retag or remove,
 * and the labeled listings, ask again a few times before the failure is classified. Only calls
 * that are safe to repeat go through here (never a build, pull or push).
 */
import { Duration, Effect } from "effect"
import type { ProcessError } from "../../CliError.js"
import type { CliOptions, CliResult, Service } from "../../ContainerRuntime.js"
import { imageDialects } from "../dialect/images.js"
import type { Kind } from "../kind.js"
import { type Answer, askAgainAfterBriefFailure, type BriefFailure } from "./askAgain.js"
import { decodeText } from "./process.js"

type Cli = Service["cli"]

/** How many more times a raced call is asked. */
export const STORAGE_RACE_RETRIES = 4
/** The pause before each: the other process's removal takes tens of milliseconds. */
const PAUSE = Duration.millis(100)

/** Whether a result of `kind`'s CLI failed only because another process removed an image while it was read. */
export const raced = (kind: Kind, result: CliResult): boolean => {
  const race = imageDialects[kind].storageRace
  return race !== undefined && result.exitCode === race.exitCode && race.stderr.test(decodeText(result.stderr))
}

/** A storage race, as a brief failure of `kind`'s CLI. */
const storageRace = (kind: Kind): BriefFailure => ({
  isBrief: (result) => raced(kind, result),
  retries: STORAGE_RACE_RETRIES,
  pause: PAUSE
})

/**
 * Runs `args`, asking again (up to `STORAGE_RACE_RETRIES` times) while the call fails with a
 * storage race. The last result is returned as it is, raced or not, for the caller to classify.
 */
export const askAgainAfterStorageRace = (
  kind: Kind,
  cli: Cli,
  args: ReadonlyArray<string>,
  options?: CliOptions
): Effect.Effect<Answer, ProcessError> => askAgainAfterBriefFailure(cli, args, options, storageRace(kind))

/** `cli` of a `kind` runtime, each call asked again after storage races (see `askAgainAfterStorageRace`). */
export const askingAgainAfterStorageRace =
  (kind: Kind, cli: Cli): Cli =>
  (args, options) =>
    Effect.map(askAgainAfterStorageRace(kind, cli, args, options), (answer) => answer.result)
