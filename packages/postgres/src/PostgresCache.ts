/**
 * The seed cache's images: `localhost/ociman-postgres/<name>:<key>`, one per seed of a chain,
 * each labelled with its cache name (`ociman-postgres.cache`), key, seed name, depth and base
 * image. `status` lists them, `reset` removes them (`ociman postgres cache status|reset`). The
 * images are kept on purpose between runs: the ociman sweeper never takes them.
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { PostgresCache } from "@ociman/postgres"
 *
 * const program = Effect.gen(function* () {
 *   for (const entry of yield* PostgresCache.status()) {
 *     yield* Console.log(`${entry.reference} seed ${entry.depth} "${entry.seed}"`)
 *   }
 *   const report = yield* PostgresCache.reset({ name: "my-app" })
 *   yield* Console.log(`removed ${report.removed.length}`)
 * })
 * ```
 *
 * @since 0.1.0
 */
import { Effect, Either } from "effect"
import { ContainerRuntime, Image, Label } from "ociman"
import * as options from "./internal/options.js"
import { LABELS } from "./internal/server.js"
import { CacheFailed, type InvalidOptions } from "./PostgresError.js"

/**
 * One cache image.
 * @since 0.1.0
 * @category models
 */
export interface Entry {
  /** `localhost/ociman-postgres/<name>:<key>` as the runtime stores it. */
  readonly reference: string
  readonly id: string
  /** The cache's name. */
  readonly name: string
  readonly key: string
  /** The seed whose result it holds, and its position in the chain (1-based). */
  readonly seed: string
  readonly depth: number
  /** The image the chain started from. */
  readonly base: string
}

/**
 * What {@link reset} did.
 * @since 0.1.0
 * @category models
 */
export interface ResetReport {
  readonly removed: ReadonlyArray<Entry>
  /** Images it could not remove (in use by a running server, …), with the reason. */
  readonly failed: ReadonlyArray<{ readonly entry: Entry; readonly reason: string }>
}

const filtersFor = (name: string | undefined) =>
  Effect.gen(function* () {
    const key = yield* Label.key(LABELS.cache)
    if (name === undefined) return [Label.keyOnly(key)]
    const value = yield* Label.value(yield* options.cacheName(name))
    return [Label.exact(key, value)]
  }).pipe(
    Effect.catchTag("InvalidLabel", (error) =>
      Effect.fail(new CacheFailed({ operation: "filter", detail: error.message }))
    )
  )

/**
 * The cache images, of one cache (`name`) or of all, sorted by cache, then depth.
 * @example
 * ```ts
 * import { PostgresCache } from "@ociman/postgres"
 * const mine = PostgresCache.status({ name: "my-app" })
 * ```
 * @since 0.1.0
 * @category effects
 */
export const status = (
  filter: { readonly name?: string | undefined } = {}
): Effect.Effect<ReadonlyArray<Entry>, CacheFailed | InvalidOptions, ContainerRuntime.ContainerRuntime> =>
  Effect.gen(function* () {
    const runtime = yield* ContainerRuntime.ContainerRuntime
    const images = yield* runtime.images
      .listLabeled(yield* filtersFor(filter.name))
      .pipe(Effect.mapError((error) => new CacheFailed({ operation: "list the cache images", detail: error.message })))
    const entries: Array<Entry> = []
    for (const image of images) {
      const name = image.labels.get(LABELS.cache) ?? ""
      // only the names this cache gave: a tag someone added elsewhere is not the cache's
      for (const reference of image.references) {
        const match = /(?:^|\/)ociman-postgres\/([^:/]+):([0-9a-f]{64})$/.exec(reference)
        if (match === null || match[1] !== name) continue
        entries.push({
          reference,
          id: image.id,
          name,
          key: match[2] ?? "",
          seed: image.labels.get(LABELS.seed) ?? "",
          depth: Number(image.labels.get(LABELS.depth) ?? "0"),
          base: image.labels.get(LABELS.base) ?? ""
        })
      }
    }
    return entries.sort((a, b) => a.name.localeCompare(b.name) || a.depth - b.depth || a.key.localeCompare(b.key))
  })

/**
 * Removes the cache images (of one cache, or all): the next start of any chain runs its seeds
 * again. Images in use by a running server are reported as failed and kept.
 * @example
 * ```ts
 * import { PostgresCache } from "@ociman/postgres"
 * const cleared = PostgresCache.reset({ name: "my-app" })
 * ```
 * @since 0.1.0
 * @category effects
 */
export const reset = (
  filter: { readonly name?: string | undefined } = {}
): Effect.Effect<ResetReport, CacheFailed | InvalidOptions, ContainerRuntime.ContainerRuntime> =>
  Effect.gen(function* () {
    const entries = yield* status(filter)
    const removed: Array<Entry> = []
    const failed: Array<{ readonly entry: Entry; readonly reason: string }> = []
    // deepest first: a child image goes before its parent
    for (const entry of [...entries].sort((a, b) => b.depth - a.depth)) {
      const outcome = yield* Effect.either(Image.remove(entry.reference))
      if (Either.isRight(outcome) || outcome.left._tag === "ImageNotFound") removed.push(entry)
      else failed.push({ entry, reason: outcome.left.message })
    }
    return { removed, failed }
  })
