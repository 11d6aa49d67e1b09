/**
 * Which real runtimes the acceptance tests run against, by `Testing`'s required-backends policy.
 *
 * `OCIMAN_TEST_BACKENDS=docker,podman` (CI sets it) makes each listed runtime required: a test
 * block for a runtime that cannot be reached fails with the reason. Without it, a missing runtime
 * is skipped and the skip is announced on stderr, so a local run says what it did not test. A
 * value that names anything else fails the test file.
 */
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { ContainerRuntime, type RuntimeError } from "ociman"
import { Testing } from "ociman"

export type Kind = ContainerRuntime.Kind
export const KINDS: ReadonlyArray<Kind> = ["docker", "podman"]

/** The local busybox image `scripts/provision-runtimes.sh` builds on both runtimes. */
export const TEST_IMAGE = process.env["OCIMAN_TEST_IMAGE"] ?? Testing.TEST_IMAGE

/** Each runtime probed once per test file, with the policy applied. */
const plans = await Effect.runPromise(Testing.planBackends({ kinds: KINDS }).pipe(Effect.provide(NodeContext.layer)))

/** A runtime layer for one kind on the default transport (`auto`, or `OCIMAN_TRANSPORT`), with the Node platform provided. */
export const runtimeLayer = (kind: Kind): Layer.Layer<ContainerRuntime.ContainerRuntime, RuntimeError.ResolveError> =>
  ContainerRuntime.layer({ backend: kind }).pipe(Layer.provide(NodeContext.layer))

/**
 * Declares `body` once per runtime, under `describe("<name> [<kind>]")`.
 */
export const describeEachRuntime = (name: string, body: (kind: Kind) => void): void => {
  for (const kind of KINDS) describeRuntime(kind, name, body)
}

/**
 * Declares `body` for one runtime only, under `describe("<name> [<kind>]")`: the long suites have a
 * file per runtime (the conformance files can then run Docker's half beside Podman's, as `npm test`
 * runs two files at once).
 */
export const describeRuntime = (kind: Kind, name: string, body: (kind: Kind) => void): void => {
  for (const plan of plans.filter((p) => p.kind === kind)) {
    const title = `${name} [${plan.kind}]`
    switch (plan._tag) {
      case "Run":
        describe(title, () => body(plan.kind))
        break
      case "Fail":
        describe(title, () => {
          it(`requires ${plan.kind} (${Testing.REQUIRED_BACKENDS_VARIABLE})`, () => {
            expect.fail(
              `${plan.kind} is required by ${Testing.REQUIRED_BACKENDS_VARIABLE} but unavailable: ${plan.error.message}`
            )
          })
        })
        break
      case "Skip":
        process.stderr.write(`[ociman tests] skipping "${title}": ${plan.error.message}\n`)
        describe.skip(title, () => body(plan.kind))
        break
    }
  }
}
