/**
 * The release of `Image.buildScoped`'s image when the runtime's answers cannot be trusted: Podman,
 * under concurrent builds and removals, can call an image that is there "not known", or fail a
 * removal as "in use" after it removed the image. The release checks by listing and removes what
 * is left, and warns only when the image really stays.
 */
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer, Logger } from "effect"
import { BuildDefinition, ContainerRuntime, Image, ImageReference, TestRuntime } from "../src/index.js"
import { ImageNotFound } from "../src/ContainerError.js"
import { ImageInUse } from "../src/ImageError.js"

const BASE = "localhost/ociman-test/busybox:1"
const REFERENCE = "localhost/release-test/fixture:1"
const REFERENCE_PARSED = Either.getOrThrow(ImageReference.parse(REFERENCE))
const isFixture = (reference: ImageReference.ImageReference) => ImageReference.format(reference) === REFERENCE

type Images = ContainerRuntime.Service["images"]

/** The in-memory runtime with its image operations changed by `change`. */
const runtimeWith = (change: (real: Images) => Images) =>
  Layer.effect(
    ContainerRuntime.ContainerRuntime,
    Effect.map(ContainerRuntime.ContainerRuntime, (real) => ({ ...real, images: change(real.images) }))
  ).pipe(Layer.provideMerge(TestRuntime.layer({ images: [BASE] })))

/** Fails `operation` the first `times` calls with `error` (after doing the real work when `after`). */
const flaky = <A, E>(
  times: number,
  real: () => Effect.Effect<A, E>,
  error: () => E,
  options: { readonly after: boolean }
): (() => Effect.Effect<A, E>) => {
  let left = times
  return () =>
    Effect.suspend(() => {
      if (left <= 0) return real()
      left -= 1
      return options.after ? Effect.flatMap(real(), () => Effect.fail(error())) : Effect.fail(error())
    })
}

/** Builds the scoped image, closes the scope, and says whether it is still stored and what was warned. */
const buildAndRelease = Effect.gen(function* () {
  const warnings: Array<string> = []
  const logger = Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ logLevel, message }) => {
      if (logLevel._tag === "Warning") warnings.push(Array.isArray(message) ? message.join(" ") : String(message))
    })
  )
  yield* Effect.scoped(
    Image.buildScoped(BuildDefinition.fromInstructions(`FROM ${BASE}\nLABEL role=fixture\n`, { reference: REFERENCE }))
  ).pipe(Effect.provide(logger))
  const stored = yield* Image.exists(REFERENCE)
  return { stored, warnings }
})

describe("Image.buildScoped's release, when the runtime answers wrongly", () => {
  it.effect('an inspect that calls the stored image "not known": the listing finds it, and it is removed', () =>
    Effect.gen(function* () {
      expect(yield* buildAndRelease).toEqual({ stored: false, warnings: [] })
    }).pipe(
      Effect.provide(
        runtimeWith((images) => {
          const inspect = flaky(
            1,
            () => images.inspect(REFERENCE_PARSED),
            () => new ImageNotFound({ image: REFERENCE, stderr: "Error: image not known" }),
            { after: false }
          )
          return { ...images, inspect: (reference) => (isFixture(reference) ? inspect() : images.inspect(reference)) }
        })
      ),
      Effect.provide(NodeContext.layer)
    )
  )

  it.effect('a removal that says "not known" and leaves the image: the listing finds it, and it is removed', () =>
    Effect.gen(function* () {
      expect(yield* buildAndRelease).toEqual({ stored: false, warnings: [] })
    }).pipe(
      Effect.provide(
        runtimeWith((images) => {
          const remove = flaky(
            1,
            () => images.remove(REFERENCE_PARSED),
            () => new ImageNotFound({ image: REFERENCE, stderr: "Error: image not known" }),
            { after: false }
          )
          return {
            ...images,
            remove: (reference, options) => (isFixture(reference) ? remove() : images.remove(reference, options))
          }
        })
      ),
      Effect.provide(NodeContext.layer)
    )
  )

  it.effect('a removal that removed the image, then failed as "in use": no needless warning', () =>
    Effect.gen(function* () {
      let removals = 0
      const outcome = yield* buildAndRelease.pipe(
        Effect.provide(
          runtimeWith((images) => {
            const remove = flaky(
              1,
              () =>
                Effect.zipRight(
                  Effect.sync(() => void (removals += 1)),
                  images.remove(REFERENCE_PARSED)
                ),
              () => new ImageInUse({ image: REFERENCE, stderr: "image is in use by a container" }),
              { after: true }
            )
            return {
              ...images,
              remove: (reference, options) => (isFixture(reference) ? remove() : images.remove(reference, options))
            }
          })
        )
      )
      expect(outcome).toEqual({ stored: false, warnings: [] })
      // the listing showed it gone: no second removal
      expect(removals).toBe(1)
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.effect("an image that really stays in use: removed once more, then a warning that names it", () =>
    Effect.gen(function* () {
      let removals = 0
      const { stored, warnings } = yield* buildAndRelease.pipe(
        Effect.provide(
          runtimeWith((images) => ({
            ...images,
            remove: (reference, options) =>
              isFixture(reference)
                ? Effect.suspend(() => {
                    removals += 1
                    return Effect.fail(new ImageInUse({ image: REFERENCE, stderr: "image is in use by a container" }))
                  })
                : images.remove(reference, options)
          }))
        )
      )
      expect(stored).toBe(true)
      expect(removals).toBe(2)
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain(REFERENCE)
    }).pipe(Effect.provide(NodeContext.layer))
  )
})
