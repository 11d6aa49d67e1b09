/**
 * Conformance: a container on several networks, each with its own aliases, and networks joined or
 * left while a container lives (issue #17). Part of the suite in `suite.ts`, run on Docker, Podman
 * (both transports) and the in-memory runtime. The first network is the run's `--network`; each
 * other one is connected between the create and the start, so the first process sees them all.
 */
import { expect } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import * as http from "node:http"
import * as net from "node:net"
import { Container, ContainerDefinition as Def, Label, Network, Testing } from "ociman"
import { labelKey, type Part, partLayer, whereOf } from "./part.js"

const SLEEPER = ["sh", "-c", "trap 'exit 0' TERM; sleep 60 & wait"]
/** Serves "hello" on 8080 until stopped. */
const HTTPD = [
  "sh",
  "-c",
  "trap 'exit 0' TERM; mkdir -p /www && echo hello > /www/index.html && httpd -f -p 8080 -h /www & wait"
]
/** Fetches http://HOST:8080/ (`tries` times, while the server starts); exits 1 when it never answers. */
const fetchFrom = (host: string, tries: number) => [
  "sh",
  "-c",
  `for i in $(seq 1 ${tries}); do wget -qO- http://${host}:8080/index.html && exit 0; sleep 0.2; done; exit 1`
]

/** An HTTP server on this machine's 127.0.0.1 only, answering `body`, closed with the scope; its port. */
const loopbackServer = (body: string) =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: http.Server; readonly port: number }>((resume) => {
      const server = http.createServer((_request, response) => response.end(body))
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        resume(Effect.succeed({ server, port: typeof address === "object" && address !== null ? address.port : 0 }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ port }) => port))

/** Whether something on this machine accepts a TCP connection at `address:port`. */
const accepts = (address: string, port: number) =>
  Effect.async<boolean>((resume) => {
    const socket = net.connect({ host: address, port })
    socket.once("connect", () => {
      socket.destroy()
      resume(Effect.succeed(true))
    })
    socket.once("error", () => resume(Effect.succeed(false)))
  })

/** Declares these tests for one runtime (see `conformance` in `suite.ts`). */
export const networksConformance: Part = (kind, runtime, capabilities, image) => {
  const where = whereOf(kind, capabilities)
  let counter = 0
  const uniqueMarker = () => `ociman-test.networks-${where}-${process.pid}-${(counter += 1)}`
  const sleeper = Def.make(image).pipe(Def.command(SLEEPER))

  partLayer(runtime)(`several networks (${where})`, (it) => {
    it.scoped("networks: a container joins two networks, each under its own aliases, and keeps both in use", () =>
      Effect.gen(function* () {
        const front = yield* Network.make()
        const back = yield* Network.make()
        const c = yield* Container.start(
          sleeper.pipe(Network.attach(front, { aliases: ["web"] }), Network.attach(back, { aliases: ["api", "api-2"] }))
        )
        const info = yield* c.inspect
        expect(Array.from(info.networks.keys()).sort()).toEqual([back.name, front.name].sort())
        const onFront = info.networks.get(front.name)
        const onBack = info.networks.get(back.name)
        expect(onFront?.aliases).toContain("web")
        expect(onFront?.aliases).not.toContain("api")
        expect(onBack?.aliases).toEqual(expect.arrayContaining(["api", "api-2"]))
        expect(onBack?.aliases).not.toContain("web")
        expect(onFront?.ipAddress).not.toBe("")
        expect(onBack?.ipAddress).not.toBe("")
        expect(onBack?.ipAddress).not.toBe(onFront?.ipAddress)
        // the second network is as much in use as the first
        expect((yield* Effect.flip(Network.remove(back.name)))._tag).toBe("NetworkInUse")
      })
    )

    it.scoped("networks: each alias answers on its own network only (capability: networking)", () =>
      Effect.gen(function* () {
        if (!capabilities.networking) return
        const front = yield* Network.make()
        const back = yield* Network.make()
        yield* Container.start(
          Def.make(image).pipe(
            Def.command(HTTPD),
            Network.attach(front, { aliases: ["web"] }),
            Network.attach(back, { aliases: ["api"] })
          )
        )
        const client = (network: Network.Network, host: string, tries: number) =>
          Container.run(
            Def.make(image).pipe(Def.withRemove, Network.attach(network), Def.command(fetchFrom(host, tries)))
          )
        expect((yield* client(front, "web", 25)).stdout).toBe("hello\n")
        expect((yield* client(back, "api", 25)).stdout).toBe("hello\n")
        // the server answers by now: a client on the back network does not know the front's alias
        expect((yield* Effect.flip(client(back, "web", 1)))._tag).toBe("ContainerExitedNonZero")
      })
    )

    it.effect("networks: the first process already sees every network (capability: processes)", () =>
      Effect.gen(function* () {
        if (!capabilities.processes) return
        const interfaces = yield* Effect.scoped(
          Effect.gen(function* () {
            const front = yield* Network.make()
            const back = yield* Network.make()
            return yield* Container.run(
              Def.make(image).pipe(
                Def.withRemove,
                Network.attach(front),
                Network.attach(back),
                Def.command(["sh", "-c", "ls /sys/class/net | grep -v '^lo$' | wc -l"])
              )
            )
          })
        )
        expect(interfaces.stdout.trim()).toBe("2")
      })
    )

    it.scoped("networks: files and other networks together, placed before the start", () =>
      Effect.gen(function* () {
        const back = yield* Network.make()
        const front = yield* Network.make()
        const c = yield* Container.start(
          sleeper.pipe(
            Network.attach(front),
            Network.attach(back, { aliases: ["db"] }),
            Def.files({ target: "/etc/app.conf", content: "port=1\n" })
          )
        )
        expect(yield* c.readFileString("/etc/app.conf")).toBe("port=1\n")
        expect((yield* c.inspect).networks.get(back.name)?.aliases).toContain("db")
      })
    )

    it.scoped("networks: connect and disconnect a running container (a partition, and its end)", () =>
      Effect.gen(function* () {
        const front = yield* Network.make()
        const back = yield* Network.make()
        const c = yield* Container.start(sleeper.pipe(Network.attach(front)))
        yield* Network.connect(back, c.id, { aliases: ["late"] })
        expect((yield* c.inspect).networks.get(back.name)?.aliases).toContain("late")
        // a running container on the network already: the engine refuses, as a failed command
        expect((yield* Effect.flip(Network.connect(back, c.id)))._tag).toBe("CommandFailed")
        yield* Network.disconnect(back, c.id)
        expect((yield* c.inspect).networks.has(back.name)).toBe(false)
        expect(Array.from((yield* c.inspect).networks.keys())).toEqual([front.name])
        // not connected any more: the engine refuses, as a failed command
        expect((yield* Effect.flip(Network.disconnect(back, c.id)))._tag).toBe("CommandFailed")
      })
    )

    it.scoped("networks: connect to a network or a container that does not exist is typed", () =>
      Effect.gen(function* () {
        const net = yield* Network.make()
        // on a network (rootless Podman's default, slirp4netns, joins none)
        const c = yield* Container.start(sleeper.pipe(Network.attach(net)))
        const absentNetwork = `${Testing.runId}-absent-net-${where}`
        const noNetwork = yield* Effect.flip(Network.connect(absentNetwork, c.id))
        expect(noNetwork._tag).toBe("NetworkNotFound")
        const noContainer = yield* Effect.flip(Network.connect(net, `${Testing.runId}-absent-container`))
        expect(noContainer._tag).toBe("ContainerNotFound")
      })
    )

    it.effect("networks: a second network that does not exist is ContainerStartFailed, and nothing is left", () =>
      Effect.gen(function* () {
        const marker = uniqueMarker()
        const error = yield* Effect.scoped(
          Effect.gen(function* () {
            const front = yield* Network.make()
            return yield* Effect.flip(
              Container.start(
                sleeper.pipe(
                  Def.labels({ [marker]: "1" }),
                  Network.attach(front),
                  Network.attach(`${Testing.runId}-absent-net-${where}`, { aliases: ["x"] })
                )
              )
            )
          })
        )
        expect(error._tag).toBe("ContainerStartFailed")
        expect(yield* Container.list([Label.keyOnly(labelKey(marker))])).toEqual([])
      })
    )

    it.effect("host ports: a container reaches a port of this machine bound to 127.0.0.1 only (exposeHostPorts)", () =>
      Effect.gen(function* () {
        const gatewayName = yield* Network.hostGatewayName
        const port = yield* loopbackServer("hello-from-host\n")
        if (!capabilities.processes) {
          // in memory the host is this process: the gateway name resolves to its loopback address
          const hosts = yield* Container.run(
            Def.make(image).pipe(
              Def.withRemove,
              Def.exposeHostPorts(port),
              Def.entrypoint("cat"),
              Def.command(["/etc/hosts"])
            )
          )
          expect(hosts.stdout).toContain(`127.0.0.1\t${gatewayName}`)
          return
        }
        const fetchHost = Def.make(image).pipe(
          Def.withRemove,
          Def.exposeHostPorts(port),
          Def.command(["wget", "-qO-", `http://${gatewayName}:${port}/`])
        )
        expect((yield* Container.run(fetchHost)).stdout).toBe("hello-from-host\n")
        // a container on a network of its own reaches it too
        const onOwnNetwork = yield* Effect.scoped(
          Effect.flatMap(Network.make(), (own) => Container.run(fetchHost.pipe(Network.attach(own))))
        )
        expect(onOwnNetwork.stdout).toBe("hello-from-host\n")
        // once the runs are over, nothing listens for the containers any more
        const address = yield* Network.hostGateway(image)
        expect(yield* accepts(address, port)).toBe(false)
      }).pipe(Effect.scoped)
    )

    it.effect(
      "host ports: containers exposing one port share its forwarder; it closes with the last (capability: processes)",
      () =>
        Effect.gen(function* () {
          if (!capabilities.processes) return
          const gatewayName = yield* Network.hostGatewayName
          const port = yield* loopbackServer("shared\n")
          const address = yield* Network.hostGateway(image)
          const exposing = sleeper.pipe(Def.exposeHostPorts(port))
          const fetch = ["wget", "-qO-", `http://${gatewayName}:${port}/`]
          const firstScope = yield* Scope.make()
          const secondScope = yield* Scope.make()
          yield* Container.start(exposing).pipe(Effect.provideService(Scope.Scope, firstScope))
          const second = yield* Container.start(exposing).pipe(Effect.provideService(Scope.Scope, secondScope))
          yield* Scope.close(firstScope, Exit.void)
          // the first container's release left the second one's way to the host open
          expect((yield* second.exec(fetch)).stdout).toBe("shared\n")
          expect(yield* accepts(address, port)).toBe(true)
          // and the last one's release closes it
          yield* Scope.close(secondScope, Exit.void)
          expect(yield* accepts(address, port)).toBe(false)
        }).pipe(Effect.scoped)
    )

    it.effect("host ports: an invalid port, or a detached start, is refused before anything runs", () =>
      Effect.gen(function* () {
        const invalid = yield* Effect.flip(Effect.scoped(Container.start(sleeper.pipe(Def.exposeHostPorts(0)))))
        expect(invalid._tag === "InvalidContainerDefinition" && invalid.reason).toBe("HostPortInvalid")
        const detached = yield* Effect.flip(Container.startDetached(sleeper.pipe(Def.exposeHostPorts(8080))))
        expect(detached._tag === "InvalidContainerDefinition" && detached.reason).toBe("HostPortsNeedScope")
      })
    )

    it.effect(
      "networks: a network mode with another network, or one network twice, is refused before anything runs",
      () =>
        Effect.gen(function* () {
          const modeError = yield* Effect.flip(
            Effect.scoped(Container.start(sleeper.pipe(Def.network("host"), Def.joinNetwork("other"))))
          )
          expect(modeError._tag).toBe("InvalidContainerDefinition")
          if (modeError._tag === "InvalidContainerDefinition") expect(modeError.reason).toBe("NetworkModeAlone")
          const twice = Def.make(image).pipe(Def.joinNetwork("a"), Def.joinNetwork("b"), Def.network("b"))
          const twiceError = yield* Effect.flip(Effect.scoped(Container.start(twice)))
          expect(twiceError._tag).toBe("InvalidContainerDefinition")
          if (twiceError._tag === "InvalidContainerDefinition") expect(twiceError.reason).toBe("NetworkJoinedTwice")
        })
    )
  })
}
