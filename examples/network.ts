/**
 * Two containers on a scoped network: a web server joins it under the alias `web`, and a client
 * on the same network fetches `http://web:8080/` by that name. The network, the server and the
 * client are all gone when the program ends (the client is run with `--rm`; the server and the
 * network are released with the scope, the server first).
 *
 * Needs only the local busybox test image. On Podman with the CNI network backend, aliases
 * resolve only with the `dnsname` plugin (Debian: golang-github-containernetworking-plugin-dnsname).
 *
 *     node --import tsx --conditions source examples/network.ts
 *     OCIMAN_BACKEND=podman node --import tsx --conditions source examples/network.ts
 */
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Config, Console, Effect, Schedule } from "effect"
import { Container, ContainerDefinition as Def, ContainerRuntime, Network, Wait } from "ociman"

const baseImage = Config.string("OCIMAN_TEST_IMAGE").pipe(Config.withDefault("localhost/ociman-test/busybox:1"))

const program = Effect.gen(function* () {
  const image = yield* baseImage
  const { backend } = yield* ContainerRuntime.ContainerRuntime

  // Created first, so it is released last: after every container on it is gone.
  const net = yield* Network.make({ labels: { "com.example.example": "network" } })
  yield* Console.log(`network:  ${net.name} on ${backend.kind}`)

  const web = yield* Container.start(
    Def.make(image).pipe(
      Def.command([
        "sh",
        "-c",
        "trap 'exit 0' TERM; echo hello from web > /www/index.html; httpd -f -p 8080 -h /www & wait"
      ]),
      Network.attach(net, { aliases: ["web"] })
    ),
    // Ready once it serves, as seen from inside the server container itself.
    { waitFor: Wait.command(["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]), timeout: "30 seconds" }
  )
  const address = (yield* web.inspect).networks.get(net.name)?.ipAddress ?? "?"
  yield* Console.log(`server:   ${web.id.slice(0, 12)} as "web" (${address})`)

  // A throwaway client on the same network reaches the server by its alias. The network's DNS
  // may learn the alias a moment after the server started: retry briefly.
  const page = yield* Container.run(
    Def.make(image).pipe(
      Def.withRemove,
      Network.attach(net),
      Def.command(["wget", "-q", "-O", "-", "http://web:8080/index.html"])
    )
  ).pipe(
    Effect.retry({
      while: (error) => error._tag === "ContainerExitedNonZero",
      schedule: Schedule.spaced("200 millis"),
      times: 10
    })
  )
  yield* Console.log(`client:   wget http://web:8080/index.html -> ${page.stdout.trim()}`)
})

program.pipe(
  Effect.scoped,
  Effect.tap(() => Console.log("cleaned up: client, server and network removed")),
  Effect.provide(ContainerRuntime.layerFromEnv),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain
)
