/**
 * Volumes on the Docker and Podman CLIs: every argv builder (golden-tested), the stderr patterns,
 * and what differs per runtime (`volumeDialects`): Podman has a documented presence probe and
 * refuses a name in use; Docker's `volume create` says yes to an existing name, so the CLI wing
 * asks first.
 */
import { Brand, Either } from "effect"
import type { ListedVolume } from "../../ContainerRuntime.js"
import type * as Label from "../../Label.js"
import type { Kind } from "../kind.js"
import type { VolumeName } from "../volumeName.js"
import type { LabeledKind } from "./labeled.js"
import { labelArgs } from "./values.js"

// ---------------------------------------------------------------------------------------------
// stderr patterns (both CLIs use one exit code for every runtime error)
// ---------------------------------------------------------------------------------------------

/** Docker: "get X: no such volume"; Podman: `no volume with name "X" found: no such volume`. */
export const VOLUME_NOT_FOUND = /no such volume/i
/** Podman: "volume with name X already exists: volume already exists" (Docker never says so). */
export const VOLUME_NAME_IN_USE = /already exists/i
/** Docker: "remove X: volume is in use - [ids]"; Podman: "volume X is being used by the following container(s): …". */
export const VOLUME_IN_USE = /volume is in use|is being used/i

// ---------------------------------------------------------------------------------------------
// argv builders (pure)
// ---------------------------------------------------------------------------------------------

/** `volume create [--label K=V]… NAME` (the name is validated, so never an option). */
export const createArgs = (name: VolumeName, options: { readonly labels: Label.Labels }): ReadonlyArray<string> => [
  "volume",
  "create",
  ...labelArgs(options.labels),
  name
]

/** The label a Docker volume create sets to tell its own volume from one created meanwhile. */
export const CREATE_NONCE_LABEL = "ociman.volume-create"

const nonceKey = Brand.nominal<Label.Key>()(CREATE_NONCE_LABEL)

/** The labels with the create nonce added (a UUID: a valid label value by construction). */
export const withNonce = (labels: Label.Labels, nonce: string): Label.Labels => [
  ...labels,
  [nonceKey, Brand.nominal<Label.Value>()(nonce)]
]

/** `volume inspect --format {{index .Labels "ociman.volume-create"}} -- NAME`. */
export const nonceArgs = (name: string): ReadonlyArray<string> => [
  "volume",
  "inspect",
  "--format",
  `{{index .Labels "${CREATE_NONCE_LABEL}"}}`,
  "--",
  name
]

/** `volume rm -- VOLUME`. Never `--force`: Podman's would remove the containers using it too. */
export const volumeRemoveArgs = (volume: string): ReadonlyArray<string> => ["volume", "rm", "--", volume]

/** One runtime's side of the volume operations. */
export interface VolumeDialect {
  /** The presence probe's argv. */
  readonly existsArgs: (volume: string) => ReadonlyArray<string>
  /** Whether a failed presence probe means "no such volume" (else the probe itself failed). */
  readonly absent: (exitCode: number | undefined, stderr: string) => boolean
  /** Whether `volume create` of an existing name succeeds (so the name must be looked up first). */
  readonly createAcceptsExisting: boolean
}

export const volumeDialects: Readonly<Record<Kind, VolumeDialect>> = {
  docker: {
    // inspect exits 1 with "no such volume"
    existsArgs: (volume) => ["volume", "inspect", "--format", "{{.Name}}", "--", volume],
    absent: (_exitCode, stderr) => VOLUME_NOT_FOUND.test(stderr),
    createAcceptsExisting: true
  },
  podman: {
    // a documented probe: exit 0 / 1
    existsArgs: (volume) => ["volume", "exists", "--", volume],
    absent: (exitCode) => exitCode === 1,
    createAcceptsExisting: false
  }
}

/** `volume inspect` lines for `listLabeled` (`volume ls --quiet` prints names on both runtimes). */
export const labeledVolumes: LabeledKind<ListedVolume> = {
  list: ["volume", "ls"],
  inspect: ["volume", "inspect"],
  template: "{{.Name}}\t{{json .Labels}}",
  parse: ([name], labels) =>
    name === undefined || name.length === 0 ? Either.left("a name") : Either.right({ name, labels }),
  notFound: VOLUME_NOT_FOUND,
  noTrunc: false
}
