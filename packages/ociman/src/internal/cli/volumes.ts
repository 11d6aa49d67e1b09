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
  labeledVolumes,
  VOLUME_IN_USE,
  VOLUME_NAME_IN_USE,
  VOLUME_NOT_FOUND,
  volumeDialects,
  volumeRemoveArgs
} from "../dialect/volumes.js"
import { listLabeled } from "./labeled.js"
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

  const create: VolumeOperations["create"] = (name, options) =>
    Effect.gen(function* () {
      // Docker reuses an existing volume of that name: ask first (a name taken between the two
      // calls is the one case left, and unique generated names never meet it)
      if (dialect.createAcceptsExisting && (yield* exists(name))) {
        return yield* new VolumeNameInUse({ name, stderr: `volume ${name} exists` })
      }
      const result = yield* cli(createArgs(name, options), { timeout: TIMEOUT })
      if (result.exitCode === 0) return
      const stderr = decodeText(result.stderr)
      return yield* VOLUME_NAME_IN_USE.test(stderr) ? new VolumeNameInUse({ name, stderr }) : failed(result)
    })

  return {
    create,
    exists,
    remove: (volume) =>
      Effect.flatMap(cli(volumeRemoveArgs(volume), { timeout: TIMEOUT }), (result) =>
        result.exitCode === 0 ? Effect.void : Effect.fail(classifyVolumeFailure(volume, result))
      ),
    listLabeled: (filters) => listLabeled(cli, labeledVolumes, filters)
  }
}
