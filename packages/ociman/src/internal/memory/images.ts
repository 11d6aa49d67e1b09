/**
 * Image operations of the in-memory runtime. Names are stored as each dialect stores them (see
 * `memoryState.storedName`); failures carry the messages and exit codes the real CLIs print, so
 * they are classified into the same typed errors. Builds of Dockerfile text are interpreted (the
 * instructions that shape an image; `RUN` steps are answered by the handlers); the Dockerfile of a
 * directory build is not read, so such a build only carries the request's labels.
 */
import { Deferred, Duration, Effect, Either, Redacted, Ref, Schema, Stream } from "effect"
import { CommandTimedOut, type ProcessError } from "../../CliError.js"
import { BuildFailed, ImageInUse, ImageNotFound, PullFailed, PushFailed } from "../../ImageError.js"
import * as ImageReference from "../../ImageReference.js"
import * as Label from "../../Label.js"
import type { ImageSeed } from "../../TestRuntime.js"
import { compareUtf8 } from "../bytes.js"
import {
  buildInvocation,
  decodeInspect,
  existsArgs,
  inspectArgs,
  labeledImages,
  listByNameArgs,
  matchesName,
  pullArgs,
  pushArgs,
  removeArgs,
  tagArgs
} from "../cli/images.js"
import {
  answer,
  candidates,
  displayName,
  envMap,
  type ImageConfig,
  type ImageRecord,
  lookupImage,
  lookupRegistry,
  type Memory,
  namesOf,
  newId,
  now,
  printedImageId,
  record,
  shortId,
  type State,
  storedName
} from "./state.js"
import type { BuildOutput, BuildRequest, ImageOperations, ListedImage } from "../../ContainerRuntime.js"

type Ref = ImageReference.ImageReference

/** The label Podman's builder (buildah) adds to every image it builds. */
export const BUILDAH_LABEL = "io.buildah.version"
export const BUILDAH_VERSION = "1.28.2"

const EMPTY_CONFIG: ImageConfig = {
  labels: new Map(),
  cmd: undefined,
  entrypoint: undefined,
  env: [],
  workdir: undefined,
  user: undefined,
  exposedPorts: []
}

/** Labels sorted by key (UTF-8 order), as `Label.decode` returns them. */
export const sortedLabels = (labels: Iterable<readonly [string, string]>): ReadonlyMap<string, string> =>
  new Map(Array.from(labels).sort(([a], [b]) => compareUtf8(a, b)))

export const matchesFilters = (labels: ReadonlyMap<string, string>, filters: ReadonlyArray<Label.Filter>): boolean =>
  filters.every((filter) =>
    filter.value === undefined ? labels.has(filter.key) : labels.get(filter.key) === filter.value
  )

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

/** Adds an image under a stored name (the name moves if another image had it). */
export const addImage = (state: State, image: ImageRecord, names: ReadonlyArray<string>): State => ({
  ...state,
  images: new Map(state.images).set(image.id, image),
  tags: names.reduce((tags, name) => tags.set(name, image.id), new Map(state.tags))
})

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
    Cmd: image.cmd ?? null,
    Entrypoint: image.entrypoint ?? null,
    WorkingDir: image.workdir ?? "",
    User: image.user ?? "",
    ExposedPorts: image.exposedPorts.length === 0 ? null : Object.fromEntries(image.exposedPorts.map((p) => [p, {}])),
    Labels: image.labels.size === 0 ? null : Object.fromEntries(image.labels)
  }
})

const notFoundText = (memory: Memory, image: string): string =>
  memory.kind === "docker" ? `Error: No such image: ${image}` : `Error: ${image}: image not known`

// ---------------------------------------------------------------------------------------------
// Dockerfile interpretation
// ---------------------------------------------------------------------------------------------

interface Instruction {
  readonly keyword: string
  readonly args: string
  /** As written (one line, continuations joined). */
  readonly text: string
  readonly line: number
}

/** Instructions of a Dockerfile: comments dropped, `\` continuations joined. */
const parseDockerfile = (dockerfile: string): ReadonlyArray<Instruction> => {
  const out: Array<Instruction> = []
  let pending = ""
  let startLine = 0
  dockerfile.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim()
    if (pending === "" && (trimmed === "" || trimmed.startsWith("#"))) return
    if (pending === "") startLine = index + 1
    if (trimmed.endsWith("\\")) {
      pending = `${pending}${trimmed.slice(0, -1)} `
      return
    }
    const text = `${pending}${trimmed}`.trim()
    pending = ""
    const space = text.search(/\s/)
    out.push({
      keyword: (space < 0 ? text : text.slice(0, space)).toUpperCase(),
      args: space < 0 ? "" : text.slice(space + 1).trim(),
      text,
      line: startLine
    })
  })
  if (pending.trim() !== "") {
    const text = pending.trim()
    const space = text.search(/\s/)
    out.push({
      keyword: (space < 0 ? text : text.slice(0, space)).toUpperCase(),
      args: space < 0 ? "" : text.slice(space + 1).trim(),
      text,
      line: startLine
    })
  }
  return out
}

const KNOWN = new Set([
  "FROM",
  "RUN",
  "CMD",
  "LABEL",
  "MAINTAINER",
  "EXPOSE",
  "ENV",
  "ADD",
  "COPY",
  "ENTRYPOINT",
  "VOLUME",
  "USER",
  "WORKDIR",
  "ARG",
  "ONBUILD",
  "STOPSIGNAL",
  "HEALTHCHECK",
  "SHELL"
])

const decodeExecForm = Schema.decodeUnknownEither(Schema.parseJson(Schema.Array(Schema.String)))

/** Exec form (`["a", "b"]`) as is; shell form as `/bin/sh -c text`. */
const commandOf = (args: string): ReadonlyArray<string> =>
  Either.match(decodeExecForm(args), { onLeft: () => ["/bin/sh", "-c", args], onRight: (words) => words })

/** Whitespace-separated words, with `"…"` and `'…'` quoting. */
const words = (input: string): ReadonlyArray<string> => {
  const out: Array<string> = []
  let current = ""
  let quote: string | undefined = undefined
  let any = false
  for (const c of input) {
    if (quote !== undefined) {
      if (c === quote) quote = undefined
      else current += c
    } else if (c === '"' || c === "'") {
      quote = c
      any = true
    } else if (/\s/.test(c)) {
      if (any || current !== "") out.push(current)
      current = ""
      any = false
    } else {
      current += c
    }
  }
  if (any || current !== "") out.push(current)
  return out
}

/** `k=v k2="v 2"` pairs; ENV's legacy `ENV key value…` form too. */
const pairs = (args: string, legacy: boolean): ReadonlyArray<readonly [string, string]> => {
  const all = words(args)
  const first = all[0]
  if (legacy && first !== undefined && !first.includes("=")) return [[first, all.slice(1).join(" ")]]
  return all.map((word) => {
    const eq = word.indexOf("=")
    return eq < 0 ? ([word, ""] as const) : ([word.slice(0, eq), word.slice(eq + 1)] as const)
  })
}

interface Stage {
  readonly from: string
  readonly name: string | undefined
  readonly steps: ReadonlyArray<Instruction>
}

const stagesOf = (instructions: ReadonlyArray<Instruction>): ReadonlyArray<Stage> => {
  const stages: Array<Stage> = []
  for (const instruction of instructions) {
    if (instruction.keyword === "FROM") {
      const parts = words(instruction.args).filter((word) => !word.startsWith("--"))
      const as = parts.findIndex((word) => word.toUpperCase() === "AS")
      stages.push({ from: parts[0] ?? "", name: as < 0 ? undefined : parts[as + 1], steps: [instruction] })
    } else {
      const last = stages.pop()
      if (last !== undefined) stages.push({ ...last, steps: [...last.steps, instruction] })
    }
  }
  return stages
}

/** What a build produced: its output, and the image or the failure. */
interface Planned {
  readonly output: ReadonlyArray<BuildOutput>
  readonly outcome: Either.Either<ImageRecord, BuildFailed>
}

const BUILD_TAIL = 50

// ---------------------------------------------------------------------------------------------
// The operations
// ---------------------------------------------------------------------------------------------

export const makeMemoryImageOperations = (memory: Memory): ImageOperations => {
  const { kind } = memory
  const docker = kind === "docker"
  const find = (state: State, ref: Ref) => lookupImage(kind, state, ref)

  const plan = (request: BuildRequest, argv: ReadonlyArray<string>): Effect.Effect<Planned> =>
    Effect.gen(function* () {
      const output: Array<BuildOutput> = []
      const say = (line: string, stream: "stdout" | "stderr" = "stdout") => output.push({ stream, line })
      const reference = ImageReference.format(request.reference)
      const fail = (exitCode: number, ...last: ReadonlyArray<string>): Planned => {
        last.forEach((line) => say(line, "stderr"))
        return {
          output,
          outcome: Either.left(
            new BuildFailed({
              reference,
              argv,
              exitCode,
              signal: undefined,
              lastLines: output.slice(-BUILD_TAIL).map((o) => o.line)
            })
          )
        }
      }
      const created = yield* now
      const buildArgs = new Map(
        request.buildArgs.map(([key, value]) => [key, Redacted.isRedacted(value) ? Redacted.value(value) : value])
      )
      const finish = (config: ImageConfig): Planned => ({
        output,
        outcome: Either.right({
          ...config,
          id: newId(),
          created,
          size: 0,
          labels: sortedLabels([
            ...config.labels,
            ...request.labels,
            ...(docker ? [] : [[BUILDAH_LABEL, BUILDAH_VERSION] as const])
          ])
        })
      })

      if (request.source._tag === "Directory") {
        say(`in-memory build of ${request.source.context}: the Dockerfile is not read (TestRuntime)`)
        return finish(EMPTY_CONFIG)
      }

      const instructions = parseDockerfile(request.source.dockerfile)
      const unknown = instructions.find((instruction) => !KNOWN.has(instruction.keyword))
      if (unknown !== undefined) {
        return fail(
          docker ? 1 : 125,
          docker
            ? `Error response from daemon: dockerfile parse error line ${unknown.line}: unknown instruction: ${unknown.keyword}`
            : `Error: building at STEP "${unknown.text}": unknown instruction: "${unknown.keyword}"`
        )
      }
      const stages = stagesOf(instructions)
      const target =
        request.target === undefined ? stages.length - 1 : stages.findIndex((stage) => stage.name === request.target)
      if (stages.length === 0 || instructions[0]?.keyword !== "FROM") {
        return fail(
          docker ? 1 : 125,
          docker ? "Error response from daemon: No build stage in current context" : "Error: no FROM statement found"
        )
      }
      if (target < 0) {
        return fail(
          docker ? 1 : 125,
          docker
            ? `failed to reach build target ${request.target ?? ""} in Dockerfile`
            : `Error: the target "${request.target ?? ""}" was not found in the provided Dockerfile`
        )
      }
      const used = stages.slice(0, target + 1)
      const total = used.reduce((n, stage) => n + stage.steps.length, 0)
      let step = 0
      let config: ImageConfig = EMPTY_CONFIG
      // What each named stage built, for a later `FROM <stage>`.
      const built = new Map<string, ImageConfig>()
      for (const stage of used) {
        config = EMPTY_CONFIG
        let base: ImageRecord | undefined = undefined
        for (const instruction of stage.steps) {
          step += 1
          say(docker ? `Step ${step}/${total} : ${instruction.text}` : `STEP ${step}/${total}: ${instruction.text}`)
          switch (instruction.keyword) {
            case "FROM": {
              if (stage.from === "scratch") break
              const earlier = built.get(stage.from)
              if (earlier !== undefined) {
                config = earlier
                break
              }
              const parsed = ImageReference.parse(stage.from)
              if (Either.isLeft(parsed)) {
                return fail(docker ? 1 : 125, `invalid reference format: ${parsed.left.message}`)
              }
              const state = yield* Ref.get(memory.state)
              const id = find(state, parsed.right)
              base = id === undefined ? lookupRegistry(kind, state, parsed.right) : state.images.get(id)
              if (base === undefined) {
                return fail(
                  docker ? 1 : 125,
                  docker
                    ? `pull access denied for ${stage.from}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`
                    : `Error: creating build container: initializing source docker://${stage.from}: reading manifest: manifest unknown`
                )
              }
              if (id === undefined) {
                // Pulled for the build, as a real builder does.
                const pulled = base
                yield* Ref.update(memory.state, (s) => addImage(s, pulled, [storedName(kind, parsed.right)]))
              }
              config = base
              break
            }
            case "RUN": {
              const command = commandOf(instruction.args)
              const env = new Map([...buildArgs, ...envMap(config.env)])
              const outcome = yield* answer(memory, {
                operation: "build",
                kind,
                image: stage.from,
                command,
                container: undefined,
                env,
                user: config.user,
                workdir: config.workdir,
                stdin: undefined,
                stdinText: "",
                detached: false
              })
              if (docker) say(` ---> Running in ${shortId(newId())}`)
              outcome.output.forEach((line) => say(line.text, line.stream))
              const code = outcome.exitCode ?? 0
              if (code !== 0) {
                return fail(
                  code,
                  docker
                    ? `The command '${command.join(" ")}' returned a non-zero code: ${code}`
                    : `Error: building at STEP "${instruction.text}": while running runtime: exit status ${code}`
                )
              }
              break
            }
            case "LABEL":
              config = { ...config, labels: sortedLabels([...config.labels, ...pairs(instruction.args, false)]) }
              break
            case "ENV": {
              const env = envMap(config.env)
              pairs(instruction.args, true).forEach(([k, v]) => env.set(k, v))
              config = { ...config, env: Array.from(env, ([k, v]) => `${k}=${v}`) }
              break
            }
            case "CMD":
              config = { ...config, cmd: commandOf(instruction.args) }
              break
            case "ENTRYPOINT":
              config = { ...config, entrypoint: commandOf(instruction.args), cmd: undefined }
              break
            case "WORKDIR":
              config = { ...config, workdir: instruction.args }
              break
            case "USER":
              config = { ...config, user: instruction.args }
              break
            case "EXPOSE":
              config = {
                ...config,
                exposedPorts: [
                  ...config.exposedPorts,
                  ...words(instruction.args).map((p) => (p.includes("/") ? p : `${p}/tcp`))
                ]
              }
              break
            default:
              // COPY, ADD, ARG, …: nothing in memory to copy or record.
              break
          }
          if (docker && instruction.keyword !== "FROM") say(` ---> ${shortId(newId())}`)
        }
        if (stage.name !== undefined) built.set(stage.name, config)
      }
      return finish(config)
    })

  const build = (request: BuildRequest): Stream.Stream<BuildOutput, BuildFailed | ProcessError> =>
    Stream.unwrap(
      Effect.gen(function* () {
        const invocation = buildInvocation(kind, request)
        const argv = yield* record(memory, "images.build", invocation.args)
        const timeout = request.timeout
        const planned = yield* timeout === undefined
          ? plan(request, argv)
          : plan(request, argv).pipe(
              Effect.timeoutFail({
                duration: timeout,
                onTimeout: () =>
                  new CommandTimedOut({ argv, timeoutMillis: Duration.toMillis(Duration.decode(timeout)) })
              })
            )
        const lines = Stream.fromIterable(planned.output)
        return Either.match(planned.outcome, {
          onLeft: (error) => Stream.concat(lines, Stream.fail(error)),
          onRight: (image) => {
            const name = storedName(kind, request.reference)
            const shown = displayName(kind, name)
            const done: ReadonlyArray<BuildOutput> = docker
              ? [
                  { stream: "stdout", line: `Successfully built ${shortId(image.id)}` },
                  { stream: "stdout", line: `Successfully tagged ${shown}` }
                ]
              : [
                  { stream: "stdout", line: `COMMIT ${shown}` },
                  { stream: "stdout", line: `--> ${shortId(image.id)}` },
                  { stream: "stdout", line: `Successfully tagged ${shown}` },
                  { stream: "stdout", line: image.id }
                ]
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
          return yield* new ImageNotFound({
            image,
            stderr: docker ? `Error response from daemon: No such image: ${image}` : `Error: ${image}: image not known`
          })
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
          return yield* new ImageNotFound({ image, stderr: notFoundText(memory, image) })
        }
        const users = Array.from(state.containers.values()).filter((c) => c.imageId === id)
        const lastName = namesOf(state, id).length === 1
        const user = users[0]
        if (lastName && user !== undefined && !force) {
          return yield* new ImageInUse({
            image,
            stderr: docker
              ? `Error response from daemon: conflict: unable to remove repository reference "${image}" (must force) - container ${shortId(user.id)} is using its referenced image ${shortId(id)}`
              : `Error: image used by ${user.id}: image is in use by a container: consider listing external containers and force-removing image`
          })
        }
        yield* Ref.update(memory.state, (s) => {
          const tags = new Map(s.tags)
          tags.delete(key)
          if (!lastName) return { ...s, tags }
          // Docker keeps a forced image's containers (with a dangling image); Podman removes them.
          const containers = new Map(s.containers)
          if (!docker) users.forEach((c) => containers.delete(c.id))
          const images = new Map(s.images)
          if (docker && users.length > 0) return { ...s, tags }
          images.delete(id)
          const digests = new Map(Array.from(s.digests).filter(([, digestOf]) => digestOf !== id))
          return { ...s, tags, images, digests, containers }
        })
        // Podman kills the containers it removes: their waiters learn the exit code.
        if (!docker && lastName) yield* Effect.forEach(users, (c) => Deferred.succeed(c.exited, 137))
      }),

    pull: (ref) =>
      Effect.gen(function* () {
        const argv = yield* record(memory, "images.pull", pullArgs(ref))
        const reference = ImageReference.format(ref)
        const state = yield* Ref.get(memory.state)
        const found = lookupRegistry(kind, state, ref)
        if (found === undefined) {
          return yield* new PullFailed({
            reference,
            reason: "NotFound",
            argv,
            exitCode: docker ? 1 : 125,
            stderr: docker
              ? `Error response from daemon: manifest for ${reference} not found: manifest unknown: manifest unknown`
              : `Error: initializing source docker://${ImageReference.normalize(ref)}: reading manifest: manifest unknown`
          })
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
            : { ...next, digests: new Map(next.digests).set(`${name.replace(/:[^:/]+$/, "")}@${ref.digest}`, image.id) }
        })
      }),

    push: (ref) =>
      Effect.gen(function* () {
        const argv = yield* record(memory, "images.push", pushArgs(ref))
        const reference = ImageReference.format(ref)
        const state = yield* Ref.get(memory.state)
        const id = find(state, ref)
        const image = id === undefined ? undefined : state.images.get(id)
        if (image === undefined) {
          return yield* new PushFailed({
            reference,
            argv,
            exitCode: docker ? 1 : 125,
            stderr: docker
              ? `An image does not exist locally with the tag: ${reference}`
              : `Error: ${reference}: image not known`
          })
        }
        // The simulated registry now has it: a later pull (by any runtime sharing it) finds it.
        yield* Ref.update(memory.state, (s) => ({
          ...s,
          registry: new Map(s.registry).set(storedName(kind, ref), image)
        }))
      }),

    inspect: (ref) =>
      Effect.gen(function* () {
        const argv = yield* record(memory, "images.inspect", inspectArgs(ref))
        const state = yield* Ref.get(memory.state)
        const id = find(state, ref)
        const image = id === undefined ? undefined : state.images.get(id)
        if (image === undefined) {
          const text = ImageReference.format(ref)
          return yield* new ImageNotFound({ image: text, stderr: notFoundText(memory, text) })
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
        yield* record(memory, "images.listLabeled", [
          ...labeledImages.list,
          "--quiet",
          "--no-trunc",
          ...filters.flatMap((filter) => ["--filter", Label.filterArg(filter)])
        ])
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
