/**
 * Services shared by every test file of a vitest run: started once in vitest's global setup (a
 * container, a database), handed to the workers as plain values through `provide` / `inject`,
 * released at teardown. If the run is killed, what it started carries ociman's ownership labels,
 * so the next run's automatic sweep removes it.
 *
 * The global setup runs in vitest's main process, where vitest itself cannot be imported: this
 * module (`@ociman/vitest/services`) loads it only when a test asks for a service's value.
 *
 * @since 0.1.0
 */
import { NodeContext } from "@effect/platform-node"
import { Data, Effect, Exit, Layer, type ParseResult, Schema, Scope } from "effect"
import { ContainerRuntime } from "ociman"
import type { TestProject } from "vitest/node"
import { PlanSchema, planRuntimes, RUNTIMES_KEY } from "./Plans.js"

/** The key under which `globalSetup` hands the services' values to the workers. */
export const SERVICES_KEY = "ociman:services"

declare module "vitest" {
  export interface ProvidedContext {
    /** The values of the shared services `globalSetup` started, encoded by their schemas (`@ociman/vitest`). */
    "ociman:services": Readonly<Record<string, unknown>> | undefined
  }
}

/**
 * A test asked for a shared service that the run's global setup did not start (or whose value does
 * not decode with the service's schema).
 * @since 0.1.0
 * @category errors
 */
export class SharedServiceUnavailable extends Data.TaggedError("SharedServiceUnavailable")<{
  readonly name: string
  readonly detail: string
}> {
  override get message(): string {
    return `shared service "${this.name}" is not available in this worker (${this.detail}): list it in globalSetup({ services: [...] }) in the file that vitest's \`test.globalSetup\` names`
  }
}

/**
 * What `globalSetup` needs of a shared service: its name, and how to start it and encode its value.
 * @since 0.1.0
 * @category models
 */
export interface Startable {
  readonly name: string
  /** Starts the service in the global setup's scope and encodes what the tests need. */
  readonly start: Effect.Effect<
    unknown,
    unknown,
    ContainerRuntime.ContainerRuntime | NodeContext.NodeContext | Scope.Scope
  >
}

/**
 * What the tests need to reach a shared service (a URL, a host and port, credentials), as plain
 * data: `schema` encodes it in the global setup and decodes it in each worker.
 * @since 0.1.0
 * @category models
 */
export interface SharedService<A, I> extends Startable {
  readonly schema: Schema.Schema<A, I>
  /** Starts the service in the global setup's scope and encodes what the tests need. */
  readonly start: Effect.Effect<I, unknown, ContainerRuntime.ContainerRuntime | NodeContext.NodeContext | Scope.Scope>
  /** In a test: the value the global setup started, decoded. */
  readonly get: Effect.Effect<A, SharedServiceUnavailable>
}

/**
 * Declares a shared service: its name, the schema of what tests receive, and how to start it (a
 * scoped effect on the runtime: `Container.start`, `Postgres.start`, …, released at teardown).
 * Import the same declaration in the global setup file (to start it) and in the tests (`get`).
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { Container, ContainerDefinition as Def, Port, Wait } from "ociman"
 * import { sharedService } from "@ociman/vitest/services"
 *
 * export const Web = sharedService(
 *   "web",
 *   Schema.Struct({ url: Schema.String, container: Schema.String }),
 *   Effect.gen(function* () {
 *     const web = yield* Container.start(
 *       Def.make("localhost/ociman-test/busybox:1").pipe(
 *         Def.publish(Port.tcp(80)),
 *         Def.command(["sh", "-c", "echo hello > /tmp/index.html; httpd -f -p 80 -h /tmp"])
 *       ),
 *       { waitFor: Wait.http({ port: Port.tcp(80), path: "/index.html" }) }
 *     )
 *     const hp = yield* web.hostPort(Port.tcp(80))
 *     return { url: `http://${hp.host}:${hp.port}/index.html`, container: web.id }
 *   })
 * )
 * // in a test: const { url } = yield* Web.get
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const sharedService = <A, I, E>(
  name: string,
  schema: Schema.Schema<A, I>,
  start: Effect.Effect<A, E, ContainerRuntime.ContainerRuntime | NodeContext.NodeContext | Scope.Scope>
): SharedService<A, I> => ({
  name,
  schema,
  start: Effect.flatMap(start, Schema.encode(schema)),
  get: Effect.flatMap(
    // loaded only in a worker: vitest cannot be imported where the global setup runs
    Effect.promise(() => import("vitest")),
    (vitest) => {
      const value: unknown = (vitest.inject(SERVICES_KEY) ?? {})[name]
      return value === undefined
        ? Effect.fail(new SharedServiceUnavailable({ name, detail: "the global setup did not provide it" }))
        : Schema.decodeUnknown(schema)(value).pipe(
            Effect.mapError(
              (error: ParseResult.ParseError) => new SharedServiceUnavailable({ name, detail: error.message })
            )
          )
    }
  )
})

/**
 * Options of {@link globalSetup}.
 * @since 0.1.0
 * @category models
 */
export interface GlobalSetupOptions {
  /** The services to start once for the whole run. */
  readonly services?: ReadonlyArray<Startable> | undefined
  /** The runtimes to resolve once and hand to every worker (`describeRuntimes`). Default both. */
  readonly kinds?: ReadonlyArray<ContainerRuntime.Kind> | undefined
  /** The runtime the services run on. Default `auto`: `OCIMAN_BACKEND`, the config file, Docker, Podman. */
  readonly backend?: ContainerRuntime.Selection | undefined
}

/**
 * A vitest global setup (the default export of the file `test.globalSetup` names): resolves the
 * runtimes once and hands them to every worker (so `describeRuntimes` does not probe again), starts
 * the shared services once, hands their values to the workers, and releases them at teardown.
 * A failure to start fails the run, with nothing left running.
 *
 * @example
 * ```ts
 * // vitest.global.ts, named by `test.globalSetup` in vitest.config.ts
 * import { Effect, Schema } from "effect"
 * import { Container, ContainerDefinition as Def } from "ociman"
 * import { globalSetup, sharedService } from "@ociman/vitest/services"
 *
 * const Sleeper = sharedService(
 *   "sleeper",
 *   Schema.String,
 *   Effect.map(
 *     Container.start(Def.make("localhost/ociman-test/busybox:1").pipe(Def.command(["sleep", "3600"]))),
 *     (c) => c.id
 *   )
 * )
 *
 * export default globalSetup({ services: [Sleeper] })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const globalSetup =
  (options: GlobalSetupOptions = {}) =>
  async (project: Pick<TestProject, "provide">): Promise<() => Promise<void>> => {
    const scope = await Effect.runPromise(Scope.make())
    const setup = Effect.gen(function* () {
      const plans = yield* planRuntimes({ kinds: options.kinds })
      project.provide(RUNTIMES_KEY, yield* Schema.encode(Schema.Array(PlanSchema))(plans))
      const services = options.services ?? []
      if (services.length === 0) return
      const runtime = yield* Layer.buildWithScope(
        ContainerRuntime.layer({ backend: options.backend ?? "auto" }).pipe(Layer.provideMerge(NodeContext.layer)),
        scope
      )
      const values: Record<string, unknown> = {}
      for (const service of services) {
        values[service.name] = yield* service.start.pipe(Scope.extend(scope), Effect.provide(runtime))
      }
      project.provide(SERVICES_KEY, values)
    })
    // a failed start rejects (vitest reports it and ends the run) once what did start is released
    await Effect.runPromise(
      setup.pipe(
        Effect.onError((cause) => Scope.close(scope, Exit.failCause(cause))),
        Effect.provide(NodeContext.layer)
      )
    )
    return () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
