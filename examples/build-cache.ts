/**
 * A content-addressed build cache: `Image.buildIfAbsent` tags an image with the hash of what the
 * build reads (context files, Dockerfile, build arguments, labels), and builds only when the
 * runtime has no image with that tag. Building the same content again is a cache hit (one hash,
 * one presence check); changing one byte gives a new tag and a new build.
 *
 * The build context is a temporary directory written here; the images this program builds are
 * removed at the end. Needs only the local busybox test image.
 *
 *     node --import tsx --conditions source examples/build-cache.ts
 *     OCIMAN_BACKEND=podman node --import tsx --conditions source examples/build-cache.ts
 */
import { FileSystem, Path } from "@effect/platform"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Config, Console, Duration, Effect } from "effect"
import { BuildDefinition, ContainerRuntime, Image } from "ociman"

const baseImage = Config.string("OCIMAN_TEST_IMAGE").pipe(Config.withDefault("localhost/ociman-test/busybox:1"))

const NAME = "localhost/ociman-examples/build-cache"

/** Every image built under NAME, by any run of this example (so it starts from an empty cache). */
const removeAll = Image.listByName(NAME).pipe(
  Effect.flatMap(Effect.forEach((reference) => Image.remove(reference, { force: true }))),
  Effect.map((removed) => removed.length)
)

/** Builds if absent, and says whether it was a hit, with the tag and the time taken. */
const buildIfAbsent = (label: string, definition: BuildDefinition.BuildDefinition) =>
  Effect.gen(function* () {
    // prepare hashes once; buildIfAbsent then checks presence once and builds only if absent
    const prepared = yield* Image.prepare(definition)
    const hit = yield* Image.exists(prepared.reference)
    const [took, reference] = yield* Effect.timed(Image.buildIfAbsent(prepared))
    const tag = reference.tag ?? ""
    yield* Console.log(
      `${label.padEnd(8)} ${hit ? "hit " : "miss"}  tag ${tag.slice(0, 16)}…  ${Math.round(Duration.toMillis(took))} ms`
    )
    return { hit, tag }
  })

const program = Effect.gen(function* () {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const { backend } = yield* ContainerRuntime.ContainerRuntime
  const leftovers = yield* removeAll
  yield* Console.log(
    `cache:    ${NAME} on ${backend.kind}${leftovers === 0 ? "" : ` (removed ${leftovers} earlier build(s))`}`
  )
  yield* Effect.addFinalizer(() => removeAll.pipe(Effect.ignore))

  const context = yield* fs.makeTempDirectoryScoped({ prefix: "ociman-build-cache-" })
  yield* fs.writeFileString(path.join(context, "Dockerfile"), "ARG BASE\nFROM ${BASE}\nCOPY greeting.txt /\n")
  yield* fs.writeFileString(path.join(context, "greeting.txt"), "hello, cache\n")
  const definition = BuildDefinition.fromDirectory(context, { name: NAME }).pipe(
    BuildDefinition.buildArg("BASE", yield* baseImage)
  )

  const first = yield* buildIfAbsent("first", definition)
  const second = yield* buildIfAbsent("second", definition)
  yield* fs.writeFileString(path.join(context, "greeting.txt"), "hello, changed cache\n")
  const changed = yield* buildIfAbsent("changed", definition)

  // The tag is the content hash `ociman hash <dir>` prints, computed without any runtime.
  const hash = yield* Image.contentHash(definition)
  yield* Console.log(`content hash of the changed context = its tag: ${hash.tag === changed.tag}`)
  yield* Console.log(
    `summary:  first ${first.hit ? "hit" : "miss"}, second ${second.hit ? "hit" : "miss"} (same tag: ${first.tag === second.tag}), changed ${changed.hit ? "hit" : "miss"} (new tag: ${changed.tag !== first.tag})`
  )
})

program.pipe(
  Effect.scoped,
  Effect.provide(ContainerRuntime.layerFromEnv),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain
)
