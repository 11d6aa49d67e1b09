/**
 * Runs before `npm pack` / `npm publish` of a workspace package (its `prepack` script; npm runs it
 * in the package's directory), so what is packed is what the sources say:
 *
 * 1. builds every package (`npm run build` at the repository root: incremental, and whatever the
 *    build produces, bundles included), unless `OCIMAN_PREPACK_BUILT=1` says the caller has just
 *    done so (packing every workspace would otherwise build four times);
 * 2. removes compiler outputs in `dist/` whose source is gone (a renamed or deleted module leaves
 *    its `.js`, `.d.ts` and maps behind, and `files: ["dist"]` would ship them). An output is the
 *    compiler's when its source map names exactly one source; only those are removed;
 * 3. checks that the package has its README.md and a LICENSE equal to the repository's.
 *
 *     node --import tsx ../../scripts/prepack.ts
 */
import { Command, FileSystem, Path } from "@effect/platform"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Console, Data, Effect, Schema } from "effect"

class PrepackFailed extends Data.TaggedError("PrepackFailed")<{ readonly reason: string }> {
  override get message(): string {
    return `prepack: ${this.reason}`
  }
}

const SourceMap = Schema.parseJson(Schema.Struct({ sources: Schema.Array(Schema.String) }))

const MAP_SUFFIXES: ReadonlyArray<string> = [".js.map", ".d.ts.map"]

/** The outputs in `dist` (relative paths) that a source map ties to one source that no longer exists. */
const staleOutputs = (dist: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    if (!(yield* fs.exists(dist))) return []
    const stale: Array<string> = []
    for (const file of yield* fs.readDirectory(dist, { recursive: true })) {
      if (!MAP_SUFFIXES.some((suffix) => file.endsWith(suffix))) continue
      const map = path.join(dist, file)
      const decoded = yield* fs.readFileString(map).pipe(Effect.flatMap(Schema.decodeUnknown(SourceMap)), Effect.option)
      if (decoded._tag === "None" || decoded.value.sources.length !== 1) continue
      const [source = ""] = decoded.value.sources
      if (yield* fs.exists(path.resolve(path.dirname(map), source))) continue
      stale.push(file, file.slice(0, -".map".length))
    }
    return stale
  })

const program = Effect.gen(function* () {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const root = path.resolve(path.dirname(yield* path.fromFileUrl(new URL(import.meta.url))), "..")
  const packageDir = process.cwd()
  const name = path.relative(root, packageDir)
  if (name === "" || name.startsWith("..")) {
    return yield* new PrepackFailed({ reason: `run it from a workspace package, not from ${packageDir}` })
  }

  if (process.env["OCIMAN_PREPACK_BUILT"] !== "1") {
    const build = yield* Command.make("npm", "run", "build").pipe(
      Command.workingDirectory(root),
      Command.stdout("inherit"),
      Command.stderr("inherit"),
      Command.exitCode
    )
    if (build !== 0) return yield* new PrepackFailed({ reason: `npm run build exited with ${build}` })
  }

  const dist = path.join(packageDir, "dist")
  const stale = yield* staleOutputs(dist)
  for (const file of stale) yield* fs.remove(path.join(dist, file), { force: true })
  if (stale.length > 0) yield* Console.error(`prepack: removed ${stale.length} stale files from ${name}/dist`)

  for (const file of ["README.md", "LICENSE"]) {
    if (!(yield* fs.exists(path.join(packageDir, file)))) {
      return yield* new PrepackFailed({ reason: `${name} has no ${file}` })
    }
  }
  const license = yield* fs.readFileString(path.join(packageDir, "LICENSE"))
  if (license !== (yield* fs.readFileString(path.join(root, "LICENSE")))) {
    return yield* new PrepackFailed({ reason: `${name}/LICENSE differs from the repository's LICENSE: copy it again` })
  }
})

program.pipe(
  Effect.tapErrorTag("PrepackFailed", (error) => Console.error(error.message)),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
