/**
 * What `ociman build` does (see `commands/build.ts`).
 */
import { Console, Effect, Option } from "effect"
import * as BuildDefinition from "ociman/BuildDefinition"
import * as ContainerRuntime from "ociman/ContainerRuntime"
import * as ImageReference from "ociman/ImageReference"
import * as Image from "ociman/Image"
import type { BuildInput } from "../commands/build.js"
import { filesLayer } from "../platform.js"
import { runtimeLayer } from "../runtimeLayer.js"
import { hashProgress, interactive, toDefinition, UsageError } from "./definition.js"

/** The JSON document `ociman build --json` prints. */
export const buildJson = (reference: string, built: boolean) => ({ reference, built })

const targetOf = (
  name: Option.Option<string>,
  tag: Option.Option<string>
): Effect.Effect<BuildDefinition.TargetInput, UsageError> => {
  if (Option.isSome(name) && Option.isNone(tag)) return Effect.succeed({ name: name.value })
  if (Option.isSome(tag) && Option.isNone(name)) return Effect.succeed({ reference: tag.value })
  return Effect.fail(
    new UsageError({ detail: "give exactly one of --name NAME (content-addressed tag) or --tag REF (fixed tag)" })
  )
}

/** Build output on a terminal only, dimmed so the printed reference stands out. */
const showOutput = (output: ContainerRuntime.BuildOutput) =>
  Effect.sync(() => process.stderr.write(`\u001b[2m${output.line}\u001b[0m\n`))

export const action = ({ backend, ifAbsent, json, name, noCache, pull, tag, ...input }: BuildInput) =>
  Effect.gen(function* () {
    const target = yield* targetOf(name, tag)
    let def = yield* toDefinition(input, target)
    if (noCache) def = BuildDefinition.noCache(def)
    if (pull) def = BuildDefinition.pullBase(def)
    const progress = hashProgress()
    const prepared = yield* Image.prepare(def, { onProgress: progress.onProgress }).pipe(Effect.ensuring(progress.done))
    const runtime = yield* ContainerRuntime.ContainerRuntime
    const present = ifAbsent ? yield* runtime.images.exists(prepared.reference) : false
    if (!present) yield* Image.build(prepared, { onOutput: interactive() ? showOutput : undefined })
    const reference = ImageReference.format(prepared.reference)
    yield* Console.log(json ? JSON.stringify(buildJson(reference, !present)) : reference)
  }).pipe(Effect.provide(runtimeLayer(backend)), Effect.provide(filesLayer))
