/**
 * The argv of ociman's values (labels, label filters, published ports, mounts, build arguments):
 * the same on Docker and Podman. Rendering is internal; the public value modules only validate.
 */
import type * as BuildArg from "../../BuildArg.js"
import type * as Label from "../../Label.js"
import * as Mount from "../../Mount.js"
import * as Port from "../../Port.js"

/** `--label key=value` per label, in the set's order (for `run` and `build`). */
export const labelArgs = (labels: Label.Labels): ReadonlyArray<string> =>
  labels.flatMap(([k, v]) => ["--label", `${k}=${v}`])

/** The value of `--filter` for a label filter: `label=<key>` or `label=<key>=<value>`. */
export const labelFilterArg = (filter: Label.Filter): string =>
  filter.value === undefined ? `label=${filter.key}` : `label=${filter.key}=${filter.value}`

/** `--publish <spec>` per entry, in the order given (for `run`). */
export const portArgs = (publishes: ReadonlyArray<Port.ContainerPort | Port.Publish>): ReadonlyArray<string> =>
  publishes.flatMap((p) => ["--publish", Port.format(p)])

/** `--mount <spec>` per mount, in the order given (for `run`). */
export const mountArgs = (mounts: ReadonlyArray<Mount.Mount>): ReadonlyArray<string> =>
  mounts.flatMap((m) => ["--mount", Mount.format(m)])

/** `--build-arg KEY=value` per argument, in the set's order (for `build`). */
export const buildArgArgs = (args: BuildArg.BuildArgs): ReadonlyArray<string> =>
  args.flatMap(([k, v]) => ["--build-arg", `${k}=${v}`])
