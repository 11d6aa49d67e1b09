/**
 * Helpers for test suites that use ociman: ociman's `testing` module (platform support, names
 * scoped to this run, the list of images a suite needs), the local test base image (built from
 * the host's static busybox without a registry, or pulled pinned), the required-backends policy
 * (`OCIMAN_TEST_BACKENDS`: a missing runtime fails instead of being skipped), and layers for
 * `@effect/vitest`'s `layer(...)`: the in-memory runtime, and each real runtime that is present.
 *
 * The library does not depend on vitest: `planBackends` says, for each runtime, whether to run,
 * skip or fail, and the test file turns that into `describe`, `describe.skip` or a failing test.
 *
 * @example
 * ```ts
 * import { NodeContext } from "@effect/platform-node"
 * import { describe, expect, it, layer } from "@effect/vitest"
 * import { Effect, Layer } from "effect"
 * import { Container, ContainerDefinition as Def, Testing } from "ociman"
 *
 * const plans = await Effect.runPromise(Testing.planBackends().pipe(Effect.provide(NodeContext.layer)))
 * for (const plan of plans) {
 *   if (plan._tag === "Skip") continue
 *   describe(plan.kind, () => {
 *     if (plan._tag === "Fail") return it("is available", () => expect.fail(plan.error.message))
 *     layer(plan.layer.pipe(Layer.provide(NodeContext.layer)), { excludeTestServices: true })((it) => {
 *       it.effect("echoes", () =>
 *         Effect.map(Container.run(Def.make(Testing.TEST_IMAGE).pipe(Def.command(["echo", "hi"]))), (r) =>
 *           expect(r.stdout).toBe("hi\n")
 *         )
 *       )
 *     })
 *   })
 * }
 * ```
 *
 * @since 0.1.0
 */
import { type CommandExecutor, FileSystem, Path } from "@effect/platform"
import { Config, ConfigError, Data, Effect, Either, type Layer, Option } from "effect"
import * as BuildDefinition from "./BuildDefinition.js"
import type { CliError } from "./CliError.js"
import * as ContainerName from "./ContainerName.js"
import * as ContainerRuntime from "./ContainerRuntime.js"
import * as Image from "./Image.js"
import type { ImageNotFound, PullFailed } from "./ImageError.js"
import * as ImageReference from "./ImageReference.js"
import { isStaticExecutable } from "./internal/elf.js"
import type { ResolveError } from "./RuntimeError.js"
import { isKind, type Kind, kinds } from "./internal/kind.js"
import * as TestRuntime from "./TestRuntime.js"

/**
 * What probing a runtime needs from the platform (`NodeContext.layer` provides all three).
 * @since 0.1.0
 * @category models
 */
export type Platform = CommandExecutor.CommandExecutor | FileSystem.FileSystem | Path.Path

// ---------------------------------------------------------------------------------------------
// Platform support (ociman's platform::support)
// ---------------------------------------------------------------------------------------------

/**
 * The platform cannot run containers: GitHub Actions' macOS runners have no Docker.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Testing } from "ociman"
 *
 * const supported = Testing.platformSupport.pipe(
 *   Effect.as(true),
 *   Effect.catchTag("PlatformNotSupported", () => Effect.succeed(false))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class PlatformNotSupported extends Data.TaggedError("PlatformNotSupported")<{ readonly platform: string }> {
  override get message(): string {
    return "GitHub Actions on macOS does not support Docker. Container runtime is not available."
  }
}

/**
 * Succeeds unless this is GitHub Actions on macOS (`GITHUB_ACTIONS` set, whatever its value, on
 * `darwin`), where no container runtime can run (ociman's `platform::support`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Testing } from "ociman"
 *
 * const program = Effect.zipRight(Testing.platformSupport, Effect.log("containers can run here"))
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const platformSupport: Effect.Effect<void, PlatformNotSupported> = Effect.gen(function* () {
  const onActions = yield* Config.option(Config.string("GITHUB_ACTIONS")).pipe(
    Effect.orElseSucceed(() => Option.none<string>())
  )
  if (process.platform === "darwin" && Option.isSome(onActions)) {
    return yield* new PlatformNotSupported({ platform: process.platform })
  }
})

/**
 * `true` where {@link platformSupport} fails (ociman's `platform_not_supported`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Testing } from "ociman"
 *
 * const skip = Effect.runSync(Testing.platformNotSupported)
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const platformNotSupported: Effect.Effect<boolean> = Effect.match(platformSupport, {
  onFailure: () => true,
  onSuccess: () => false
})

// ---------------------------------------------------------------------------------------------
// Names scoped to this run
// ---------------------------------------------------------------------------------------------

/**
 * This test run's id: the process id, as in ociman. Concurrent runs (several CI jobs on one engine)
 * get different names from {@link testName} and {@link testReference}.
 *
 * @example
 * ```ts
 * import { Testing } from "ociman"
 *
 * const marker = `com.example.run=${Testing.runId}`
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const runId: string = String(process.pid)

/**
 * A container name for this run: `<runId>-<base>`.
 *
 * @example
 * ```ts
 * import { Testing } from "ociman"
 *
 * Testing.testName("db") // Either.right("12345-db")
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const testName = (
  base: string
): Either.Either<ContainerName.ContainerName, ContainerName.InvalidContainerName> =>
  ContainerName.make(`${runId}-${base}`)

/**
 * An image reference for this run: `<runId>-<base>` (so a registry in `base` becomes part of the
 * path, as in ociman; give a bare name such as `ociman-test-app:1`).
 *
 * @example
 * ```ts
 * import { Testing } from "ociman"
 *
 * Testing.testReference("ociman-test-app:1") // Either.right(12345-ociman-test-app:1)
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const testReference = (
  base: string
): Either.Either<ImageReference.ImageReference, ImageReference.InvalidImageReference> =>
  ImageReference.parse(`${runId}-${base}`)

// ---------------------------------------------------------------------------------------------
// Images a suite needs
// ---------------------------------------------------------------------------------------------

const ref = (domain: string | undefined, path: string, tag: string): ImageReference.ImageReference => ({
  domain,
  path,
  tag,
  digest: undefined
})

/**
 * `alpine:latest`.
 * @since 0.1.0
 * @category constants
 */
export const ALPINE_LATEST_IMAGE: ImageReference.ImageReference = ref(undefined, "alpine", "latest")
/**
 * `docker.io/library/postgres:17`.
 * @since 0.1.0
 * @category constants
 */
export const POSTGRES_IMAGE: ImageReference.ImageReference = ref("docker.io", "library/postgres", "17")
/**
 * `docker.io/ruby:3.4-alpine`.
 * @since 0.1.0
 * @category constants
 */
export const RUBY_IMAGE: ImageReference.ImageReference = ref("docker.io", "ruby", "3.4-alpine")
/**
 * `docker.io/node:22-alpine`.
 * @since 0.1.0
 * @category constants
 */
export const NODE_IMAGE: ImageReference.ImageReference = ref("docker.io", "node", "22-alpine")
/**
 * `docker.io/library/registry:2`.
 * @since 0.1.0
 * @category constants
 */
export const REGISTRY_IMAGE: ImageReference.ImageReference = ref("docker.io", "library/registry", "2")

/**
 * The images ociman's own suites pull before they run, in its order (ociman's `test_images`).
 * Append your suite's images and pre-pull the list (`Image.pullIfAbsent`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Image, Testing } from "ociman"
 *
 * const prePull = Effect.forEach([...Testing.testImages, "my-org/app:1"], (image) => Image.pullIfAbsent(image))
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const testImages: ReadonlyArray<ImageReference.ImageReference> = [
  ALPINE_LATEST_IMAGE,
  POSTGRES_IMAGE,
  RUBY_IMAGE,
  NODE_IMAGE,
  REGISTRY_IMAGE
]

// ---------------------------------------------------------------------------------------------
// The local test base image
// ---------------------------------------------------------------------------------------------

/**
 * The local busybox image tests run (`OCIMAN_TEST_IMAGE` overrides it in ociman's own suite).
 *
 * @example
 * ```ts
 * import { ContainerDefinition as Def, Testing } from "ociman"
 *
 * const hello = Def.make(Testing.TEST_IMAGE).pipe(Def.command(["echo", "hello"]))
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const TEST_IMAGE = "localhost/ociman-test/busybox:1"

/**
 * The busybox pulled when no static busybox is on the host: pinned by digest, so every machine
 * runs the same bytes. (`busybox:1.36.1`'s multi-platform index, as Docker Hub serves it.)
 * @since 0.1.0
 * @category constants
 */
export const PINNED_BUSYBOX =
  "docker.io/library/busybox:1.36.1@sha256:73aaf090f3d85aa34ee199857f03fa3a95c8ede2ffd4cc2cdb5b94e566b11662"

/**
 * How the test image is described to the in-memory runtime (busybox's `CMD ["sh"]`).
 *
 * @example
 * ```ts
 * import { TestRuntime, Testing } from "ociman"
 *
 * const InMemory = TestRuntime.layer({ images: [Testing.testImageSeed] })
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const testImageSeed: TestRuntime.ImageSeed = { reference: TEST_IMAGE, cmd: ["sh"] }

/** The Dockerfile of the test image: the static busybox, its applets, and the directories tests use. */
const TEST_IMAGE_DOCKERFILE = `FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox --install -s /bin && mkdir -p /tmp /root /www && chmod 1777 /tmp"]
CMD ["sh"]
`

/**
 * Preparing the test image failed on this host's side (reading the busybox binary, writing the
 * build context).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Testing } from "ociman"
 *
 * Testing.ensureTestImage().pipe(Effect.catchTag("TestImageSetupFailed", (e) => Effect.logError(e.message)))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class TestImageSetupFailed extends Data.TaggedError("TestImageSetupFailed")<{
  readonly step: string
  readonly detail: string
}> {
  override get message(): string {
    return `could not prepare the test image (${this.step}): ${this.detail}`
  }
}

/**
 * Options of {@link ensureTestImage}.
 * @since 0.1.0
 * @category models
 */
export interface EnsureTestImageOptions {
  /** The reference to provide. Default {@link TEST_IMAGE}. */
  readonly reference?: string | ImageReference.ImageReference | undefined
  /** A static busybox on the host. Default `/bin/busybox` (Debian's `busybox-static`). */
  readonly busybox?: string | undefined
  /** What to pull (and tag as `reference`) without a static busybox. Default {@link PINNED_BUSYBOX}. */
  readonly pinned?: string | ImageReference.ImageReference | undefined
}

/**
 * How {@link ensureTestImage} provided the image.
 * @since 0.1.0
 * @category models
 */
export interface EnsuredTestImage {
  readonly reference: ImageReference.ImageReference
  /** `present`: it was there; `built`: from the host's busybox; `pulled`: the pinned busybox. */
  readonly how: "present" | "built" | "pulled"
}

/**
 * Failures of {@link ensureTestImage}.
 * @since 0.1.0
 * @category errors
 */
export type EnsureTestImageError =
  ImageReference.InvalidImageReference | Image.BuildError | CliError | PullFailed | ImageNotFound | TestImageSetupFailed

const setupFailed =
  (step: string) =>
  (error: { readonly message: string }): TestImageSetupFailed =>
    new TestImageSetupFailed({ step, detail: error.message })

/**
 * Makes sure the local test base image exists on the runtime in context: nothing to do when it
 * is present; otherwise it is built `FROM scratch` with the host's static busybox (no registry
 * needed), or, without one, the pinned busybox is pulled and tagged.
 *
 * @example
 * ```ts
 * import { NodeContext } from "@effect/platform-node"
 * import { Effect } from "effect"
 * import { ContainerRuntime, Testing } from "ociman"
 *
 * // e.g. in vitest's globalSetup
 * const ready = Testing.ensureTestImage().pipe(
 *   Effect.provide(ContainerRuntime.layerFromEnv),
 *   Effect.provide(NodeContext.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const ensureTestImage = (
  options: EnsureTestImageOptions = {}
): Effect.Effect<
  EnsuredTestImage,
  EnsureTestImageError,
  ContainerRuntime.ContainerRuntime | FileSystem.FileSystem | Path.Path
> =>
  Effect.gen(function* () {
    const given = options.reference ?? TEST_IMAGE
    const reference = typeof given === "string" ? yield* ImageReference.parseEffect(given) : given
    if (yield* Image.exists(reference)) return { reference, how: "present" } satisfies EnsuredTestImage
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const busybox = options.busybox ?? "/bin/busybox"
    const binary = yield* fs.readFile(busybox).pipe(Effect.option)
    if (Option.isSome(binary) && isStaticExecutable(binary.value)) {
      yield* Effect.scoped(
        Effect.gen(function* () {
          const context = yield* fs
            .makeTempDirectoryScoped({ prefix: "ociman-test-image-" })
            .pipe(Effect.mapError(setupFailed("creating the build context")))
          yield* fs
            .writeFile(path.join(context, "busybox"), binary.value, { mode: 0o755 })
            .pipe(Effect.mapError(setupFailed(`copying ${busybox}`)))
          yield* fs
            .writeFileString(path.join(context, "Dockerfile"), TEST_IMAGE_DOCKERFILE)
            .pipe(Effect.mapError(setupFailed("writing the Dockerfile")))
          yield* Image.build(BuildDefinition.fromDirectory(context, { reference }))
        })
      )
      return { reference, how: "built" } satisfies EnsuredTestImage
    }
    const pinned = options.pinned ?? PINNED_BUSYBOX
    yield* Image.pull(pinned)
    yield* Image.tag(pinned, reference)
    return { reference, how: "pulled" } satisfies EnsuredTestImage
  }).pipe(Effect.withSpan("ociman.Testing.ensureTestImage"))

// ---------------------------------------------------------------------------------------------
// Required backends
// ---------------------------------------------------------------------------------------------

/**
 * The environment variable that lists the runtimes a test run requires.
 * @since 0.1.0
 * @category constants
 */
export const REQUIRED_BACKENDS_VARIABLE = "OCIMAN_TEST_BACKENDS"

const KINDS: ReadonlyArray<Kind> = kinds

/**
 * Parses a list of runtimes (`docker,podman`, commas and spaces, empty items ignored).
 *
 * @example
 * ```ts
 * import { Testing } from "ociman"
 *
 * Testing.parseBackends("docker, podman") // Either.right(["docker", "podman"])
 * Testing.parseBackends("kubernetes") // Either.left("unknown runtime \"kubernetes\" …")
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const parseBackends = (input: string): Either.Either<ReadonlyArray<Kind>, string> => {
  const words = input
    .split(/[,\s]+/)
    .map((word) => word.trim())
    .filter((word) => word.length > 0)
  const unknown = words.find((word) => !isKind(word))
  return unknown !== undefined
    ? Either.left(`unknown runtime ${JSON.stringify(unknown)}: expected a comma-separated list of docker and podman`)
    : Either.right(KINDS.filter((kind) => words.includes(kind)))
}

/**
 * `OCIMAN_TEST_BACKENDS` as a `Config`: the runtimes that must be available (empty when unset).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Testing } from "ociman"
 *
 * const required = Effect.gen(function* () {
 *   return yield* Testing.requiredBackendsConfig
 * })
 * ```
 *
 * @since 0.1.0
 * @category config
 */
export const requiredBackendsConfig: Config.Config<ReadonlyArray<Kind>> = Config.string(
  REQUIRED_BACKENDS_VARIABLE
).pipe(
  Config.withDefault(""),
  Config.mapOrFail((input) =>
    Either.mapLeft(parseBackends(input), (reason) => ConfigError.InvalidData([REQUIRED_BACKENDS_VARIABLE], reason))
  )
)

/**
 * The runtimes this run requires (`OCIMAN_TEST_BACKENDS=docker,podman`; CI sets it): a required
 * runtime that is missing is a failure, any other missing runtime is skipped.
 *
 * @example
 * ```ts
 * import { ConfigProvider, Effect } from "effect"
 * import { Testing } from "ociman"
 *
 * const kinds = Testing.requiredBackends.pipe(
 *   Effect.withConfigProvider(ConfigProvider.fromJson({ OCIMAN_TEST_BACKENDS: "docker" }))
 * ) // ["docker"]
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const requiredBackends: Effect.Effect<ReadonlyArray<Kind>, ConfigError.ConfigError> = Effect.gen(function* () {
  return yield* requiredBackendsConfig
})

/**
 * What a test file should do for one real runtime:
 * - `Run`: it answered; `layer` provides it (`ContainerRuntime.layer` for that runtime alone: add the
 *   platform, e.g. `NodeContext.layer`);
 * - `Skip`: it is missing and not required (say so: a local run should tell what it did not test);
 * - `Fail`: it is missing and `OCIMAN_TEST_BACKENDS` requires it (declare a failing test with `error`).
 *
 * @since 0.1.0
 * @category models
 */
export type BackendPlan =
  | {
      readonly _tag: "Run"
      readonly kind: Kind
      readonly backend: ContainerRuntime.Backend
      readonly layer: Layer.Layer<ContainerRuntime.ContainerRuntime, ResolveError, Platform>
    }
  | { readonly _tag: "Skip"; readonly kind: Kind; readonly error: ResolveError | PlatformNotSupported }
  | { readonly _tag: "Fail"; readonly kind: Kind; readonly error: ResolveError | PlatformNotSupported }

/**
 * Options of {@link planBackends}.
 * @since 0.1.0
 * @category models
 */
export interface PlanOptions {
  /** The runtimes to plan for. Default both, Docker first. */
  readonly kinds?: ReadonlyArray<Kind> | undefined
  /** Executables to probe instead of `docker` / `podman` on PATH. */
  readonly executables?: Partial<Record<Kind, string>> | undefined
}

/**
 * Probes each runtime once and applies the required-backends policy (see {@link BackendPlan}).
 * Fails only when `OCIMAN_TEST_BACKENDS` holds something other than runtime names.
 *
 * @example
 * ```ts
 * import { NodeContext } from "@effect/platform-node"
 * import { Effect } from "effect"
 * import { Testing } from "ociman"
 *
 * const plans = await Effect.runPromise(Testing.planBackends().pipe(Effect.provide(NodeContext.layer)))
 * plans.map((plan) => `${plan.kind}: ${plan._tag}`) // ["docker: Run", "podman: Skip"]
 * ```
 *
 * @since 0.1.0
 * @category effects
 */
export const planBackends = (
  options: PlanOptions = {}
): Effect.Effect<ReadonlyArray<BackendPlan>, ConfigError.ConfigError, Platform> =>
  Effect.gen(function* () {
    const kinds = options.kinds ?? KINDS
    const required = yield* requiredBackends
    const supported = yield* Effect.either(platformSupport)
    const probe = (
      kind: Kind
    ): Effect.Effect<Either.Either<ContainerRuntime.Backend, ResolveError | PlatformNotSupported>, never, Platform> =>
      Either.isLeft(supported)
        ? Effect.succeed(Either.left(supported.left))
        : Effect.either(ContainerRuntime.resolve({ backend: kind, executables: options.executables }))
    return yield* Effect.forEach(
      kinds,
      (kind) =>
        Effect.map(probe(kind), (resolved): BackendPlan =>
          Either.isRight(resolved)
            ? {
                _tag: "Run",
                kind,
                backend: resolved.right,
                // The runtime's own layer (its probe is cheap), so it behaves as it does outside tests.
                layer: ContainerRuntime.layer({ backend: kind, executables: options.executables })
              }
            : { _tag: required.includes(kind) ? "Fail" : "Skip", kind, error: resolved.left }
        ),
      { concurrency: "unbounded" }
    )
  })

// ---------------------------------------------------------------------------------------------
// Layers
// ---------------------------------------------------------------------------------------------

/**
 * The in-memory runtime with the test image seeded (as busybox: `CMD ["sh"]`), for
 * `@effect/vitest`'s `layer(...)`. Options are those of `TestRuntime.layer`; `images` are added
 * to the test image.
 *
 * @example
 * ```ts
 * import { layer } from "@effect/vitest"
 * import { Testing } from "ociman"
 *
 * layer(Testing.memoryLayer({ kind: "podman" }))((it) => {
 *   // it.effect(…) against an in-memory Podman
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const memoryLayer = (
  options: TestRuntime.Options = {}
): Layer.Layer<ContainerRuntime.ContainerRuntime | TestRuntime.Recorder, ImageReference.InvalidImageReference> =>
  TestRuntime.layer({ ...options, images: [testImageSeed, ...(options.images ?? [])] })
