/**
 * Which real runtimes the acceptance tests run against.
 *
 * `OCIMAN_TEST_BACKENDS=docker,podman` (CI sets it) makes each listed runtime required: a test
 * block for a runtime that cannot be reached fails with the reason. Without it, a missing runtime
 * is skipped and the skip is announced on stderr, so a local run says what it did not test.
 */
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer } from "effect"
import { ContainerRuntime } from "ociman"

export type Kind = ContainerRuntime.Kind
export const KINDS: ReadonlyArray<Kind> = ["docker", "podman"]

const requiredKinds = (): ReadonlyArray<Kind> => {
  const raw = process.env["OCIMAN_TEST_BACKENDS"] ?? ""
  return KINDS.filter((kind) =>
    raw
      .split(",")
      .map((s) => s.trim())
      .includes(kind)
  )
}

/** The local busybox image `scripts/provision-runtimes.sh` builds on both runtimes. */
export const TEST_IMAGE = process.env["OCIMAN_TEST_IMAGE"] ?? "localhost/ociman-test/busybox:1"

const probeAll = await Promise.all(
  KINDS.map(async (kind) => {
    const result = await Effect.runPromise(
      Effect.either(ContainerRuntime.resolve({ backend: kind })).pipe(Effect.provide(NodeContext.layer))
    )
    return [kind, result] as const
  })
)

/** A runtime layer for one kind, with the Node platform provided. */
export const runtimeLayer = (kind: Kind) =>
  ContainerRuntime.layer({ backend: kind }).pipe(Layer.provide(NodeContext.layer))

/**
 * Declares `body` once per runtime, under `describe("<name> [<kind>]")`.
 */
export const describeEachRuntime = (name: string, body: (kind: Kind) => void): void => {
  const required = requiredKinds()
  for (const [kind, result] of probeAll) {
    const title = `${name} [${kind}]`
    if (Either.isRight(result)) {
      describe(title, () => body(kind))
    } else if (required.includes(kind)) {
      describe(title, () => {
        it(`requires ${kind} (OCIMAN_TEST_BACKENDS)`, () => {
          expect.fail(`${kind} is required by OCIMAN_TEST_BACKENDS but unavailable: ${result.left.message}`)
        })
      })
    } else {
      process.stderr.write(`[ociman tests] skipping "${title}": ${result.left.message}\n`)
      describe.skip(title, () => body(kind))
    }
  }
}
