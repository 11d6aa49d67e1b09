/**
 * Acceptance: networks and hosts on real Docker and Podman — scoped user-defined networks joined
 * under aliases, the default bridge's subnets (ociman's integration test 40), the host gateway
 * (ociman's test 15) and the /etc/hosts resolver (ociman's backend tests 10–14).
 */
import { expect, layer } from "@effect/vitest"
import { Effect, pipe } from "effect"
import { execFileSync } from "node:child_process"
import { isIP } from "node:net"
import { Container, ContainerDefinition as Def } from "ociman"
import { Network } from "ociman"
import { describeEachRuntime, type Kind, runtimeLayer, TEST_IMAGE } from "./support/backends.js"

const unique = (base: string) => `ociman-test-${process.pid}-${base}`

/** Asks the runtime directly (not through the library) whether a network exists. */
const networkExists = (kind: Kind, name: string): boolean => {
  try {
    execFileSync(kind, ["network", "inspect", "--", name], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
}

const networkLabels = (kind: Kind, name: string): Record<string, string> =>
  JSON.parse(
    execFileSync(kind, ["network", "inspect", "--format", "{{json .Labels}}", "--", name], { encoding: "utf8" })
  )

/** Names of the networks that carry this worker's ownership label (none may be left behind). */
const networksOfThisProcess = (kind: Kind): ReadonlyArray<string> =>
  execFileSync(kind, ["network", "ls", "--format", "{{.Name}}", "--filter", `label=ociman.pid=${process.pid}`], {
    encoding: "utf8"
  })
    .split("\n")
    .filter((line) => line.length > 0)

const removeNetwork = (kind: Kind, name: string) => {
  try {
    execFileSync(kind, ["network", "rm", "--", name], { stdio: "ignore" })
  } catch {
    // absent already
  }
}

/** Serves /www/index.html on 8080 and exits at once on SIGTERM (so the scope closes fast). */
const web = pipe(
  Def.make(TEST_IMAGE),
  Def.command([
    "sh",
    "-c",
    "trap 'exit 0' TERM; mkdir -p /www && echo hello-from-web > /www/index.html && httpd -f -p 8080 -h /www & wait"
  ])
)

/** Fetches from `web` by alias, retrying while the server starts. */
const fetchScript =
  "for i in $(seq 1 50); do wget -qO- http://web:8080/index.html && exit 0; sleep 0.2; done; echo unreachable >&2; exit 1"

const PODMAN_DNS_HINT =
  "Podman with the CNI backend resolves container aliases only with the dnsname plugin: " +
  "apt-get install golang-github-containernetworking-plugin-dnsname"

describeEachRuntime("networks", (kind) => {
  layer(runtimeLayer(kind), { timeout: "90 seconds", excludeTestServices: true })((it) => {
    it.effect("a container reaches another by alias on a scoped network, which is gone after the scope", () =>
      Effect.gen(function* () {
        const name = yield* Effect.scoped(
          Effect.gen(function* () {
            const net = yield* Network.make()
            expect(networkExists(kind, net.name)).toBe(true)
            expect(yield* Network.exists(net.name)).toBe(true)
            expect(yield* Network.exists(net.id)).toBe(true)
            if (kind === "podman") {
              const dns = execFileSync("podman", ["network", "inspect", "--format", "{{.DNSEnabled}}", net.name], {
                encoding: "utf8"
              })
              expect(dns.trim(), PODMAN_DNS_HINT).toBe("true")
            }
            yield* Container.start(pipe(web, Network.attach(net, { aliases: ["web"] })))
            const page = yield* Container.run(
              pipe(Def.make(TEST_IMAGE), Def.withRemove, Network.attach(net), Def.command(["sh", "-c", fetchScript]))
            )
            expect(page.stdout).toBe("hello-from-web\n")
            return net.name
          })
        )
        expect(networkExists(kind, name)).toBe(false)
        expect(yield* Network.exists(name)).toBe(false)
      })
    )

    it.scoped("a network carries the ownership labels (for the sweeper) and the caller's labels", () =>
      Effect.gen(function* () {
        const net = yield* Network.make({ labels: { "ociman-test.role": "labels" } })
        const labels = networkLabels(kind, net.name)
        expect(labels["ociman-test.role"]).toBe("labels")
        expect(labels["ociman.managed"]).toBe("true")
        expect(labels["ociman.pid"]).toBe(String(process.pid))
        expect(labels["ociman.session"]).toMatch(/^[0-9a-f-]{36}$/)
        expect(networksOfThisProcess(kind)).toContain(net.name)
      })
    )

    it.scoped("a name in use is NetworkNameInUse, and the existing network is left alone", () =>
      Effect.gen(function* () {
        const name = unique("taken")
        removeNetwork(kind, name)
        const first = yield* Network.make({ name })
        expect(first.name).toBe(name)
        const error = yield* Effect.flip(Effect.scoped(Network.make({ name })))
        expect(error._tag).toBe("NetworkNameInUse")
        expect(networkExists(kind, name)).toBe(true)
      })
    )

    it.scoped("removing a network with a container attached is NetworkInUse; the scope still cleans up", () =>
      Effect.gen(function* () {
        const net = yield* Network.make()
        yield* Container.start(pipe(web, Network.attach(net)))
        const error = yield* Effect.flip(Network.remove(net.name))
        expect(error._tag).toBe("NetworkInUse")
      })
    )

    it.effect("an absent network: exists is false, remove is NetworkNotFound", () =>
      Effect.gen(function* () {
        const name = unique("absent")
        removeNetwork(kind, name)
        expect(yield* Network.exists(name)).toBe(false)
        const error = yield* Effect.flip(Network.remove(name))
        expect(error._tag).toBe("NetworkNotFound")
      })
    )

    it.effect("40: the default bridge has subnets, each with a prefix shorter than 32", () =>
      Effect.gen(function* () {
        const subnets = yield* Network.bridgeSubnets
        expect(subnets.length).toBeGreaterThan(0)
        for (const subnet of subnets) expect(Network.prefixLength(subnet)).toBeLessThan(32)
      })
    )

    it.effect("15: the host gateway resolves to an IP address", () =>
      Effect.gen(function* () {
        const gateway = yield* Network.hostGateway(TEST_IMAGE)
        expect(isIP(gateway)).not.toBe(0)
      })
    )

    it.scoped("the host gateway resolves from a user-defined network too", () =>
      Effect.gen(function* () {
        const net = yield* Network.make()
        const gateway = yield* Network.hostGateway(TEST_IMAGE, { network: net })
        expect(isIP(gateway)).not.toBe(0)
      })
    )

    it.effect("10: localhost resolves to a loopback address", () =>
      Effect.gen(function* () {
        const address = yield* Network.resolveInContainer(TEST_IMAGE, "localhost")
        expect(address).toMatch(/^(127\.\d+\.\d+\.\d+|::1)$/)
      })
    )

    it.effect("11: the host gateway name resolves (Docker through --add-host …:host-gateway)", () =>
      Effect.gen(function* () {
        const address =
          kind === "docker"
            ? yield* Network.resolveInContainer(TEST_IMAGE, "host.docker.internal", {
                addHosts: { "host.docker.internal": "host-gateway" }
              })
            : yield* Network.resolveInContainer(TEST_IMAGE, "host.containers.internal")
        expect(isIP(address)).not.toBe(0)
      })
    )

    it.effect("12: an unknown name is HostnameNotFound, with the file that was read", () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(
          Network.resolveInContainer(TEST_IMAGE, "this-definitely-does-not-exist-12345.local")
        )
        expect(error._tag).toBe("HostnameNotFound")
        if (error._tag === "HostnameNotFound") {
          expect(error.hostname).toBe("this-definitely-does-not-exist-12345.local")
          expect(error.hosts).toContain("localhost")
        }
      })
    )

    it.effect("13: an add-host entry resolves to its address", () =>
      Effect.gen(function* () {
        const address = yield* Network.resolveInContainer(TEST_IMAGE, "custom-host", {
          addHosts: { "custom-host": "192.168.1.100" }
        })
        expect(address).toBe("192.168.1.100")
      })
    )

    it.effect("14: a raw --add-host flag resolves too", () =>
      Effect.gen(function* () {
        const address = yield* Network.resolveInContainer(TEST_IMAGE, "test-host", {
          flags: ["--add-host", "test-host:10.0.0.1"]
        })
        expect(address).toBe("10.0.0.1")
      })
    )

    it.effect("no network of this process is left behind", () =>
      Effect.sync(() => {
        expect(networksOfThisProcess(kind)).toEqual([])
      })
    )
  })
})
