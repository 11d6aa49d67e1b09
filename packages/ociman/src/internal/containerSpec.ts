/**
 * From a user's `ContainerDefinition` to a validated `RunSpec`, and from a `RunSpec` to argv.
 * The argv builders are pure (golden-tested); Docker and Podman take the same `run` flags.
 */
import { Either } from "effect"
import * as ContainerName from "../ContainerName.js"
import { type ContainerDefinition, fields } from "../ContainerDefinition.js"
import * as EnvVar from "../EnvVar.js"
import * as ImageReference from "../ImageReference.js"
import * as Label from "../Label.js"
import * as Mount from "../Mount.js"
import * as Port from "../Port.js"
import type { ExecSpec, RunSpec } from "../ContainerRuntime.js"

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

const flag = (name: string, value: string | number | undefined): ReadonlyArray<string> =>
  value === undefined ? [] : [name, String(value)]

const repeated = (name: string, values: ReadonlyArray<string>): ReadonlyArray<string> =>
  values.flatMap((value) => [name, value])

/**
 * `container run` argv (after the executable), in ociman's order with the additions after its
 * flags: `[--detach] [--rm] [--tty] [--interactive] [--pull P] [--name N] <env> [--label K=V]…
 * [--publish S]… [--mount M]… [--security-opt O]… [--workdir W] [--entrypoint E] <additions>
 * <raw flags> IMAGE [command…]`. `envArgs` come from `EnvVar.plan` (names only, never values).
 */
export const runArgs = (
  spec: RunSpec,
  options: { readonly detach: boolean; readonly envArgs: ReadonlyArray<string> }
): ReadonlyArray<string> => [
  "container",
  "run",
  ...(options.detach ? ["--detach"] : []),
  ...(spec.remove ? ["--rm"] : []),
  ...(spec.tty ? ["--tty"] : []),
  ...(spec.interactive ? ["--interactive"] : []),
  ...flag("--pull", spec.pullPolicy),
  ...flag("--name", spec.name),
  ...options.envArgs,
  ...Label.toArgs(spec.labels),
  ...Port.toArgs(spec.publish),
  ...Mount.toArgs(spec.mounts),
  ...repeated("--security-opt", spec.securityOptions),
  ...flag("--workdir", spec.workdir),
  ...flag("--entrypoint", spec.entrypoint),
  ...flag("--user", spec.user),
  ...flag("--hostname", spec.hostname),
  ...flag("--platform", spec.platform),
  ...flag("--network", spec.network),
  ...repeated("--network-alias", spec.networkAliases),
  ...repeated("--add-host", spec.addHosts),
  ...flag("--memory", spec.memoryBytes === undefined ? undefined : `${spec.memoryBytes}b`),
  ...flag("--cpus", spec.cpus),
  ...(spec.init ? ["--init"] : []),
  ...spec.rawFlags,
  ImageReference.format(spec.image),
  ...spec.command
]

/** `container exec` argv: `[--tty] [--interactive] [--user U] [--workdir W] <env> ID COMMAND…`. */
export const execArgs = (container: string, spec: ExecSpec, envArgs: ReadonlyArray<string>): ReadonlyArray<string> => [
  "container",
  "exec",
  ...(spec.tty ? ["--tty"] : []),
  // stdin bytes need an open stdin, as in ociman
  ...(spec.interactive || spec.stdin !== undefined ? ["--interactive"] : []),
  ...flag("--user", spec.user),
  ...flag("--workdir", spec.workdir),
  ...envArgs,
  container,
  ...spec.command
]
