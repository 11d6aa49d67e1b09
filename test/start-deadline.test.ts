/**
 * Acceptance: `Container.start` is bounded and interruptible, its run included, and a container
 * that a run it gave up on creates anyway is removed when the scope closes (each start labels its
 * container with a nonce before the run; the release looks for it).
 *
 * The runtime's CLI is wrapped by a script that makes `container run` slow: either before it runs
 * (the engine never hears of the container) or after (the container exists, the CLI has not said
 * so yet): the two ways a start can be cut short.
 */
import { NodeContext } from "@effect/platform-node"
import { expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Option, Scope } from "effect"
import { spawnSync } from "node:child_process"
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Container, ContainerDefinition as Def, ContainerRuntime } from "ociman"
import { describeEachRuntime, type Kind, TEST_IMAGE } from "./support/backends.js"

const LABEL_KEY = "ociman-test.start-deadline"

/** A wrapper of `kind`'s CLI whose `container run` sleeps 15 s, `before` or after the real run. */
const slowRunner = (kind: Kind, when: "before" | "after"): string => {
  const path = join(mkdtempSync(join(tmpdir(), "ociman-slow-run-")), kind)
  const slow = when === "before" ? `sleep 15; exec ${kind} "$@"` : `${kind} "$@"; status=$?; sleep 15; exit $status`
  writeFileSync(path, `#!/bin/sh\nif [ "$1" = container ] && [ "$2" = run ]; then ${slow}; fi\nexec ${kind} "$@"\n`)
  chmodSync(path, 0o755)
  return path
}

const labelled = (kind: Kind, value: string): ReadonlyArray<string> =>
  spawnSync(kind, ["container", "list", "--all", "--quiet", "--filter", `label=${LABEL_KEY}=${value}`], {
    encoding: "utf8"
  })
    .stdout.split("\n")
    .filter((line) => line.length > 0)

describeEachRuntime("a start cut short", (kind) => {
  const layerWith = (executable: string) =>
    ContainerRuntime.layer({ backend: kind, sweep: false, executables: { [kind]: executable } }).pipe(
      Layer.provide(NodeContext.layer)
    )

  for (const when of ["before", "after"] as const) {
    it.live(`a run that answers 15 s late (${when} the engine runs it): the start's timeout ends it in time`, () =>
      Effect.gen(function* () {
        const value = `${process.pid}-${when}`
        const definition = Def.make(TEST_IMAGE).pipe(Def.command(["sleep", "600"]), Def.labels({ [LABEL_KEY]: value }))
        const scope = yield* Scope.make()
        const startedAt = Date.now()
        // the case: a 2 s budget, and the caller's own 3 s timeout around it
        const exit = yield* Container.start(definition, { timeout: "2 seconds" }).pipe(
          Scope.extend(scope),
          Effect.timeout("3 seconds"),
          Effect.exit
        )
        const elapsed = Date.now() - startedAt
        const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
        expect(Option.map(failure, (error) => error._tag).pipe(Option.getOrUndefined)).toBe("OperationTimedOut")
        expect(elapsed).toBeLessThan(3000)
        // the engine ran it when the CLI was told "after": the container is there until the scope closes
        expect(labelled(kind, value)).toHaveLength(when === "after" ? 1 : 0)
        yield* Scope.close(scope, Exit.void)
        expect(labelled(kind, value)).toEqual([])
      }).pipe(Effect.provide(layerWith(slowRunner(kind, when))))
    )
  }

  it.live("interrupting a start during its run removes what the run created", () =>
    Effect.gen(function* () {
      const value = `${process.pid}-interrupted`
      const definition = Def.make(TEST_IMAGE).pipe(Def.command(["sleep", "600"]), Def.labels({ [LABEL_KEY]: value }))
      const startedAt = Date.now()
      const exit = yield* Effect.scoped(Container.start(definition)).pipe(Effect.timeout("2 seconds"), Effect.exit)
      expect(Exit.isFailure(exit)).toBe(true)
      // 2 s, then the release: a look for the container, a second look a second later (a create the
      // engine may still carry out), the removal
      expect(Date.now() - startedAt).toBeLessThan(6000)
      expect(labelled(kind, value)).toEqual([])
    }).pipe(Effect.provide(layerWith(slowRunner(kind, "after"))))
  )
})
