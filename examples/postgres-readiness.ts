/**
 * A Postgres-style readiness wait, against a SIMULATED server: there is no registry here and no
 * PostgreSQL image, so `examples/fake-postgres` builds a stand-in from the local busybox test
 * image. It starts like the official postgres image — a temporary server for initdb that already
 * logs "database system is ready to accept connections" but listens on no TCP port, then the
 * real server on TCP 5432 — and has a `pg_isready` that checks TCP 5432. It does not speak the
 * PostgreSQL protocol; what it shows is how the wait behaves:
 *
 * - `Wait.command(["pg_isready", "-h", "127.0.0.1", …])` passes only once the real server
 *   listens (waiting for the first "ready" log line would be too early);
 * - a server that crashes during its start fails the wait at once with
 *   `ContainerExitedBeforeReady`, its exit code and its last log lines, instead of running into
 *   the timeout.
 *
 * With a real PostgreSQL image the same wait applies unchanged; only the definition differs:
 *
 *     Def.make("postgres:17").pipe(
 *       Def.env({ POSTGRES_PASSWORD: Redacted.make("secret") }),
 *       Def.publish(Port.tcp(5432))
 *     )
 *
 *     node --import tsx --conditions source examples/postgres-readiness.ts
 *     OCIMAN_BACKEND=podman node --import tsx --conditions source examples/postgres-readiness.ts
 */
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Config, Console, Duration, Effect } from "effect"
import { fileURLToPath } from "node:url"
import {
  BuildDefinition,
  Container,
  ContainerDefinition as Def,
  ContainerRuntime,
  Image,
  ImageReference,
  Port,
  Wait
} from "ociman"

const baseImage = Config.string("OCIMAN_TEST_IMAGE").pipe(Config.withDefault("localhost/ociman-test/busybox:1"))

const context = fileURLToPath(new URL("fake-postgres", import.meta.url))

/** Ready once pg_isready, run inside the container, exits 0 (as for a real PostgreSQL server). */
const pgReady = Wait.command(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-U", "postgres"])

const seconds = (duration: Duration.Duration): string => `${(Duration.toMillis(duration) / 1000).toFixed(1)} s`

const program = Effect.gen(function* () {
  const { backend } = yield* ContainerRuntime.ContainerRuntime
  const prepared = yield* Image.prepare(
    BuildDefinition.fromDirectory(context, { name: "localhost/ociman-examples/fake-postgres" }).pipe(
      BuildDefinition.buildArg("BASE", yield* baseImage)
    )
  )
  const cached = yield* Image.exists(prepared.reference)
  const image = yield* Image.buildIfAbsent(prepared)
  // Registered first, so it runs last: after the containers of this scope are removed.
  if (!cached) yield* Effect.addFinalizer(() => Image.remove(image, { force: true }).pipe(Effect.ignore))
  yield* Console.log(`image:    ${ImageReference.format(image)} on ${backend.kind} (simulated postgres)`)

  // 1. A healthy start: ready after its two start-up phases, not at the first "ready" log line.
  const [took, db] = yield* Effect.timed(
    Container.start(Def.make(image).pipe(Def.publish(yield* Port.publish(Port.tcp(5432), { hostIp: "127.0.0.1" }))), {
      waitFor: pgReady,
      timeout: "30 seconds"
    })
  )
  const status = yield* db.execSuccess(["pg_isready", "-h", "127.0.0.1", "-U", "postgres"])
  const { host, port } = yield* db.hostPort(Port.tcp(5432))
  const readyLines = (yield* db.logs).filter((line) => line.text.includes("ready to accept connections"))
  yield* Console.log(`ready:    after ${seconds(took)}: ${status.stdout.trim()}; published on ${host}:${port}`)
  yield* Console.log(
    `          "ready to accept connections" logged ${readyLines.length} times by then (the first by the init server)`
  )

  // 2. A crash during start-up: the wait fails at once, well before its 30 s timeout.
  const [crashTook, crash] = yield* Effect.timed(
    Container.start(Def.make(image).pipe(Def.env({ FAKE_PG_FAIL: "could not create lock file" })), {
      waitFor: pgReady,
      timeout: "30 seconds"
    }).pipe(Effect.flip)
  )
  if (crash._tag === "ContainerExitedBeforeReady") {
    const last = crash.lastLogs.at(-1)?.text ?? "(no log output)"
    yield* Console.log(
      `crashed:  ContainerExitedBeforeReady after ${seconds(crashTook)} (exit code ${crash.exitCode}); last log line: ${last}`
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
