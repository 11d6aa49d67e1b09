/**
 * The `--env-file` that carries the variables the CLI must not see in its own environment (see
 * `dialect/env.ts`). The file holds values, possibly secrets, so it lives in a fresh directory of
 * mode 0700, is itself mode 0600, and is removed with that directory when the scope closes.
 *
 * Both CLIs read the file themselves (client side, also for a remote engine), so a local path is
 * right whichever engine they talk to.
 */
import { FileSystem, Path } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Effect, type Scope } from "effect"
import { EnvFileError } from "../../EnvVar.js"
import { scopedTempDirectory } from "./tempDirectory.js"

/** The step of `writeEnvFile` that failed. */
export type EnvFileOperation = EnvFileError["operation"]

const failWith =
  (operation: EnvFileOperation, path: string | undefined) =>
  (cause: PlatformError): EnvFileError =>
    new EnvFileError({ operation, path, cause })

/** Owner only: the directory can be listed and entered, the file read and written, by its owner. */
export const DIRECTORY_MODE = 0o700
export const FILE_MODE = 0o600

/**
 * Writes `text` to `<private temp dir>/env` and returns the file's path. The directory (mode
 * 0700) and the file (mode 0600, whatever the umask) are removed when the scope closes; a
 * removal failure is logged, not raised, since the container has long read the file by then.
 */
export const writeEnvFile = (
  text: string
): Effect.Effect<string, EnvFileError, FileSystem.FileSystem | Path.Path | Scope.Scope> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const directory = yield* scopedTempDirectory("ociman-env-", "the env file directory").pipe(
      Effect.mapError(failWith("makeTempDirectory", undefined))
    )
    // mkdtemp already creates 0700; say so explicitly rather than rely on it.
    yield* fs.chmod(directory, DIRECTORY_MODE).pipe(Effect.mapError(failWith("chmod", directory)))
    const file = path.join(directory, "env")
    // "wx": a new file, never one that appeared in the meantime (nor a link to elsewhere).
    yield* fs
      .writeFileString(file, text, { flag: "wx", mode: FILE_MODE })
      .pipe(Effect.mapError(failWith("writeFile", file)))
    // The creation mode is masked by the umask; make it exactly 0600.
    yield* fs.chmod(file, FILE_MODE).pipe(Effect.mapError(failWith("chmod", file)))
    return file
  })
