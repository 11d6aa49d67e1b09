import { describe, expect, it } from "@effect/vitest"
import { Either, Redacted } from "effect"
import * as Def from "../../src/ContainerDefinition.js"
import type { RunSpec } from "../../src/ContainerRuntime.js"
import * as Mount from "../../src/Mount.js"
import * as Port from "../../src/Port.js"
import { createRequestOf } from "../../src/internal/api/createBody.js"
import { validate } from "../../src/internal/containerSpec.js"

const specOf = (definition: Def.ContainerDefinition): RunSpec => Either.getOrThrow(validate(definition))

const translated = (definition: Def.ContainerDefinition) =>
  Either.getOrThrow(Either.getOrThrow(createRequestOf(specOf(definition))))

const cliOnlyReason = (definition: Def.ContainerDefinition): string => {
  const result = Either.getOrThrow(createRequestOf(specOf(definition)))
  if (Either.isRight(result)) return expect.fail("expected a CLI-only run")
  return result.left.reason
}

const base = Def.make("localhost/ociman-test/busybox:1")

describe("createRequestOf", () => {
  it("a bare definition: the image, no command, nothing published, every host setting at its default", () => {
    const { query, body } = translated(base)
    expect(query).toEqual({ name: undefined, platform: undefined })
    expect(body).toEqual({
      Image: "localhost/ociman-test/busybox:1",
      Env: [],
      Labels: {},
      Tty: false,
      OpenStdin: false,
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      ExposedPorts: {},
      HostConfig: { PortBindings: {}, Mounts: [], AutoRemove: false }
    })
  })

  it("translates every field the CLI's run flags carry", () => {
    const { query, body } = translated(
      base.pipe(
        Def.name("db"),
        Def.platform("linux/amd64"),
        Def.command(["sh", "-c", "echo hi"]),
        Def.entrypoint(""),
        Def.workdir("/srv"),
        Def.user("1000:1000"),
        Def.hostname("box"),
        Def.env({ B: "2", A: Redacted.make("secret") }),
        Def.labels({ team: "db" }),
        Def.network("backend"),
        Def.networkAlias("db", "primary"),
        Def.addHost("host.docker.internal", "host-gateway"),
        Def.memory(64 * 1024 * 1024),
        Def.cpus(1.5),
        Def.securityOption("no-new-privileges", "label=disable"),
        Def.withInit,
        Def.withTty,
        Def.withInteractive,
        Def.withRemove
      )
    )
    expect(query).toEqual({ name: "db", platform: "linux/amd64" })
    expect(body).toMatchObject({
      Cmd: ["sh", "-c", "echo hi"],
      Entrypoint: [""],
      WorkingDir: "/srv",
      User: "1000:1000",
      Hostname: "box",
      // sorted by name, secrets revealed for the engine only
      Env: ["A=secret", "B=2"],
      Labels: { team: "db" },
      Tty: true,
      OpenStdin: true,
      HostConfig: {
        NetworkMode: "backend",
        ExtraHosts: ["host.docker.internal:host-gateway"],
        Memory: 64 * 1024 * 1024,
        NanoCpus: 1_500_000_000,
        SecurityOpt: ["no-new-privileges", "label=disable"],
        Init: true,
        AutoRemove: true
      },
      NetworkingConfig: { EndpointsConfig: { backend: { Aliases: ["db", "primary"] } } }
    })
  })

  it("publishes as the CLI does: every address on a free port, an address, a fixed port, several bindings of one port", () => {
    const { body } = translated(
      base.pipe(
        Def.publish(
          Port.tcp(5432),
          Either.getOrThrow(Port.publish(Port.tcp(8080), { hostIp: "127.0.0.1" })),
          Either.getOrThrow(Port.publish(Port.udp(53), { hostPort: 5353 })),
          Either.getOrThrow(Port.publish(Port.tcp(8080), { hostIp: "::1", hostPort: 18080 }))
        )
      )
    )
    expect(body.ExposedPorts).toEqual({ "5432/tcp": {}, "8080/tcp": {}, "53/udp": {} })
    expect(body.HostConfig.PortBindings).toEqual({
      "5432/tcp": [{ HostIp: "", HostPort: "" }],
      "8080/tcp": [
        { HostIp: "127.0.0.1", HostPort: "" },
        { HostIp: "::1", HostPort: "18080" }
      ],
      "53/udp": [{ HostIp: "0.0.0.0", HostPort: "5353" }]
    })
  })

  it("mounts: bind, named and anonymous volumes, tmpfs with size and mode", () => {
    const { body } = translated(
      base.pipe(
        Def.mount(
          Either.getOrThrow(Mount.bind({ source: "/srv/data", target: "/data", readOnly: true })),
          Either.getOrThrow(Mount.volume({ source: "cache", target: "/cache" })),
          Either.getOrThrow(Mount.volume({ target: "/anon" })),
          Either.getOrThrow(Mount.tmpfs({ target: "/tmp", sizeBytes: 1024, mode: 0o1777 }))
        )
      )
    )
    expect(body.HostConfig.Mounts).toEqual([
      { Type: "bind", Source: "/srv/data", Target: "/data", ReadOnly: true },
      { Type: "volume", Source: "cache", Target: "/cache", ReadOnly: false },
      { Type: "volume", Target: "/anon", ReadOnly: false },
      { Type: "tmpfs", Target: "/tmp", TmpfsOptions: { SizeBytes: 1024, Mode: 0o1777 } }
    ])
  })

  it("what only the CLI can express sends the run through the CLI, never dropped", () => {
    expect(cliOnlyReason(base.pipe(Def.rawFlags("--cap-add", "NET_ADMIN")))).toMatch(/raw flags/)
    expect(cliOnlyReason(base.pipe(Def.mount(Either.getOrThrow(Mount.raw("type=bind,src=/a,dst=/b")))))).toMatch(
      /raw mount/
    )
    expect(cliOnlyReason(base.pipe(Def.pullPolicy("always")))).toMatch(/pull policy always/)
    expect(cliOnlyReason(base.pipe(Def.securityOption("seccomp=/etc/profile.json")))).toMatch(/seccomp/)
    expect(cliOnlyReason(base.pipe(Def.securityOption("label:disable")))).toMatch(/label:disable/)
    expect(cliOnlyReason(base.pipe(Def.networkAlias("db")))).toMatch(/without a network/)
  })

  it("keeps the pull policies the API can honour (never; missing pulls through the CLI on ImageNotFound)", () => {
    expect(Either.isRight(Either.getOrThrow(createRequestOf(specOf(base.pipe(Def.pullPolicy("never"))))))).toBe(true)
    expect(Either.isRight(Either.getOrThrow(createRequestOf(specOf(base.pipe(Def.pullPolicy("missing"))))))).toBe(true)
  })
})
