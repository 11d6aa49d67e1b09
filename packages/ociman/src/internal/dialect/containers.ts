/**
 * Containers on the Docker and Podman CLIs: every argv builder (golden-tested), the decoders of
 * their output, the stderr patterns, and what differs per runtime (`containerDialects`):
 * - presence: Podman has `container exists` (0 present, 1 absent, anything else: failure); Docker
 *   has none, so a `container list --filter` lookup answers (`dockerExists`);
 * - `rm --force`: Docker kills a running container at once, Podman first stops it with a 10 s
 *   grace period unless told `--time 0`;
 * - `commit`: Docker pauses by default (≥ 29 `--no-pause`, older `--pause=false`), Podman does not
 *   (`--pause`).
 * - output: Podman's attach can lose a short command's output, so a removed foreground run keeps a
 *   log of its own to read it back from (`keepsOutputLog`); Docker's attach loses nothing.
 * Otherwise Docker and Podman take the same `run` and `exec` flags.
 */
import { Duration, Effect, Either } from "effect"
import type { ExecSpec, LabeledContainer, ListedContainer, LogStreamOptions, RunSpec } from "../../ContainerRuntime.js"
import { TtyInputUnsupported } from "../../ContainerError.js"
import * as ImageReference from "../../ImageReference.js"
import type { Version } from "../../Version.js"
import { nonEmptyLines } from "../bytes.js"
import type { Kind } from "../kind.js"
import type { LabeledKind } from "./labeled.js"
import { labelArgs, mountArgs, portArgs } from "./values.js"

// ---------------------------------------------------------------------------------------------
// stderr patterns
// ---------------------------------------------------------------------------------------------

/**
 * A container that does not exist, whatever the command: Docker `Error response from daemon: No
 * such container: X` (`Error: No such container: X` on older clients); Podman `Error: no container
 * with name or ID "X" found: no such container`, `Error: inspecting object: no such container X`,
 * and containers/storage's `container not known`. Specific enough that a command's own output
 * (`No such file or directory`) is not taken for it: `exec` relies on that.
 */
export const CONTAINER_NOT_FOUND = /no such container|no container with name or id|container not known/i

/**
 * Another removal of the same container is under way (Docker, e.g. a removal sent while the engine
 * was frozen and carried out when it thawed): the container is going, wait for it to be gone.
 */
export const REMOVAL_IN_PROGRESS = /removal of container \S+ is already in progress/i

/** The image of a `run` is missing or cannot be pulled (both CLIs' wordings). */
export const RUN_IMAGE_NOT_FOUND =
  /no such image|image not known|manifest unknown|unable to find image|pull access denied/i

/** `run --name` of a name another container has. */
export const NAME_IN_USE = /is already in use/i

/** Both CLIs exit 125 when the runtime itself fails (not the container's command). */
export const RUNTIME_ERROR_EXIT = 125

// ---------------------------------------------------------------------------------------------
// What differs per runtime
// ---------------------------------------------------------------------------------------------

/**
 * How a runtime answers "does this container exist": a command whose exit code says it
 * (`present`: `undefined` when the command itself failed), or a `container list` lookup
 * (`dockerExists`).
 */
export type ExistsStrategy =
  | {
      readonly _tag: "ExistsCommand"
      readonly args: (container: string) => ReadonlyArray<string>
      readonly present: (exitCode: number | undefined) => boolean | undefined
    }
  | { readonly _tag: "ListLookup" }

/** One runtime's side of the container operations. */
export interface ContainerDialect {
  readonly exists: ExistsStrategy
  /** The flags of `container rm` when forced. */
  readonly forceRemoveFlags: ReadonlyArray<string>
  /** The flags that make `commit` pause the container, or not, for this client version. */
  readonly commitPauseFlag: (clientVersion: Version, pause: boolean) => ReadonlyArray<string>
  /** Whether those flags depend on the client's version (a probe over the API did not ask it). */
  readonly commitPauseFlagNeedsVersion: (pause: boolean) => boolean
  /**
   * Whether an attached `run` or `start` can lose all of a short command's output (Podman, see
   * `keepsOutputLog`): a run that brought nothing back then reads what the container logged.
   */
  readonly attachMayLoseOutput: boolean
}

export const containerDialects: Readonly<Record<Kind, ContainerDialect>> = {
  docker: {
    exists: { _tag: "ListLookup" },
    forceRemoveFlags: ["--force"],
    // ociman §6.5: Docker ≥ 29 has `--no-pause`, older Docker `--pause=false`.
    commitPauseFlag: (clientVersion, pause) =>
      pause ? [] : clientVersion.major >= 29 ? ["--no-pause"] : ["--pause=false"],
    commitPauseFlagNeedsVersion: (pause) => !pause,
    attachMayLoseOutput: false
  },
  podman: {
    exists: {
      _tag: "ExistsCommand",
      args: (container) => ["container", "exists", "--", container],
      present: (exitCode) => (exitCode === 0 ? true : exitCode === 1 ? false : undefined)
    },
    // a forced removal is the escalation after a stop, or the sweep of a dead process's container:
    // no grace is owed either way
    forceRemoveFlags: ["--force", "--time", "0"],
    commitPauseFlag: (_clientVersion, pause) => (pause ? ["--pause"] : []),
    commitPauseFlagNeedsVersion: () => false,
    attachMayLoseOutput: true
  }
}

/**
 * Rootless Podman on cgroup v1 cannot freeze a container (no cgroup of its own):
 * `can not pause containers on rootless containers with cgroup V1`. A commit that asked for a
 * pause goes on without one there.
 */
/** Rootless Podman on cgroup v1: `can not pause containers on rootless containers with cgroup V1`, and for an unpause (before it looks for the container) `unpause is not supported for cgroupv1 rootless containers`. */
export const CANNOT_PAUSE =
  /can ?not pause containers on rootless containers|unpause is not supported for cgroupv1 rootless/i

// ---------------------------------------------------------------------------------------------
// argv builders (pure)
// ---------------------------------------------------------------------------------------------

const flag = (name: string, value: string | number | undefined): ReadonlyArray<string> =>
  value === undefined ? [] : [name, String(value)]

const repeated = (name: string, values: ReadonlyArray<string>): ReadonlyArray<string> =>
  values.flatMap((value) => [name, value])

/**
 * `container run` argv (after the executable), in ociman's order with the additions after its
 * flags: `[--detach] [--rm] [--tty] [--interactive] [--pull P] [--name N] <env> [--label K=V]…
 * [--publish S]… [--mount M]… [--security-opt O]… [--workdir W] [--entrypoint E] <additions>
 * <raw flags> IMAGE [command…]`. `envArgs` come from `envPlan` (names only, never values).
 */
export const runArgs = (
  spec: RunSpec,
  options: {
    readonly detach: boolean
    readonly envArgs: ReadonlyArray<string>
    /** A `k8s-file` log at this path, the container's own (see `keepsOutputLog`). */
    readonly outputLog?: string | undefined
  }
): ReadonlyArray<string> => [
  "container",
  "run",
  ...(options.detach ? ["--detach"] : []),
  ...(spec.remove ? ["--rm"] : []),
  ...(spec.tty ? ["--tty"] : []),
  ...(spec.interactive ? ["--interactive"] : []),
  ...(options.outputLog === undefined ? [] : ["--log-driver", "k8s-file", "--log-opt", `path=${options.outputLog}`]),
  ...flag("--pull", spec.pullPolicy),
  ...flag("--name", spec.name),
  ...options.envArgs,
  ...labelArgs(spec.labels),
  ...portArgs(spec.publish),
  ...mountArgs(spec.mounts),
  ...repeated("--security-opt", spec.securityOptions),
  ...flag("--workdir", spec.workdir),
  ...flag("--entrypoint", spec.entrypoint),
  ...flag("--user", spec.user),
  ...flag("--hostname", spec.hostname),
  ...flag("--platform", spec.platform),
  ...flag("--network", spec.network),
  ...repeated("--network-alias", spec.networkAliases),
  ...repeated("--add-host", spec.addHosts),
  ...flag("--memory", spec.memoryBytes === undefined ? undefined : `${spec.memoryBytes}b`),
  ...flag("--cpus", spec.cpus),
  ...(spec.init ? ["--init"] : []),
  ...definitionBreadthArgs(spec),
  ...spec.rawFlags,
  ImageReference.format(spec.image),
  ...spec.command
]

/**
 * Whether a foreground `run` keeps a log of its own, at a path the library chose, to read the output
 * back from when the attached run brought none. Podman's attached run now and then loses all of a
 * short command's output, the exit code intact: conmon can see the command end before it has
 * accepted the CLI's attach connection, and closing its socket then resets that connection, which
 * the CLI takes for the end of the output (5 of 2100 runs of `echo out; echo oops >&2; exit 3` beside
 * other containers coming and going, Podman 4.3.1 rootless). What conmon logs is complete, but a
 * removed run's log goes with the container, so a removed run writes it where the library reads it
 * (a kept run's log stays where `logs` reads it, so it keeps the default). The log is written by
 * the engine, so only a local one (no `CONTAINER_HOST` or connection, and a Linux host: Podman on
 * macOS and Windows is a remote client) can be given a path the library reads.
 *
 * Not `--log-driver passthrough`, which needs no log: it hands the CLI's own stdio to the container,
 * and Node's pipes are sockets, which a command cannot open by path (`echo x > /dev/stderr`: "No
 * such device or address").
 */
export const keepsOutputLog = (kind: Kind, spec: RunSpec, endpointUrl: string | undefined, hostIsLinux: boolean) =>
  containerDialects[kind].attachMayLoseOutput && spec.remove && endpointUrl === undefined && hostIsLinux

/** The file name of that log in its private directory. */
export const OUTPUT_LOG_FILE = "output.log"

/**
 * A duration as Go's `time.ParseDuration` reads it (`--health-interval` and the like): the largest
 * unit that keeps it whole, e.g. `2s`, `500ms`, `1500us`.
 */
export const goDuration = (duration: Duration.Duration): string => {
  const nanos = Duration.unsafeToNanos(duration)
  const units: ReadonlyArray<readonly [bigint, string]> = [
    [1_000_000_000n, "s"],
    [1_000_000n, "ms"],
    [1_000n, "us"]
  ]
  const unit = units.find(([size]) => nanos % size === 0n)
  return unit === undefined ? `${nanos}ns` : `${nanos / unit[0]}${unit[1]}`
}

/** The flags of the privilege, limit, stop and health-check fields (issue #17), in `runArgs`' order. */
const definitionBreadthArgs = (spec: RunSpec): ReadonlyArray<string> => [
  ...(spec.privileged ? ["--privileged"] : []),
  ...repeated("--cap-add", spec.capAdd),
  ...repeated("--cap-drop", spec.capDrop),
  ...flag("--shm-size", spec.shmSizeBytes === undefined ? undefined : `${spec.shmSizeBytes}b`),
  ...repeated(
    "--ulimit",
    spec.ulimits.map((limit) => `${limit.name}=${limit.soft}:${limit.hard}`)
  ),
  ...flag("--pids-limit", spec.pidsLimit),
  ...(spec.readOnly ? ["--read-only"] : []),
  ...flag("--stop-signal", spec.stopSignal),
  ...flag("--stop-timeout", spec.stopTimeoutSeconds),
  ...(spec.healthcheck === undefined
    ? []
    : [
        "--health-cmd",
        spec.healthcheck.shell,
        ...flag("--health-interval", mapDefined(spec.healthcheck.interval, goDuration)),
        ...flag("--health-timeout", mapDefined(spec.healthcheck.timeout, goDuration)),
        ...flag("--health-retries", spec.healthcheck.retries),
        ...flag("--health-start-period", mapDefined(spec.healthcheck.startPeriod, goDuration))
      ])
]

const mapDefined = <A, B>(value: A | undefined, f: (value: A) => B): B | undefined =>
  value === undefined ? undefined : f(value)

/** `container exec` argv: `[--tty] [--interactive] [--user U] [--workdir W] <env> ID COMMAND…`. */
export const execArgs = (container: string, spec: ExecSpec, envArgs: ReadonlyArray<string>): ReadonlyArray<string> => [
  "container",
  "exec",
  ...(spec.tty ? ["--tty"] : []),
  // stdin bytes need an open stdin, as in ociman
  ...(spec.interactive || spec.stdin !== undefined ? ["--interactive"] : []),
  ...flag("--user", spec.user),
  ...flag("--workdir", spec.workdir),
  ...envArgs,
  container,
  ...spec.command
]

/** `container inspect <container>`. */
export const inspectArgs = (container: string): ReadonlyArray<string> => ["container", "inspect", container]

/** `container inspect --format {{.Id}} <container>`: a cheap presence probe that fails when it is gone. */
export const idArgs = (container: string): ReadonlyArray<string> => [
  "container",
  "inspect",
  "--format",
  "{{.Id}}",
  container
]

/** `container stop --time <seconds> <container>`. */
export const stopArgs = (container: string, timeoutSeconds: number): ReadonlyArray<string> => [
  "container",
  "stop",
  "--time",
  String(timeoutSeconds),
  container
]

/** `container logs --timestamps <container>` (whole logs, merged by time). */
export const logsArgs = (container: string): ReadonlyArray<string> => ["container", "logs", "--timestamps", container]

/** `container logs [--follow] [--tail N] <container>` (streamed). */
export const streamLogsArgs = (container: string, options: LogStreamOptions): ReadonlyArray<string> => [
  "container",
  "logs",
  ...(options.follow ? ["--follow"] : []),
  ...(options.tail === undefined ? [] : ["--tail", String(options.tail)]),
  container
]

/** `container wait <container>`. */
export const waitArgs = (container: string): ReadonlyArray<string> => ["container", "wait", container]

const LIST_FORMAT = "{{.ID}}\t{{.Names}}"

/** `container list` of every container (running or not) matching the `--filter` values, as `ID<TAB>NAMES`. */
export const listArgs = (filters: ReadonlyArray<string>): ReadonlyArray<string> => [
  "container",
  "list",
  "--all",
  "--no-trunc",
  "--format",
  LIST_FORMAT,
  ...filters.flatMap((filter) => ["--filter", filter])
]

/** `rm --force`'s flags on this runtime (see `ContainerDialect.forceRemoveFlags`). */
export const forceRemoveFlags = (kind: Kind): ReadonlyArray<string> => containerDialects[kind].forceRemoveFlags

/**
 * `container rm`: with `volumes`, the container's anonymous volumes go with it (both CLIs'
 * `--volumes`; a named volume is never removed by it), as `run --rm` does for a container that exits.
 */
export const removeArgs = (
  kind: Kind,
  container: string,
  options: { readonly force: boolean; readonly volumes: boolean }
): ReadonlyArray<string> => [
  "container",
  "rm",
  ...(options.force ? forceRemoveFlags(kind) : []),
  ...(options.volumes ? ["--volumes"] : []),
  container
]

/** `commit`'s pause flags on this runtime and client version (see `ContainerDialect.commitPauseFlag`). */
export const commitPauseFlag = (kind: Kind, clientVersion: Version, pause: boolean): ReadonlyArray<string> =>
  containerDialects[kind].commitPauseFlag(clientVersion, pause)

/** Whether `commit`'s pause flags on this runtime depend on the client's version. */
export const commitPauseFlagNeedsVersion = (kind: Kind, pause: boolean): boolean =>
  containerDialects[kind].commitPauseFlagNeedsVersion(pause)

/** `commit [pause flags] <container> <reference>`. */
export const commitArgs = (
  kind: Kind,
  clientVersion: Version,
  container: string,
  reference: string,
  pause: boolean
): ReadonlyArray<string> => ["commit", ...commitPauseFlag(kind, clientVersion, pause), container, reference]

// ---------------------------------------------------------------------------------------------
// Output decoders (pure) and lookups
// ---------------------------------------------------------------------------------------------

/** `ID<TAB>NAMES` lines; Docker joins several names with ",", Podman with " ". */
export const parseList = (stdout: string): Either.Either<ReadonlyArray<ListedContainer>, string> =>
  Either.all(
    nonEmptyLines(stdout).map((line) => {
      const tab = line.indexOf("\t")
      if (tab <= 0) return Either.left(line)
      const listed: ListedContainer = {
        id: line.slice(0, tab),
        names: line
          .slice(tab + 1)
          .split(/[,\s]+/)
          .filter((name) => name.length > 0)
      }
      return Either.right(listed)
    })
  )

const HEX = /^[0-9a-f]+$/

/**
 * Docker has no `container exists`. As in its own lookup, an exact name or an id (or a prefix of
 * one) finds a container: `--filter id=` matches ids and their prefixes; `--filter name=` is a
 * regular expression over names, so the names it prints are then compared exactly.
 */
export const dockerExists = <E>(
  container: string,
  listed: (filter: string) => Effect.Effect<ReadonlyArray<ListedContainer>, E>
): Effect.Effect<boolean, E> =>
  Effect.gen(function* () {
    if (HEX.test(container) && (yield* listed(`id=${container}`)).length > 0) return true
    const name = container.replace(/^\//, "")
    const named = yield* listed(`name=${name}`)
    return named.some((c) => c.names.includes(name))
  })

/** `container inspect` lines for `listLabeled`: ID, image ID, name (Docker's with a leading `/`), labels. */
const labeledContainer: LabeledKind<LabeledContainer> = {
  list: ["container", "list", "--all"],
  inspect: ["container", "inspect"],
  template: "{{.Id}}\t{{.Image}}\t{{.Name}}\t{{json .Config.Labels}}",
  parse: ([id, image, name], labels) =>
    id === undefined || image === undefined || name === undefined
      ? Either.left("ID, image and name")
      : Either.right({ id, image, names: [name.replace(/^\//, "")], labels }),
  notFound: CONTAINER_NOT_FOUND
}

/** The same on both runtimes. */
export const labeledContainers: Readonly<Record<Kind, LabeledKind<LabeledContainer>>> = {
  docker: labeledContainer,
  podman: labeledContainer
}

// ---------------------------------------------------------------------------------------------
// Lifecycle: restart, pause, unpause, kill (issue #17)
// ---------------------------------------------------------------------------------------------

/** `container restart --time <seconds> <container>`. */
export const restartArgs = (container: string, timeoutSeconds: number): ReadonlyArray<string> => [
  "container",
  "restart",
  "--time",
  String(timeoutSeconds),
  container
]

/** `container pause <container>`. */
export const pauseArgs = (container: string): ReadonlyArray<string> => ["container", "pause", container]

/** `container unpause <container>`. */
export const unpauseArgs = (container: string): ReadonlyArray<string> => ["container", "unpause", container]

/** `container kill --signal <signal> <container>` (`signal` checked and canonical: `SIGKILL`, `34`). */
export const killArgs = (container: string, signal: string): ReadonlyArray<string> => [
  "container",
  "kill",
  "--signal",
  signal,
  container
]

/** Why an engine refused a lifecycle operation (or an exec), from what it said. */
export type LifecycleRefusal = "Paused" | "NotPaused" | "NotRunning" | "PauseUnsupported"

/**
 * What the engines say (CLI stderr and API messages alike), Docker 20.10 and Podman 4.3, first
 * match wins:
 * - `PauseUnsupported`: see `CANNOT_PAUSE`;
 * - `NotPaused`: unpause of a running or stopped container: Docker `Container X is not paused`,
 *   Podman `"X" is not paused, can't unpause: container state improper`;
 * - `Paused`: pause of a paused container (Docker `Container X is already paused`, Podman `"X" is
 *   already paused: …`), an exec into one (Docker `Container X is paused, unpause the container
 *   before exec`, Podman's API `cannot create exec session as container X is paused`), Podman's
 *   restart of one (`unable to restart a container in a paused or unknown state`);
 * - `NotRunning`: pause or kill of a stopped container: Docker `Container X is not running` (kill:
 *   `Cannot kill container: X: Container X is not running`), Podman `"exited" is not running, can't
 *   pause` and `can only kill running containers. X is in state exited`.
 */
const LIFECYCLE_REFUSALS: ReadonlyArray<readonly [RegExp, LifecycleRefusal]> = [
  [CANNOT_PAUSE, "PauseUnsupported"],
  [/is not paused/i, "NotPaused"],
  [/\bis (already )?paused\b|in a paused or unknown state/i, "Paused"],
  [/is not running|can only kill running containers/i, "NotRunning"]
]

/** The refusal an engine's message names, if it names one. */
export const lifecycleRefusalOf = (message: string): LifecycleRefusal | undefined =>
  LIFECYCLE_REFUSALS.find(([pattern]) => pattern.test(message))?.[1]

/**
 * An exec refused with a message that does not say whether the container is paused or stopped:
 * Podman's CLI says `can only create exec sessions on running containers` for both (its exit code
 * 255). Docker's CLI names a paused container (`lifecycleRefusalOf`). The caller asks `inspect`.
 */
export const execRefusedAmbiguously: Readonly<Record<Kind, RegExp | undefined>> = {
  docker: undefined,
  podman: /can only create exec sessions on running containers/i
}

/**
 * An exec refused because the container is paused, in words no command's own output is likely to
 * print: Docker `Container X is paused, unpause the container before exec`, Podman's API `cannot
 * create exec session as container X is paused`.
 */
export const EXEC_PAUSED = /unpause the container before exec|cannot create exec session as container \S+ is paused/i

// --- files (issue #17): copies in and out through tar streams ---

/**
 * What makes `cp -` keep the archive's owners: Docker keeps them as they are; Podman's `cp`
 * (`--archive`, its default) gives everything to the container's own user instead.
 */
const keepOwnersArgs: Readonly<Record<Kind, ReadonlyArray<string>>> = {
  docker: [],
  podman: ["--archive=false"]
}

/** `cp - CONTAINER:DIR`: extracts the tar read from stdin into an existing directory, owners kept. */
export const putArchiveArgs = (kind: Kind, container: string, directory: string): ReadonlyArray<string> => [
  "container",
  "cp",
  ...keepOwnersArgs[kind],
  "-",
  `${container}:${directory}`
]

/** `cp CONTAINER:PATH -`: writes a tar of the path to stdout. */
export const getArchiveArgs = (container: string, path: string): ReadonlyArray<string> => [
  "container",
  "cp",
  `${container}:${path}`,
  "-"
]

/**
 * A copy named a container that does not exist: Podman's `cp` says `container "x" does not exist`,
 * besides the wordings of {@link CONTAINER_NOT_FOUND}.
 */
export const COPY_CONTAINER_NOT_FOUND = new RegExp(
  `${CONTAINER_NOT_FOUND.source}|container "[^"]*" does not exist`,
  "i"
)

/**
 * A copy's path is missing, or its destination is not a directory. Docker: `Could not find the
 * file /x in container …`, `destination "…" must be a directory` (which its CLI also says for a
 * missing container); Podman: `"/x" could not be found on container …: no such file or
 * directory`, `destination must be a directory when copying from stdin`.
 */
export const COPY_PATH_NOT_FOUND = /could not find the file|could not be found on container|must be a directory/i

// --- definition files (issue #17): create, put the files, start ---

/**
 * `container create` with `run`'s flags but `--detach` (both CLIs take them all): a run whose
 * definition has files is created stopped, the files are put in, then it is started.
 */
export const createArgs = (
  spec: RunSpec,
  options: { readonly envArgs: ReadonlyArray<string> }
): ReadonlyArray<string> => [
  "container",
  "create",
  ...runArgs(spec, { detach: false, envArgs: options.envArgs }).slice(2)
]

/**
 * `container start [--attach [--interactive]] CONTAINER`: detached, or in the foreground with the
 * outputs attached (and stdin, for a foreground run given one) to the end of its command, whose
 * exit code is the CLI's.
 */
export const startArgs = (
  container: string,
  options: { readonly attach: boolean; readonly interactive: boolean }
): ReadonlyArray<string> => [
  "container",
  "start",
  ...(options.attach ? ["--attach"] : []),
  ...(options.attach && options.interactive ? ["--interactive"] : []),
  container
]

/** Whether a call gives its command a TTY and feeds it stdin (an exec's bytes imply `--interactive`, see `execArgs`). */
const feedsTty = (
  operation: "exec" | "run",
  spec: { readonly tty: boolean; readonly interactive: boolean; readonly stdin?: Uint8Array | undefined }
): boolean => spec.tty && (spec.interactive || (operation === "exec" && spec.stdin !== undefined))

/**
 * How each engine takes a TTY fed stdin (issue #17). Podman's CLI takes it from a pipe (it only
 * warns). Docker's CLI takes `--tty --interactive` only when its own stdin is a terminal ("the
 * input device is not a TTY", exit 1), and the library gives it a pipe: the call goes over the
 * Engine API instead, on a taken-over connection (an exec's `POST /exec/{id}/start`, a foreground
 * run's `POST /containers/{id}/attach`), where the engine's socket can be reached.
 */
export const ttyInputRoutes: Readonly<Record<Kind, Readonly<Record<"exec" | "run", "cli" | "api">>>> = {
  docker: { exec: "api", run: "api" },
  podman: { exec: "cli", run: "cli" }
}

/** Whether this call must go over the Engine API: a TTY fed stdin on an engine whose CLI cannot take it. */
export const ttyInputOverApi = (
  kind: Kind,
  operation: "exec" | "run",
  spec: { readonly tty: boolean; readonly interactive: boolean; readonly stdin?: Uint8Array | undefined }
): boolean => ttyInputRoutes[kind][operation] === "api" && feedsTty(operation, spec)

/**
 * A TTY fed stdin that the engine's CLI cannot take, refused before anything runs when its engine
 * API cannot be reached either (Docker on an `ssh://` or TLS host, or a socket that does not
 * answer; otherwise the call goes there, see `ttyInputOverApi`).
 */
export const ttyInputRefusal = (
  kind: Kind,
  operation: "exec" | "run",
  spec: { readonly tty: boolean; readonly interactive: boolean; readonly stdin?: Uint8Array | undefined }
): Effect.Effect<void, TtyInputUnsupported> =>
  ttyInputRoutes[kind][operation] !== "cli" && feedsTty(operation, spec)
    ? Effect.fail(new TtyInputUnsupported({ kind, operation }))
    : Effect.void
