/**
 * One `describe` per container runtime: the switch every test suite that runs on Docker and
 * Podman needs, with the required-backends policy of `Testing.planBackends` (CI sets
 * `OCIMAN_TEST_BACKENDS=docker,podman`: a missing runtime fails; locally it is skipped and the
 * skip announced).
 *
 * @since 0.1.0
 */
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it as vitestIt, layer, type Vitest } from "@effect/vitest"
import { type Duration, Effect, Either, Layer, Option, Schema } from "effect"
import { ContainerRuntime, Testing } from "ociman"
import { inject } from "vitest"
import { kindOf, type Plan, PlanSchema, planRuntimes, RUNTIMES_KEY } from "./Plans.js"

/**
 * A runtime a block of tests runs on: its kind and what was resolved.
 * @since 0.1.0
 * @category models
 */
export interface Runtime {
  readonly kind: ContainerRuntime.Kind
  readonly backend: ContainerRuntime.Backend
}

/**
 * What the tests of {@link describeRuntimes} are given: the runtime, and Node's platform services.
 * @since 0.1.0
 * @category models
 */
export type Services = ContainerRuntime.ContainerRuntime | NodeContext.NodeContext

/** The plans handed over by `globalSetup`, if this worker has them. */
const injected = (): Option.Option<ReadonlyArray<Plan>> =>
  Either.getRight(Schema.decodeUnknownEither(Schema.Array(PlanSchema))(inject(RUNTIMES_KEY)))

/** Without `globalSetup`: probed once per test file's process, whatever the number of blocks. */
let probed: Promise<ReadonlyArray<Plan>> | undefined

const plansFor = async (kinds: ReadonlyArray<ContainerRuntime.Kind> | undefined): Promise<ReadonlyArray<Plan>> => {
  const handedOver = injected()
  const all = Option.isSome(handedOver)
    ? handedOver.value
    : await (probed ??= Effect.runPromise(planRuntimes().pipe(Effect.provide(NodeContext.layer))))
  return kinds === undefined ? all : all.filter((plan) => kinds.includes(kindOf(plan)))
}

/**
 * Options of {@link describeRuntimes}.
 * @since 0.1.0
 * @category models
 */
export interface DescribeOptions {
  /** The runtimes to run on (default: every runtime `globalSetup` resolved, else Docker and Podman). */
  readonly kinds?: ReadonlyArray<ContainerRuntime.Kind> | undefined
  /** Build (or pull) the busybox test image first (`Testing.ensureTestImage`). Default `false`. */
  readonly ensureTestImage?: boolean | undefined
  /** How long building the runtime's layer may take. Default 60 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
}

const layerOf = (backend: ContainerRuntime.Backend, options: DescribeOptions): Layer.Layer<Services, unknown> => {
  const runtime = ContainerRuntime.layerResolved(backend).pipe(Layer.provideMerge(NodeContext.layer))
  return options.ensureTestImage === true
    ? Layer.effectDiscard(Testing.ensureTestImage()).pipe(Layer.provideMerge(runtime))
    : runtime
}

/**
 * Declares `body` once per runtime, under `describe("<name>")` › `describe("<kind>")`, with an `it`
 * whose tests get that runtime (`it.effect`, `it.scoped`, `it.layer`, … of `@effect/vitest`).
 *
 * - A runtime that answers runs the tests (its layer is built once per block).
 * - A missing runtime that `OCIMAN_TEST_BACKENDS` requires fails, with the reason.
 * - A missing optional runtime is skipped, and the skip is announced on stderr.
 *
 * The tests run on the live clock (`excludeTestServices`): a container test waits for real
 * processes. ociman's own deadlines and readiness polls keep real time on Docker and Podman in
 * any case, even under a `TestClock`. With `globalSetup` in the vitest config, the runtimes are
 * probed once per run and handed to every worker; without it, once per test file.
 *
 * @example
 * ```ts
 * import { expect } from "@effect/vitest"
 * import { Effect } from "effect"
 * import { Container, ContainerDefinition as Def } from "ociman"
 * import { describeRuntimes } from "@ociman/vitest"
 *
 * describeRuntimes("echo", (it, runtime) => {
 *   it.effect(`runs on ${runtime.kind}`, () =>
 *     Effect.gen(function* () {
 *       const result = yield* Container.run(Def.make("localhost/ociman-test/busybox:1").pipe(Def.command(["echo", "hi"])))
 *       expect(result.stdout).toBe("hi\n")
 *     })
 *   )
 * }, { ensureTestImage: true })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const describeRuntimes = (
  name: string,
  body: (it: Vitest.MethodsNonLive<Services, true>, runtime: Runtime) => void,
  options: DescribeOptions = {}
): void => {
  describe(name, async () => {
    for (const plan of await plansFor(options.kinds)) {
      switch (plan._tag) {
        case "Run": {
          const runtime: Runtime = { kind: plan.backend.kind, backend: plan.backend }
          layer(layerOf(plan.backend, options), {
            excludeTestServices: true,
            timeout: options.timeout ?? "60 seconds"
          })(runtime.kind, (it) => body(it, runtime))
          break
        }
        case "Fail":
          describe(plan.kind, () => {
            vitestIt(`requires ${plan.kind} (${Testing.REQUIRED_BACKENDS_VARIABLE})`, () => {
              expect.fail(
                `${plan.kind} is required by ${Testing.REQUIRED_BACKENDS_VARIABLE} but unavailable: ${plan.reason}`
              )
            })
          })
          break
        case "Skip":
          process.stderr.write(`[ociman] skipping "${name} > ${plan.kind}": ${plan.reason}\n`)
          describe.skip(plan.kind, () => {
            vitestIt.skip(`${plan.kind} is unavailable: ${plan.reason}`, () => undefined)
          })
          break
      }
    }
  })
}
