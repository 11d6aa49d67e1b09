import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { ContainerInspect } from "ociman"

// Real `container inspect <name>` output of docker 20.10 and podman 4.3 (see fixtures/inspect/README.md).
const text = (name: string): string => readFileSync(new URL(`./fixtures/inspect/${name}.json`, import.meta.url), "utf8")
const rawOf = (name: string): unknown => {
  const parsed: unknown = JSON.parse(text(name))
  return Array.isArray(parsed) ? parsed[0] : expect.fail(`${name} is not an array`)
}
const fixture = (name: string): ContainerInspect.ContainerInspect => {
  const all = Either.getOrThrow(ContainerInspect.decodeArray(text(name)))
  expect(all).toHaveLength(1)
  return all[0] ?? expect.fail(`${name} is empty`)
}
const errorOf = (json: unknown) => Either.getOrThrow(Either.flip(ContainerInspect.decode(json)))

const NEVER = "0001-01-01T00:00:00Z"
const CASES = [
  "created",
  "exited",
  "health",
  "host",
  "multinet",
  "network",
  "none",
  "paused",
  "ports",
  "running",
  "starting",
  "unhealthy"
] as const
type Runtime = "docker" | "podman"
const RUNTIMES: ReadonlyArray<Runtime> = ["docker", "podman"]

/** A minimal inspect object, for the cases no runtime prints today. */
const minimal = (overrides: Record<string, unknown> = {}, state: Record<string, unknown> = {}) => ({
  Id: "abc",
  Name: "/x",
  Config: { Image: "img:1" },
  State: { Status: "running", Running: true, ExitCode: 0, StartedAt: "s", FinishedAt: "f", ...state },
  ...overrides
})

describe("ContainerInspect", () => {
  describe.each(RUNTIMES)("%s fixtures", (runtime) => {
    const get = (name: (typeof CASES)[number]) => fixture(`${runtime}-${name}`)

    it.each(CASES)("%s: id, name without '/', image, raw", (name) => {
      const info = get(name)
      const raw = rawOf(`${runtime}-${name}`)
      expect(info.id).toMatch(/^[0-9a-f]{64}$/)
      expect(info.id).toBe(Reflect.get(Object(raw), "Id"))
      expect(info.name).toBe(`ociman-fx-${name}`)
      expect(info.image).toBe("localhost/ociman-test/busybox:1")
      expect(info.raw).toStrictEqual(raw)
    })

    it("running: state, labels (sorted; podman adds the image's), no health check", () => {
      const info = get("running")
      expect(info.state).toMatchObject({ status: "running", running: true, exitCode: 0, finishedAt: NEVER })
      expect(info.state.startedAt).toMatch(/^2026-11-27T03:58:\d\d\.\d+Z$/)
      expect(info.state.health).toBeUndefined()
      const labels = [
        ["com.example.role", "db"],
        ["empty", ""],
        ...(runtime === "podman" ? [["io.buildah.version", "1.28.2"]] : []),
        ["json", '{"a":1}']
      ]
      expect(Array.from(info.labels)).toStrictEqual(labels)
      expect(info.ports).toStrictEqual(new Map())
      expect(info.ipAddress).toBe(runtime === "docker" ? "172.17.0.2" : "10.88.0.94")
    })

    it("exited: status, exit code 3, finish time, no address", () => {
      const info = get("exited")
      expect(info.state).toMatchObject({ status: "exited", running: false, exitCode: 3, health: undefined })
      expect(info.state.finishedAt).not.toBe(NEVER)
      expect(info.ipAddress).toBeUndefined()
      const network = runtime === "docker" ? "bridge" : "podman"
      expect(Array.from(info.networks.keys())).toStrictEqual([network])
      expect(info.networks.get(network)).toMatchObject({ ipAddress: "", gateway: "" })
    })

    it("created (not started): never started; docker lists no ports yet, podman its configured ones", () => {
      const info = get("created")
      expect(info.state).toStrictEqual({
        status: "created",
        running: false,
        exitCode: 0,
        startedAt: NEVER,
        finishedAt: NEVER,
        health: undefined
      })
      expect(info.ports).toStrictEqual(
        runtime === "docker" ? new Map() : new Map([["90/tcp", [{ hostIp: "127.0.0.1", hostPort: 18_090 }]]])
      )
      expect(info.ipAddress).toBeUndefined()
    })

    it("paused: status paused; running is true on docker, false on podman", () => {
      expect(get("paused").state).toMatchObject({ status: "paused", running: runtime === "docker" })
    })

    it("health: starting, healthy, unhealthy, with the check's log", () => {
      expect(get("starting").state.health).toStrictEqual({ status: "starting", failingStreak: 0, log: [] })
      const healthy = get("health").state.health
      expect(healthy?.status).toBe("healthy")
      expect(healthy?.failingStreak).toBe(0)
      expect(healthy?.log.at(-1)).toMatchObject({ exitCode: 0, output: "" })
      const unhealthy = get("unhealthy").state.health
      expect(unhealthy?.status).toBe("unhealthy")
      expect(unhealthy?.failingStreak).toBe(runtime === "docker" ? 4 : 2)
      expect(unhealthy?.log).toHaveLength(runtime === "docker" ? 4 : 2)
      const last = unhealthy?.log.at(-1)
      expect(last?.exitCode).toBe(1)
      // docker keeps the output's final line break, podman drops it.
      expect(last?.output).toBe(runtime === "docker" ? "not ready yet\n" : "not ready yet")
      expect(last?.start).toMatch(/^2026-11-27T04:01:/)
      expect(last?.end).toMatch(/^2026-11-27T04:01:/)
    })

    it("ports: tcp/udp on 127.0.0.1 and [::1], random host ports, exposed-only → []", () => {
      const base = runtime === "docker" ? 18_080 : 18_180
      const all =
        runtime === "docker"
          ? [
              { hostIp: "0.0.0.0", hostPort: 32_772 },
              { hostIp: "::", hostPort: 32_773 }
            ]
          : [{ hostIp: "", hostPort: 34_199 }]
      expect(get("ports").ports).toStrictEqual(
        new Map([
          ["80/tcp", [{ hostIp: "127.0.0.1", hostPort: base }]],
          ["81/udp", [{ hostIp: "127.0.0.1", hostPort: base + 1 }]],
          ["82/tcp", [{ hostIp: "::1", hostPort: base + 2 }]],
          ["83/tcp", all],
          ["84/udp", [{ hostIp: "127.0.0.1", hostPort: runtime === "docker" ? 32_769 : 41_697 }]],
          ["85/tcp", []]
        ])
      )
    })

    it("user network with aliases: the address comes from the network", () => {
      const info = get("network")
      const shortId = info.id.slice(0, 12)
      expect(info.networks).toStrictEqual(
        new Map([
          [
            "ociman-fx-net",
            runtime === "docker"
              ? { ipAddress: "172.21.0.2", aliases: ["db", "primary", shortId], gateway: "172.21.0.1" }
              : { ipAddress: "10.89.0.2", aliases: ["db", "primary", shortId], gateway: "10.89.0.1" }
          ]
        ])
      )
      expect(Reflect.get(Object(Reflect.get(Object(info.raw), "NetworkSettings")), "IPAddress")).toBe("")
      expect(info.ipAddress).toBe(runtime === "docker" ? "172.21.0.2" : "10.89.0.2")
    })

    it("two networks: ipAddress is the first network's, by name", () => {
      const info = get("multinet")
      expect(Array.from(info.networks.keys())).toStrictEqual(["ociman-fx-net", "ociman-fx-net2"])
      expect(info.networks.get("ociman-fx-net")?.aliases).toStrictEqual(["extra", info.id.slice(0, 12)])
      expect(info.ipAddress).toBe(runtime === "docker" ? "172.21.0.3" : "10.89.0.3")
    })

    it("--network none / host: podman has no Networks, docker an entry without address", () => {
      for (const name of ["none", "host"] as const) {
        const info = get(name)
        expect(info.ipAddress).toBeUndefined()
        expect(info.networks).toStrictEqual(
          runtime === "docker" ? new Map([[name, { ipAddress: "", aliases: [], gateway: "" }]]) : new Map()
        )
      }
    })
  })

  describe("shapes the fixtures do not cover", () => {
    it("older podman's State.Healthcheck; Health wins when both are set; Status '' is no check", () => {
      const old = Either.getOrThrow(ContainerInspect.decode(minimal({}, { Healthcheck: { Status: "healthy" } })))
      expect(old.state.health).toStrictEqual({ status: "healthy", failingStreak: 0, log: [] })
      const both = Either.getOrThrow(
        ContainerInspect.decode(minimal({}, { Health: { Status: "starting" }, Healthcheck: { Status: "healthy" } }))
      )
      expect(both.state.health?.status).toBe("starting")
      const none = Either.getOrThrow(
        ContainerInspect.decode(minimal({}, { Health: { Status: "" }, Healthcheck: null }))
      )
      expect(none.state.health).toBeUndefined()
    })

    it("missing or null Labels, NetworkSettings, Ports, Networks, Aliases", () => {
      for (const overrides of [
        {},
        { Config: { Image: "img:1", Labels: null }, NetworkSettings: null },
        { NetworkSettings: { Ports: null, Networks: null } },
        { NetworkSettings: {} }
      ]) {
        const info = Either.getOrThrow(ContainerInspect.decode(minimal(overrides)))
        expect(info.labels).toStrictEqual(new Map())
        expect(info.ports).toStrictEqual(new Map())
        expect(info.networks).toStrictEqual(new Map())
        expect(info.ipAddress).toBeUndefined()
      }
      const noAliases = Either.getOrThrow(
        ContainerInspect.decode(minimal({ NetworkSettings: { Networks: { n: { IPAddress: "10.0.0.2" } } } }))
      )
      expect(noAliases.networks.get("n")).toStrictEqual({ ipAddress: "10.0.0.2", aliases: [], gateway: "" })
      expect(noAliases.ipAddress).toBe("10.0.0.2")
    })

    it("HostPort as a number is accepted, an empty HostPort (not allocated) is dropped", () => {
      const info = Either.getOrThrow(
        ContainerInspect.decode(
          minimal({
            NetworkSettings: {
              Ports: {
                "80/tcp": [{ HostIp: "", HostPort: 8080 }, { HostPort: "" }],
                "53/udp": [{ HostIp: "::", HostPort: "65535" }]
              }
            }
          })
        )
      )
      expect(info.ports).toStrictEqual(
        new Map([
          ["80/tcp", [{ hostIp: "", hostPort: 8080 }]],
          ["53/udp", [{ hostIp: "::", hostPort: 65_535 }]]
        ])
      )
    })

    it("only one leading '/' is stripped from the name", () => {
      expect(Either.getOrThrow(ContainerInspect.decode(minimal({ Name: "//odd" }))).name).toBe("/odd")
      expect(Either.getOrThrow(ContainerInspect.decode(minimal({ Name: "plain" }))).name).toBe("plain")
    })
  })

  describe("InvalidInspect", () => {
    it("names the path of the unexpected value and quotes the input", () => {
      const error = errorOf({ Id: 1 })
      expect(error._tag).toBe("InvalidInspect")
      expect(error.path).toBe("Id")
      expect(error.issue).toBe("Expected string, actual 1")
      expect(error.detail).toContain('["Id"]')
      expect(error.detail).toContain("Expected string, actual 1")
      expect(error.excerpt).toBe('{"Id":1}')
      expect(error.index).toBeUndefined()
      expect(error.message).toContain('Unexpected "container inspect" output at Id: Expected string, actual 1\n')
      expect(error.message).toContain('Input: {"Id":1}')
      expect(error.message).toContain("please report it")
    })

    it("a bad port, exit code or state", () => {
      const port = errorOf(minimal({ NetworkSettings: { Ports: { "80/tcp": [{ HostIp: "", HostPort: "http" }] } } }))
      expect(port.path).toBe('NetworkSettings.Ports["80/tcp"][0].HostPort')
      expect(port.issue).toContain('Expected a string matching the pattern ^[0-9]{1,5}$, actual "http"')
      expect(port.detail).toContain('["NetworkSettings"]')
      expect(port.detail).toContain('["HostPort"]')
      expect(errorOf(minimal({ NetworkSettings: { Ports: { "80/tcp": [{ HostPort: "70000" }] } } })).detail).toContain(
        "HostPort"
      )
      expect(errorOf(minimal({}, { ExitCode: "3" })).path).toBe("State.ExitCode")
      expect(errorOf(minimal({}, { ExitCode: 1.5 })).issue).toBe("Expected an integer, actual 1.5")
      expect(errorOf(minimal({ State: null })).path).toBe("State")
      expect(errorOf(minimal({ Config: {} })).path).toBe("Config.Image")
      expect(errorOf(minimal({ NetworkSettings: { Networks: { n: { IPAddress: 1 } } } })).path).toBe(
        "NetworkSettings.Networks.n.IPAddress"
      )
      const root = errorOf(null)
      expect([root.path, root.issue]).toStrictEqual(["", "Expected ContainerInspectObject, actual null"])
    })

    it("a label whose value is not a string (read by Label.decode)", () => {
      const error = errorOf(minimal({ Config: { Image: "i", Labels: { a: 1 } } }))
      expect([error.path, error.issue]).toStrictEqual(["Config.Labels.a", "Expected string (a label value)"])
      expect(error.detail).toContain("Expected string, actual 1")
      const spaced = errorOf(minimal({ Config: { Image: "i", Labels: { "a b": null } } }))
      expect(spaced.path).toBe('Config.Labels["a b"]')
      expect(errorOf(minimal({ Config: { Image: "i", Labels: [] } })).path).toBe("Config.Labels")
    })

    it("the excerpt is cut to 300 characters", () => {
      const error = errorOf({ Id: 1, Padding: "x".repeat(1_000) })
      expect(error.excerpt).toMatch(/^\{"Id":1,"Padding":"x+… \(1021 characters\)$/)
      expect(error.excerpt.length).toBeLessThan(330)
    })
  })

  describe("decodeArray", () => {
    it("decodes several objects, and []", () => {
      const stdout = JSON.stringify([rawOf("docker-running"), rawOf("podman-exited")])
      const all = Either.getOrThrow(ContainerInspect.decodeArray(stdout))
      expect(all.map((info) => [info.name, info.state.status])).toStrictEqual([
        ["ociman-fx-running", "running"],
        ["ociman-fx-exited", "exited"]
      ])
      expect(Either.getOrThrow(ContainerInspect.decodeArray("[]\n"))).toStrictEqual([])
    })

    it("fails on output that is not a JSON array, quoting its start", () => {
      const notJson = Either.getOrThrow(Either.flip(ContainerInspect.decodeArray("Error: no such container x\n")))
      expect(notJson.excerpt).toBe("Error: no such container x")
      expect(notJson.issue).toContain("is not valid JSON")
      expect(notJson.path).toBe("")
      const notArray = Either.getOrThrow(Either.flip(ContainerInspect.decodeArray('{"Id":"x"}')))
      expect(notArray.detail).toContain("Expected ReadonlyArray<unknown>")
    })

    it("fails with the index of the first bad element", () => {
      const stdout = JSON.stringify([rawOf("docker-running"), { Id: "x" }])
      const error = Either.getOrThrow(Either.flip(ContainerInspect.decodeArray(stdout)))
      expect(error.index).toBe(1)
      expect(error.excerpt).toBe('{"Id":"x"}')
      expect(error.message).toContain("output (element 1) at Name: is missing")
    })
  })

  describe("Effect variants", () => {
    it.effect("decodeEffect and decodeArrayEffect", () =>
      Effect.gen(function* () {
        const info = yield* ContainerInspect.decodeEffect(rawOf("podman-health"))
        expect(info.state.health?.status).toBe("healthy")
        const all = yield* ContainerInspect.decodeArrayEffect(text("docker-ports"))
        expect(all[0]?.ports.get("82/tcp")).toStrictEqual([{ hostIp: "::1", hostPort: 18_082 }])
        const failure = yield* Effect.flip(ContainerInspect.decodeEffect({}))
        expect(failure._tag).toBe("InvalidInspect")
        const arrayFailure = yield* Effect.flip(ContainerInspect.decodeArrayEffect(""))
        expect(arrayFailure._tag).toBe("InvalidInspect")
      })
    )
  })
})
