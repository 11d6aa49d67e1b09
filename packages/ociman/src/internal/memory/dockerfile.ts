/**
 * The Dockerfile interpreter of the in-memory runtime: it parses Dockerfile text and plays the
 * instructions that shape an image (`FROM`, `RUN` answered by the handlers, `LABEL`, `ENV`, `CMD`,
 * `ENTRYPOINT`, `WORKDIR`, `USER`, `EXPOSE`; `COPY`, `ADD`, `ARG`… have nothing to act on in
 * memory). A Dockerfile the real builders reject (empty, unknown instruction, an instruction
 * without its arguments, no stage, a missing target or base) fails the same way, with what each
 * builder prints (`messagesOf(kind)`).
 */
import { Effect, Either, Redacted, Ref, Schema } from "effect"
import type { BuildOutput, BuildRequest } from "../../ContainerRuntime.js"
import { BuildFailed } from "../../ImageError.js"
import * as ImageReference from "../../ImageReference.js"
import { memoryDialectOf } from "../dialect/memory.js"
import { type Arity, type Failure, messagesOf } from "../dialect/messages.js"
import { answer } from "./handlers.js"
import { lookupImage, lookupRegistry, storedName } from "./names.js"
import {
  addImage,
  EMPTY_CONFIG,
  envMap,
  type ImageConfig,
  type ImageRecord,
  type Memory,
  newId,
  now,
  sortedLabels
} from "./state.js"

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

export interface Instruction {
  readonly keyword: string
  readonly args: string
  /** As written (one line, continuations joined). */
  readonly text: string
  readonly line: number
}

const instructionOf = (text: string, line: number): Instruction => {
  const space = text.search(/\s/)
  return {
    keyword: (space < 0 ? text : text.slice(0, space)).toUpperCase(),
    args: space < 0 ? "" : text.slice(space + 1).trim(),
    text,
    line
  }
}

/** Instructions of a Dockerfile: comments dropped, `\` continuations joined. */
export const parseDockerfile = (dockerfile: string): ReadonlyArray<Instruction> => {
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
    out.push(instructionOf(text, startLine))
  })
  if (pending.trim() !== "") out.push(instructionOf(pending.trim(), startLine))
  return out
}

/**
 * Every instruction the builders know, and what it needs as arguments when it has none (`RUN`
 * runs a shell without a command; `CMD` and `ENTRYPOINT` may be empty).
 */
const ARITY: ReadonlyMap<string, Arity | undefined> = new Map<string, Arity | undefined>([
  ["FROM", "oneOrThree"],
  ["RUN", undefined],
  ["CMD", undefined],
  ["ENTRYPOINT", undefined],
  ["LABEL", "atLeastOne"],
  ["EXPOSE", "atLeastOne"],
  ["ENV", "atLeastOne"],
  ["ARG", "atLeastOne"],
  ["VOLUME", "atLeastOne"],
  ["ONBUILD", "atLeastOne"],
  ["SHELL", "atLeastOne"],
  ["HEALTHCHECK", "atLeastOne"],
  ["ADD", "sourceAndDestination"],
  ["COPY", "sourceAndDestination"],
  ["MAINTAINER", "exactlyOne"],
  ["USER", "exactlyOne"],
  ["WORKDIR", "exactlyOne"],
  ["STOPSIGNAL", "exactlyOne"]
])

const decodeExecForm = Schema.decodeUnknownEither(Schema.parseJson(Schema.Array(Schema.String)))

/** Exec form (`["a", "b"]`) as is; shell form as `/bin/sh -c text`. */
const commandOf = (args: string): ReadonlyArray<string> =>
  Either.match(decodeExecForm(args), { onLeft: () => ["/bin/sh", "-c", args], onRight: (words) => words })

/** What a shell given `-c` and no command prints (busybox's and dash's wording), and its exit code. */
const SHELL_WITHOUT_COMMAND = { command: ["/bin/sh", "-c"], stderr: "/bin/sh: -c requires an argument", code: 2 }

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

// ---------------------------------------------------------------------------------------------
// Interpretation
// ---------------------------------------------------------------------------------------------

/** What a build produced: its output, and the image or the failure. */
export interface Planned {
  readonly output: ReadonlyArray<BuildOutput>
  readonly outcome: Either.Either<ImageRecord, BuildFailed>
}

const BUILD_TAIL = 50

/**
 * Plays a build: Dockerfile text, or a directory (whose Dockerfile is not read: the image carries
 * the request's labels only). The image is not stored yet (see `images.ts`); bases pulled for the
 * build are.
 */
export const interpret = (memory: Memory, request: BuildRequest, argv: ReadonlyArray<string>): Effect.Effect<Planned> =>
  Effect.gen(function* () {
    const { kind } = memory
    const messages = messagesOf(kind)
    const output: Array<BuildOutput> = []
    const say = (line: string, stream: "stdout" | "stderr" = "stdout") => output.push({ stream, line })
    const fail = (failure: Failure): Planned => {
      failure.stderr
        .split("\n")
        .filter((line) => line.length > 0)
        .forEach((line) => say(line, "stderr"))
      return {
        output,
        outcome: Either.left(
          new BuildFailed({
            reference: ImageReference.format(request.reference),
            argv,
            exitCode: failure.exitCode,
            signal: undefined,
            lastLines: output.slice(-BUILD_TAIL).map((o) => o.line)
          })
        )
      }
    }
    const created = yield* now
    const finish = (config: ImageConfig): Planned => ({
      output,
      outcome: Either.right({
        ...config,
        id: newId(),
        created,
        size: 0,
        labels: sortedLabels([...config.labels, ...request.labels, ...memoryDialectOf(kind).buildLabels])
      })
    })

    if (request.source._tag === "Directory") {
      say(`in-memory build of ${request.source.context}: the Dockerfile is not read (TestRuntime)`)
      return finish(EMPTY_CONFIG)
    }

    const dockerfile = request.source.dockerfile
    if (dockerfile === "") return fail(messages.emptyDockerfile)
    const instructions = parseDockerfile(dockerfile)
    if (instructions.length === 0) return fail(messages.noInstructions)
    const missingArgument = (instruction: Instruction) => {
      const arity = ARITY.get(instruction.keyword)
      return arity === undefined || instruction.args !== ""
        ? undefined
        : messages.missingArgument(instruction.keyword, arity, instruction.line, instruction.text)
    }
    // What the builder rejects before it starts: the first such instruction, in order.
    for (const instruction of instructions) {
      if (!ARITY.has(instruction.keyword)) {
        return fail(messages.unknownInstruction(instruction.line, instruction.keyword, instruction.text))
      }
      const missing = missingArgument(instruction)
      if (missing !== undefined && missing.at === "parse") return fail(missing)
    }
    const stages = stagesOf(instructions)
    if (stages.length === 0 || instructions[0]?.keyword !== "FROM") return fail(messages.noBuildStage)
    const target =
      request.target === undefined ? stages.length - 1 : stages.findIndex((stage) => stage.name === request.target)
    if (target < 0) return fail(messages.targetNotFound(request.target ?? ""))

    const buildArgs = new Map(
      request.buildArgs.map(([key, value]) => [key, Redacted.isRedacted(value) ? Redacted.value(value) : value])
    )
    const used = stages.slice(0, target + 1)
    const total = used.reduce((n, stage) => n + stage.steps.length, 0)
    let step = 0
    let config: ImageConfig = EMPTY_CONFIG
    // What each named stage built, for a later `FROM <stage>`.
    const built = new Map<string, ImageConfig>()
    for (const stage of used) {
      config = EMPTY_CONFIG
      for (const instruction of stage.steps) {
        step += 1
        const missing = missingArgument(instruction)
        if (missing !== undefined && missing.at === "resolve") return fail(missing)
        say(messages.stepHeader(step, total, instruction.text))
        if (missing !== undefined) return fail(missing)
        switch (instruction.keyword) {
          case "FROM": {
            if (stage.from === "scratch") break
            const earlier = built.get(stage.from)
            if (earlier !== undefined) {
              config = earlier
              break
            }
            const parsed = ImageReference.parse(stage.from)
            if (Either.isLeft(parsed)) return fail(messages.invalidFrom(parsed.left.message))
            const state = yield* Ref.get(memory.state)
            const id = lookupImage(kind, state, parsed.right)
            const base = id === undefined ? lookupRegistry(kind, state, parsed.right) : state.images.get(id)
            if (base === undefined) return fail(messages.fromPullDenied(stage.from))
            if (id === undefined) {
              // Pulled for the build, as a real builder does.
              yield* Ref.update(memory.state, (s) => addImage(s, base, [storedName(kind, parsed.right)]))
            }
            config = base
            break
          }
          case "RUN": {
            messages.runStarted(newId()).forEach((line) => say(line))
            if (instruction.args === "") {
              // The shell is given `-c` and nothing to run: it refuses, whatever the handlers say.
              say(SHELL_WITHOUT_COMMAND.stderr, "stderr")
              return fail(
                messages.runFailed(SHELL_WITHOUT_COMMAND.command, instruction.text, SHELL_WITHOUT_COMMAND.code)
              )
            }
            const command = commandOf(instruction.args)
            const outcome = yield* answer(memory, {
              operation: "build",
              kind,
              image: stage.from,
              command,
              container: undefined,
              env: new Map([...buildArgs, ...envMap(config.env)]),
              user: config.user,
              workdir: config.workdir,
              stdin: undefined,
              stdinText: "",
              detached: false
            })
            outcome.output.forEach((line) => say(line.text, line.stream))
            const code = outcome.exitCode ?? 0
            if (code !== 0) return fail(messages.runFailed(command, instruction.text, code))
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
        if (instruction.keyword !== "FROM") messages.stepCommitted(newId()).forEach((line) => say(line))
      }
      if (stage.name !== undefined) built.set(stage.name, config)
    }
    return finish(config)
  })
