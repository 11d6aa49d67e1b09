/**
 * Container-cost benchmark (issue #14): what one container costs through ociman, side by side in
 * one run with testcontainers-node (Ryuk disabled: no registry is reachable here), the bare CLI
 * and a raw-API floor (`bench/engineApi.ts`: the same engine calls over the socket, no library).
 * Every section interleaves its variants round by round (A, B, C, A, B, C, …) after one warm-up
 * of each, so drift on this noisy machine hits all alike; medians are compared, spreads noted.
 *
 * Docker (the busybox test image present):
 * - start → `exec echo hi` → release of one container whose command exits at once on SIGTERM:
 *   ociman (each transport) ≤ 0.95× testcontainers and ≤ 1.10× the raw-API floor; the bare
 *   `docker` CLI (run, exec, one `rm --force`) is in the note;
 * - the same with `sleep 3600` as PID 1, which ignores SIGTERM, so a graceful stop waits it out;
 * - 10 containers started concurrently, an exec in each, all released: ≤ 0.95× testcontainers
 *   (the raw floor in the note). ociman releases them concurrently (`concurrentFinalizers`), as
 *   testcontainers users `Promise.all` their stops;
 * - building the runtime layer (resolve + probe): ≤ 30 ms, timed in a fresh child process each
 *   round (`bench/layerChild.ts`) so no cached probe helps; module loading is not timed.
 *
 * Podman: start → exec → release through ociman over Podman's API service against ociman over
 * the Podman CLI (≤ 0.80×), with the bare `podman` CLI and the raw floor over the service's socket
 * in the note. The service is started if its socket does not answer, and stopped afterwards.
 *
 * The ociman variants are one per transport of `TRANSPORTS` (`bench/transport.ts`); a transport
 * the library in use lacks (a stale `dist/`) is skipped and said on stderr. With
 * `node --import tsx --conditions source bench/run.ts containers` the library's sources run instead.
 * `OCIMAN_BENCH_ROUNDS=n` sets every section's round count (a quick check of the harness);
 * `OCIMAN_BENCH_PODMAN_SOCKET` moves the raw floor's Podman socket (default `/run/podman/podman.sock`).
 * Containers carry `ociman-bench.containers=<run id>`; whatever a failed round leaves is removed at the end.
 */
import { Command } from "@effect/platform"
import { Console, Duration, Effect, Either, Layer, Schedule, Schema } from "effect"
import { Container, ContainerDefinition as Def, ContainerRuntime } from "ociman"
import { execFile, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { GenericContainer } from "testcontainers"
import * as EngineApi from "./engineApi.js"
import { BenchError, format, median, type Result, runCommand, spread, timed } from "./measurement.js"
import { type Transport, runtimeLayer, usableTransports } from "./transport.js"

const IMAGE = process.env["OCIMAN_TEST_IMAGE"] ?? "localhost/ociman-test/busybox:1"
const LABEL = "ociman-bench.containers"
const RUN_ID = `${process.pid}-${Date.now()}`
const LABELS = { [LABEL]: RUN_ID }
const DOCKER_SOCKET = "/var/run/docker.sock"
const PODMAN_SOCKET = process.env["OCIMAN_BENCH_PODMAN_SOCKET"] ?? "/run/podman/podman.sock"
const CONCURRENT = 10
const PROCESS_TIMEOUT = Duration.minutes(2)
const LAYER_GOAL_MS = 30

/** The container's command: exits at once on SIGTERM, as a well-behaved service does. */
const TRAPPING = ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
/** PID 1 with no handler for SIGTERM (the kernel ignores it for PID 1): only SIGKILL ends it. */
const IGNORING = ["sleep", "3600"]
const EXEC = ["echo", "hi"]

const rounds = (fallback: number): number => {
  const override = Number(process.env["OCIMAN_BENCH_ROUNDS"])
  return Number.isInteger(override) && override > 0 ? override : fallback
}

/** One measured thing: `once` is a whole round of it (every container it starts is gone after). */
interface Variant {
  readonly name: string
  readonly once: Effect.Effect<void, BenchError>
}

const saidHi = (who: string, output: string) =>
  output.trim() === "hi"
    ? Effect.void
    : Effect.fail(new BenchError({ reason: `${who}: exec printed ${JSON.stringify(output)}, not "hi"` }))

const failure = (who: string) => (error: { readonly message: string }) =>
  new BenchError({ reason: `${who}: ${error.message}` })

const range = Array.from({ length: CONCURRENT }, (_, index) => index)

// ---------------------------------------------------------------------------------------------
// The variants
// ---------------------------------------------------------------------------------------------

/** ociman over one transport: the layer is built once here, outside the timed rounds. */
const ociman = (kind: ContainerRuntime.Kind, transport: Transport, command: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const who = `ociman ${transport}`
    const context = yield* Layer.build(runtimeLayer(kind, transport)).pipe(Effect.mapError(failure(who)))
    const definition = Def.make(IMAGE).pipe(Def.command(command), Def.labels(LABELS))
    const startAndExec = Effect.gen(function* () {
      const container = yield* Container.start(definition)
      const result = yield* container.execSuccess(EXEC)
      yield* saidHi(who, result.stdout)
    })
    const provided = <A, E>(effect: Effect.Effect<A, E, ContainerRuntime.ContainerRuntime>) =>
      Effect.provide(effect, context)
    const single: Variant = {
      name: who,
      once: provided(Effect.scoped(startAndExec)).pipe(Effect.mapError(failure(who)))
    }
    const concurrent: Variant = {
      name: who,
      once: provided(
        Effect.scoped(
          Effect.forEach(range, () => startAndExec, { concurrency: "unbounded", concurrentFinalizers: true })
        )
      ).pipe(Effect.asVoid, Effect.mapError(failure(who)))
    }
    return { single, concurrent }
  })

/** testcontainers-node's usual start, exec and stop (its default: no grace period, then removal). */
const testcontainers = (command: ReadonlyArray<string>) => {
  const who = "testcontainers"
  const startAndExec = async () => {
    const container = await new GenericContainer(IMAGE)
      .withCommand([...command])
      .withLabels(LABELS)
      .start()
    try {
      return { container, output: (await container.exec([...EXEC])).stdout }
    } catch (cause) {
      await container.stop()
      return Promise.reject(cause)
    }
  }
  const attempt = <A>(run: () => Promise<A>) =>
    Effect.tryPromise({
      try: run,
      catch: (cause) => new BenchError({ reason: `${who}: ${cause instanceof Error ? cause.message : String(cause)}` })
    }).pipe(
      Effect.timeoutFail({
        duration: PROCESS_TIMEOUT,
        onTimeout: () => new BenchError({ reason: `${who}: no result in ${Duration.format(PROCESS_TIMEOUT)}` })
      })
    )
  const single: Variant = {
    name: who,
    once: attempt(async () => {
      const { container, output } = await startAndExec()
      await container.stop()
      return output
    }).pipe(Effect.flatMap((output) => saidHi(who, output)))
  }
  const concurrent: Variant = {
    name: who,
    once: attempt(async () => {
      const started = await Promise.all(range.map(startAndExec))
      await Promise.all(started.map(({ container }) => container.stop()))
      return started.map(({ output }) => output)
    }).pipe(Effect.flatMap((outputs) => Effect.forEach(outputs, (output) => saidHi(who, output))))
  }
  return { single, concurrent }
}

/** The raw-API floor: the engine calls alone, over one keep-alive agent. */
const rawApi = (engine: EngineApi.Engine, command: ReadonlyArray<string>) => {
  const who = "raw API"
  const startAndExec = Effect.gen(function* () {
    const id = yield* EngineApi.start(engine, IMAGE, command, LABELS)
    const output = yield* EngineApi.exec(engine, id, EXEC).pipe(
      Effect.tapError(() => Effect.ignore(EngineApi.remove(engine, id)))
    )
    yield* saidHi(who, output)
    return id
  })
  const single: Variant = {
    name: who,
    once: Effect.flatMap(startAndExec, (id) => EngineApi.remove(engine, id))
  }
  const concurrent: Variant = {
    name: who,
    once: Effect.forEach(range, () => startAndExec, { concurrency: "unbounded" }).pipe(
      Effect.flatMap((ids) => Effect.forEach(ids, (id) => EngineApi.remove(engine, id), { concurrency: "unbounded" })),
      Effect.asVoid
    )
  }
  return { single, concurrent }
}

/** Runs a program to completion; its stdout, or a failure with its stderr. Killed on timeout. */
const runProcess = (file: string, args: ReadonlyArray<string>) =>
  Effect.async<string, BenchError>((resume, signal) => {
    execFile(
      file,
      args,
      { signal, timeout: Duration.toMillis(PROCESS_TIMEOUT), maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resume(
          error === null
            ? Effect.succeed(stdout)
            : Effect.fail(new BenchError({ reason: `${file} ${args.join(" ")}: ${error.message} ${stderr.trim()}` }))
        )
    )
  })

/**
 * What a user types: run, exec, then one forced removal (SIGKILL at once; Podman's `--time 0`
 * too, since its `rm --force` would otherwise grant the container a 10 s stop).
 */
const BARE_SCRIPT = `set -e
cli=$1 image=$2 label=$3 release=$4
shift 4
id=$("$cli" container run --detach --pull never --label "$label" "$image" "$@")
"$cli" container exec "$id" echo hi
"$cli" container rm --force --volumes $release "$id" >/dev/null`

const bareCli = (kind: ContainerRuntime.Kind, command: ReadonlyArray<string>): Variant => {
  const release = kind === "podman" ? "--time=0" : ""
  const args = ["-c", BARE_SCRIPT, "sh", kind, IMAGE, `${LABEL}=${RUN_ID}`, release, ...command]
  return {
    name: `${kind} CLI`,
    once: Effect.flatMap(runProcess("sh", args), (output) => saidHi(`${kind} CLI`, output))
  }
}

// ---------------------------------------------------------------------------------------------
// Rounds and results
// ---------------------------------------------------------------------------------------------

type Samples = ReadonlyMap<string, ReadonlyArray<number>>

/** One warm-up of each variant, then `count` rounds of all of them in turn; milliseconds per variant. */
const interleave = (label: string, variants: ReadonlyArray<Variant>, count: number) =>
  Effect.gen(function* () {
    yield* Console.error(`containers ${label}: warm-up`)
    for (const variant of variants) yield* variant.once
    const samples = new Map(variants.map((variant) => [variant.name, new Array<number>()]))
    for (let round = 1; round <= count; round += 1) {
      yield* Console.error(`containers ${label}: round ${round}/${count}`)
      for (const variant of variants) {
        const { seconds } = yield* timed(variant.once)
        samples.get(variant.name)?.push(seconds * 1000)
      }
    }
    const result: Samples = samples
    return result
  })

const samplesOf = (samples: Samples, name: string): ReadonlyArray<number> => samples.get(name) ?? []

/** `name median (p25–p75)`, in milliseconds. */
const summary = (samples: Samples, name: string) => {
  const values = samplesOf(samples, name)
  return `${name} ${format(median(values))} (${spread(values)})`
}

/**
 * `name` against `baseline` in time: met when the library's median is at most `limit` times the
 * baseline's. `ratio` keeps the table's orientation (baseline over library, higher is better).
 */
const against = (
  label: string,
  samples: Samples,
  name: string,
  baseline: string,
  limit: number,
  others: ReadonlyArray<string> = []
): Result => {
  const value = median(samplesOf(samples, name))
  const reference = median(samplesOf(samples, baseline))
  const figures = [name, baseline, ...others].map((variant) => summary(samples, variant)).join(", ")
  return {
    measurement: {
      name: `${label}: ${name} vs ${baseline}`,
      value,
      unit: "ms",
      baseline: reference,
      ratio: reference / value
    },
    goal: `≤ ${limit.toFixed(2)}x ${baseline} (ratio ≥ ${(1 / limit).toFixed(2)})`,
    met: value <= limit * reference,
    note: `${(value / reference).toFixed(2)}x in time; median (p25–p75) of ${samplesOf(samples, name).length}: ${figures} ms`
  }
}

// ---------------------------------------------------------------------------------------------
// The sections
// ---------------------------------------------------------------------------------------------

const dockerSingle = (
  engine: EngineApi.Engine,
  transports: ReadonlyArray<Transport>,
  command: ReadonlyArray<string>,
  label: string,
  count: number
) =>
  Effect.gen(function* () {
    const ocimans = yield* Effect.forEach(transports, (transport) => ociman("docker", transport, command))
    const variants = [...ocimans.map(({ single }) => single), testcontainers(command).single]
    const samples = yield* interleave(
      label,
      [...variants, bareCli("docker", command), rawApi(engine, command).single],
      count
    )
    return transports.flatMap((transport) => [
      against(label, samples, `ociman ${transport}`, "testcontainers", 0.95, ["docker CLI"]),
      against(label, samples, `ociman ${transport}`, "raw API", 1.1, ["docker CLI"])
    ])
  }).pipe(Effect.scoped)

const dockerConcurrent = (engine: EngineApi.Engine, transports: ReadonlyArray<Transport>, count: number) =>
  Effect.gen(function* () {
    const label = `docker ${CONCURRENT} concurrent start→exec→release`
    const ocimans = yield* Effect.forEach(transports, (transport) => ociman("docker", transport, TRAPPING))
    const samples = yield* interleave(
      label,
      [
        ...ocimans.map(({ concurrent }) => concurrent),
        testcontainers(TRAPPING).concurrent,
        rawApi(engine, TRAPPING).concurrent
      ],
      count
    )
    return transports.map((transport) =>
      against(label, samples, `ociman ${transport}`, "testcontainers", 0.95, ["raw API"])
    )
  }).pipe(Effect.scoped)

const layerChild = fileURLToPath(new URL("layerChild.ts", import.meta.url))
const LayerReport = Schema.parseJson(Schema.Struct({ milliseconds: Schema.Number, transport: Schema.String }))

/** Builds the Docker layer in a fresh process per round, each transport in turn. */
const layerBuild = (transports: ReadonlyArray<Transport>, count: number) =>
  Effect.gen(function* () {
    const label = "docker layer build (resolve + probe, fresh process)"
    const samples = new Map(transports.map((transport) => [transport, new Array<number>()]))
    // the child gets this process's flags: the tsx loader, and `--conditions source` when given
    const once = (transport: Transport) =>
      runProcess(process.execPath, [...process.execArgv, layerChild, "docker", transport]).pipe(
        Effect.flatMap((stdout) => Schema.decodeUnknown(LayerReport)(stdout.trim())),
        Effect.filterOrFail(
          (report) => report.transport === transport,
          (report) => new BenchError({ reason: `the layer built runs over ${report.transport}` })
        ),
        Effect.mapError(failure(`layer build ${transport}`))
      )
    for (const transport of transports) yield* once(transport)
    for (let round = 1; round <= count; round += 1) {
      yield* Console.error(`containers ${label}: round ${round}/${count}`)
      for (const transport of transports) samples.get(transport)?.push((yield* once(transport)).milliseconds)
    }
    return transports.map((transport): Result => {
      const values = samples.get(transport) ?? []
      const value = median(values)
      return {
        measurement: {
          name: `${label}: ociman ${transport}`,
          value,
          unit: "ms",
          baseline: LAYER_GOAL_MS,
          ratio: LAYER_GOAL_MS / value
        },
        goal: `≤ ${LAYER_GOAL_MS} ms (the baseline is the goal)`,
        met: value <= LAYER_GOAL_MS,
        note: `median of ${values.length} (p25–p75 ${spread(values)} ms), Layer.build timed in a fresh child process`
      }
    })
  })

/**
 * Podman's API service on `PODMAN_SOCKET`: used as it is when it answers, else started here and
 * stopped (this child only) when the scope closes.
 */
const podmanService = (engine: EngineApi.Engine) =>
  Effect.gen(function* () {
    if (yield* EngineApi.answers(engine)) return
    yield* Console.error(`containers: starting podman system service on ${PODMAN_SOCKET}`)
    const child = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const started = spawn("podman", ["system", "service", "--time=0", `unix://${PODMAN_SOCKET}`], {
          stdio: "ignore"
        })
        // a failed spawn shows as a service that never answers (below), not as a crash
        started.once("error", () => undefined)
        return started
      }),
      (started) =>
        Effect.async<void>((resume) => {
          if (started.exitCode !== null || started.signalCode !== null) return resume(Effect.void)
          started.once("exit", () => resume(Effect.void))
          started.kill("SIGTERM")
        }).pipe(
          Effect.timeout(Duration.seconds(10)),
          Effect.catchAll(() => Effect.sync(() => started.kill("SIGKILL")))
        )
    )
    const ready = EngineApi.answers(engine).pipe(
      Effect.filterOrFail(
        (answered) => answered,
        () => new BenchError({ reason: `podman system service (pid ${child.pid}) does not answer on ${PODMAN_SOCKET}` })
      )
    )
    yield* ready.pipe(Effect.retry({ times: 100, schedule: Schedule.spaced(Duration.millis(100)) }))
  })

const podmanSingle = (count: number) =>
  Effect.gen(function* () {
    const label = "podman start→exec→release"
    const engine = yield* EngineApi.engine(PODMAN_SOCKET)
    // before the layers are built: the api transport needs the service
    yield* podmanService(engine)
    const transports = yield* usableTransports("podman")
    const ocimans = yield* Effect.forEach(transports, (transport) => ociman("podman", transport, TRAPPING))
    const samples = yield* interleave(
      label,
      [...ocimans.map(({ single }) => single), bareCli("podman", TRAPPING), rawApi(engine, TRAPPING).single],
      count
    )
    const measured: ReadonlyArray<string> = transports
    if (measured.includes("api") && measured.includes("cli")) {
      return [against(label, samples, "ociman api", "ociman cli", 0.8, ["podman CLI", "raw API"])]
    }
    // no API transport to measure: the goal is not met; the row shows the CLI against the floor
    const pending = against(label, samples, "ociman cli", "raw API", 0.8, ["podman CLI"])
    return [{ ...pending, goal: "ociman api ≤ 0.80x ociman cli: api transport not measured", met: false }]
  }).pipe(Effect.scoped)

// ---------------------------------------------------------------------------------------------

const present = (kind: ContainerRuntime.Kind) =>
  Effect.either(ContainerRuntime.resolve({ backend: kind })).pipe(
    Effect.tap((resolved) =>
      Either.isLeft(resolved) ? Console.error(`containers: skipping ${kind}: ${resolved.left.message}`) : Effect.void
    ),
    Effect.map(Either.isRight)
  )

/** Removes what a failed round left behind (this run's label only) and says how many. */
const removeLeftovers = (kind: ContainerRuntime.Kind) =>
  Effect.gen(function* () {
    const ids = (yield* runCommand(
      Command.make(kind, "ps", "--all", "--quiet", "--filter", `label=${LABEL}=${RUN_ID}`)
    ))
      .split("\n")
      .filter((id) => id.length > 0)
    if (ids.length === 0) return
    yield* Console.error(`containers: removing ${ids.length} ${kind} container(s) a round left behind`)
    yield* runCommand(Command.make(kind, "rm", "--force", "--volumes", ...ids))
  }).pipe(Effect.timeout(PROCESS_TIMEOUT), Effect.ignore)

export const run = Effect.gen(function* () {
  // read by testcontainers when it first starts a container; Ryuk's image cannot be pulled here
  process.env["TESTCONTAINERS_RYUK_DISABLED"] = "true"
  const results: Array<Result> = []
  if (yield* present("docker")) {
    const docker = yield* EngineApi.engine(DOCKER_SOCKET)
    const transports = yield* usableTransports("docker")
    results.push(...(yield* dockerSingle(docker, transports, TRAPPING, "docker start→exec→release", rounds(9))))
    results.push(
      ...(yield* dockerSingle(
        docker,
        transports,
        IGNORING,
        "docker start→exec→release, PID 1 ignores SIGTERM",
        rounds(5)
      ))
    )
    results.push(...(yield* dockerConcurrent(docker, transports, rounds(5))))
    results.push(...(yield* layerBuild(transports, rounds(9))))
  }
  if (yield* present("podman")) results.push(...(yield* podmanSingle(rounds(9))))
  return results
}).pipe(Effect.ensuring(Effect.forEach(["docker", "podman"] as const, removeLeftovers)), Effect.scoped)
