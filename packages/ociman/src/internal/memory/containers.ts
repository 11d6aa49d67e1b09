/**
 * Container operations of the in-memory runtime. A container is a record in the state: created
 * running (detached) or exited (foreground), its main process and every exec answered by the
 * handlers. Failures carry what the real CLIs print (observed with Docker 20.10 and Podman 4.3) and
 * are the typed errors the CLI implementations classify them into.
 */
import { Deferred, Duration, Effect, Either, Redacted, Ref, Stream } from "effect"
import { CommandFailed, CommandTimedOut } from "../../CliError.js"
import { ContainerNotFound, ContainerStartFailed, ImageNotFound, NameInUse } from "../../ContainerError.js"
import * as ContainerInspect from "../../ContainerInspect.js"
import * as EnvVar from "../../EnvVar.js"
import * as ImageReference from "../../ImageReference.js"
import * as Label from "../../Label.js"
import * as Port from "../../Port.js"
import { HealthcheckMissing } from "../../WaitError.js"
import { outcomeOf } from "../healthcheck.js"
import { firstBindingOf } from "../hostPorts.js"
import { commitPauseFlag, dockerExists, labeledContainers, listArgs, removeArgs } from "../cli/containers.js"
import { execArgs, runArgs } from "../containerSpec.js"
import { execResultOf, exitedNonZero } from "../execResult.js"
import { addImage, matchesFilters, sortedLabels } from "./images.js"
import {
  answer,
  type Binding,
  bytes,
  type ContainerRecord,
  EMPTY,
  envMap,
  lookupImage,
  lookupRegistry,
  type Memory,
  NEVER,
  type NetworkRecord,
  newId,
  now,
  type Outcome,
  printedImageId,
  type PublishedPort,
  record,
  shortId,
  type State,
  storedName
} from "./state.js"
import type {
  ContainerOperations,
  ExecSpec,
  LabeledContainer,
  ListedContainer,
  LogLine,
  RunSpec
} from "../../ContainerRuntime.js"

/** Where the env file would be; the in-memory runtime writes none (values stay in memory). */
const ENV_FILE = "<in-memory env file>"

/** `--env NAME` arguments (never values), and the values for the handlers. */
const envOf = (vars: EnvVar.EnvVars) =>
  Either.map(EnvVar.plan(vars), (plan) => ({
    args: plan.envFile === undefined ? plan.args : [...plan.args, "--env-file", ENV_FILE],
    values: new Map(vars.map(([name, value]) => [name, Redacted.isRedacted(value) ? Redacted.value(value) : value]))
  }))

const fromEither = <A, E>(either: Either.Either<A, E>): Effect.Effect<A, E> => either

/** The first host port handed out, as Docker's ephemeral range starts. */
export const FIRST_HOST_PORT = 32768

/** A container by full id, name, or unique id prefix (as both CLIs accept). */
export const findContainer = (state: State, ref: string): ContainerRecord | undefined => {
  const exact = state.containers.get(ref)
  if (exact !== undefined) return exact
  const all = Array.from(state.containers.values())
  const named = all.find((c) => c.name === ref || `/${c.name}` === ref)
  if (named !== undefined) return named
  if (!/^[0-9a-f]+$/.test(ref)) return undefined
  const prefixed = all.filter((c) => c.id.startsWith(ref))
  return prefixed.length === 1 ? prefixed[0] : undefined
}

/** A network by name, full id or unique id prefix. */
export const findNetwork = (state: State, ref: string): NetworkRecord | undefined => {
  const all = Array.from(state.networks.values())
  const byName = all.find((n) => n.name === ref || n.id === ref)
  if (byName !== undefined) return byName
  if (!/^[0-9a-f]+$/.test(ref)) return undefined
  const prefixed = all.filter((n) => n.id.startsWith(ref))
  return prefixed.length === 1 ? prefixed[0] : undefined
}

/** The next address on a network (`<prefix>.<n>`, `.1` being the gateway). */
const allocateAddress = (state: State, network: NetworkRecord): readonly [State, string] => {
  if (network.subnet === undefined) return [state, ""]
  const host = network.lastHost + 1
  const prefix = network.gateway.slice(0, network.gateway.lastIndexOf("."))
  return [
    { ...state, networks: new Map(state.networks).set(network.id, { ...network, lastHost: host }) },
    `${prefix}.${host}`
  ]
}

const overlaps = (a: string, b: string): boolean =>
  a === b || a === "" || b === "" || a === "0.0.0.0" || b === "0.0.0.0" || a === "::" || b === "::"

/** Host bindings of running containers. */
const boundPorts = (state: State): ReadonlyArray<Binding> =>
  Array.from(state.containers.values())
    .filter((c) => c.status === "running")
    .flatMap((c) => c.ports.flatMap((p) => p.bindings))

/**
 * Host ports for the published ports: the requested one, or the next free one (distinct across
 * the runtime). Docker binds a port published without an address on IPv4 and IPv6, each with its
 * own port; Podman binds it once, on every address (`""`).
 */
const allocatePorts = (
  memory: Memory,
  state: State,
  publish: ReadonlyArray<Port.Publish>
): Either.Either<readonly [State, ReadonlyArray<PublishedPort>], string> => {
  let next = state.nextHostPort
  const taken = [...boundPorts(state)]
  const free = (hostIp: string) => {
    while (taken.some((b) => b.hostPort === next && overlaps(b.hostIp, hostIp))) next += 1
    const port = next
    next += 1
    return port
  }
  const published: Array<PublishedPort> = []
  for (const spec of publish) {
    const key = Port.key(spec.containerPort)
    const fixed = spec.hostPort !== undefined && spec.hostPort !== 0 ? spec.hostPort : undefined
    const addresses = spec.hostIp !== undefined ? [spec.hostIp] : memory.kind === "docker" ? ["0.0.0.0", "::"] : [""]
    const bindings: Array<Binding> = []
    for (const hostIp of addresses) {
      if (fixed !== undefined && taken.some((b) => b.hostPort === fixed && overlaps(b.hostIp, hostIp))) {
        return Either.left(
          memory.kind === "docker"
            ? `Error response from daemon: driver failed programming external connectivity: Bind for ${hostIp === "" ? "0.0.0.0" : hostIp}:${fixed} failed: port is already allocated`
            : `Error: rootlessport listen tcp ${hostIp === "" ? "0.0.0.0" : hostIp}:${fixed}: bind: address already in use`
        )
      }
      bindings.push({ hostIp, hostPort: fixed ?? free(hostIp) })
    }
    // After the loop: Docker's IPv4 and IPv6 bindings of one fixed port do not conflict.
    taken.push(...bindings)
    published.push({ key, bindings })
  }
  return Either.right([{ ...state, nextHostPort: next }, published])
}

const defaultNetwork = (memory: Memory): string => (memory.kind === "docker" ? "bridge" : "podman")

/** `container inspect` as each runtime prints it (the fields `ContainerInspect` reads, and a few more). */
const inspectJson = (memory: Memory, state: State, c: ContainerRecord) => {
  const docker = memory.kind === "docker"
  const running = c.status === "running"
  const network = findNetwork(state, c.network)
  const builtinNoAddress = c.network === "none" || c.network === "host"
  const userNetwork = network !== undefined && !network.builtin
  const endpoint = {
    IPAddress: running ? c.ipAddress : "",
    Gateway: running && !builtinNoAddress ? (network?.gateway ?? "") : "",
    Aliases: userNetwork ? [...c.aliases, shortId(c.id)] : docker ? null : [shortId(c.id)],
    NetworkID: network?.id ?? ""
  }
  const networks = builtinNoAddress && !docker ? undefined : { [c.network]: endpoint }
  return {
    Id: c.id,
    Name: docker ? `/${c.name}` : c.name,
    Image: printedImageId(memory.kind, c.imageId),
    Config: {
      Image: c.image,
      Cmd: c.cmd ?? null,
      Entrypoint: c.entrypoint ?? null,
      WorkingDir: c.workdir ?? "",
      User: c.user ?? "",
      Labels: Object.fromEntries(c.labels)
    },
    State: {
      Status: c.status,
      Running: running,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      ExitCode: c.exitCode,
      Error: "",
      StartedAt: c.startedAt,
      FinishedAt: c.finishedAt,
      // Podman 4.3 always prints a Health object (empty without a health check); Docker only with one.
      ...(docker ? {} : { Health: { Status: "", FailingStreak: 0, Log: null } })
    },
    NetworkSettings: {
      IPAddress: running && !userNetwork ? c.ipAddress : "",
      Gateway: running && !userNetwork && !builtinNoAddress ? (network?.gateway ?? "") : "",
      // Docker drops the bindings once the container has stopped; Podman keeps reporting them.
      Ports:
        running || !docker
          ? Object.fromEntries(
              c.ports.map((p) => [p.key, p.bindings.map((b) => ({ HostIp: b.hostIp, HostPort: String(b.hostPort) }))])
            )
          : {},
      ...(networks === undefined ? {} : { Networks: networks })
    }
  }
}

/** Marks a container exited (and removes it if it was run with `--rm`), completing its waiters. */
const exit = (memory: Memory, id: string, exitCode: number, logs?: ContainerRecord["logs"]) =>
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
          ipAddress: "",
          logs: logs === undefined ? c.logs : [...c.logs, ...logs]
        })
      return [c, { ...state, containers }]
    })
    if (exited !== undefined) yield* Deferred.succeed(exited.exited, exitCode)
  })

/** An exec as it ended: the outputs as bytes and as ordered lines. */
interface ExecOutcome {
  readonly exitCode: number
  readonly stdout: Uint8Array
  readonly stderr: Uint8Array
  readonly output: ReadonlyArray<LogLine>
  readonly argv: ReadonlyArray<string>
}

/** `logs --tail N`: the last N lines, both outputs counted together. */
const lastLines = (logs: ReadonlyArray<LogLine>, tail: number | undefined): ReadonlyArray<LogLine> =>
  tail === undefined ? logs : tail <= 0 ? [] : logs.slice(-tail)

const timed = <A, E>(
  effect: Effect.Effect<A, E>,
  argv: ReadonlyArray<string>,
  timeout: Duration.DurationInput | undefined
): Effect.Effect<A, E | CommandTimedOut> =>
  timeout === undefined
    ? effect
    : Effect.timeoutFail(effect, {
        duration: timeout,
        onTimeout: () => new CommandTimedOut({ argv, timeoutMillis: Duration.toMillis(Duration.decode(timeout)) })
      })

export const makeMemoryContainerOperations = (memory: Memory): ContainerOperations => {
  const { kind } = memory
  const docker = kind === "docker"

  const notFound = (container: string) => new ContainerNotFound({ container })

  const found = (container: string): Effect.Effect<ContainerRecord, ContainerNotFound> =>
    Effect.flatMap(Ref.get(memory.state), (state) => {
      const c = findContainer(state, container)
      return c === undefined ? Effect.fail(notFound(container)) : Effect.succeed(c)
    })

  /** One run, foreground or detached (the argv recorded as the real CLI's). */
  const run = (
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
      const image = yield* resolveImage(spec, argv)
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
                  stderr: docker
                    ? `docker: Error response from daemon: Conflict. The container name "/${name}" is already in use by container "${holder.id}". You have to remove (or rename) that container to be able to reuse that name.`
                    : `Error: creating container storage: the container name "${name}" is already in use by ${holder.id}. You have to remove that container to be able to reuse that name: that name is already in use`
                })
              ),
              state
            ]
          }
          const networkName = spec.network ?? defaultNetwork(memory)
          const network = findNetwork(state, networkName)
          if (network === undefined) {
            return [
              Either.left(
                startFailed(
                  docker
                    ? `docker: Error response from daemon: network ${networkName} not found.`
                    : `Error: unable to find network with name or ID ${networkName}: network not found`
                )
              ),
              state
            ]
          }
          const ports = allocatePorts(memory, state, spec.publish)
          if (Either.isLeft(ports)) return [Either.left(startFailed(ports.left)), state]
          const [withPorts, published] = ports.right
          const [withAddress, ipAddress] = allocateAddress(withPorts, network)
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
            ipAddress,
            logs: [],
            autoRemove: spec.remove,
            stopExitCode: 0,
            exited
          }
          return [Either.right(c), { ...withAddress, containers: new Map(withAddress.containers).set(id, c) }]
        }
      )
      const container = yield* fromEither(reserved)

      const outcome: Outcome = yield* timed(
        answer(memory, {
          operation: "run",
          kind,
          image: ImageReference.format(spec.image),
          command,
          container: { id, name },
          env: values,
          user,
          workdir,
          stdin: options.stdin,
          stdinText: options.stdin === undefined ? "" : new TextDecoder().decode(options.stdin),
          detached: options.detach
        }),
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
                stopExitCode: outcome.stopExitCode
              })
            }
      })
      if (code !== undefined) yield* exit(memory, id, code)

      return { id: container.id, exitCode: code, stdout: outcome.stdout, stderr: outcome.stderr, argv }
    })

  /** The image of a run: stored, or pulled from the simulated registry when the policy allows. */
  const resolveImage = (spec: RunSpec, argv: ReadonlyArray<string>) =>
    Effect.gen(function* () {
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
            ? docker
              ? `docker: Error response from daemon: No such image: ${image}.`
              : `Error: ${image}: image not known`
            : docker
              ? `Unable to find image '${image}' locally\ndocker: Error response from daemon: pull access denied for ${image}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied.`
              : `Error: initializing source docker://${ImageReference.normalize(ref)}: reading manifest: manifest unknown`
        )
      }
      yield* Effect.logDebug(`ociman (in-memory): ${argv.join(" ")} pulls ${image}`)
      yield* Ref.update(memory.state, (s) => addImage(s, pullable, [storedName(kind, ref)]))
      return pullable
    })

  /** An exec's whole outcome; a container that is not running answers as the CLIs do. */
  const execOutcome = (container: string, spec: ExecSpec, timeout: Duration.DurationInput | undefined) =>
    Effect.gen(function* () {
      const env = yield* fromEither(envOf(spec.env))
      const argv = yield* record(memory, "containers.exec", execArgs(container, spec, env.args))
      const c = yield* found(container)
      if (c.status !== "running") {
        // What the CLIs print (a result with a non-zero exit, not a missing container).
        const message = docker
          ? `Error response from daemon: Container ${c.id} is not running`
          : "Error: can only create exec sessions on running containers: container state improper"
        return {
          exitCode: docker ? 1 : 255,
          stdout: EMPTY,
          stderr: bytes(`${message}\n`),
          output: [{ stream: "stderr", text: message }],
          argv
        } satisfies ExecOutcome
      }
      const outcome = yield* timed(
        answer(memory, {
          operation: "exec",
          kind,
          image: c.image,
          command: spec.command,
          container: { id: c.id, name: c.name },
          env: new Map([...c.env, ...env.values]),
          user: spec.user ?? c.user,
          workdir: spec.workdir ?? c.workdir,
          stdin: spec.stdin,
          stdinText: spec.stdin === undefined ? "" : new TextDecoder().decode(spec.stdin),
          detached: false
        }),
        argv,
        timeout
      )
      return { ...outcome, exitCode: outcome.exitCode ?? 0, argv } satisfies ExecOutcome
    })

  const inspect = (container: string) =>
    Effect.gen(function* () {
      yield* record(memory, "containers.inspect", ["container", "inspect", container])
      const c = yield* found(container)
      const state = yield* Ref.get(memory.state)
      return yield* fromEither(ContainerInspect.decode(inspectJson(memory, state, c)))
    })

  return {
    runForeground: (spec, options) =>
      Effect.map(run(spec, { detach: false, ...options }), ({ exitCode, stdout, stderr, argv }) =>
        execResultOf({ exitCode, stdout, stderr, argv })
      ),

    runDetached: (spec) => Effect.map(run(spec, { detach: true }), ({ id, argv }) => ({ id, argv })),

    exec: (container, spec, options = {}) =>
      Effect.map(execOutcome(container, spec, options.timeout), ({ exitCode, stdout, stderr, argv }) =>
        execResultOf({ exitCode, stdout, stderr, argv })
      ),

    streamExec: (container, spec, options = {}) =>
      Stream.unwrap(
        Effect.map(execOutcome(container, spec, options.timeout), (outcome) =>
          Stream.concat(
            Stream.fromIterable(outcome.output),
            outcome.exitCode === 0 ? Stream.empty : Stream.fail(exitedNonZero(execResultOf(outcome)))
          )
        )
      ),

    stop: (container, { timeoutSeconds }) =>
      Effect.gen(function* () {
        yield* record(memory, "containers.stop", ["container", "stop", "--time", String(timeoutSeconds), container])
        const c = yield* found(container)
        if (c.status === "running") yield* exit(memory, c.id, c.stopExitCode)
      }),

    remove: (container, options) =>
      Effect.gen(function* () {
        const { force } = options
        // no volumes here: the options shape the recorded argv only
        const argv = yield* record(memory, "containers.remove", removeArgs(memory.backend, container, options))
        const state = yield* Ref.get(memory.state)
        const c = findContainer(state, container)
        // `rm --force` of a missing container exits 0 on both CLIs.
        if (c === undefined) return force ? undefined : yield* notFound(container)
        if (c.status === "running" && !force) {
          return yield* new CommandFailed({
            argv,
            exitCode: docker ? 1 : 2,
            signal: undefined,
            stdout: "",
            stderr: docker
              ? `Error response from daemon: You cannot remove a running container ${c.id}. Stop the container before attempting removal or force remove\n`
              : `Error: cannot remove container ${c.id} as it is running - running or paused containers cannot be removed without force: container state improper\n`
          })
        }
        yield* Ref.update(memory.state, (state) => {
          const containers = new Map(state.containers)
          containers.delete(c.id)
          return { ...state, containers }
        })
        yield* Deferred.succeed(c.exited, c.status === "running" ? 137 : c.exitCode)
      }),

    inspect,

    // no container here has a health check (the Dockerfile interpreter keeps no HEALTHCHECK)
    healthcheck: (container) =>
      Effect.flatMap(inspect(container), (info) =>
        info.state.health === undefined
          ? Effect.fail(new HealthcheckMissing({ container }))
          : Effect.succeed(outcomeOf(info.state.health))
      ),

    // nothing listens here: a running container's published port answers, and HTTP answers 200
    probePort: (container, probe) =>
      Effect.gen(function* () {
        const info = yield* inspect(container)
        const target = yield* firstBindingOf(container, info, probe.port, undefined)
        if (!info.state.running) {
          return {
            _tag: "Unreachable",
            reason: `cannot connect to ${target.host}:${target.port}: the container is not running`
          } as const
        }
        const where = `${target.host}:${target.port}`
        return {
          _tag: "Reached",
          target: probe._tag === "Http" ? `http://${where}${probe.path}` : where,
          status: probe._tag === "Http" ? 200 : undefined
        } as const
      }),

    exists: (container) =>
      docker
        ? dockerExists(container, (filter) =>
            Effect.gen(function* () {
              yield* record(memory, "containers.exists", listArgs([filter]))
              const state = yield* Ref.get(memory.state)
              const [key, value = ""] = filter.split(/=(.*)/s)
              return Array.from(state.containers.values())
                .filter((c) => (key === "id" ? c.id.startsWith(value) : c.name.includes(value)))
                .map((c): ListedContainer => ({ id: c.id, names: [c.name] }))
            })
          )
        : Effect.gen(function* () {
            yield* record(memory, "containers.exists", ["container", "exists", "--", container])
            return findContainer(yield* Ref.get(memory.state), container) !== undefined
          }),

    list: (filters) =>
      Effect.gen(function* () {
        yield* record(memory, "containers.list", listArgs(filters.map(Label.filterArg)))
        const state = yield* Ref.get(memory.state)
        // Newest first, as both CLIs list.
        return Array.from(state.containers.values())
          .reverse()
          .filter((c) => matchesFilters(c.labels, filters))
          .map((c): ListedContainer => ({ id: c.id, names: [c.name] }))
      }),

    listLabeled: (filters) =>
      Effect.gen(function* () {
        yield* record(memory, "containers.listLabeled", [
          ...labeledContainers.list,
          "--quiet",
          "--no-trunc",
          ...filters.flatMap((filter) => ["--filter", Label.filterArg(filter)])
        ])
        const state = yield* Ref.get(memory.state)
        return Array.from(state.containers.values())
          .reverse()
          .filter((c) => matchesFilters(c.labels, filters))
          .map((c): LabeledContainer => ({
            id: c.id,
            names: [c.name],
            image: printedImageId(kind, c.imageId),
            labels: c.labels
          }))
      }),

    logs: (container) =>
      Effect.gen(function* () {
        yield* record(memory, "containers.logs", ["container", "logs", "--timestamps", container])
        return (yield* found(container)).logs
      }),

    streamLogs: (container, { follow = false, tail }) =>
      Stream.unwrap(
        Effect.gen(function* () {
          yield* record(memory, "containers.streamLogs", [
            "container",
            "logs",
            ...(follow ? ["--follow"] : []),
            ...(tail === undefined ? [] : ["--tail", String(tail)]),
            container
          ])
          const c = yield* found(container)
          const now = lastLines(c.logs, tail)
          if (!follow || c.status === "exited") return Stream.fromIterable(now)
          // What the container writes after this point arrives when it exits (the in-memory
          // processes write everything at once); a removed container has nothing more to give.
          const later = Effect.gen(function* () {
            yield* Deferred.await(c.exited)
            const after = (yield* Ref.get(memory.state)).containers.get(c.id)
            return after === undefined ? [] : after.logs.slice(c.logs.length)
          })
          return Stream.concat(Stream.fromIterable(now), Stream.flattenIterables(Stream.fromEffect(later)))
        })
      ),

    wait: (container) =>
      Effect.gen(function* () {
        yield* record(memory, "containers.wait", ["container", "wait", container])
        const c = yield* found(container)
        return c.status === "exited" ? c.exitCode : yield* Deferred.await(c.exited)
      }),

    commit: (container, reference, { pause }) =>
      Effect.gen(function* () {
        const argv = yield* record(memory, "containers.commit", [
          "commit",
          ...commitPauseFlag(memory.backend, pause),
          container,
          reference
        ])
        const c = yield* found(container)
        const parsed = ImageReference.parse(reference)
        if (Either.isLeft(parsed)) {
          return yield* new CommandFailed({
            argv,
            exitCode: docker ? 1 : 125,
            signal: undefined,
            stdout: "",
            stderr: docker
              ? `Error parsing reference: "${reference}" is not a valid repository/tag: invalid reference format\n`
              : `Error: invalid image name "${reference}": ${parsed.left.message}\n`
          })
        }
        const state = yield* Ref.get(memory.state)
        const base = state.images.get(c.imageId)
        const created = yield* now
        yield* Ref.update(memory.state, (s) =>
          addImage(
            s,
            {
              id: newId(),
              created,
              size: 0,
              labels: c.labels,
              cmd: c.cmd,
              entrypoint: c.entrypoint,
              env: Array.from(c.env, ([k, v]) => `${k}=${v}`),
              workdir: c.workdir,
              user: c.user,
              exposedPorts: base?.exposedPorts ?? []
            },
            [storedName(kind, parsed.right)]
          )
        )
      })
  }
}
