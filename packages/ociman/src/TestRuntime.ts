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
 *   read, the image gets the request's labels), tagged, labelled, removed, pulled from and pushed
 *   to a simulated registry (`registry`). Content-addressed tags are computed above the runtime
 *   (`Image.build`), so they are the same as on a real runtime;
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
 * are allocated and reported but nothing listens, `/etc/hosts` is not simulated), and no CLI
 * (`runtime.cli` fails with `CliUnsupported`). Mounts, resource limits, security options and raw
 * flags appear in the recorded argv and have no effect; there are no health checks
 * (`Wait.healthy` fails with `HealthcheckMissing`, as on a real runtime for an image without one). `backend.kind` is `docker` or `podman` as chosen, and the runtime follows that
 * dialect where the two differ (Docker's `/name` in inspect, image IDs with or without `sha256:`,
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
import type { Capabilities, Service } from "./ContainerRuntime.js"
import * as ImageReference from "./ImageReference.js"
import { makeMemoryRuntime, memoryCapabilities } from "./internal/memory/runtime.js"
import type { Kind } from "./internal/kind.js"
import { Version } from "./Version.js"
import type { LogLine } from "./ContainerRuntime.js"

// ---------------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------------

/**
 * What a handler is asked: which command runs, where, and with what.
 * @since 0.1.0
 */
export interface HandlerContext {
  /** `run`: a container's main process; `exec`: a command in a running container; `build`: a `RUN` step. */
  readonly operation: "run" | "exec" | "build"
  /** The dialect the runtime simulates. */
  readonly kind: Kind
  /** The image, as the run was given it (for a build: the stage's `FROM`, or `scratch`). */
  readonly image: string
  /**
   * The command as the runtime would run it: entrypoint then arguments (the image's `CMD` when the
   * run gives none); the exec's command; a shell-form `RUN` as `["/bin/sh", "-c", text]`.
   */
  readonly command: ReadonlyArray<string>
  /** The container (`undefined` for a build step). */
  readonly container: { readonly id: string; readonly name: string } | undefined
  /** The environment the command sees: the image's, the run's, the exec's (values revealed). */
  readonly env: ReadonlyMap<string, string>
  readonly user: string | undefined
  readonly workdir: string | undefined
  /** The bytes sent to the command's stdin, if any. */
  readonly stdin: Uint8Array | undefined
  /** `stdin` as text (empty when there is none). */
  readonly stdinText: string
  /** A detached run (`Container.start`): an answer without `exitCode` keeps the container running. */
  readonly detached: boolean
}

/**
 * How the command behaves. Output is either `stdout` / `stderr` (text or bytes), or `output`: lines
 * in the order they were written, when the interleaving matters (a container's logs).
 * @since 0.1.0
 */
export type Result = ResultCommon &
  (
    | {
        readonly stdout?: string | Uint8Array | undefined
        readonly stderr?: string | Uint8Array | undefined
        readonly output?: undefined
      }
    | { readonly output: ReadonlyArray<LogLine>; readonly stdout?: undefined; readonly stderr?: undefined }
  )

/**
 * The exit codes of a {@link Result}.
 * @since 0.1.0
 */
export interface ResultCommon {
  /**
   * The exit code. For a foreground run, an exec or a build step, `undefined` means 0. For the main
   * process of a detached container, `undefined` means it keeps running until stopped; a number
   * means it exits with that code right after writing its output.
   */
  readonly exitCode?: number | undefined
  /** The exit code when the container is stopped (default 0: a process that exits on SIGTERM). */
  readonly stopExitCode?: number | undefined
}

/**
 * An answer to commands: which image and command it matches, and how the command behaves.
 * @since 0.1.0
 */
export interface Handler {
  readonly _tag: "Handler"
  /** `"*"` for any image; otherwise compared as references (`busybox` is `docker.io/library/busybox:latest`). */
  readonly image: string
  /** `"*"`, an exact argv, or a predicate. */
  readonly command: "*" | ReadonlyArray<string> | ((command: ReadonlyArray<string>) => boolean)
  readonly respond: (context: HandlerContext) => Effect.Effect<Result>
}

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
 * An image present in the runtime (or in its registry) from the start, with its configuration.
 * @since 0.1.0
 */
export interface ImageSeed {
  readonly reference: string | ImageReference.ImageReference
  readonly labels?: Readonly<Record<string, string>> | undefined
  /** `CMD` (e.g. `["sh"]` for busybox). */
  readonly cmd?: ReadonlyArray<string> | undefined
  readonly entrypoint?: ReadonlyArray<string> | undefined
  readonly env?: Readonly<Record<string, string>> | undefined
  readonly workdir?: string | undefined
  readonly user?: string | undefined
  /** `EXPOSE`d ports, e.g. `5432/tcp`. */
  readonly exposedPorts?: ReadonlyArray<string> | undefined
}

/**
 * Options of {@link layer}.
 * @since 0.1.0
 */
export interface Options {
  /** The dialect to simulate (`backend.kind`). Default `docker`. */
  readonly kind?: Kind | undefined
  /** Client and engine version (see {@link version}). Default Docker 20.10.24, Podman 4.3.1. */
  readonly version?: Version | undefined
  readonly rootless?: boolean | undefined
  /** Images stored locally from the start. */
  readonly images?: ReadonlyArray<string | ImageSeed> | undefined
  /** Images the simulated registry has (pulls of anything else fail with `PullFailed`, `NotFound`). */
  readonly registry?: ReadonlyArray<string | ImageSeed> | undefined
  /** How commands behave; the first match answers (see {@link handler}). */
  readonly handlers?: ReadonlyArray<Handler> | undefined
}

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
 */
export const version = (major: number, minor = 0, patch = 0): Version =>
  new Version({ major, minor, patch, suffix: "", raw: `${major}.${minor}.${patch}` })

// ---------------------------------------------------------------------------------------------
// Recorded calls
// ---------------------------------------------------------------------------------------------

/**
 * Which operation of the service was called.
 * @since 0.1.0
 */
export type Operation =
  | "cli"
  | "containers.run"
  | "containers.exec"
  | "containers.stop"
  | "containers.remove"
  | "containers.inspect"
  | "containers.exists"
  | "containers.list"
  | "containers.listLabeled"
  | "containers.logs"
  | "containers.streamLogs"
  | "containers.wait"
  | "containers.commit"
  | "images.exists"
  | "images.build"
  | "images.tag"
  | "images.remove"
  | "images.pull"
  | "images.push"
  | "images.inspect"
  | "images.listByName"
  | "images.listLabeled"
  | "networks.create"
  | "networks.remove"
  | "networks.exists"
  | "networks.bridgeSubnets"
  | "networks.listLabeled"

/**
 * One recorded call: the operation, and the argv the real CLI would have been given (the
 * executable first; environment variables by name only, never their values).
 * @since 0.1.0
 */
export interface Call {
  readonly operation: Operation
  readonly argv: ReadonlyArray<string>
}

/**
 * The calls a runtime recorded.
 * @since 0.1.0
 */
export interface RecorderService {
  /** Every call so far, oldest first. */
  readonly calls: Effect.Effect<ReadonlyArray<Call>>
  /** Forgets the calls so far. */
  readonly clear: Effect.Effect<void>
}

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
 */
export const capabilities: Capabilities = memoryCapabilities

/**
 * One in-memory runtime: the service and its recorder.
 * @since 0.1.0
 */
export interface Instance {
  readonly runtime: Service
  readonly recorder: RecorderService
}

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
 */
export const layer = (
  options: Options = {}
): Layer.Layer<ContainerRuntime | Recorder, ImageReference.InvalidImageReference> =>
  Layer.effectContext(
    Effect.map(make(options), (instance) =>
      Context.make(ContainerRuntime, instance.runtime).pipe(Context.add(Recorder, instance.recorder))
    )
  )
