/**
 * What the runtime itself (its CLI, not the library) lists by label: the acceptance tests' own
 * view of which containers exist, and their clean-up.
 */
import { execFile } from "node:child_process"
import { promisify } from "node:util"
import type { Kind } from "./backends.js"

const run = promisify(execFile)

/** The full ids of the containers (running or not) carrying `label` (`key=value`). */
export const containersLabelled = async (kind: Kind, label: string): Promise<ReadonlyArray<string>> => {
  const { stdout } = await run(kind, ["ps", "--all", "--no-trunc", "--filter", `label=${label}`, "--format", "{{.ID}}"])
  return stdout.split("\n").filter((id) => id.length > 0)
}

/** Removes (forced) every container carrying `label`. */
export const removeLabelled = async (kind: Kind, label: string): Promise<void> => {
  const ids = await containersLabelled(kind, label)
  if (ids.length > 0) await run(kind, ["rm", "--force", ...ids])
}
