/**
 * The log a removed Podman foreground run keeps where the library can read it (see
 * `keepsOutputLog` in `../dialect/containers.ts`): a private directory for it, removed when the
 * run's scope closes, and the outputs read back from it when the attached run brought none.
 */
import { FileSystem, Path } from "@effect/platform"
import { Effect, Option, type Scope } from "effect"
import type { CliResult } from "../../ContainerRuntime.js"
import { OUTPUT_LOG_FILE } from "../dialect/containers.js"
import { concatBytes, decodeText } from "../bytes.js"
import { CONMON_FAILED, decodeK8sFileLog, type LoggedOutput, onlyPodmanOwnLines } from "../dialect/podmanLog.js"
import { scopedTempDirectory } from "./tempDirectory.js"

/**
 * Whether a run brought none of its command's output back: nothing on stdout, and nothing but
 * Podman's own warnings on stderr. A lost attach looks so; so does a command that printed nothing.
 */
export const broughtNothing = (result: CliResult): boolean =>
  result.stdout.length === 0 && onlyPodmanOwnLines(decodeText(result.stderr))

/**
 * A path for the log in a fresh private directory, removed with the scope (a failed removal is
 * logged); none when no directory can be made, or when its path has a `:` (conmon reads
 * `k8s-file:<path>` only up to the first one), and the run goes on attached alone.
 */
export const outputLogPath: Effect.Effect<
  Option.Option<string>,
  never,
  FileSystem.FileSystem | Path.Path | Scope.Scope
> = Effect.gen(function* () {
  const path = yield* Path.Path
  const directory = yield* scopedTempDirectory("ociman-run-", "the run's log directory")
  return path.join(directory, OUTPUT_LOG_FILE)
}).pipe(Effect.option, Effect.map(Option.filter((path) => !path.includes(":"))))

/** The log's bytes; empty when it cannot be read. */
const readLog = (logPath: string): Effect.Effect<Uint8Array, never, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFile(logPath)).pipe(Effect.orElseSucceed(() => new Uint8Array()))

/**
 * Whether conmon failed before the command started, with nothing logged: the engine could not use
 * the log (it may not reach the library's directory, or refuses `k8s-file` for a configured
 * `log_tag`). The run is then asked again without it, which is safe: the command never ran.
 */
export const logRefused = (result: CliResult, logPath: string): Effect.Effect<boolean, never, FileSystem.FileSystem> =>
  result.exitCode !== 0 && CONMON_FAILED.test(decodeText(result.stderr))
    ? Effect.map(readLog(logPath), (log) => log.length === 0)
    : Effect.succeed(false)

/**
 * `result`, or, when it brought none of the command's output back, the outputs the log holds after
 * what Podman itself said; `result` as it is when the log holds nothing (another `--log-driver` in
 * the definition's raw flags writes none there).
 */
export const withOutputFromLog = (
  result: CliResult,
  logPath: string
): Effect.Effect<CliResult, never, FileSystem.FileSystem> =>
  broughtNothing(result)
    ? Effect.map(readLog(logPath), (log) => withLoggedOutput(result, decodeK8sFileLog(log)))
    : Effect.succeed(result)

/**
 * `result` with its command's output as a log kept it: stdout the log's, stderr what Podman itself
 * said on the run's stderr, then the log's.
 */
export const withLoggedOutput = (result: CliResult, logged: LoggedOutput): CliResult => ({
  ...result,
  stdout: logged.stdout,
  stderr: concatBytes([result.stderr, logged.stderr])
})
