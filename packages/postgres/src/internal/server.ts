/**
 * One PostgreSQL container: its definition, its start, and readiness, which is a real login
 * through the published port. The official image answers `pg_isready` from a temporary server
 * (listening on no TCP address) while its init scripts run, then restarts: so a login through the
 * port is retried until it succeeds, and after each failed attempt a container that has exited
 * ends the wait at once with its exit code and last log lines.
 */
import { Clock, Duration, Effect, Either, Redacted, Schedule, type Scope } from "effect"
import { Container, ContainerDefinition as Def, type ContainerRuntime, ImageReference, Mount, Port, Wait } from "ociman"
import { CacheFailed, type ConnectionFailed, QueryFailed, StartFailed } from "../PostgresError.js"
import { DATA_DIRECTORY, type Resolved } from "./options.js"
import * as pg from "./pg.js"

const liveClock: Clock.Clock = Clock.make()

export const POSTGRES_PORT = Port.tcp(5432)

/** The labels of every container (and so of every cache image) this package starts. */
export const LABELS = {
  role: "ociman-postgres.role",
  cache: "ociman-postgres.cache",
  key: "ociman-postgres.key",
  seed: "ociman-postgres.seed",
  depth: "ociman-postgres.depth",
  base: "ociman-postgres.base"
} as const

export interface Launch {
  readonly image: ImageReference.ImageReference
  /** A cache image: initialised already, its password is set over the socket after the start. */
  readonly fromCache: boolean
  readonly password: Redacted.Redacted<string>
  readonly labels: ReadonlyArray<readonly [string, string]>
  /** `Container.start(…, { reuse: true })`: the container outlives the scope (unless `OCIMAN_REUSE=0`). */
  readonly reuse: boolean
}

export interface Running {
  readonly container: Container.Container
  readonly endpoint: pg.Endpoint
  /** An earlier start served this container already (a reused one). */
  readonly reused: boolean
}

/** A directory only the first start that serves a container creates (`mkdir` is atomic). */
const SERVED_MARKER = "/tmp/ociman-postgres-served"

/**
 * Whether an earlier start served this container: each start claims the marker; the one whose
 * `mkdir` creates it is the first. An engine-side step, so it holds across processes.
 */
const claimFirstServe = (container: Container.Container) =>
  container
    .exec([
      "sh",
      "-c",
      'if mkdir "$1" 2>/dev/null; then echo first; elif [ -d "$1" ]; then echo again; else exit 1; fi',
      "sh",
      SERVED_MARKER
    ])
    .pipe(
      Effect.mapError(
        (error) =>
          new QueryFailed({ operation: "tell whether the server was reused", code: undefined, detail: error.message })
      ),
      Effect.filterOrFail(
        (result) => result.exitCode === 0,
        (result) =>
          new QueryFailed({
            operation: `tell whether the server was reused (mkdir ${SERVED_MARKER})`,
            code: undefined,
            detail: (result.stderr || result.stdout).trim()
          })
      ),
      Effect.map((result) => result.stdout.trim() === "again")
    )

const definition = (options: Resolved, launch: Launch) =>
  Effect.gen(function* () {
    const publish = yield* Port.publish(POSTGRES_PORT, { hostIp: options.hostIp })
    const base = Def.make(launch.image).pipe(
      Def.env({
        POSTGRES_PASSWORD: launch.password,
        POSTGRES_USER: options.username,
        POSTGRES_DB: options.database,
        // Cached data must be committed, so it lives outside the image's VOLUME (in the container's
        // layer, where creating files is much slower); otherwise the image's own data directory
        // (in its volume) is faster, for the start and for every fresh database.
        ...(options.cacheName === undefined && options.tmpfs === undefined ? {} : { PGDATA: DATA_DIRECTORY }),
        ...(options.initdbArgs.length === 0 ? {} : { POSTGRES_INITDB_ARGS: options.initdbArgs.join(" ") })
      }),
      Def.command(["postgres", ...options.parameters.flatMap(([key, value]) => ["-c", `${key}=${value}`])]),
      Def.publish(publish),
      Def.labels([...launch.labels, ...options.labels])
    )
    if (options.tmpfs === undefined) return base
    const tmpfs = yield* Mount.tmpfs({ target: DATA_DIRECTORY, sizeBytes: options.tmpfs.sizeBytes })
    return base.pipe(Def.mount(tmpfs))
  })

const logTail = (container: Container.Container) =>
  container.logs.pipe(
    Effect.map((lines) => lines.slice(-30).map((line) => line.text)),
    Effect.orElseSucceed((): ReadonlyArray<string> => [])
  )

/** The container has exited: a start failure with its exit code and last log lines. */
const exited = (image: string, container: Container.Container, detail: string) =>
  Effect.gen(function* () {
    const state = yield* container.inspect.pipe(
      Effect.map((info) => info.state),
      Effect.option
    )
    const running = state._tag === "Some" && state.value.running
    if (running) return undefined
    return new StartFailed({
      image,
      reason: "Exited",
      exitCode: state._tag === "Some" ? state.value.exitCode : undefined,
      lastLogs: yield* logTail(container),
      detail
    })
  })

/**
 * This start's password, set over the container's socket (local connections are trusted in the
 * official image): a cache image keeps the throwaway password of the container it was committed from.
 */
const setPassword = (options: Resolved, running: Running) => {
  const password = Redacted.value(running.endpoint.password)
  const sql = `ALTER ROLE ${pg.identifier(options.username)} WITH PASSWORD ${pg.literal(password)};\n`
  const psql = ["psql", "-v", "ON_ERROR_STOP=1", "--no-psqlrc", "-q", "-U", options.username, "-d", options.database]
  return running.container.exec(psql, { stdin: sql, user: "postgres" }).pipe(
    Effect.mapError(
      (error) => new QueryFailed({ operation: "set the password", code: undefined, detail: error.message })
    ),
    Effect.filterOrFail(
      (result) => result.exitCode === 0,
      (result) =>
        new QueryFailed({
          operation: "set the password (psql over the container's socket)",
          code: undefined,
          detail: (result.stderr || result.stdout).trim()
        })
    ),
    Effect.asVoid
  )
}

/** Still starting (or restarting after init): worth another try. */
const transient = (error: ConnectionFailed | QueryFailed): boolean =>
  error._tag === "QueryFailed" ||
  error.reason === "Refused" ||
  // a reset or closed connection (the server starting up or restarting); too many connections is final
  (error.reason === "Other" && error.code !== "53300")

/** Retries `attempt` until it succeeds, or fails with `TimedOut` once the deadline has passed. */
const untilReady = <A>(
  image: string,
  container: Container.Container,
  deadline: number,
  attempt: Effect.Effect<A, ConnectionFailed | QueryFailed, Scope.Scope>
): Effect.Effect<A, StartFailed | ConnectionFailed | QueryFailed, Scope.Scope> =>
  attempt.pipe(
    // an exec that fails may mean the container is gone (its exit is also watched, but a runtime
    // that restarts cannot report it): then it is final
    Effect.tapError((error) =>
      error._tag === "QueryFailed"
        ? Effect.flatMap(exited(image, container, error.message), (failure) =>
            failure === undefined ? Effect.void : Effect.fail(failure)
          )
        : Effect.void
    ),
    Effect.retry({
      schedule: Schedule.spaced(Duration.millis(50)),
      while: (error) => error._tag !== "StartFailed" && transient(error) && Date.now() < deadline
    }),
    Effect.catchIf(
      (error) => error._tag !== "StartFailed" && transient(error),
      (error) =>
        Effect.flatMap(
          logTail(container),
          (lastLogs) =>
            new StartFailed({ image, reason: "TimedOut", exitCode: undefined, lastLogs, detail: error.message })
        )
    )
  )

/**
 * Fails with `Exited` (exit code, last log lines) as soon as the container exits; never ends
 * otherwise (raced against readiness, it is interrupted once the server is ready). A runtime
 * that cannot wait leaves readiness to its own deadline.
 */
const watchExit = (image: string, container: Container.Container): Effect.Effect<never, StartFailed> =>
  container.wait.pipe(
    Effect.matchEffect({
      onFailure: () => Effect.never,
      onSuccess: (exitCode) =>
        Effect.flatMap(
          logTail(container),
          (lastLogs) =>
            new StartFailed({ image, reason: "Exited", exitCode, lastLogs, detail: `exited with code ${exitCode}` })
        )
    })
  )

/**
 * Starts a server in the scope (removed when it closes) and returns once a login through the
 * published port succeeds.
 */
export const launch = (
  options: Resolved,
  spec: Launch
): Effect.Effect<
  Running,
  StartFailed | ConnectionFailed | QueryFailed,
  ContainerRuntime.ContainerRuntime | Scope.Scope
> =>
  Effect.gen(function* () {
    const image = ImageReference.format(spec.image)
    const deadline = Date.now() + Duration.toMillis(options.startTimeout)
    const def = yield* definition(options, spec).pipe(
      Effect.mapError(
        (error) =>
          new StartFailed({ image, reason: "Runtime", exitCode: undefined, lastLogs: [], detail: error.message })
      )
    )
    // `Wait.none`: the readiness is the login below (the default wait would only add port probes
    // before it), and a container that exits would be removed by a failed wait before its logs
    // can be read
    // with reuse, the core keys the container by this definition, which holds nothing per-start
    // (the password is the user's, the host port is the engine's choice)
    const container = yield* Container.start(def, {
      stopTimeout: Duration.seconds(10),
      reuse: spec.reuse,
      waitFor: Wait.none
    }).pipe(
      Effect.mapError(
        (error) =>
          new StartFailed({ image, reason: "Runtime", exitCode: undefined, lastLogs: [], detail: error.message })
      )
    )
    const { host, port } = yield* container.hostPort(POSTGRES_PORT).pipe(
      // an exited container has no port bindings any more
      Effect.catchAll((error) =>
        Effect.flatMap(exited(image, container, error.message), (failure) =>
          Effect.fail(
            failure ??
              new StartFailed({ image, reason: "Runtime", exitCode: undefined, lastLogs: [], detail: error.message })
          )
        )
      )
    )
    const endpoint: pg.Endpoint = {
      host,
      port,
      database: options.database,
      username: options.username,
      password: spec.password
    }
    const running: Running = { container, endpoint, reused: false }
    const ready = Effect.gen(function* () {
      // idempotent: a reused server gets the same password again
      if (spec.fromCache) yield* untilReady(image, container, deadline, setPassword(options, running))
      yield* untilReady(image, container, deadline, Effect.asVoid(pg.connect(endpoint, 2_000)).pipe(Effect.scoped))
    })
    yield* Effect.raceFirst(ready, watchExit(image, container))
    return spec.reuse ? { ...running, reused: yield* claimFirstServe(container) } : running
  }).pipe(
    // real containers, real time: a TestClock provided by @effect/vitest must not stall the retries
    Effect.withClock(liveClock)
  )

/** Stops a seeding container (a clean shutdown: STOPSIGNAL is SIGINT) and commits it. */
export const commit = (running: Running, reference: ImageReference.ImageReference) =>
  running.container.stop({ timeout: Duration.seconds(30) }).pipe(
    Effect.zipRight(running.container.commit(ImageReference.format(reference), { pause: false })),
    Effect.mapError(
      (error) => new CacheFailed({ operation: `commit ${ImageReference.format(reference)}`, detail: error.message })
    )
  )

/** Either helper: the Left of a validation, as an Effect failure. */
export const fromEither = <A, E>(either: Either.Either<A, E>): Effect.Effect<A, E> =>
  Either.match(either, { onLeft: Effect.fail, onRight: Effect.succeed })
