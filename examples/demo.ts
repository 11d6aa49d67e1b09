/**
 * A tour of ociman in one program, offline (it needs only the local busybox test image):
 *
 * 1. resolve the container runtime from the environment (OCIMAN_BACKEND, ~/.config/ociman.toml,
 *    else Docker, then Podman);
 * 2. build `examples/demo-image` (the test image plus one file) under a content-addressed tag,
 *    only if that exact content has never been built;
 * 3. start it in a scope, with a published port and a readiness wait;
 * 4. exec into it, read the host port and fetch the page from this host;
 * 5. print a short report, and clean up: the container when the scope closes, and the image if
 *    this run built it.
 *
 * With no usable runtime on this machine it says so and runs the same steps on the in-memory
 * runtime (`TestRuntime`): the hashing is real, the containers are simulated, and the HTTP steps
 * (readiness and fetch) are skipped because nothing listens.
 *
 * Run it from the repository root (no build needed):
 *
 *     node --import tsx --conditions source examples/demo.ts
 *     OCIMAN_BACKEND=podman node --import tsx --conditions source examples/demo.ts
 */
import { FetchHttpClient, HttpClient } from "@effect/platform"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Clock, Config, Console, Effect, Layer } from "effect"
import { fileURLToPath } from "node:url"
import {
  BuildDefinition,
  Container,
  ContainerDefinition as Def,
  ContainerRuntime,
  Image,
  Port,
  Testing,
  TestRuntime,
  Wait
} from "ociman"
import { ImageReference, type RuntimeError } from "ociman"

/** The image `scripts/provision-runtimes.sh` builds on both runtimes (override: OCIMAN_TEST_IMAGE). */
const baseImage = Config.string("OCIMAN_TEST_IMAGE").pipe(Config.withDefault("localhost/ociman-test/busybox:1"))

const context = fileURLToPath(new URL("demo-image", import.meta.url))

const program = Effect.gen(function* () {
  const startedAt = yield* Clock.currentTimeMillis
  const { backend, capabilities } = yield* ContainerRuntime.ContainerRuntime
  yield* Console.log(
    `runtime:  ${backend.kind} ${backend.engineVersion.raw} (rootless: ${backend.rootless}, selected by ${backend.source})`
  )

  // The tag is the hash of the context and the build arguments: same content, same tag.
  const prepared = yield* Image.prepare(
    BuildDefinition.fromDirectory(context, { name: "localhost/ociman-examples/demo" }).pipe(
      BuildDefinition.buildArg("BASE", yield* baseImage)
    )
  )
  const cached = yield* Image.exists(prepared.reference)
  const image = yield* Image.buildIfAbsent(prepared)
  if (!cached) {
    // Registered before the container starts, so it runs after the container is removed.
    yield* Effect.addFinalizer(() => Image.remove(image, { force: true }).pipe(Effect.ignore))
  }
  yield* Console.log(`image:    ${ImageReference.format(image)} (${cached ? "cached" : "built"})`)

  // Removed when the scope closes, whatever happens; ready once the page is served.
  const web = yield* Container.start(
    Def.make(image).pipe(Def.publish(yield* Port.publish(Port.tcp(8080), { hostIp: "127.0.0.1" }))),
    capabilities.networking
      ? { waitFor: Wait.http({ port: Port.tcp(8080), path: "/index.html" }), timeout: "30 seconds" }
      : { waitFor: Wait.none } // nothing would answer the default wait's port probe
  )
  yield* Console.log(`started:  ${web.id.slice(0, 12)}, ready`)

  const inside = yield* web.execSuccess(["wc", "-c", "/www/index.html"])
  yield* Console.log(`exec:     wc -c /www/index.html -> ${inside.stdout.trim()}`)

  const { host, port } = yield* web.hostPort(Port.tcp(8080))
  const url = `http://${host}:${port}/index.html`
  if (capabilities.networking) {
    const body = yield* HttpClient.get(url).pipe(Effect.flatMap((response) => response.text))
    yield* Console.log(`fetched:  ${url} -> ${body.trim()}`)
  } else {
    yield* Console.log(`port:     ${url} (in memory: nothing listens there, fetch skipped)`)
  }

  const elapsed = (yield* Clock.currentTimeMillis) - startedAt
  yield* Console.log(`done in ${(elapsed / 1000).toFixed(1)} s; cleaning up`)
})

/** No Docker or Podman here: say why, and simulate them (the `wc` answer is what busybox prints). */
const inMemory = (reason: string) =>
  Layer.effectDiscard(
    Console.log(
      `No usable container runtime (${reason}).\nRunning on the IN-MEMORY runtime: nothing real is started.\n`
    )
  ).pipe(
    Layer.provideMerge(
      TestRuntime.layer({
        images: [Testing.testImageSeed],
        handlers: [TestRuntime.handler("*", ["wc", "-c", "/www/index.html"], { stdout: "33 /www/index.html\n" })]
      })
    )
  )

const runtime = ContainerRuntime.layerFromEnv.pipe(
  Layer.catchAll(
    (
      error
    ): Layer.Layer<
      ContainerRuntime.ContainerRuntime,
      RuntimeError.ResolveError | ImageReference.InvalidImageReference
    > => (error._tag === "NoRuntimeAvailable" ? inMemory(error.message) : Layer.fail(error))
  )
)

program.pipe(
  Effect.scoped,
  Effect.provide(FetchHttpClient.layer),
  Effect.provide(runtime),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain
)
