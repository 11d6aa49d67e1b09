/**
 * The user's config file: `$XDG_CONFIG_HOME/ociman.toml` when XDG_CONFIG_HOME is set, else
 * `~/.config/ociman.toml` (ociman reads only the latter). A missing file means defaults; a file
 * that exists but cannot be read or decoded is a typed error, never silently ignored.
 */
import { FileSystem, Path } from "@effect/platform"
import { Config, Effect, Option, ParseResult, Schema } from "effect"
import { parse as parseToml } from "smol-toml"
import { InvalidConfigFile } from "../../RuntimeError.js"

export const Selection = Schema.Literal("auto", "docker", "podman")
export type Selection = typeof Selection.Type

const ConfigFileSchema = Schema.Struct({
  default_backend: Schema.optionalWith(Selection, { default: () => "auto" as const })
})

export type ConfigFile = typeof ConfigFileSchema.Type

const DEFAULTS: ConfigFile = { default_backend: "auto" }

/** The config file's path, or none when neither XDG_CONFIG_HOME nor HOME is set. */
export const configPath: Effect.Effect<Option.Option<string>, never, Path.Path> = Effect.gen(function* () {
  const path = yield* Path.Path
  const nonEmpty = (name: string) =>
    Config.option(Config.string(name)).pipe(
      Config.map(Option.filter((value) => value.length > 0)),
      Effect.orElseSucceed(() => Option.none<string>())
    )
  const xdg = yield* nonEmpty("XDG_CONFIG_HOME")
  if (Option.isSome(xdg)) return Option.some(path.join(xdg.value, "ociman.toml"))
  const home = yield* nonEmpty("HOME")
  return Option.map(home, (dir) => path.join(dir, ".config", "ociman.toml"))
})

/** Decodes the text of a config file (TOML; unknown keys are rejected). */
export const decodeConfigText = (path: string, text: string): Effect.Effect<ConfigFile, InvalidConfigFile> =>
  Effect.try({
    try: () => parseToml(text),
    catch: (error) => new InvalidConfigFile({ path, detail: `not valid TOML: ${String(error)}` })
  }).pipe(
    Effect.flatMap((value) =>
      Schema.decodeUnknown(ConfigFileSchema, { onExcessProperty: "error" })(value).pipe(
        Effect.mapError(
          (error) => new InvalidConfigFile({ path, detail: ParseResult.TreeFormatter.formatErrorSync(error) })
        )
      )
    )
  )

/** Loads the config file; a missing file (or no home directory) gives the defaults and no path. */
export const loadConfigFile: Effect.Effect<
  { readonly path: string | undefined; readonly config: ConfigFile },
  InvalidConfigFile,
  FileSystem.FileSystem | Path.Path
> = Effect.gen(function* () {
  const fs = yield* FileSystem.FileSystem
  const maybePath = yield* configPath
  if (Option.isNone(maybePath)) return { path: undefined, config: DEFAULTS }
  const path = maybePath.value
  const text = yield* fs.readFileString(path).pipe(
    Effect.map(Option.some),
    Effect.catchIf(
      (error) => error._tag === "SystemError" && error.reason === "NotFound",
      () => Effect.succeed(Option.none<string>())
    ),
    Effect.mapError((error) => new InvalidConfigFile({ path, detail: `cannot be read: ${error.message}` }))
  )
  // No file: the defaults, and no path to report as the source of the choice.
  if (Option.isNone(text)) return { path: undefined, config: DEFAULTS }
  return { path, config: yield* decodeConfigText(path, text.value) }
})
