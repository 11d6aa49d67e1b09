/**
 * Checks a build definition before it is hashed or built: build arguments and labels as the
 * domain modules define them, stage and platform as single argv words, a Dockerfile path that
 * makes sense for the source.
 */
import { Effect, Redacted } from "effect"
import * as BuildArg from "../BuildArg.js"
import type { BuildDefinition, DefinitionError } from "../BuildDefinition.js"
import { InvalidBuildDefinition } from "../ImageError.js"
import * as Label from "../Label.js"
import { hasLoneSurrogate, hasNul } from "./bytes.js"

/** Stage names and platforms: one argv word that cannot be read as a flag. */
const checkWord = (
  field: string,
  input: string | undefined
): Effect.Effect<string | undefined, InvalidBuildDefinition> => {
  if (input === undefined) return Effect.succeed(undefined)
  // eslint-disable-next-line no-control-regex
  if (input.length === 0 || /[\s\u0000-\u001f\u007f]/.test(input) || input.startsWith("-") || hasLoneSurrogate(input)) {
    return Effect.fail(
      new InvalidBuildDefinition({
        field,
        input,
        detail: "must be a non-empty word with no whitespace or control characters, not starting with '-'"
      })
    )
  }
  return Effect.succeed(input)
}

export interface Validated {
  readonly buildArgs: ReadonlyArray<readonly [BuildArg.Key, string | Redacted.Redacted<string>]>
  readonly labels: Label.Labels
  readonly target: string | undefined
  readonly platform: string | undefined
}

export const validate = (def: BuildDefinition): Effect.Effect<Validated, DefinitionError> =>
  Effect.gen(function* () {
    if (def.source._tag === "Instructions" && def.dockerfile !== undefined) {
      return yield* new InvalidBuildDefinition({
        field: "dockerfile",
        input: def.dockerfile,
        detail:
          "an instructions build has no context and takes its Dockerfile as text: use fromDirectory for a Dockerfile path"
      })
    }
    if (def.dockerfile !== undefined && (def.dockerfile.length === 0 || hasNul(def.dockerfile))) {
      return yield* new InvalidBuildDefinition({
        field: "dockerfile",
        input: def.dockerfile,
        detail: "must be a non-empty path without NUL characters"
      })
    }
    // Later values win; a key's final value decides whether it is secret.
    const finalValues = new Map(def.buildArgs)
    const revealed = yield* BuildArg.make(
      Array.from(finalValues, ([k, v]) => [k, Redacted.isRedacted(v) ? Redacted.value(v) : v] as const)
    )
    const buildArgs = revealed.map(([k, v]) => {
      const original = finalValues.get(k)
      return [k, original !== undefined && Redacted.isRedacted(original) ? original : v] as const
    })
    const labels = yield* Label.make(def.labels)
    const target = yield* checkWord("target", def.target)
    const platform = yield* checkWord("platform", def.platform)
    return { buildArgs, labels, target, platform }
  })

export const reveal = (value: string | Redacted.Redacted<string>): string =>
  Redacted.isRedacted(value) ? Redacted.value(value) : value
