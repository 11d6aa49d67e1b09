/**
 * Acceptance: an engine that stops answering never hangs a library operation. Each operation
 * (start, exec, logs, build, pull, remove, the sweep) runs against a frozen engine and ends with
 * a typed timeout within its deadline plus a second; once the engine answers again, nothing it
 * created is left behind (a start that timed out is cleaned up through its nonce label).
 *
 * The frozen engines are spares, so the engines other tests use are never touched: a dockerd of
 * its own frozen with SIGSTOP, and a Podman storage of its own whose state lock is held (see
 * `support/frozenEngine.ts`). Both need root; under `OCIMAN_TEST_BACKENDS` they are required.
 */
import { NodeContext } from "@effect/platform-node"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Cause, Duration, Effect, Either, Exit, Layer, Option, Scope } from "effect"
import { BuildDefinition, Container, ContainerDefinition as Def, ContainerRuntime, Image, Sweeper } from "ociman"
import { TEST_IMAGE } from "./support/backends.js"
import {
  canRunSpareEngines,
  freezeSpareDockerd,
  holdPodmanStateLock,
  prepareSparePodman,
  SPARE_DOCKER_HOST,
  SPARE_PODMAN,
  spareContainers,
  startSpareDockerd,
  stopSpareDockerd
} from "./support/frozenEngine.js"

type Kind = ContainerRuntime.Kind

const DEADLINE = Duration.seconds(2)
/** What a deadline may overrun by: the bound. */
const MARGIN_MILLIS = 1000
const LABEL_KEY = "ociman-test.deadlines"
const LABEL = `${LABEL_KEY}=${process.pid}`

// Every docker call of this process goes to the spare engine (the library reads DOCKER_HOST, as the CLI does).
process.env["DOCKER_HOST"] = SPARE_DOCKER_HOST

const required = (kind: Kind) => (process.env["OCIMAN_TEST_BACKENDS"] ?? "").split(",").includes(kind)

/** The spare engine of each runtime, set up once: a frozen-able dockerd, and a Podman storage behind a wrapper. */
const setUp: Record<Kind, () => Either.Either<{ readonly freeze: () => Either.Either<() => void, string> }, string>> = {
  docker: () =>
    Either.map(startSpareDockerd(TEST_IMAGE), (pid) => ({
      freeze: () => {
        freezeSpareDockerd(pid, true)
        return Either.right(() => {
          freezeSpareDockerd(pid, false)
        })
      }
    })),
  podman: () => Either.map(prepareSparePodman(TEST_IMAGE), () => ({ freeze: holdPodmanStateLock }))
}

const layerOf = (kind: Kind) =>
  ContainerRuntime.layer({
    backend: kind,
    sweep: false,
    // the spare Podman storage is reached through its wrapper; Docker's through DOCKER_HOST
    ...(kind === "podman" ? { executables: { podman: SPARE_PODMAN } } : {}),
    // layer-wide deadlines for the operations whose call gives none here
    deadlines: { query: DEADLINE, remove: DEADLINE, build: DEADLINE, sweep: DEADLINE }
  }).pipe(Layer.provide(NodeContext.layer))

const sleeper = Def.make(TEST_IMAGE).pipe(
  Def.command(["sh", "-c", "trap 'exit 0' TERM; sleep 600 & wait"]),
  Def.labels({ [LABEL_KEY]: String(process.pid) })
)

/** Runs `effect` with the engine frozen, thawing it whatever happens. */
const whileFrozen = <A, E, R>(
  freeze: () => Either.Either<() => void, string>,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.acquireUseRelease(
    Effect.sync(() => Either.getOrElse(freeze(), (reason) => expect.fail(`could not freeze the engine: ${reason}`))),
    () => effect,
    (thaw) => Effect.sync(thaw)
  )

/** Asserts that `effect` failed with one of `tags` within the deadline plus the margin. */
const expectTimedOut = <A, E extends { readonly _tag: string }, R>(
  effect: Effect.Effect<A, E, R>,
  tags: ReadonlyArray<string>
) =>
  Effect.gen(function* () {
    const startedAt = Date.now()
    const exit = yield* Effect.exit(effect)
    const elapsed = Date.now() - startedAt
    const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
    expect(tags).toContain(
      Option.map(failure, (error) => error._tag).pipe(Option.getOrElse(() => `no failure: ${String(exit)}`))
    )
    expect(elapsed).toBeLessThan(Duration.toMillis(DEADLINE) + MARGIN_MILLIS)
    return failure
  })

const noneLeft = (kind: Kind) =>
  expect(Either.getOrElse(spareContainers(kind, LABEL), (reason) => expect.fail(reason))).toEqual([])

for (const kind of ["docker", "podman"] as const) {
  const possible = canRunSpareEngines()
  if (!possible && !required(kind)) {
    process.stderr.write(`[ociman tests] skipping "deadlines [${kind}]": needs root with docker and podman installed\n`)
  }
  describe.runIf(possible || required(kind))(`deadlines on a frozen engine [${kind}]`, () => {
    const engine = possible
      ? setUp[kind]()
      : Either.left("the spare engines need root with dockerd, podman and flock installed")
    const freeze = () =>
      Either.flatMap(engine, (ready) => ready.freeze()).pipe(Either.mapLeft((reason) => `${kind}: ${reason}`))
    const provided = <A, E>(
      effect: Effect.Effect<A, E, ContainerRuntime.ContainerRuntime | Scope.Scope | ContainerRuntime.Platform>
    ) => effect.pipe(Effect.scoped, Effect.provide(layerOf(kind)), Effect.provide(NodeContext.layer))

    it.live("start: OperationTimedOut within its budget; the container the engine creates later is removed", () =>
      provided(
        Effect.gen(function* () {
          const scope = yield* Scope.make()
          yield* whileFrozen(
            freeze,
            expectTimedOut(Container.start(sleeper, { timeout: DEADLINE }).pipe(Scope.extend(scope)), [
              "OperationTimedOut"
            ])
          )
          // thawed: let the engine finish what it had queued, then the scope's release finds it by its nonce
          yield* Effect.sleep("1 second")
          yield* Scope.close(scope, Exit.void)
          noneLeft(kind)
        })
      )
    )

    it.live("exec: the exec's deadline kills it (CommandTimedOut)", () =>
      provided(
        Effect.gen(function* () {
          const container = yield* Container.start(sleeper)
          yield* whileFrozen(
            freeze,
            expectTimedOut(container.exec(["true"], { timeout: DEADLINE }), ["CommandTimedOut"])
          )
          expect((yield* container.exec(["echo", "thawed"])).stdout).toBe("thawed\n")
        })
      ).pipe(Effect.tap(() => noneLeft(kind)))
    )

    it.live("logs: the layer's query deadline (OperationTimedOut)", () =>
      provided(
        Effect.gen(function* () {
          const container = yield* Container.start(sleeper)
          const failure = yield* whileFrozen(freeze, expectTimedOut(container.logs, ["OperationTimedOut"]))
          expect(Option.map(failure, (error) => error.message).pipe(Option.getOrUndefined)).toContain("container.logs")
        })
      ).pipe(Effect.tap(() => noneLeft(kind)))
    )

    it.live("remove: the removal's deadline (OperationTimedOut); the release removes it once thawed", () =>
      provided(
        Effect.gen(function* () {
          const container = yield* Container.start(sleeper)
          yield* whileFrozen(
            freeze,
            expectTimedOut(container.remove({ force: true, timeout: DEADLINE }), ["OperationTimedOut"])
          )
        })
      ).pipe(Effect.tap(() => noneLeft(kind)))
    )

    it.live("build: the layer's build deadline kills the build (CommandTimedOut)", () =>
      provided(
        whileFrozen(
          freeze,
          expectTimedOut(
            Image.build(
              BuildDefinition.fromInstructions(`FROM ${TEST_IMAGE}\nRUN echo frozen > /frozen\n`, {
                reference: "localhost/ociman-test/deadlines:1"
              })
            ),
            ["CommandTimedOut"]
          )
        )
      )
    )

    it.live("pull: the pull's deadline (OperationTimedOut)", () =>
      provided(
        whileFrozen(
          freeze,
          expectTimedOut(Image.pull("127.0.0.1:5000/ociman-test/never-pulled:1", { timeout: DEADLINE }), [
            "OperationTimedOut"
          ])
        )
      )
    )

    it.live("sweep: the layer's sweep deadline (OperationTimedOut)", () =>
      provided(whileFrozen(freeze, expectTimedOut(Sweeper.sweep(), ["OperationTimedOut"])))
    )

    it.live("nothing is left on the engine once it answers again", () =>
      Effect.sync(() => {
        Either.getOrElse(engine, (reason) => expect.fail(reason))
        noneLeft(kind)
      })
    )

    afterAll(() => {
      if (kind === "docker") stopSpareDockerd()
    })
  })
}
