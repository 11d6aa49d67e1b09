import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { createHash } from "node:crypto"
import { type EndpointSources, endpointResolvers, hostOfUrl } from "../../../src/internal/dialect/endpoint.js"

const sha256Hex = (text: string) => createHash("sha256").update(text).digest("hex")

/** Sources over a fixed environment and file set. */
const sources = (env: Record<string, string>, files: Record<string, string> = {}): EndpointSources => ({
  env: (name) => Effect.succeed(Option.fromNullable(env[name])),
  file: (path) => Effect.succeed(Option.fromNullable(files[path])),
  sha256Hex
})

const HOME = Option.some("/home/u")
const meta = (name: string) => `/home/u/.docker/contexts/meta/${sha256Hex(name)}/meta.json`
const contextMeta = (name: string, host: string) =>
  JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } })

describe("Docker's endpoint, as the docker CLI finds it", () => {
  it.effect("the local socket when nothing is set", () =>
    Effect.gen(function* () {
      const endpoint = yield* endpointResolvers.docker(sources({}), HOME)
      expect(endpoint).toEqual({
        url: "unix:///var/run/docker.sock",
        source: "default",
        name: undefined,
        remote: false,
        host: undefined
      })
    })
  )

  it.effect("DOCKER_HOST wins over any context; tcp and ssh are remote, with their host", () =>
    Effect.gen(function* () {
      const files = {
        "/home/u/.docker/config.json": '{"currentContext":"far"}',
        [meta("far")]: contextMeta("far", "tcp://10.0.0.9:2375")
      }
      const tcp = yield* endpointResolvers.docker(sources({ DOCKER_HOST: "tcp://127.0.0.2:2375" }, files), HOME)
      expect(tcp).toMatchObject({
        url: "tcp://127.0.0.2:2375",
        source: "environment",
        name: "DOCKER_HOST",
        remote: true,
        host: "127.0.0.2"
      })
      const ssh = yield* endpointResolvers.docker(sources({ DOCKER_HOST: "ssh://root@build-box:2222" }), HOME)
      expect(ssh).toMatchObject({ remote: true, host: "build-box" })
      const unix = yield* endpointResolvers.docker(sources({ DOCKER_HOST: "unix:///run/user/1000/docker.sock" }), HOME)
      expect(unix).toMatchObject({ remote: false, host: undefined })
    })
  )

  it.effect("the current context of config.json; DOCKER_CONTEXT over it; DOCKER_CONFIG moves the directory", () =>
    Effect.gen(function* () {
      const files = {
        "/home/u/.docker/config.json": '{"auths":{},"currentContext":"far"}',
        [meta("far")]: contextMeta("far", "tcp://10.0.0.9:2375"),
        [meta("near")]: contextMeta("near", "unix:///run/near.sock"),
        [`/etc/dc/contexts/meta/${sha256Hex("far")}/meta.json`]: contextMeta("far", "ssh://elsewhere"),
        "/etc/dc/config.json": '{"currentContext":"far"}'
      }
      expect(yield* endpointResolvers.docker(sources({}, files), HOME)).toMatchObject({
        url: "tcp://10.0.0.9:2375",
        source: "context",
        name: "far",
        remote: true,
        host: "10.0.0.9"
      })
      expect(yield* endpointResolvers.docker(sources({ DOCKER_CONTEXT: "near" }, files), HOME)).toMatchObject({
        url: "unix:///run/near.sock",
        name: "near",
        remote: false
      })
      expect(yield* endpointResolvers.docker(sources({ DOCKER_CONTEXT: "default" }, files), HOME)).toMatchObject({
        url: "unix:///var/run/docker.sock",
        source: "default"
      })
      expect(yield* endpointResolvers.docker(sources({ DOCKER_CONFIG: "/etc/dc" }, files), HOME)).toMatchObject({
        url: "ssh://elsewhere",
        host: "elsewhere"
      })
    })
  )

  it.effect("a context whose metadata is missing or unreadable keeps its name and no address", () =>
    Effect.gen(function* () {
      const files = { "/home/u/.docker/config.json": "{not json", [meta("gone")]: "{}" }
      expect(yield* endpointResolvers.docker(sources({}, files), HOME)).toMatchObject({ source: "default" })
      expect(yield* endpointResolvers.docker(sources({ DOCKER_CONTEXT: "gone" }, files), HOME)).toEqual({
        url: undefined,
        source: "context",
        name: "gone",
        remote: false,
        host: undefined
      })
    })
  )
})

describe("Podman's endpoint, as a local podman finds it", () => {
  it.effect("local and daemonless by default, whatever the default connection", () =>
    Effect.gen(function* () {
      const conf =
        '[engine]\nactive_service = "far"\n[engine.service_destinations.far]\nuri = "ssh://root@far/run/podman/podman.sock"\n'
      const endpoint = yield* endpointResolvers.podman(sources({}, { "/etc/containers/containers.conf": conf }), HOME)
      expect(endpoint).toEqual({ url: undefined, source: "default", name: undefined, remote: false, host: undefined })
    })
  )

  it.effect(
    "CONTAINER_HOST; CONTAINER_CONNECTION from containers.conf (Podman 4) or podman-connections.json (Podman 5)",
    () =>
      Effect.gen(function* () {
        expect(
          yield* endpointResolvers.podman(
            sources({ CONTAINER_HOST: "ssh://core@[fd00::1]:22/run/podman/podman.sock" }),
            HOME
          )
        ).toMatchObject({ source: "environment", name: "CONTAINER_HOST", remote: true, host: "fd00::1" })
        const conf =
          '[engine]\n[engine.service_destinations.far]\nuri = "ssh://root@far:2222/run/podman/podman.sock"\nidentity = "/k"\n'
        expect(
          yield* endpointResolvers.podman(
            sources({ CONTAINER_CONNECTION: "far" }, { "/etc/containers/containers.conf": conf }),
            HOME
          )
        ).toMatchObject({
          url: "ssh://root@far:2222/run/podman/podman.sock",
          source: "connection",
          name: "far",
          remote: true,
          host: "far"
        })
        const json = JSON.stringify({
          Connection: { Default: "near", Connections: { near: { URI: "unix:///run/podman/podman.sock" } } }
        })
        expect(
          yield* endpointResolvers.podman(
            sources({ CONTAINER_CONNECTION: "near" }, { "/home/u/.config/containers/podman-connections.json": json }),
            HOME
          )
        ).toMatchObject({ url: "unix:///run/podman/podman.sock", remote: false })
        expect(
          yield* endpointResolvers.podman(
            sources({ CONTAINER_CONNECTION: "nowhere" }, { "/etc/containers/containers.conf": "not = [toml" }),
            HOME
          )
        ).toMatchObject({ url: undefined, source: "connection", name: "nowhere" })
      })
  )
})

describe("hostOfUrl", () => {
  it("reads the host of tcp, ssh and http addresses, IPv6 without brackets", () => {
    expect(hostOfUrl("tcp://h:2376")).toBe("h")
    expect(hostOfUrl("ssh://user@h")).toBe("h")
    expect(hostOfUrl("tcp://[::1]:2375")).toBe("::1")
    expect(hostOfUrl("unix:///var/run/docker.sock")).toBeUndefined()
  })
})
