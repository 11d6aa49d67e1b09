/**
 * Volume operations of the in-memory runtime: volumes are records by name; a container names the
 * volumes it mounts, and keeps them in use until it is removed, running or not (both runtimes).
 */
import { Effect, Ref } from "effect"
import type { ListedVolume, VolumeOperations } from "../../ContainerRuntime.js"
import { VolumeInUse, VolumeNameInUse, VolumeNotFound } from "../../VolumeError.js"
import { labeledListArgs } from "../dialect/labeled.js"
import { messagesOf } from "../dialect/messages.js"
import { createArgs, labeledVolumes, volumeDialects, volumeRemoveArgs } from "../dialect/volumes.js"
import { matchesFilters, type Memory, record } from "./state.js"

export const makeMemoryVolumeOperations = (memory: Memory): VolumeOperations => {
  const messages = messagesOf(memory.kind)
  return {
    create: (name, options) =>
      Effect.gen(function* () {
        yield* record(memory, "volumes.create", createArgs(name, options))
        const created = yield* Ref.modify(memory.state, (state) =>
          state.volumes.has(name)
            ? ([false, state] as const)
            : ([
                true,
                { ...state, volumes: new Map(state.volumes).set(name, { name, labels: new Map(options.labels) }) }
              ] as const)
        )
        if (!created) return yield* new VolumeNameInUse({ name, stderr: messages.volumeNameInUse(name) })
      }),

    remove: (volume) =>
      Effect.gen(function* () {
        yield* record(memory, "volumes.remove", volumeRemoveArgs(volume))
        const state = yield* Ref.get(memory.state)
        if (!state.volumes.has(volume)) return yield* new VolumeNotFound({ volume })
        const users = Array.from(state.containers.values()).filter((c) => c.volumes.includes(volume))
        if (users.length > 0) {
          return yield* new VolumeInUse({
            volume,
            stderr: messages.volumeInUse(
              volume,
              users.map((c) => c.id)
            )
          })
        }
        yield* Ref.update(memory.state, (s) => {
          const volumes = new Map(s.volumes)
          volumes.delete(volume)
          return { ...s, volumes }
        })
      }),

    exists: (volume) =>
      Effect.gen(function* () {
        yield* record(memory, "volumes.exists", volumeDialects[memory.kind].existsArgs(volume))
        return (yield* Ref.get(memory.state)).volumes.has(volume)
      }),

    listLabeled: (filters) =>
      Effect.gen(function* () {
        yield* record(memory, "volumes.listLabeled", labeledListArgs(labeledVolumes, filters))
        const state = yield* Ref.get(memory.state)
        return Array.from(state.volumes.values())
          .filter((v) => matchesFilters(v.labels, filters))
          .map((v): ListedVolume => ({ name: v.name, labels: v.labels }))
      })
  }
}
