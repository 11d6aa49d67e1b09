/**
 * Volume operations for the Docker and Podman CLIs: runs the argv of `../dialect/volumes.ts` and
 * classifies failures into typed errors (what differs per runtime is read from `volumeDialects`).
 */
import { Effect } from "effect"
import type { CliError } from "../../CliError.js"
import type { Backend, CliResult, Service, VolumeOperations } from "../../ContainerRuntime.js"
import { VolumeInUse, VolumeNameInUse, VolumeNotFound } from "../../VolumeError.js"
import {
  createArgs,
  nonceArgs,
  withNonce,
  labeledVolumes,
  VOLUME_IN_USE,
  VOLUME_NAME_IN_USE,
  VOLUME_NOT_FOUND,
  volumeDialects,
  volumeRemoveArgs
} from "../dialect/volumes.js"
import { listLabeled } from "./labeled.js"
import { askingAgainAfterStorageRace } from "./storageRace.js"
import { decodeText, failure as failed } from "./process.js"

type Cli = Service["cli"]

const TIMEOUT = "60 seconds"

/** Classifies a failed `volume rm`. */
export const classifyVolumeFailure = (volume: string, result: CliResult): VolumeNotFound | VolumeInUse | CliError => {
  const stderr = decodeText(result.stderr)
  if (VOLUME_IN_USE.test(stderr)) return new VolumeInUse({ volume, stderr })
  if (VOLUME_NOT_FOUND.test(stderr)) return new VolumeNotFound({ volume })
  return failed(result)
}

/** The volume operations of a CLI runtime. */
export const makeVolumeOperations = (backend: Pick<Backend, "kind">, cli: Cli): VolumeOperations => {
  const dialect = volumeDialects[backend.kind]

  const exists = (volume: string): Effect.Effect<boolean, CliError> =>
    Effect.flatMap(cli(dialect.existsArgs(volume), { timeout: TIMEOUT }), (result) =>
      result.exitCode === 0
        ? Effect.succeed(true)
        : dialect.absent(result.exitCode, decodeText(result.stderr))
          ? Effect.succeed(false)
          : Effect.fail(failed(result))
    )

  /** Whether the volume carries this create's nonce: Docker says yes to a create of an existing name. */
  const createdHere = (name: string, nonce: string): Effect.Effect<boolean, CliError> =>
    Effect.flatMap(cli(nonceArgs(name), { timeout: TIMEOUT }), (result) =>
      result.exitCode === 0 ? Effect.succeed(decodeText(result.stdout).trim() === nonce) : Effect.fail(failed(result))
    )

  const create: VolumeOperations["create"] = (name, options) =>
    Effect.gen(function* () {
      const taken = (stderr: string) => new VolumeNameInUse({ name, stderr })
      if (!dialect.createAcceptsExisting) {
        const result = yield* cli(createArgs(name, options), { timeout: TIMEOUT })
        if (result.exitCode === 0) return
        const stderr = decodeText(result.stderr)
        return yield* VOLUME_NAME_IN_USE.test(stderr) ? taken(stderr) : failed(result)
      }
      // Docker: ask first; a create of the same name between the two calls (a parallel worker's)
      // is told apart by the nonce label each create sets, read back after it
      if (yield* exists(name)) return yield* taken(`volume ${name} exists`)
      const nonce = globalThis.crypto.randomUUID()
      const result = yield* cli(createArgs(name, { labels: withNonce(options.labels, nonce) }), { timeout: TIMEOUT })
      if (result.exitCode !== 0) return yield* failed(result)
      if (!(yield* createdHere(name, nonce)))
        return yield* taken(`volume ${name} was created by someone else meanwhile`)
    })

  return {
    create,
    exists,
    remove: (volume) =>
      Effect.flatMap(cli(volumeRemoveArgs(volume), { timeout: TIMEOUT }), (result) =>
        result.exitCode === 0 ? Effect.void : Effect.fail(classifyVolumeFailure(volume, result))
      ),
    listLabeled: (filters) => listLabeled(askingAgainAfterStorageRace(backend.kind, cli), labeledVolumes, filters)
  }
}
