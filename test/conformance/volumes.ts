/**
 * Conformance: named volumes as scoped resources (issue #17). Part of the suite in `suite.ts`, run
 * on Docker, Podman (both transports) and the in-memory runtime: a scoped volume carries its
 * labels and is gone after its scope; a container mounting it keeps it in use (running or not);
 * a name in use is refused on both runtimes (Docker's own `volume create` would take it); data
 * written through the volume is read by the next container (capability: processes).
 */
import { expect } from "@effect/vitest"
import { Effect, Either, pipe } from "effect"
import { Container, ContainerDefinition as Def, Label, Testing, Volume } from "ociman"
import { labelKey, type Part, partLayer, whereOf } from "./part.js"

const labelValue = (value: string) => Either.getOrThrow(Label.value(value))
const SESSION = "ociman.session"

/** Declares these tests for one runtime (see `conformance` in `suite.ts`). */
export const volumesConformance: Part = (kind, runtime, capabilities, image) => {
  const where = whereOf(kind, capabilities)
  let counter = 0
  const unique = (base: string) => `${Testing.runId}-conformance-${where}-${base}-${(counter += 1)}`
  const mounted = (volume: Volume.Volume) => Either.getOrThrow(Volume.mount(volume, "/data"))

  partLayer(runtime)(`volumes ${where}`, (it) => {
    it.effect("volumes: a scoped volume exists with its labels and the ownership labels, and is gone after", () =>
      Effect.gen(function* () {
        const marker = unique("marker")
        const made = yield* Effect.scoped(
          Effect.gen(function* () {
            const volume = yield* Volume.make({ labels: { "com.example.marker": marker } })
            expect(yield* Volume.exists(volume.name)).toBe(true)
            const listed = yield* Volume.listLabeled([Label.exact(labelKey("com.example.marker"), labelValue(marker))])
            expect(listed.map((v) => v.name)).toEqual([volume.name])
            expect(listed[0]?.labels.get("ociman.managed")).toBe("true")
            expect(listed[0]?.labels.has(SESSION)).toBe(true)
            return volume
          })
        )
        expect(yield* Volume.exists(made.name)).toBe(false)
        expect((yield* Effect.flip(Volume.remove(made.name)))._tag).toBe("VolumeNotFound")
      })
    )

    it.effect("volumes: a name in use is VolumeNameInUse, and the existing volume is left alone", () =>
      Effect.gen(function* () {
        const name = unique("taken")
        yield* Effect.scoped(
          Effect.gen(function* () {
            yield* Volume.make({ name })
            const error = yield* Effect.flip(Effect.scoped(Volume.make({ name })))
            expect(error._tag).toBe("VolumeNameInUse")
            // the refused make's scope closed without removing the first one's volume
            expect(yield* Volume.exists(name)).toBe(true)
          })
        )
        expect(yield* Volume.exists(name)).toBe(false)
      })
    )

    it.effect("volumes: an invalid name is InvalidVolumeName before anything runs", () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(Effect.scoped(Volume.make({ name: "-bad" })))
        expect(error._tag).toBe("InvalidVolumeName")
        expect(error.message).toContain("-bad")
      })
    )

    it.effect(
      "volumes: a container mounting it keeps it in use, running or stopped; it goes once the container has",
      () =>
        Effect.gen(function* () {
          const volume = yield* Effect.scoped(
            Effect.gen(function* () {
              const volume = yield* Volume.make()
              const c = yield* Container.startDetached(
                pipe(Def.make(image), Def.mount(mounted(volume)), Def.command(["sleep", "60"]))
              )
              expect((yield* Effect.flip(Volume.remove(volume.name)))._tag).toBe("VolumeInUse")
              yield* c.stop({ timeout: "0 seconds" })
              expect((yield* Effect.flip(Volume.remove(volume.name)))._tag).toBe("VolumeInUse")
              yield* c.remove({ force: true })
              return volume
            })
          )
          // released with its scope: the container had gone first
          expect(yield* Volume.exists(volume.name)).toBe(false)
        })
    )

    it.effect("volumes: what one container writes, the next one reads (capability: processes)", () =>
      Effect.gen(function* () {
        const read = yield* Effect.scoped(
          Effect.gen(function* () {
            const volume = yield* Volume.make()
            const on = (command: ReadonlyArray<string>) =>
              pipe(Def.make(image), Def.withRemove, Def.mount(mounted(volume)), Def.command(command))
            yield* Container.run(on(["sh", "-c", "echo kept > /data/file"]))
            return yield* Container.run(on(["cat", "/data/file"]))
          })
        )
        // the in-memory runtime runs no processes: its `cat` prints nothing
        expect(read.stdout).toBe(capabilities.processes ? "kept\n" : "")
      })
    )
  })
}
