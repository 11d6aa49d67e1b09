/**
 * `ociman info`: which runtime the environment resolves to, how it was selected, its executable,
 * versions and rootless mode.
 */
import * as Command from "@effect/cli/Command"
import { lazyAction } from "../lazy.js"
import { backendOption, jsonOption } from "../options.js"

export const infoConfig = { backend: backendOption, json: jsonOption }

/** What `ociman info`'s command line parses to. */
export type InfoInput = Command.Command.ParseConfig<typeof infoConfig>

export const info = Command.make(
  "info",
  infoConfig,
  lazyAction(() => import("../actions/info.js"))
).pipe(
  Command.withDescription(
    "Show the container runtime ociman resolves to: kind, versions, rootless mode, executable and what selected it"
  )
)
