import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Redacted } from "effect"
import { ContainerDefinition as Def, Mount, Port } from "../src/index.js"
import { hostOfUrl } from "../src/internal/dialect/endpoint.js"
import { classifyRunFailure, mergeTimestamped } from "../src/internal/cli/containers.js"
import { validate } from "../src/internal/containerSpec.js"
import { commitPauseFlag, dockerExists, execArgs, parseList, runArgs } from "../src/internal/dialect/containers.js"
import * as Version from "../src/Version.js"

const spec = (definition: Def.ContainerDefinition, extra: ReadonlyArray<readonly [string, string]> = []) =>
  Either.getOrThrow(validate(definition, extra))

const bytes = (text: string) => new TextEncoder().encode(text)

describe("ContainerDefinition", () => {
  it("is an immutable value: combinators return new definitions with structural equality", () => {
    const base = Def.make("busybox")
    const withName = base.pipe(Def.name("db"))
    expect(base.name).toBeUndefined()
    expect(withName.name).toBe("db")
    expect(Def.make("busybox").pipe(Def.name("db"))).toEqual(withName)
  })

  it("command replaces, args appends (ociman's arguments vs argument)", () => {
    const def = Def.make("busybox").pipe(Def.command(["a"]), Def.args("b", "c"), Def.command(["x"]), Def.args("y"))
    expect(def.command).toEqual(["x", "y"])
  })
})

describe("run argv", () => {
  it("renders ociman's order, sorted env names and labels, and no env value", () => {
    const definition = Def.make("docker.io/library/postgres:17")
      .pipe(
        Def.withRemove,
        Def.name("session-main"),
        Def.env({ Z_VAR: "z", A_VAR: Redacted.make("secret") }),
        Def.labels({ "b.key": "2", "a.key": "1" }),
        Def.publish(Either.getOrThrow(Port.publish(Port.tcp(5432), { hostIp: "127.0.0.1" }))),
        Def.mount(Either.getOrThrow(Mount.tmpfs({ target: "/scratch" }))),
        Def.securityOption("seccomp=unconfined"),
        Def.pullPolicy("never"),
        Def.workdir("/w"),
        Def.entrypoint("sh"),
        Def.user("1000:1000"),
        Def.hostname("db"),
        Def.network("net"),
        Def.networkAlias("postgres"),
        Def.addHost("host.docker.internal", "host-gateway"),
        Def.memory(268435456),
        Def.cpus(0.5),
        Def.withInit,
        Def.withTty,
        Def.withInteractive
      )
      .pipe(Def.rawFlags("--shm-size", "256m"), Def.command(["-c", "fsync=off"]))
    expect(runArgs(spec(definition), { detach: true, envArgs: ["--env", "A_VAR", "--env", "Z_VAR"] })).toEqual([
      "container",
      "run",
      "--detach",
      "--rm",
      "--tty",
      "--interactive",
      "--pull",
      "never",
      "--name",
      "session-main",
      "--env",
      "A_VAR",
      "--env",
      "Z_VAR",
      "--label",
      "a.key=1",
      "--label",
      "b.key=2",
      "--publish",
      "127.0.0.1::5432/tcp",
      "--mount",
      "type=tmpfs,target=/scratch",
      "--security-opt",
      "seccomp=unconfined",
      "--workdir",
      "/w",
      "--entrypoint",
      "sh",
      "--user",
      "1000:1000",
      "--hostname",
      "db",
      "--network",
      "net",
      "--network-alias",
      "postgres",
      "--add-host",
      "host.docker.internal:host-gateway",
      "--memory",
      "268435456b",
      "--cpus",
      "0.5",
      "--init",
      "--shm-size",
      "256m",
      "docker.io/library/postgres:17",
      "-c",
      "fsync=off"
    ])
  })

  it("a minimal definition is just the image", () => {
    expect(runArgs(spec(Def.make("alpine")), { detach: false, envArgs: [] })).toEqual(["container", "run", "alpine"])
  })

  it("ownership labels are added after the user's and sorted in", () => {
    const s = spec(Def.make("alpine").pipe(Def.labels({ z: "1" })), [["ociman.managed", "true"]])
    expect(s.labels).toEqual([
      ["ociman.managed", "true"],
      ["z", "1"]
    ])
  })

  it.each([
    [Def.make("Not A Ref"), "InvalidImageReference"],
    [Def.make("alpine").pipe(Def.name("bad name")), "InvalidContainerName"],
    [Def.make("alpine").pipe(Def.labels({ "bad=key": "x" })), "InvalidLabel"],
    [Def.make("alpine").pipe(Def.env({ "": "x" })), "InvalidEnvVar"],
    [Def.make("alpine").pipe(Def.publish(Port.tcp(70000))), "InvalidPort"]
  ] as const)("bad input is a typed error: %#", (definition, tag) => {
    const result = validate(definition)
    expect(Either.isLeft(result) && result.left._tag).toBe(tag)
  })
})

describe("exec argv", () => {
  it("renders flags before the id, and stdin implies --interactive", () => {
    expect(
      execArgs(
        "abc",
        {
          command: ["id", "-u"],
          env: [],
          user: "1234:5678",
          workdir: "/tmp",
          stdin: bytes("x"),
          tty: false,
          interactive: false
        },
        ["--env", "A"]
      )
    ).toEqual([
      "container",
      "exec",
      "--interactive",
      "--user",
      "1234:5678",
      "--workdir",
      "/tmp",
      "--env",
      "A",
      "abc",
      "id",
      "-u"
    ])
  })
})

describe("commit pause flag (ociman §6.5)", () => {
  const v = (text: string) => Either.getOrThrow(Version.parse(text))
  it.each([
    ["docker", "29.0.0", true, []],
    ["docker", "29.0.0", false, ["--no-pause"]],
    ["docker", "28.2.2", true, []],
    ["docker", "28.2.2", false, ["--pause=false"]],
    ["podman", "4.3.1", true, ["--pause"]],
    ["podman", "4.3.1", false, []]
  ] as const)("%s %s pause=%s", (kind, version, pause, expected) => {
    expect(commitPauseFlag(kind, v(version), pause)).toEqual(expected)
  })
})

describe("run failure classification", () => {
  const result = (stderr: string) => ({
    argv: ["docker", "container", "run"],
    exitCode: 125,
    signal: undefined,
    stdout: new Uint8Array(),
    stderr: bytes(stderr)
  })
  it("name clashes are NameInUse only when a name was given", () => {
    const stderr =
      'docker: Error response from daemon: Conflict. The container name "/db" is already in use by container "0a93".'
    expect(classifyRunFailure(spec(Def.make("alpine").pipe(Def.name("db"))), result(stderr))._tag).toBe("NameInUse")
    expect(classifyRunFailure(spec(Def.make("alpine")), result(stderr))._tag).toBe("ContainerStartFailed")
  })
  it.each([
    "docker: Error response from daemon: No such image: localhost/nope/nope:1",
    "Error: localhost/nope/nope:1: image not known",
    "Unable to find image 'nope:1' locally"
  ])("missing images are ImageNotFound: %s", (stderr) => {
    expect(classifyRunFailure(spec(Def.make("alpine")), result(stderr))._tag).toBe("ImageNotFound")
  })
})

describe("output parsers", () => {
  it("merges timestamped logs of both streams in time order", () => {
    expect(
      mergeTimestamped(
        "2026-11-27T03:47:13.100000000Z one\n2026-11-27T03:47:13.300000000Z three\n",
        "2026-11-27T03:47:13.200000000Z two\n"
      )
    ).toEqual([
      { stream: "stdout", text: "one" },
      { stream: "stderr", text: "two" },
      { stream: "stdout", text: "three" }
    ])
  })

  it("parses ID<TAB>NAMES lines (Docker joins names with ',', Podman with ' ')", () => {
    expect(Either.getOrThrow(parseList("abc\ta,b\ndef\tc d\n"))).toEqual([
      { id: "abc", names: ["a", "b"] },
      { id: "def", names: ["c", "d"] }
    ])
    expect(parseList("garbage line\n")).toEqual(Either.left("garbage line"))
  })

  it.each([
    ["tcp://10.1.2.3:2376", "10.1.2.3"],
    ["ssh://user@build-host:22", "build-host"],
    ["tcp://[fd00::1]:2376", "fd00::1"],
    ["unix:///var/run/docker.sock", undefined]
  ])("remote engine host of %s", (address, host) => {
    expect(hostOfUrl(address)).toBe(host)
  })
})

describe("Docker presence probe (no `container exists` there)", () => {
  const containers = [
    { id: "abc123def456", names: ["db"] },
    { id: "fedcba987654", names: ["cafe"] }
  ]
  /** Answers like `container list --filter`: id prefixes, or names containing the text. */
  const listed = (asked: Array<string>) => (filter: string) => {
    asked.push(filter)
    const [key, value = ""] = filter.split("=")
    return Effect.succeed(
      containers.filter((c) => (key === "id" ? c.id.startsWith(value) : c.names.some((n) => n.includes(value))))
    )
  }

  it.effect("an id prefix is found with one call; a name by its exact spelling only", () =>
    Effect.gen(function* () {
      const asked: Array<string> = []
      expect(yield* dockerExists("abc1", listed(asked))).toBe(true)
      expect(asked).toEqual(["id=abc1"])
      expect(yield* dockerExists("db", listed([]))).toBe(true)
      expect(yield* dockerExists("/db", listed([]))).toBe(true)
      expect(yield* dockerExists("d", listed([]))).toBe(false)
    })
  )

  it.effect("a hex-looking name is tried as an id first, then as a name", () =>
    Effect.gen(function* () {
      const asked: Array<string> = []
      expect(yield* dockerExists("cafe", listed(asked))).toBe(true)
      expect(asked).toEqual(["id=cafe", "name=cafe"])
      expect(yield* dockerExists("0000", listed([]))).toBe(false)
    })
  )
})
