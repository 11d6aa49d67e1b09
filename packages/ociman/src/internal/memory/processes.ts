/**
 * The processes of the in-memory runtime: a run's main process and an exec, answered by the
 * handlers, and a container's exit. A run reserves its name, address and ports atomically;
 * failures carry what the real CLIs print (`messagesOf(kind)`) and are the typed errors the CLI
 * wing classifies them into.
 */
import { Deferred, type Duration, Effect, Either, Redacted, Ref } from "effect"
import { ContainerNotFound, ContainerStartFailed, ImageNotFound, NameInUse } from "../../ContainerError.js"
import { ContainerPaused } from "../../ContainerError.js"
import type { ExecSpec, LogLine, RunSpec } from "../../ContainerRuntime.js"
import type * as EnvVar from "../../EnvVar.js"
import * as ImageReference from "../../ImageReference.js"
import { decodeText } from "../bytes.js"
import { execArgs, runArgs } from "../dialect/containers.js"
import { envPlan } from "../dialect/env.js"
import { dialectOf } from "../dialect/index.js"
import type { Kind } from "../kind.js"
import { messagesOf } from "../dialect/messages.js"
import { answer, HTTP_OK, type Outcome } from "./handlers.js"
import { initialFiles } from "./files.js"
import { lookupImage, lookupRegistry, storedName } from "./names.js"
import { allocateAddress, allocatePorts } from "./ports.js"
import {
  addImage,
  bytes,
  type ContainerRecord,
  EMPTY,
  envMap,
  findContainer,
  findNetwork,
  type Memory,
  type MoreNetwork,
  NEVER,
  newId,
  now,
  record,
  shortId,
  sortedLabels,
  type State,
  timed
} from "./state.js"

/** Where the env file would be; the in-memory runtime writes none (values stay in memory). */
const ENV_FILE = "<in-memory env file>"

/** `--env NAME` arguments (never values), and the values for the handlers. */
const envOf = (vars: EnvVar.EnvVars) =>
  Either.map(envPlan(vars), (plan) => ({
    args: plan.envFile === undefined ? plan.args : [...plan.args, "--env-file", ENV_FILE],
    values: new Map(vars.map(([name, value]) => [name, Redacted.isRedacted(value) ? Redacted.value(value) : value]))
  }))

const fromEither = <A, E>(either: Either.Either<A, E>): Effect.Effect<A, E> => either

/** A container by id, name or id prefix, or `ContainerNotFound`. */
const sameArgs = (a: ReadonlyArray<string>, b: ReadonlyArray<string>) =>
  a.length === b.length && a.every((arg, i) => arg === b[i])

/**
 * A container's `/etc/hosts` in memory: `localhost`, the `--add-host` entries, the runtime's own
 * host-gateway entry where it adds one (Podman), and the container itself. The in-memory host is
 * this process: `host-gateway` is its loopback address.
 */
const hostsFileOf = (kind: Kind, spec: RunSpec, c: ContainerRecord): string => {
  const gateway = dialectOf(kind).hostGateway
  const added = spec.addHosts.flatMap((entry) => {
    const colon = entry.indexOf(":")
    if (colon < 0) return []
    const address = entry.slice(colon + 1)
    return [[entry.slice(0, colon), address === "host-gateway" ? "127.0.0.1" : address] as const]
  })
  const automatic =
    gateway.addHostAddress === undefined && !added.some(([name]) => name === gateway.name)
      ? [[gateway.name, "127.0.0.1"] as const]
      : []
  return [
    "127.0.0.1\tlocalhost",
    ...[...added, ...automatic].map(([name, address]) => `${address}\t${name}`),
    ...(c.ipAddress === "" ? [] : [`${c.ipAddress}\t${shortId(c.id)} ${c.name}`])
  ]
    .map((line) => `${line}\n`)
    .join("")
}

export const found = (memory: Memory, container: string): Effect.Effect<ContainerRecord, ContainerNotFound> =>
  Effect.flatMap(Ref.get(memory.state), (state) => {
    const c = findContainer(state, container)
    return c === undefined ? Effect.fail(new ContainerNotFound({ container })) : Effect.succeed(c)
  })

/** Marks a container exited (and removes it if it was run with `--rm`), completing its waiters. */
export const exit = (memory: Memory, id: string, exitCode: number, logs?: ContainerRecord["logs"]) =>
  Effect.gen(function* () {
    const finishedAt = yield* now
    const exited = yield* Ref.modify(memory.state, (state): readonly [ContainerRecord | undefined, State] => {
      const c = state.containers.get(id)
      if (c === undefined || c.status === "exited") return [undefined, state]
      const containers = new Map(state.containers)
      if (c.autoRemove) containers.delete(id)
      else
        containers.set(id, {
          ...c,
          status: "exited",
          exitCode,
          finishedAt,
          paused: false,
          ipAddress: "",
          logs: logs === undefined ? c.logs : [...c.logs, ...logs]
        })
      return [c, { ...state, containers }]
    })
    if (exited !== undefined) yield* Deferred.succeed(exited.exited, exitCode)
  })

/** An exec as it ended: the outputs as bytes and as ordered lines. */
export interface ExecOutcome {
  readonly exitCode: number
  readonly stdout: Uint8Array
  readonly stderr: Uint8Array
  readonly output: ReadonlyArray<LogLine>
  readonly argv: ReadonlyArray<string>
}

/** One run, foreground or detached (the argv recorded as the real CLI's). */
export const runContainer = (
  memory: Memory,
  spec: RunSpec,
  options: {
    readonly detach: boolean
    readonly stdin?: Uint8Array | undefined
    readonly timeout?: Duration.DurationInput | undefined
  }
) =>
  Effect.gen(function* () {
    const env = yield* fromEither(envOf(spec.env))
    const argv = yield* record(memory, "containers.run", runArgs(spec, { detach: options.detach, envArgs: env.args }))
    const startFailed = (stderr: string) => new ContainerStartFailed({ argv, exitCode: 125, stderr })
    const image = yield* resolveImage(memory, spec, argv)
    // a definition's files are in place before the first process (`ContainerDefinition.files`)
    const files =
      spec.files === undefined
        ? undefined
        : yield* fromEither(Either.mapLeft(initialFiles(spec.files.archive), startFailed))
    const id = newId()
    const name = spec.name ?? `memory_${shortId(id)}`
    const exited = yield* Deferred.make<number>()
    const startedAt = yield* now
    const entrypoint = spec.entrypoint !== undefined ? [spec.entrypoint] : image.entrypoint
    const cmd = spec.command.length > 0 ? spec.command : spec.entrypoint !== undefined ? undefined : image.cmd
    const command = [...(entrypoint ?? []), ...(cmd ?? [])]
    const values = new Map([...envMap(image.env), ...env.values])
    const user = spec.user ?? image.user
    const workdir = spec.workdir ?? image.workdir
    const namedVolumes = spec.mounts.flatMap((mount) =>
      mount._tag === "Volume" && mount.source !== undefined ? [mount.source] : []
    )

    // Reserve name, network address and ports atomically: concurrent runs cannot share them.
    const reserved = yield* Ref.modify(
      memory.state,
      (state): readonly [Either.Either<ContainerRecord, NameInUse | ContainerStartFailed>, State] => {
        const holder = Array.from(state.containers.values()).find((c) => c.name === name)
        if (holder !== undefined) {
          return [
            Either.left(
              new NameInUse({
                name,
                stderr: messagesOf(memory.kind).nameInUse(name, holder.id)
              })
            ),
            state
          ]
        }
        const networkName = spec.network ?? dialectOf(memory.kind).defaultNetwork
        const network = findNetwork(state, networkName)
        if (network === undefined) {
          return [Either.left(startFailed(messagesOf(memory.kind).runNetworkNotFound(networkName))), state]
        }
        const ports = allocatePorts(memory, state, spec.publish)
        if (Either.isLeft(ports)) return [Either.left(startFailed(ports.left)), state]
        const [withPorts, published] = ports.right
        const [withFirstAddress, ipAddress] = allocateAddress(withPorts, network)
        // the other networks are joined before the start (`moreNetworks`), each with its address
        let withAddress = withFirstAddress
        const moreNetworks: Array<MoreNetwork> = []
        for (const attachment of spec.moreNetworks) {
          const more = findNetwork(withAddress, attachment.network)
          if (more === undefined) {
            return [Either.left(startFailed(messagesOf(memory.kind).runNetworkNotFound(attachment.network))), state]
          }
          const [next, address] = allocateAddress(withAddress, more)
          withAddress = next
          moreNetworks.push({ name: more.name, aliases: attachment.aliases, ipAddress: address })
        }
        // as the engines do, a named volume that does not exist yet is created, without labels
        const volumes = new Map(withAddress.volumes)
        namedVolumes.forEach(
          (volume) => volumes.has(volume) || volumes.set(volume, { name: volume, labels: new Map() })
        )
        const c: ContainerRecord = {
          id,
          name,
          image: ImageReference.format(spec.image),
          imageId: image.id,
          command,
          cmd,
          entrypoint,
          labels: sortedLabels([...image.labels, ...spec.labels]),
          env: values,
          user,
          workdir,
          status: "running",
          exitCode: 0,
          startedAt,
          finishedAt: NEVER,
          ports: published,
          network: network.name,
          aliases: spec.networkAliases,
          moreNetworks,
          volumes: namedVolumes,
          ipAddress,
          logs: [],
          autoRemove: spec.remove,
          healthcheck: spec.healthcheck?.shell,
          files,
          stopExitCode: 0,
          httpStatus: HTTP_OK,
          exited,
          memoryLimit: spec.memoryBytes
        }
        return [Either.right(c), { ...withAddress, volumes, containers: new Map(withAddress.containers).set(id, c) }]
      }
    )
    const container = yield* fromEither(reserved)

    const outcome: Outcome = yield* timed(
      answer(
        memory,
        {
          operation: "run",
          kind: memory.kind,
          image: ImageReference.format(spec.image),
          command,
          container: { id, name },
          env: values,
          user,
          workdir,
          stdin: options.stdin,
          stdinText: options.stdin === undefined ? "" : decodeText(options.stdin),
          detached: options.detach,
          tty: spec.tty
        },
        sameArgs(command, ["cat", "/etc/hosts"]) ? hostsFileOf(memory.kind, spec, container) : undefined
      ),
      argv,
      options.timeout
    ).pipe(Effect.onExit((result) => (result._tag === "Failure" ? exit(memory, id, 137) : Effect.void)))

    const code = options.detach ? outcome.exitCode : (outcome.exitCode ?? 0)
    yield* Ref.update(memory.state, (state) => {
      const current = state.containers.get(id)
      return current === undefined
        ? state
        : {
            ...state,
            containers: new Map(state.containers).set(id, {
              ...current,
              logs: outcome.output,
              stopExitCode: outcome.stopExitCode,
              signals: outcome.signals,
              httpStatus: outcome.httpStatus
            })
          }
    })
    if (code !== undefined) yield* exit(memory, id, code)

    return { id: container.id, exitCode: code, stdout: outcome.stdout, stderr: outcome.stderr, argv }
  })

/** The image of a run: stored, or pulled from the simulated registry when the policy allows. */
const resolveImage = (memory: Memory, spec: RunSpec, argv: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const { kind } = memory
    const messages = messagesOf(kind)
    const image = ImageReference.format(spec.image)
    const missing = (stderr: string) => new ImageNotFound({ image, stderr })
    const ref = spec.image
    const state = yield* Ref.get(memory.state)
    const id = spec.pullPolicy === "always" ? undefined : lookupImage(kind, state, ref)
    const stored = id === undefined ? undefined : state.images.get(id)
    if (stored !== undefined) return stored
    const pullable = spec.pullPolicy === "never" ? undefined : lookupRegistry(kind, state, ref)
    if (pullable === undefined) {
      return yield* missing(
        spec.pullPolicy === "never"
          ? messages.runImageNotKnown(image)
          : messages.runPullDenied(image, ImageReference.normalize(ref))
      )
    }
    yield* Effect.logDebug(`ociman (in-memory): ${argv.join(" ")} pulls ${image}`)
    yield* Ref.update(memory.state, (s) => addImage(s, pullable, [storedName(kind, ref)]))
    return pullable
  })

/** An exec's whole outcome; a container that is not running answers as the CLIs do. */
export const execOutcome = (
  memory: Memory,
  container: string,
  spec: ExecSpec,
  timeout: Duration.DurationInput | undefined
) =>
  Effect.gen(function* () {
    const env = yield* fromEither(envOf(spec.env))
    const argv = yield* record(memory, "containers.exec", execArgs(container, spec, env.args))
    const c = yield* found(memory, container)
    if (c.paused === true) {
      // a paused container refuses an exec (issue #17): what Docker's CLI prints
      const stderr = messagesOf(memory.kind).execPaused(c.id)
      return yield* new ContainerPaused({ container, operation: "exec", stderr })
    }
    if (c.status !== "running") {
      // What the CLIs print (a result with a non-zero exit, not a missing container).
      const failure = messagesOf(memory.kind).execNotRunning(c.id)
      return {
        exitCode: failure.exitCode,
        stdout: EMPTY,
        stderr: bytes(`${failure.stderr}\n`),
        output: [{ stream: "stderr", text: failure.stderr }],
        argv
      } satisfies ExecOutcome
    }
    const outcome = yield* timed(
      answer(memory, {
        operation: "exec",
        kind: memory.kind,
        image: c.image,
        command: spec.command,
        container: { id: c.id, name: c.name },
        env: new Map([...c.env, ...env.values]),
        user: spec.user ?? c.user,
        workdir: spec.workdir ?? c.workdir,
        stdin: spec.stdin,
        stdinText: spec.stdin === undefined ? "" : decodeText(spec.stdin),
        detached: false,
        tty: spec.tty
      }),
      argv,
      timeout
    )
    return { ...outcome, exitCode: outcome.exitCode ?? 0, argv } satisfies ExecOutcome
  })
