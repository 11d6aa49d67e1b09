/**
 * Queries that Podman can fail while another process removes an image (`STORAGE_RACE`): the
 * image operations that only read or retag, and the labeled listings, go through
 * `askingAgainAfterStorageRace`, which asks again a few times before the failure is classified.
 * Only calls that are safe to repeat go through it (never a build, pull or push).
 */
import { Duration, Effect } from "effect"
import type { ProcessError } from "../../CliError.js"
import type { CliResult, Service } from "../../ContainerRuntime.js"
import { STORAGE_RACE } from "../dialect/images.js"
import { decodeText } from "./process.js"

type Cli = Service["cli"]

/** How many more times a raced call is asked. */
export const STORAGE_RACE_RETRIES = 4
/** The pause before each: the other process's removal takes tens of milliseconds. */
const PAUSE = Duration.millis(100)

/** Whether a result failed only because another process removed an image while it was read. */
export const raced = (result: CliResult): boolean =>
  result.exitCode !== 0 && STORAGE_RACE.test(decodeText(result.stderr))

/**
 * `cli`, asking again (up to `STORAGE_RACE_RETRIES` times) while a call fails with a storage race.
 * The last result is returned as it is, raced or not, for the caller to classify.
 */
export const askingAgainAfterStorageRace =
  (cli: Cli): Cli =>
  (args, options) => {
    const ask = (retriesLeft: number): Effect.Effect<CliResult, ProcessError> =>
      Effect.flatMap(cli(args, options), (result) =>
        retriesLeft > 0 && raced(result)
          ? Effect.zipRight(Effect.sleep(PAUSE), ask(retriesLeft - 1))
          : Effect.succeed(result)
      )
    return ask(STORAGE_RACE_RETRIES)
  }
