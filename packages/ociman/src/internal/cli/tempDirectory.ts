/**
 * A private temporary directory for one call's files (an env file, a run's log): made with
 * `mkdtemp` (mode 0700), removed with everything in it when the scope closes. A failed removal is
 * logged, not raised: `makeTempDirectoryScoped` would make it a defect, long after the files served.
 */
import { FileSystem } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Effect, type Scope } from "effect"

/** The directory's path; `what` names it in the warning a failed removal logs. */
export const scopedTempDirectory = (
  prefix: string,
  what: string
): Effect.Effect<string, PlatformError, FileSystem.FileSystem | Scope.Scope> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) =>
    Effect.acquireRelease(fs.makeTempDirectory({ prefix }), (created) =>
      fs
        .remove(created, { recursive: true, force: true })
        .pipe(
          Effect.catchAll((error) => Effect.logWarning(`ociman: could not remove ${what} ${created}: ${error.message}`))
        )
    )
  )
