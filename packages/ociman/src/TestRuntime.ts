/**
 * The in-memory runtime: a `ContainerRuntime` layer with no processes, for unit tests. It keeps
 * images, containers and networks in memory and answers every operation the way Docker or Podman
 * would (same typed errors, same dialect differences), so a program tested against it behaves the
 * same against a real runtime. One conformance suite runs against it and against both real
 * runtimes, so it cannot drift from them unnoticed.
 *
 * What it models:
 * - images: seeded (`images`), built (Dockerfile text is interpreted: `FROM`, `RUN`, `LABEL`,
 *   `ENV`, `CMD`, `ENTRYPOINT`, `WORKDIR`, `USER`, `EXPOSE`; a directory build's Dockerfile is not
 *   read, the image gets the request's labels; a Dockerfile the builders reject, e.g. empty or with
 *   an instruction missing its arguments, is `BuildFailed` with their message), tagged, labelled,
 *   removed, pulled from and pushed to a simulated registry (`registry`). Content-addressed tags
 *   are computed above the runtime (`Image.build`), so they are the same as on a real runtime;
 * - containers: created and running (detached), exited (foreground, or when the main process's
 *   handler gives an exit code), stopped, removed (`--rm` too); unique names; labels (the image's
 *   included); published ports get distinct host ports; logs; `wait`; `commit`;
 * - commands (the main process of a run, an exec, a build's `RUN`): answered by the first
 *   {@link handler} that matches the image and command. With none, a command exits 0 with no
 *   output, and a detached container's main process keeps running until it is stopped;
 * - networks: created, removed (`NetworkInUse` while attached), the default bridge's subnets;
 * - every call is recorded (see {@link calls}), as the argv the real CLI would have been given
 *   (names of environment variables, never their values).
 *
 * What it cannot do is stated in `runtime.capabilities`: no real processes, no networking (ports
 * are allocated and reported but nothing listens: `Wait.tcp` and `Wait.http` are answered by the
 * runtime itself, a running container's published port being reached and answering HTTP with 200,
 * or the `httpStatus` of its main process's handler; `/etc/hosts` is not simulated), and no CLI
 * (`runtime.cli` fails with `CliUnsupported`). Mounts, resource limits, security options and raw
 * flags appear in the recorded argv and have no effect; there are no health checks
 * (`Wait.healthy` fails with `HealthcheckMissing`, as on a real runtime for an image without one).
 * `backend.kind` is `docker` or `podman` as chosen, and the runtime follows that dialect where the two differ (Docker's `/name` in inspect, image IDs with or without `sha256:`,
 * Podman's `localhost/` for short names and `io.buildah.version` label on built images, which
 * networks count as in use, `exists` by name, commit pause flags).
 *
 * Each layer build is an independent runtime: two layers in one test are two runtimes.
 *
 * @example
 * ```ts
 * import { expect, it, layer } from "@effect/vitest"
 * import { Effect } from "effect"
 * import { Container, ContainerDefinition as Def, TestRuntime } from "ociman"
 *
 * const Runtime = TestRuntime.layer({
 *   images: ["localhost/ociman-test/busybox:1"],
 *   handlers: [TestRuntime.handler("*", ["echo", "hi"], { stdout: "hi\n" })]
 * })
 *
 * layer(Runtime)((it) => {
 *   it.effect("runs echo", () =>
 *     Effect.gen(function* () {
 *       const result = yield* Container.run(Def.make("localhost/ociman-test/busybox:1").pipe(Def.command(["echo", "hi"])))
 *       expect(result.stdout).toBe("hi\n")
 *       expect((yield* TestRuntime.calls).map((call) => call.operation)).toEqual(["containers.run"])
 *     })
 *   )
 * })
 * ```
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer } from "effect"
import { ContainerRuntime } from "./ContainerRuntime.js"
import type { Capabilities } from "./ContainerRuntime.js"
import * as ImageReference from "./ImageReference.js"
import { makeMemoryRuntime, memoryCapabilities } from "./internal/memory/runtime.js"
import type {
  Call,
  Handler,
  HandlerContext,
  Instance,
  Options,
  RecorderService,
  Result
} from "./internal/memory/types.js"
import { Version } from "./Version.js"

// The types are defined (and documented) in the wing, which must not import this module.
export type {
  Call,
  Handler,
  HandlerContext,
  ImageSeed,
  Instance,
  Operation,
  Options,
  RecorderService,
  Result,
  ResultCommon,
  SignalAnswer
} from "./internal/memory/types.js"

// ---------------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------------

/**
 * Registers how commands behave: `image` (`"*"` for any), `command` (`"*"`, an exact argv, or a
 * predicate) and the answer (a fixed {@link Result}, or a function of the {@link HandlerContext},
 * which may return an `Effect`, e.g. to count calls or to take time). The first handler that
 * matches answers; with none, a command exits 0 with no output.
 *
 * @example
 * ```ts
 * import { Effect, Ref } from "effect"
 * import { TestRuntime } from "ociman"
 *
 * const handlers = [
 *   TestRuntime.handler("postgres:17", ["pg_isready"], { exitCode: 0 }),
 *   TestRuntime.handler("*", (command) => command[0] === "cat", (ctx) => ({ stdout: ctx.stdinText })),
 *   TestRuntime.handler("*", ["sh", "-c", "exit 3"], { stderr: "failed\n", exitCode: 3 })
 * ]
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const handler = (
  image: string | ImageReference.ImageReference,
  command: "*" | ReadonlyArray<string> | ((command: ReadonlyArray<string>) => boolean),
  respond: Result | ((context: HandlerContext) => Result | Effect.Effect<Result>)
): Handler => ({
  _tag: "Handler",
  image: typeof image === "string" ? image : ImageReference.format(image),
  command,
  respond: (context) => {
    if (typeof respond !== "function") return Effect.succeed(respond)
    const answer = respond(context)
    return Effect.isEffect(answer) ? answer : Effect.succeed(answer)
  }
})

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

/**
 * A version value for {@link Options.version}.
 *
 * @example
 * ```ts
 * import { TestRuntime } from "ociman"
 *
 * // Docker 29 takes `commit --no-pause`, older Docker `--pause=false`
 * const Docker29 = TestRuntime.layer({ kind: "docker", version: TestRuntime.version(29, 0, 0) })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const version = (major: number, minor = 0, patch = 0): Version =>
  new Version({ major, minor, patch, suffix: "", raw: `${major}.${minor}.${patch}` })

// ---------------------------------------------------------------------------------------------
// Recorded calls
// ---------------------------------------------------------------------------------------------

/**
 * The recorder of the in-memory runtime in context (provided by {@link layer}).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { TestRuntime } from "ociman"
 *
 * const count = Effect.flatMap(TestRuntime.Recorder, (recorder) => recorder.calls).pipe(Effect.map((c) => c.length))
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class Recorder extends Context.Tag("ociman/TestRuntime/Recorder")<Recorder, RecorderService>() {}

/**
 * Every call the in-memory runtime in context recorded, oldest first.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Image, TestRuntime } from "ociman"
 *
 * const asked = Effect.gen(function* () {
 *   yield* Image.exists("busybox:1")
 *   return (yield* TestRuntime.calls).map((call) => call.argv.join(" "))
 *   // ["docker image ls --filter reference=busybox:1 --quiet"]
 * }).pipe(Effect.provide(TestRuntime.layer()))
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const calls: Effect.Effect<ReadonlyArray<Call>, never, Recorder> = Effect.flatMap(
  Recorder,
  (recorder) => recorder.calls
)

/**
 * Forgets the calls recorded so far (e.g. after a test's setup).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { TestRuntime } from "ociman"
 *
 * const reset = TestRuntime.clearCalls
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const clearCalls: Effect.Effect<void, never, Recorder> = Effect.flatMap(Recorder, (recorder) => recorder.clear)

// ---------------------------------------------------------------------------------------------
// Constructors
// ---------------------------------------------------------------------------------------------

/**
 * What the in-memory runtime can do (its `runtime.capabilities`): no real processes, no
 * networking, no CLI.
 *
 * @example
 * ```ts
 * import { TestRuntime } from "ociman"
 *
 * TestRuntime.capabilities // { processes: false, networking: false, cli: false }
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const capabilities: Capabilities = memoryCapabilities

/**
 * Builds an independent in-memory runtime (for two runtimes side by side in one test, or to
 * provide it by hand). Fails only when a seeded image reference is invalid.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ContainerRuntime, Image, TestRuntime } from "ociman"
 *
 * const program = Effect.gen(function* () {
 *   const a = yield* TestRuntime.make({ images: ["busybox:1"] })
 *   const b = yield* TestRuntime.make()
 *   const inA = yield* Image.exists("busybox:1").pipe(Effect.provideService(ContainerRuntime.ContainerRuntime, a.runtime))
 *   const inB = yield* Image.exists("busybox:1").pipe(Effect.provideService(ContainerRuntime.ContainerRuntime, b.runtime))
 *   return [inA, inB] // [true, false]
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Instance, ImageReference.InvalidImageReference> =>
  makeMemoryRuntime(options)

/**
 * The in-memory runtime as a layer: `ContainerRuntime` and its {@link Recorder}. Each build of the
 * layer is a new, empty runtime (seeded with `images`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Container, ContainerDefinition as Def, TestRuntime } from "ociman"
 *
 * const program = Container.run(Def.make("busybox:1").pipe(Def.command(["true"])))
 * const tested = program.pipe(Effect.provide(TestRuntime.layer({ kind: "podman", images: ["busybox:1"] })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options = {}
): Layer.Layer<ContainerRuntime | Recorder, ImageReference.InvalidImageReference> =>
  Layer.effectContext(
    Effect.map(make(options), (instance) =>
      Context.make(ContainerRuntime, instance.runtime).pipe(Context.add(Recorder, instance.recorder))
    )
  )
