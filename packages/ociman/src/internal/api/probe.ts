/**
 * Probing over the engine's API, for the `api` and `auto` transports. The engine's version is the
 * `Server` header of `/_ping` (a millisecond; Podman's `/version` takes half a second). Whether it
 * runs rootless follows from its address where that is the default one (see `apiDialects`'
 * `rootless`), else the engine is asked (`/info`). The CLI is looked for on `PATH`, not run: its
 * own version is asked only when something needs it (`ContainerRuntime.clientVersion`). A layer is
 * built in milliseconds, where the CLI probe waits for two CLI processes that each ask the engine.
 *
 * An engine that does not answer here is not an error: the caller probes through the CLI, which
 * says why (and `auto` then takes the CLI).
 */
import { type Duration, Effect, Either, Option } from "effect"
import type { Endpoint } from "../../ContainerRuntime.js"
import type { RuntimeUnavailable } from "../../RuntimeError.js"
import * as Version from "../../Version.js"
import { callerIsRoot, fromProcessError, type ProbedBackend } from "../cli/probe.js"
import { locate } from "../cli/process.js"
import { apiDialects } from "../dialect/api.js"
import type { Kind } from "../kind.js"
import { type EngineClient, isSuccess, makeClient } from "./http.js"
import { apiAddressOf } from "./select.js"

/** What the probe over the API needs to know first. */
export interface ApiProbeFacts {
  readonly kind: Kind
  readonly executable: string
  /** Where the runtime's CLI sends its calls (`../cli/runtime.ts`'s `endpointOf`). */
  readonly endpoint: Endpoint
  /** How long the engine may take to answer before the CLI probe takes over. */
  readonly timeout: Duration.DurationInput
}

/** `Docker/20.10.24+dfsg1 (linux)`, `Libpod/4.3.1 (linux)`: the version after the slash. */
const SERVER_HEADER = /^[A-Za-z]+\/(\S+)/

/**
 * The engine's version from `/_ping`'s `Server` header; none when the engine does not answer there,
 * or names no version.
 */
const engineVersionOf = (
  client: EngineClient,
  timeout: Duration.DurationInput
): Effect.Effect<Option.Option<Version.Version>> =>
  client.request({ method: "GET", template: "/_ping", path: "/_ping", timeout }).pipe(
    Effect.map((response) => {
      const named = SERVER_HEADER.exec(response.server ?? "")?.[1]
      return isSuccess(response.status) && named !== undefined ? Either.getRight(Version.parse(named)) : Option.none()
    }),
    Effect.orElseSucceed(() => Option.none<Version.Version>())
  )

/** One GET whose 2xx answer `decode` reads; anything else (no answer, another status or shape) is none. */
const answer = <A>(
  client: EngineClient,
  template: string,
  timeout: Duration.DurationInput,
  decode: (body: string) => Either.Either<A, unknown>
): Effect.Effect<Option.Option<A>> =>
  client.request({ method: "GET", template, path: template, timeout }).pipe(
    Effect.map((response) =>
      isSuccess(response.status)
        ? Either.getRight(decode(Buffer.from(response.body).toString("utf8")))
        : Option.none<A>()
    ),
    Effect.orElseSucceed(() => Option.none<A>())
  )

/**
 * The backend as the engine's API describes it, or none when the engine cannot be asked there
 * (no API address, no answer): then the CLI probe decides. A CLI that is not installed fails as in
 * the CLI probe (`NotInstalled`): images and networks still need it.
 */
export const probeOverApi = (facts: ApiProbeFacts): Effect.Effect<Option.Option<ProbedBackend>, RuntimeUnavailable> =>
  Effect.gen(function* () {
    const { kind, executable, endpoint, timeout } = facts
    const dialect = apiDialects[kind].rootless
    // a context or connection that names no address: the CLI says what is wrong with it
    if (endpoint.source !== "default" && endpoint.url === undefined) return Option.none()
    // on its default address, an engine's user is known: its caller (rootless exactly when that is
    // not root), or root; elsewhere the engine says it
    const known = endpoint.source !== "default" ? undefined : dialect.local === "caller" ? !callerIsRoot() : false
    const address = yield* apiAddressOf({ kind, rootless: known ?? false, endpoint })
    if (Option.isNone(address)) return Option.none()
    const client = makeClient(address.value)
    const rootless =
      known !== undefined
        ? Effect.succeed(Option.some(known))
        : answer(client, dialect.infoTemplate, timeout, dialect.decodeInfo)
    const engineVersion = engineVersionOf(client, timeout)
    // the CLI still runs images, networks and the escape hatch: it must be there, but need not be asked
    yield* Effect.mapError(locate(executable), (error) => fromProcessError(kind, error))
    const [engine, isRootless] = yield* Effect.all([engineVersion, rootless], { concurrency: "unbounded" })
    return Option.all({ engine, isRootless }).pipe(
      Option.map(({ engine, isRootless }): ProbedBackend => ({
        kind,
        executable,
        clientVersion: undefined,
        engineVersion: engine,
        rootless: isRootless
      }))
    )
  }).pipe(
    Effect.withSpan("ociman.probe", { attributes: { kind: facts.kind, executable: facts.executable, over: "api" } })
  )
