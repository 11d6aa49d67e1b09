/**
 * Image operations of the in-memory runtime. Names are stored as each runtime stores them (see
 * `names.ts`); failures carry the messages and exit codes the real CLIs print (`messagesOf(kind)`),
 * so they are classified into the same typed errors. Builds are played by the Dockerfile
 * interpreter (`dockerfile.ts`).
 */
import { Deferred, Effect, Either, Ref, Stream } from "effect"
import type { ProcessError } from "../../CliError.js"
import type { BuildOutput, BuildRequest, ImageOperations, ListedImage } from "../../ContainerRuntime.js"
import { type BuildFailed, ImageInUse, ImageNotFound, PullFailed, PushFailed } from "../../ImageError.js"
import * as ImageReference from "../../ImageReference.js"
import { compareUtf8 } from "../bytes.js"
import {
  buildInvocation,
  decodeInspect,
  existsArgs,
  inspectArgs,
  labeledImages,
  listByNameArgs,
  matchesName,
  removeArgs,
  tagArgs
} from "../dialect/images.js"
import { loginArgs, logoutArgs, pullArgs, pullEventOf, pushArgs, pushFailure } from "../dialect/registry.js"
import { labeledListArgs } from "../dialect/labeled.js"
import { memoryDialectOf } from "../dialect/memory.js"
import { messagesOf } from "../dialect/messages.js"
import { interpret } from "./dockerfile.js"
import {
  candidates,
  displayName,
  lookupImage,
  lookupRegistry,
  namesOf,
  nameOf,
  printedImageId,
  storedName
} from "./names.js"
import {
  addImage,
  EMPTY_CONFIG,
  type ImageRecord,
  type Memory,
  matchesFilters,
  newId,
  processConfigJson,
  record,
  sortedLabels,
  type State,
  timed
} from "./state.js"
import type { ImageSeed } from "./types.js"

type Ref = ImageReference.ImageReference

const hostArchitecture = (): string =>
  process.arch === "x64" ? "amd64" : process.arch === "ia32" ? "386" : process.arch

/** An image record for a seed. */
export const imageOfSeed = (seed: string | ImageSeed, created: string): ImageRecord =>
  typeof seed === "string"
    ? { ...EMPTY_CONFIG, id: newId(), created, size: 0 }
    : {
        id: newId(),
        created,
        size: 0,
        labels: sortedLabels(Object.entries(seed.labels ?? {})),
        cmd: seed.cmd,
        entrypoint: seed.entrypoint,
        env: Object.entries(seed.env ?? {}).map(([k, v]) => `${k}=${v}`),
        workdir: seed.workdir,
        user: seed.user,
        exposedPorts: seed.exposedPorts ?? []
      }

/** The image config as `image inspect` prints it, per dialect. */
const inspectJson = (memory: Memory, state: State, image: ImageRecord) => ({
  Id: printedImageId(memory.kind, image.id),
  RepoTags: namesOf(state, image.id).map((name) => displayName(memory.kind, name)),
  RepoDigests: Array.from(state.digests)
    .filter(([, id]) => id === image.id)
    .map(([key]) => displayName(memory.kind, key)),
  Created: image.created,
  Size: image.size,
  Architecture: hostArchitecture(),
  Os: "linux",
  Config: {
    Env: image.env,
    ...processConfigJson(image),
    ExposedPorts: image.exposedPorts.length === 0 ? null : Object.fromEntries(image.exposedPorts.map((p) => [p, {}])),
    Labels: image.labels.size === 0 ? null : Object.fromEntries(image.labels)
  }
})

export const makeMemoryImageOperations = (memory: Memory): ImageOperations => {
  const { kind } = memory
  const messages = messagesOf(kind)
  const removesUsers = memoryDialectOf(kind).forcedImageRemovalRemovesContainers
  const find = (state: State, ref: Ref) => lookupImage(kind, state, ref)

  const build = (request: BuildRequest): Stream.Stream<BuildOutput, BuildFailed | ProcessError> =>
    Stream.unwrap(
      Effect.gen(function* () {
        const invocation = buildInvocation(kind, request)
        const argv = yield* record(memory, "images.build", invocation.args)
        const planned = yield* timed(interpret(memory, request, argv), argv, request.timeout)
        const lines = Stream.fromIterable(planned.output)
        return Either.match(planned.outcome, {
          onLeft: (error) => Stream.concat(lines, Stream.fail(error)),
          onRight: (image) => {
            const name = storedName(kind, request.reference)
            const shown = displayName(kind, name)
            const done = messages.built(image.id, shown).map((line): BuildOutput => ({ stream: "stdout", line }))
            // The image is tagged once the output is through, as a real build ends.
            const commit = Stream.fromEffect(Ref.update(memory.state, (state) => addImage(state, image, [name])))
            return Stream.concat(Stream.concat(lines, commit.pipe(Stream.drain)), Stream.fromIterable(done))
          }
        })
      })
    )

  return {
    exists: (ref) =>
      Effect.flatMap(record(memory, "images.exists", existsArgs(kind, ref)), () =>
        Effect.map(Ref.get(memory.state), (state) => find(state, ref) !== undefined)
      ),

    build,

    tag: (source, target) =>
      Effect.gen(function* () {
        yield* record(memory, "images.tag", tagArgs(source, target))
        const image = ImageReference.format(source)
        const id = find(yield* Ref.get(memory.state), source)
        if (id === undefined) {
          return yield* new ImageNotFound({ image, stderr: messages.tagSourceNotFound(image) })
        }
        yield* Ref.update(memory.state, (state) => ({
          ...state,
          tags: new Map(state.tags).set(storedName(kind, target), id)
        }))
      }),

    remove: (ref, options = {}) =>
      Effect.gen(function* () {
        const force = options.force === true
        yield* record(memory, "images.remove", removeArgs(ref, force))
        const image = ImageReference.format(ref)
        const state = yield* Ref.get(memory.state)
        const key = candidates(kind, ref).find((name) => state.tags.has(name))
        const id = key === undefined ? undefined : state.tags.get(key)
        if (key === undefined || id === undefined) {
          return yield* new ImageNotFound({ image, stderr: messages.imageNotFound(image) })
        }
        const users = Array.from(state.containers.values()).filter((c) => c.imageId === id)
        const lastName = namesOf(state, id).length === 1
        const user = users[0]
        if (lastName && user !== undefined && !force) {
          return yield* new ImageInUse({ image, stderr: messages.imageInUse(image, user.id, id) })
        }
        yield* Ref.update(memory.state, (s) => {
          const tags = new Map(s.tags)
          tags.delete(key)
          if (!lastName) return { ...s, tags }
          // Docker keeps a forced image's containers (with a dangling image); Podman removes them.
          if (!removesUsers && users.length > 0) return { ...s, tags }
          const containers = new Map(s.containers)
          if (removesUsers) users.forEach((c) => containers.delete(c.id))
          const images = new Map(s.images)
          images.delete(id)
          const digests = new Map(Array.from(s.digests).filter(([, digestOf]) => digestOf !== id))
          return { ...s, tags, images, digests, containers }
        })
        // Podman kills the containers it removes: their waiters learn the exit code.
        if (removesUsers && lastName) yield* Effect.forEach(users, (c) => Deferred.succeed(c.exited, 137))
      }),

    // The pull prints what the real CLI prints, read by the same progress parser.
    pull: (ref) =>
      Stream.unwrap(
        Effect.gen(function* () {
          const argv = yield* record(memory, "images.pull", pullArgs(ref))
          const reference = ImageReference.format(ref)
          const state = yield* Ref.get(memory.state)
          const found = lookupRegistry(kind, state, ref)
          if (found === undefined) {
            const failure = messages.pullNotFound(reference, ImageReference.normalize(ref))
            return yield* new PullFailed({ reference, reason: "NotFound", argv, ...failure })
          }
          const existing = state.images.get(found.id)
          const image = existing ?? found
          yield* Ref.update(memory.state, (s) => {
            const tagged = ref.tag === undefined && ref.digest !== undefined ? [] : [storedName(kind, ref)]
            const next = addImage(s, image, tagged)
            if (ref.digest === undefined) return next
            const [name] = candidates(kind, ref)
            return name === undefined
              ? next
              : { ...next, digests: new Map(next.digests).set(`${nameOf(name)}@${ref.digest}`, image.id) }
          })
          const output = messages.pullOutput(reference, ImageReference.normalize(ref), image.id)
          return Stream.fromIterable(output.map(pullEventOf[kind]))
        })
      ),

    push: (ref) =>
      Effect.gen(function* () {
        const argv = yield* record(memory, "images.push", pushArgs(ref))
        const reference = ImageReference.format(ref)
        const state = yield* Ref.get(memory.state)
        const id = find(state, ref)
        const image = id === undefined ? undefined : state.images.get(id)
        if (image === undefined) {
          const failure = messages.pushNotFound(reference)
          return yield* new PushFailed({ reference, reason: pushFailure(failure.stderr), argv, ...failure })
        }
        // The simulated registry now has it: a later pull (by any runtime sharing it) finds it.
        yield* Ref.update(memory.state, (s) => ({
          ...s,
          registry: new Map(s.registry).set(storedName(kind, ref), image)
        }))
      }),

    // No simulated registry asks for credentials: a login is recorded (never the password) and succeeds.
    login: (request) => Effect.asVoid(record(memory, "images.login", loginArgs(request.registry, request.username))),
    logout: (registry) => Effect.asVoid(record(memory, "images.logout", logoutArgs(registry))),

    inspect: (ref) =>
      Effect.gen(function* () {
        const argv = yield* record(memory, "images.inspect", inspectArgs(ref))
        const state = yield* Ref.get(memory.state)
        const id = find(state, ref)
        const image = id === undefined ? undefined : state.images.get(id)
        if (image === undefined) {
          const text = ImageReference.format(ref)
          return yield* new ImageNotFound({ image: text, stderr: messages.imageNotFound(text) })
        }
        return yield* decodeInspect(argv, JSON.stringify([inspectJson(memory, state, image)]))
      }),

    listByName: (name) =>
      Effect.gen(function* () {
        yield* record(memory, "images.listByName", listByNameArgs(kind, name))
        const state = yield* Ref.get(memory.state)
        const found = new Map<string, Ref>()
        for (const stored of state.tags.keys()) {
          const parsed = ImageReference.parse(displayName(kind, stored))
          if (Either.isRight(parsed) && matchesName(name, parsed.right)) {
            found.set(ImageReference.format(parsed.right), parsed.right)
          }
        }
        return Array.from(found)
          .sort(([a], [b]) => compareUtf8(a, b))
          .map(([, ref]) => ref)
      }),

    listLabeled: (filters) =>
      Effect.gen(function* () {
        yield* record(memory, "images.listLabeled", labeledListArgs(labeledImages, filters))
        const state = yield* Ref.get(memory.state)
        return Array.from(state.images.values())
          .filter((image) => matchesFilters(image.labels, filters))
          .map((image): ListedImage => ({
            id: printedImageId(kind, image.id),
            references: namesOf(state, image.id).map((n) => displayName(kind, n)),
            labels: image.labels
          }))
      })
  }
}
