/**
 * What the suite's per-concern files (`definition.ts`, `lifecycle.ts`, `files.ts`, …) share: the
 * signature each exports, the layer their tests run in, and small fixtures.
 */
import { NodeContext } from "@effect/platform-node"
import { layer } from "@effect/vitest"
import { Effect, Either, Layer } from "effect"
import * as fs from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Container, type ContainerRuntime, Label } from "ociman"

/** A part of the suite, declared for one runtime (see `conformance` in `suite.ts`). */
export type Part = (
  kind: ContainerRuntime.Kind,
  runtime: Layer.Layer<ContainerRuntime.ContainerRuntime, unknown>,
  capabilities: ContainerRuntime.Capabilities,
  image: string
) => void

/** How the tests name the runtime: `docker`, or `memory-docker` for the in-memory one. */
export const whereOf = (kind: ContainerRuntime.Kind, capabilities: ContainerRuntime.Capabilities): string =>
  capabilities.processes ? kind : `memory-${kind}`

/** The layer a part's tests run in: the runtime and Node's platform, live clock, two minutes each. */
export const partLayer = (runtime: Layer.Layer<ContainerRuntime.ContainerRuntime, unknown>) =>
  layer(Layer.merge(runtime, NodeContext.layer), { excludeTestServices: true, timeout: "120 seconds" })

export const labelKey = (key: string) => Either.getOrThrow(Label.key(key))

/** Removes every container carrying the label when the test's scope closes. */
export const removeContainersOnExit = (marker: string) =>
  Effect.addFinalizer(() =>
    Container.list([Label.keyOnly(labelKey(marker))]).pipe(
      Effect.flatMap(
        Effect.forEach((listed) =>
          Effect.flatMap(Container.handle(listed.id), (c) => c.remove({ force: true })).pipe(Effect.ignore)
        )
      ),
      Effect.ignore
    )
  )

/** A fresh directory on this machine, removed when the test's scope closes. */
export const hostDir = (prefix: string) =>
  Effect.acquireRelease(
    Effect.sync(() => fs.mkdtempSync(join(tmpdir(), `${prefix}-`))),
    (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
  )
