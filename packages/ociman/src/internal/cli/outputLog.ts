/**
 * The log a removed Podman foreground run keeps where the library can read it (see
 * `keepsOutputLog` in `../dialect/containers.ts`): a private directory for it, removed when the
 * run's scope closes, and the outputs read back from it when the attached run brought none.
 */
import { FileSystem, Path } from "@effect/platform"
import { Effect, type Option, type Scope } from "effect"
import type { CliResult } from "../../ContainerRuntime.js"
import { OUTPUT_LOG_FILE } from "../dialect/containers.js"
import { decodeK8sFileLog } from "../dialect/podmanLog.js"
import { scopedTempDirectory } from "./tempDirectory.js"

/** Whether a run brought nothing back on either output (what a lost attach looks like). */
export const broughtNothing = (result: CliResult): boolean => result.stdout.length === 0 && result.stderr.length === 0

/**
 * A path for the log in a fresh private directory, removed with the scope (a failed removal is
 * logged); none when no directory can be made, and the run goes on attached alone.
 */
export const outputLogPath: Effect.Effect<
  Option.Option<string>,
  never,
  FileSystem.FileSystem | Path.Path | Scope.Scope
> = Effect.gen(function* () {
  const path = yield* Path.Path
  const directory = yield* scopedTempDirectory("ociman-run-", "the run's log directory")
  return path.join(directory, OUTPUT_LOG_FILE)
}).pipe(Effect.option)

/**
 * `result`, or, when it brought nothing back, the outputs the log holds; `result` as it is when the
 * log cannot be read (another `--log-driver` in the definition's raw flags writes none there).
 */
export const withOutputFromLog = (
  result: CliResult,
  logPath: string
): Effect.Effect<CliResult, never, FileSystem.FileSystem> =>
  broughtNothing(result)
    ? Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFile(logPath)).pipe(
        Effect.map((log) => ({ ...result, ...decodeK8sFileLog(log) })),
        Effect.orElseSucceed(() => result)
      )
    : Effect.succeed(result)
