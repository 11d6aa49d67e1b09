/**
 * A published port checked from this host, as the real runtimes answer `probePort`: a TCP
 * connection that the container keeps open, or an HTTP request and its status.
 *
 * @effect/platform's Socket module has no TCP client in its interfaces (only WebSocket and
 * TransformStream; TCP lives in @effect/platform-node's NodeSocket), so this uses node:net, which
 * Bun and Deno provide too. HTTP goes through `HttpClient` with its fetch implementation, which
 * needs only the global `fetch`.
 */
import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { Effect } from "effect"
import { connect } from "node:net"
import type { PortProbe, PortProbeOutcome } from "../ContainerRuntime.js"
import type { HostPort } from "./hostPorts.js"

/** How long an accepted connection must stay open (or send data) to count. */
const TCP_SETTLE_MILLIS = 150

const hostText = (host: string): string => (host.includes(":") ? `[${host}]` : host)

const unreachable = (reason: string): PortProbeOutcome => ({ _tag: "Unreachable", reason })

/**
 * Docker's userland proxy accepts a connection while nothing listens in the container and closes
 * it at once: only a connection that stays open (or sends data) counts.
 */
const tcpConnect = ({ host, port }: HostPort): Effect.Effect<PortProbeOutcome> =>
  Effect.async<PortProbeOutcome>((resume) => {
    const target = `${hostText(host)}:${port}`
    let settle: ReturnType<typeof setTimeout> | undefined
    const socket = connect({ host, port })
    const close = () => {
      if (settle !== undefined) clearTimeout(settle)
      socket.removeAllListeners()
      socket.on("error", () => {})
      socket.destroy()
    }
    const done = (outcome: PortProbeOutcome) => {
      close()
      resume(Effect.succeed(outcome))
    }
    socket.on("connect", () => {
      settle = setTimeout(() => done({ _tag: "Reached", target, status: undefined }), TCP_SETTLE_MILLIS)
    })
    socket.on("data", () => done({ _tag: "Reached", target, status: undefined }))
    socket.on("end", () =>
      done(
        unreachable(
          `${target} accepted the connection and closed it at once (Docker's userland proxy does this while nothing listens in the container)`
        )
      )
    )
    socket.on("error", (error) => done(unreachable(`cannot connect to ${target}: ${error.message}`)))
    return Effect.sync(close)
  })

const httpRequest = (
  { host, port }: HostPort,
  probe: Extract<PortProbe, { readonly _tag: "Http" }>
): Effect.Effect<PortProbeOutcome> => {
  const url = `http://${hostText(host)}:${port}${probe.path}`
  const request = HttpClientRequest.make(probe.method)(url).pipe(HttpClientRequest.setHeaders(probe.headers))
  return Effect.flatMap(HttpClient.HttpClient, (client) =>
    // withScope: closing the scope aborts the request, so an unread body does not hold the socket
    HttpClient.withScope(client).execute(request).pipe(Effect.scoped)
  ).pipe(
    Effect.provide(FetchHttpClient.layer),
    Effect.map((response): PortProbeOutcome => ({ _tag: "Reached", target: url, status: response.status })),
    Effect.catchAll((error) => Effect.succeed(unreachable(`${probe.method} ${url}: ${error.message}`)))
  )
}

/** One probe of `target` (the host and port that this host connects to). */
export const probeFromHost = (target: HostPort, probe: PortProbe): Effect.Effect<PortProbeOutcome> =>
  probe._tag === "Tcp" ? tcpConnect(target) : httpRequest(target, probe)
