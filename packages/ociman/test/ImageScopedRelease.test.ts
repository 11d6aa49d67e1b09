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

/**
 * The in-memory runtime whose `inspect` / `remove` of the fixture reference go through the given
 * replacements, each handed the real operation on that reference; every other call is the real one.
 */
const runtimeWith = (replace: {
  readonly inspect?: (real: () => ReturnType<Images["inspect"]>) => () => ReturnType<Images["inspect"]>
  readonly remove?: (real: () => ReturnType<Images["remove"]>) => () => ReturnType<Images["remove"]>
}) =>
  Layer.effect(
    ContainerRuntime.ContainerRuntime,
    Effect.map(ContainerRuntime.ContainerRuntime, (runtime) => {
      const images = runtime.images
      const inspect = replace.inspect?.(() => images.inspect(REFERENCE_PARSED))
      const remove = replace.remove?.(() => images.remove(REFERENCE_PARSED))
      const changed: Images = {
        ...images,
        inspect: (reference) => (inspect !== undefined && isFixture(reference) ? inspect() : images.inspect(reference)),
        remove: (reference, options) =>
          remove !== undefined && isFixture(reference) ? remove() : images.remove(reference, options)
      }
      return { ...runtime, images: changed }
    })
  ).pipe(Layer.provideMerge(TestRuntime.layer({ images: [BASE] })))

/** `real`, except that its first call fails with `error` (after doing the real work when `after`). */
const failingOnce =
  <E1>(error: () => E1, options: { readonly after: boolean }) =>
  <A, E>(real: () => Effect.Effect<A, E>): (() => Effect.Effect<A, E | E1>) => {
    let failed = false
    return () =>
      Effect.suspend(() => {
        if (failed) return real()
        failed = true
        return options.after ? Effect.flatMap(real(), () => Effect.fail(error())) : Effect.fail(error())
      })
  }

/** `real`, counting its calls in `count`. */
const counted =
  (count: { value: number }) =>
  <A, E>(real: () => Effect.Effect<A, E>): (() => Effect.Effect<A, E>) =>
  () =>
    Effect.suspend(() => {
      count.value += 1
      return real()
    })

const notKnown = () => new ImageNotFound({ image: REFERENCE, stderr: "Error: image not known" })
const inUse = () => new ImageInUse({ image: REFERENCE, stderr: "image is in use by a container" })

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
      Effect.provide(runtimeWith({ inspect: failingOnce(notKnown, { after: false }) })),
      Effect.provide(NodeContext.layer)
    )
  )

  it.effect('a removal that says "not known" and leaves the image: the listing finds it, and it is removed', () =>
    Effect.gen(function* () {
      expect(yield* buildAndRelease).toEqual({ stored: false, warnings: [] })
    }).pipe(
      Effect.provide(runtimeWith({ remove: failingOnce(notKnown, { after: false }) })),
      Effect.provide(NodeContext.layer)
    )
  )

  it.effect('a removal that removed the image, then failed as "in use": no needless warning', () =>
    Effect.gen(function* () {
      const removals = { value: 0 }
      const outcome = yield* buildAndRelease.pipe(
        Effect.provide(runtimeWith({ remove: (real) => failingOnce(inUse, { after: true })(counted(removals)(real)) }))
      )
      expect(outcome).toEqual({ stored: false, warnings: [] })
      // the listing showed it gone: no second removal
      expect(removals.value).toBe(1)
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.effect("an image that really stays in use: removed once more, then a warning that names it", () =>
    Effect.gen(function* () {
      const removals = { value: 0 }
      const { stored, warnings } = yield* buildAndRelease.pipe(
        Effect.provide(runtimeWith({ remove: () => counted(removals)(() => Effect.fail(inUse())) }))
      )
      expect(stored).toBe(true)
      expect(removals.value).toBe(2)
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain(REFERENCE)
    }).pipe(Effect.provide(NodeContext.layer))
  )
})
