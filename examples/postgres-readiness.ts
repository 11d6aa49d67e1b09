/**
 * A PostgreSQL readiness wait with ociman alone (no `@ociman/postgres`), on a real server: the
 * offline test image `scripts/provision-runtimes.sh` builds, which starts like the official
 * `postgres` image: a temporary server for initdb and the init scripts, which already logs
 * "database system is ready to accept connections" but listens on no TCP address, then the real
 * server on TCP 5432.
 *
 * - `Wait.command(["pg_isready", "-h", "127.0.0.1", …])` passes only once the real server
 *   listens (waiting for the first "ready" log line would be too early);
 * - a server that fails during its start (here an unknown `-c` parameter) fails the wait at once
 *   with `ContainerExitedBeforeReady`, its exit code and its last log lines, instead of running
 *   into the timeout.
 *
 * `@ociman/postgres` does all of this for you (and logs in through the published port); see
 * `examples/postgres.ts`. With a registry, `OCIMAN_TEST_POSTGRES_IMAGE=postgres:17` works the same.
 *
 *     node --import tsx --conditions source examples/postgres-readiness.ts
 *     OCIMAN_BACKEND=podman node --import tsx --conditions source examples/postgres-readiness.ts
 */
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Config, Console, Duration, Effect, Redacted } from "effect"
import { Container, ContainerDefinition as Def, ContainerRuntime, Port, Wait } from "ociman"

const image = Config.string("OCIMAN_TEST_POSTGRES_IMAGE").pipe(Config.withDefault("localhost/ociman-test/postgres:15"))

/** Ready once pg_isready, run inside the container against TCP (not the socket), exits 0. */
const pgReady = Wait.command(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-U", "postgres"])

const seconds = (duration: Duration.Duration): string => `${(Duration.toMillis(duration) / 1000).toFixed(1)} s`

const program = Effect.gen(function* () {
  const { backend } = yield* ContainerRuntime.ContainerRuntime
  const postgres = Def.make(yield* image).pipe(Def.env({ POSTGRES_PASSWORD: Redacted.make("example-only") }))
  yield* Console.log(`image:    ${yield* image} on ${backend.kind}`)

  // 1. A healthy start: ready after its two start-up phases, not at the first "ready" log line.
  const [took, db] = yield* Effect.timed(
    Container.start(postgres.pipe(Def.publish(yield* Port.publish(Port.tcp(5432), { hostIp: "127.0.0.1" }))), {
      waitFor: pgReady,
      timeout: "60 seconds"
    })
  )
  const status = yield* db.execSuccess(["pg_isready", "-h", "127.0.0.1", "-U", "postgres"])
  const { host, port } = yield* db.hostPort(Port.tcp(5432))
  const readyLines = (yield* db.logs).filter((line) => line.text.includes("ready to accept connections"))
  yield* Console.log(`ready:    after ${seconds(took)}: ${status.stdout.trim()}; published on ${host}:${port}`)
  yield* Console.log(
    `          "ready to accept connections" logged ${readyLines.length} times by then (the first by the init server)`
  )

  // 2. A failure during start-up: the wait fails at once, well before its 60 s timeout.
  const [crashTook, crash] = yield* Effect.timed(
    Container.start(postgres.pipe(Def.command(["postgres", "-c", "no_such_parameter=1"])), {
      waitFor: pgReady,
      timeout: "60 seconds"
    }).pipe(Effect.flip)
  )
  if (crash._tag === "ContainerExitedBeforeReady") {
    const fatal = crash.lastLogs.find((line) => line.text.includes("FATAL"))?.text ?? "(no FATAL line)"
    yield* Console.log(
      `crashed:  ContainerExitedBeforeReady after ${seconds(crashTook)} (exit code ${crash.exitCode}); ${fatal.replace(/^.*FATAL/, "FATAL")}`
    )
  } else {
    yield* Console.log(`crashed:  unexpected ${crash._tag}: ${crash.message}`)
  }
})

program.pipe(
  Effect.scoped,
  Effect.provide(ContainerRuntime.layerFromEnv),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain
)
