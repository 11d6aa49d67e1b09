/**
 * Which transport a runtime uses: the engine's API or its CLI. Chosen by `LayerOptions.transport`,
 * else `OCIMAN_TRANSPORT`, else the default, `auto`. `auto` takes the API when the engine's
 * socket answers `/_ping` (about a millisecond when it is up; a refused or missing socket fails at
 * once) and the CLI otherwise; `api` requires the socket and fails the layer when it does not
 * answer, so that a test run that asked for the API never silently measures the CLI.
 */
import { Config, Effect, Option } from "effect"
import type { Endpoint, Transport, TransportSelection } from "../../ContainerRuntime.js"
import { InvalidBackendSelection, RuntimeUnavailable } from "../../RuntimeError.js"
import { apiDialects } from "../dialect/api.js"
import type { Kind } from "../kind.js"
import { addressOf, type EngineAddress, makeClient, ping } from "./http.js"

/** The variable that chooses the transport when the layer's options do not. */
export const TRANSPORT_VARIABLE = "OCIMAN_TRANSPORT"

/** The API when the engine's socket answers, else the CLI. */
export const DEFAULT_TRANSPORT: TransportSelection = "auto"

const SELECTIONS: ReadonlyArray<TransportSelection> = ["api", "cli", "auto"]

/** `auto` gives up on a socket that has not answered by then (a local one answers in about a millisecond). */
export const AUTO_PING_TIMEOUT = "1 second"
/** `api` waits longer before failing the layer. */
export const REQUIRED_PING_TIMEOUT = "5 seconds"

const isSelection = (value: string): value is TransportSelection => SELECTIONS.some((s) => s === value)

const variable = (name: string): Effect.Effect<Option.Option<string>> =>
  Config.option(Config.string(name)).pipe(Effect.orElseSucceed(() => Option.none<string>()))

/** The transport asked for: the argument, else `OCIMAN_TRANSPORT`, else the default. */
export const transportSelection = (
  argument: TransportSelection | undefined
): Effect.Effect<TransportSelection, InvalidBackendSelection> =>
  argument !== undefined
    ? Effect.succeed(argument)
    : Effect.flatMap(variable(TRANSPORT_VARIABLE), (value) => {
        const text = Option.getOrElse(
          Option.map(value, (v) => v.trim().toLowerCase()),
          () => ""
        )
        if (text === "") return Effect.succeed(DEFAULT_TRANSPORT)
        return isSelection(text)
          ? Effect.succeed(text)
          : Effect.fail(new InvalidBackendSelection({ source: TRANSPORT_VARIABLE, value: text, allowed: SELECTIONS }))
      })

/** What the API address depends on. */
export interface AddressFacts {
  readonly kind: Kind
  readonly rootless: boolean
  readonly endpoint: Endpoint
}

/**
 * Where the engine's API listens for this backend: the CLI's own address when it is a `unix://`
 * socket or a plain `tcp://` one (TLS, `ssh://`: none), else the runtime's default socket.
 */
export const apiAddressOf = (facts: AddressFacts): Effect.Effect<Option.Option<EngineAddress>> =>
  Effect.gen(function* () {
    if (facts.endpoint.url !== undefined) {
      // TLS client certificates are the Docker CLI's business
      const tls = Option.getOrElse(yield* variable("DOCKER_TLS_VERIFY"), () => "")
      return facts.endpoint.url.startsWith("tcp://") && tls !== "" ? Option.none() : addressOf(facts.endpoint.url)
    }
    const runtimeDir = Option.getOrUndefined(yield* variable("XDG_RUNTIME_DIR"))
    const uid = typeof process.getuid === "function" ? process.getuid() : undefined
    const url = apiDialects[facts.kind].defaultSocket({ rootless: facts.rootless, runtimeDir, uid })
    return url === undefined ? Option.none() : addressOf(url)
  })

/**
 * The transport this backend uses under `selection` (see the module documentation); `api` fails
 * with `RuntimeUnavailable` (`DaemonUnreachable`) when the API cannot be reached.
 */
export const chooseTransport = (
  facts: AddressFacts,
  selection: TransportSelection
): Effect.Effect<Transport, RuntimeUnavailable> =>
  Effect.gen(function* () {
    if (selection === "cli") return "cli"
    const address = yield* apiAddressOf(facts)
    const required = selection === "api"
    if (Option.isNone(address)) {
      if (!required) return "cli"
      return yield* new RuntimeUnavailable({
        kind: facts.kind,
        reason: "DaemonUnreachable",
        detail: `${TRANSPORT_VARIABLE}=api: the engine at ${facts.endpoint.url ?? "(default)"} has no API address this library speaks (unix:// or plain tcp://); use cli or auto`
      })
    }
    const answers = yield* ping(makeClient(address.value), required ? REQUIRED_PING_TIMEOUT : AUTO_PING_TIMEOUT)
    if (answers) return "api"
    if (!required) return "cli"
    return yield* new RuntimeUnavailable({
      kind: facts.kind,
      reason: "DaemonUnreachable",
      detail: `transport api: no answer to GET /_ping at ${address.value.url} (for Podman, start its API service: podman system service --time=0 ${address.value.url} &)`
    })
  })
