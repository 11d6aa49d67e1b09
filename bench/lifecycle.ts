/**
 * Lifecycle benchmark: start → exec → release of one container through the library, against the
 * same `docker`/`podman` commands run bare from a shell script, on each runtime present.
 * Runs alternate (library, bare, library, …) so drift on this noisy machine hits both alike.
 * Goal: the library adds no more than 10% over the bare CLI (ratio ≥ 0.91).
 */
import { Command } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { Console, Effect, Either, Layer } from "effect"
import { Container, ContainerDefinition as Def, ContainerRuntime, Wait } from "ociman"
import { median, type Result, runCommand, timed } from "./measurement.js"

const IMAGE = process.env["OCIMAN_TEST_IMAGE"] ?? "localhost/ociman-test/busybox:1"
const ROUNDS = 9
const SLEEPER = "trap 'exit 0' TERM; sleep 60 & wait"

/**
 * The same three calls the library makes over the CLI (run -d with the image present, exec, one
 * forced removal with the anonymous volumes), from a shell.
 */
const BARE_SCRIPT = `set -e
id=$("$1" container run --detach --pull never --label ociman-bench=1 "$2" sh -c "$3")
"$1" container exec "$id" true
"$1" container rm --force --volumes "$id" >/dev/null`

const library = Effect.scoped(
  Effect.gen(function* () {
    // Wait.none: the same calls as the bare script (the default wait adds an inspect)
    const container = yield* Container.start(Def.make(IMAGE).pipe(Def.command(["sh", "-c", SLEEPER])), {
      waitFor: Wait.none
    })
    yield* container.execSuccess(["true"])
  })
)

const bare = (kind: ContainerRuntime.Kind) =>
  runCommand(Command.make("sh", "-c", BARE_SCRIPT, "sh", kind, IMAGE, SLEEPER))

const measure = (kind: ContainerRuntime.Kind) =>
  Effect.gen(function* () {
    const withLibrary: Array<number> = []
    const withShell: Array<number> = []
    // one warm-up of each, not measured (page cache, first exec of the binaries)
    yield* library
    yield* bare(kind)
    for (let round = 1; round <= ROUNDS; round += 1) {
      yield* Console.error(`lifecycle ${kind}: round ${round}/${ROUNDS}`)
      withLibrary.push((yield* timed(library)).seconds * 1000)
      withShell.push((yield* timed(bare(kind))).seconds * 1000)
    }
    const value = median(withLibrary)
    const baseline = median(withShell)
    const ratio = baseline / value
    const result: Result = {
      measurement: {
        name: `lifecycle start→exec→release (${kind}, CLI transport)`,
        value,
        unit: "ms",
        baseline,
        ratio
      },
      goal: "≥ 0.91x (≤ 10% over the bare CLI)",
      met: ratio >= 1 / 1.1,
      note: `median of ${ROUNDS}`
    }
    return result
    // the CLI transport against the bare CLI: the same three CLI calls (the API transport is
    // compared with testcontainers-node and the raw API in `containers.ts`)
  }).pipe(
    Effect.provide(ContainerRuntime.layer({ backend: kind, transport: "cli" }).pipe(Layer.provide(NodeContext.layer)))
  )

export const run = Effect.gen(function* () {
  const results: Array<Result> = []
  for (const kind of ["docker", "podman"] as const) {
    const available = yield* Effect.either(
      ContainerRuntime.resolve({ backend: kind }).pipe(Effect.provide(NodeContext.layer))
    )
    if (Either.isLeft(available)) {
      yield* Console.error(`lifecycle: skipping ${kind}: ${available.left.message}`)
      continue
    }
    results.push(yield* measure(kind))
  }
  return results
})
