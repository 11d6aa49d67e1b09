/**
 * From a user's `ContainerDefinition` to a validated `RunSpec` (its argv is built by
 * `dialect/containers.ts`).
 */
import { Either } from "effect"
import * as ContainerName from "../ContainerName.js"
import { type ContainerDefinition, fields } from "../ContainerDefinition.js"
import * as EnvVar from "../EnvVar.js"
import * as ImageReference from "../ImageReference.js"
import * as Label from "../Label.js"
import * as Port from "../Port.js"
import type { RunSpec } from "../ContainerRuntime.js"

export type InvalidDefinition =
  | ImageReference.InvalidImageReference
  | ContainerName.InvalidContainerName
  | EnvVar.InvalidEnvVar
  | Label.InvalidLabel
  | Port.InvalidPort

/** Checks every field; `extraLabels` (the ownership labels) are added after the user's. */
export const validate = (
  definition: ContainerDefinition,
  extraLabels: ReadonlyArray<readonly [string, string]> = []
): Either.Either<RunSpec, InvalidDefinition> =>
  Either.gen(function* () {
    const image = yield* ImageReference.fromInput(definition.image)
    const name = definition.name === undefined ? undefined : yield* ContainerName.make(definition.name)
    const env = yield* EnvVar.make(definition.env)
    const labels = yield* Label.make([...definition.labels, ...extraLabels])
    const publish = yield* Either.all(definition.publish.map(Port.validate))
    const spec: RunSpec = { ...fields(definition), image, name, env, labels, publish }
    return spec
  })
