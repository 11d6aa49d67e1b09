/**
 * `ociman doctor`: checks each runtime (Docker and Podman, or the one given with `--backend`):
 * is its CLI installed, does its engine answer (versions, rootless mode), can it run a container
 * (`--image`, run with `--pull never`, so nothing is fetched)? Every failed check says why and how
 * to fix it. It also says which runtime the environment (OCIMAN_BACKEND, the config file,
 * autodetection) selects for the other commands.
 *
 * Exits 0 when at least one runtime passes every check, 1 otherwise.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { lazyAction } from "../lazy.js"
import { backendOption, jsonOption } from "../options.js"

/** The image `scripts/provision-runtimes.sh` builds on both runtimes. */
export const DEFAULT_IMAGE = "localhost/ociman-test/busybox:1"

const imageOption = Options.text("image").pipe(
  Options.withDescription("The image to run for the container check (it must be present: doctor never pulls)"),
  Options.withDefault(DEFAULT_IMAGE)
)

export const doctorConfig = { image: imageOption, backend: backendOption, json: jsonOption }

/** What `ociman doctor`'s command line parses to. */
export type DoctorInput = Command.Command.ParseConfig<typeof doctorConfig>

export const doctor = Command.make(
  "doctor",
  doctorConfig,
  lazyAction(() => import("../actions/doctor.js"))
).pipe(
  Command.withDescription(
    "Check Docker and Podman (or --backend): installed, engine reachable, version, rootless mode, and whether a container runs (--image, never pulled); says how to fix each problem. Exits 1 when no runtime passes every check"
  )
)
