/**
 * Which files of a build context the runtime leaves out, so that they can be left out of the
 * content hash too. Patterns are matched by `@balena/dockerignore`, a port of moby's matcher
 * (later patterns win, `!` re-includes, a matched directory excludes everything below it).
 *
 * Docker (BuildKit) and Podman (buildah) look for different ignore files:
 * - Docker: `<Dockerfile>.dockerignore` next to the Dockerfile, else `.dockerignore` at the root.
 * - Podman: `<Containerfile>.dockerignore`, `<Containerfile>.containerignore`, then
 *   `.containerignore`, then `.dockerignore` at the root; the default Containerfile is
 *   `Containerfile` when present, else `Dockerfile`.
 * The hash must not depend on which runtime builds, so a path counts as excluded only when the
 * rules of both runtimes exclude it: a leftover file can only cause a needless rebuild, while a
 * wrongly excluded one could reuse an image built from other content.
 */
import type { PlatformError } from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import dockerignore from "@balena/dockerignore"
import { Effect } from "effect"

/** The exclusion rules of one build context. */
export interface IgnoreRules {
  /** Whether the file at this context-relative `/`-separated path is left out. */
  readonly excludes: (relativePath: string) => boolean
  /** Whether nothing below this directory can be sent, so the walk may skip it. */
  readonly prunes: (relativeDirectory: string) => boolean
}

/** No ignore file: every file is sent. */
export const noIgnoreRules: IgnoreRules = { excludes: () => false, prunes: () => false }

interface RuleSet {
  readonly ignores: (relativePath: string) => boolean
  /** A `!` pattern can re-include files below an excluded directory, so it cannot be pruned. */
  readonly hasExceptions: boolean
}

const parseRules = (content: string): RuleSet => {
  // moby strips a UTF-8 byte order mark from the first line; the matcher does not.
  const lines = content.replace(/^\uFEFF/, "").split(/\r?\n/)
  // The package is CommonJS with `module.exports = factory` and `factory.default = factory`;
  // its typings only describe `default`, which works under Node's, Bun's and bundlers' interop.
  const matcher = dockerignore.default().add(lines)
  return {
    ignores: (relativePath) => matcher.ignores(relativePath),
    hasExceptions: lines.some((line) => !line.startsWith("#") && line.trim().startsWith("!"))
  }
}

const firstExisting = (fs: FileSystem.FileSystem, candidates: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    for (const candidate of candidates) {
      if (yield* fs.exists(candidate)) return candidate
    }
    return undefined
  })

/**
 * Loads the rules that apply to `context` (absolute). `dockerfile` is the absolute path of the
 * Dockerfile the caller chose, if any. The Dockerfile and the ignore files in use are never
 * excluded: Docker always sends them (and hides them from `COPY` when matched), and they are
 * the build's definition, so they always count.
 */
export const loadIgnoreRules = (
  fs: FileSystem.FileSystem,
  path: Path.Path,
  context: string,
  dockerfile: string | undefined
): Effect.Effect<IgnoreRules, PlatformError> =>
  Effect.gen(function* () {
    const inContext = (name: string) => path.join(context, name)
    const containerfile = inContext("Containerfile")
    const dockerDockerfile = dockerfile ?? inContext("Dockerfile")
    const podmanDockerfile = dockerfile ?? ((yield* fs.exists(containerfile)) ? containerfile : inContext("Dockerfile"))
    const dockerIgnore = yield* firstExisting(fs, [`${dockerDockerfile}.dockerignore`, inContext(".dockerignore")])
    const podmanIgnore = yield* firstExisting(fs, [
      `${podmanDockerfile}.dockerignore`,
      `${podmanDockerfile}.containerignore`,
      inContext(".containerignore"),
      inContext(".dockerignore")
    ])
    // A runtime without an ignore file sends everything, so nothing is excluded for both.
    if (dockerIgnore === undefined || podmanIgnore === undefined) return noIgnoreRules

    const ruleFiles = dockerIgnore === podmanIgnore ? [dockerIgnore] : [dockerIgnore, podmanIgnore]
    const ruleSets = yield* Effect.forEach(ruleFiles, (file) => Effect.map(fs.readFileString(file), parseRules))
    const toRelative = (absolute: string) => path.relative(context, absolute).split(path.sep).join("/")
    const alwaysSent = new Set(
      [...(dockerfile === undefined ? [inContext("Dockerfile"), containerfile] : [dockerfile]), ...ruleFiles].map(
        toRelative
      )
    )
    const alwaysSentList = [...alwaysSent]
    return {
      excludes: (relativePath) =>
        !alwaysSent.has(relativePath) && ruleSets.every((rules) => rules.ignores(relativePath)),
      prunes: (relativeDirectory) =>
        ruleSets.every((rules) => !rules.hasExceptions && rules.ignores(relativeDirectory)) &&
        !alwaysSentList.some((sent) => sent.startsWith(`${relativeDirectory}/`))
    }
  })
