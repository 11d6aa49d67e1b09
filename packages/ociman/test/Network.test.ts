import { FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Exit, pipe, Schema } from "effect"
import * as Def from "../src/ContainerDefinition.js"
import * as ContainerRuntime from "../src/ContainerRuntime.js"
import * as Label from "../src/Label.js"
import * as Network from "../src/Network.js"
import { lookupHost, parseHosts } from "../src/internal/etcHosts.js"
import {
  classifyConnectFailure,
  classifyCreateFailure,
  classifyNetworkFailure,
  CREATE_RACE_RETRIES,
  makeNetworkOperations
} from "../src/internal/cli/networks.js"
import { validate } from "../src/internal/containerSpec.js"
import { definitionKey } from "../src/internal/reuse.js"
import {
  bridgeInspectArgs,
  connectArgs,
  createArgs,
  disconnectArgs,
  decodeBridgeSubnets,
  existsArgs,
  idArgs,
  networkRemoveArgs
} from "../src/internal/dialect/networks.js"
import { sessionId } from "../src/internal/session.js"
import { fakeExecutable } from "./support/fakeExecutable.js"
import { result, stubCli } from "./support/stubCli.js"

const ID = "a96af40ad13a1c11a4920a29876137fff33e5905f791787161804bcf3611eea7"
const netName = (input: string) => Either.getOrThrow(Network.name(input))

describe("network argv", () => {
  it("create: --internal, sorted labels, then the name", () => {
    const labels = Either.getOrThrow(Label.make({ "b.key": "2", "a.key": "1" }))
    expect(createArgs(netName("net-1"), { labels, internal: true })).toEqual([
      "network",
      "create",
      "--internal",
      "--label",
      "a.key=1",
      "--label",
      "b.key=2",
      "net-1"
    ])
    expect(createArgs(netName("net-1"), { labels: Label.empty })).toEqual(["network", "create", "net-1"])
  })

  it("remove never forces (Podman's --force would remove attached containers)", () => {
    expect(networkRemoveArgs("net-1")).toEqual(["network", "rm", "--", "net-1"])
  })

  it("id, exists and bridge inspect per runtime", () => {
    expect(idArgs("net-1")).toEqual(["network", "inspect", "--format", "{{.Id}}", "--", "net-1"])
    expect(existsArgs("podman", "net-1")).toEqual(["network", "exists", "--", "net-1"])
    expect(existsArgs("docker", "net-1")).toEqual(idArgs("net-1"))
    expect(bridgeInspectArgs("docker")).toEqual(["network", "inspect", "bridge"])
    expect(bridgeInspectArgs("podman")).toEqual(["network", "inspect", "podman"])
  })
})

describe("bridge subnets", () => {
  it("8: Docker's IPAM.Config[*].Subnet", () => {
    const json = '[{"Name":"bridge","IPAM":{"Config":[{"Subnet":"172.17.0.0/16","Gateway":"172.17.0.1"}]}}]'
    expect(Either.getOrThrow(decodeBridgeSubnets("docker", "bridge", json))).toEqual(["172.17.0.0/16"])
  })

  it("9: Podman's subnets[*].subnet", () => {
    const json = '[{"name":"podman","subnets":[{"subnet":"10.88.0.0/16","gateway":"10.88.0.1"}]}]'
    expect(Either.getOrThrow(decodeBridgeSubnets("podman", "podman", json))).toEqual(["10.88.0.0/16"])
  })

  it("several networks and subnets, IPv6 included, in order; an empty array is no subnets", () => {
    const json = JSON.stringify([
      { IPAM: { Config: [{ Subnet: "172.17.0.0/16" }, { Subnet: "fd00:dead:beef::/48" }] } },
      { IPAM: { Config: [] } },
      { IPAM: { Config: [{ Subnet: "10.0.0.1/8" }] } }
    ])
    expect(Either.getOrThrow(decodeBridgeSubnets("docker", "bridge", json))).toEqual([
      "172.17.0.0/16",
      "fd00:dead:beef::/48",
      "10.0.0.1/8"
    ])
    expect(Either.getOrThrow(decodeBridgeSubnets("podman", "podman", "[]"))).toEqual([])
  })

  it.each([
    ["docker", "malformed JSON", "[{"],
    ["docker", "not an array", '{"IPAM":{"Config":[]}}'],
    ["docker", "IPAM missing", '[{"Name":"bridge"}]'],
    ["docker", "IPAM null", '[{"IPAM":null}]'],
    ["docker", "Config missing", '[{"IPAM":{}}]'],
    ["docker", "Config null", '[{"IPAM":{"Config":null}}]'],
    ["docker", "Subnet missing", '[{"IPAM":{"Config":[{"Gateway":"172.17.0.1"}]}}]'],
    ["docker", "Subnet not a CIDR", '[{"IPAM":{"Config":[{"Subnet":"172.17.0.0"}]}}]'],
    ["podman", "malformed JSON", "not json"],
    ["podman", "subnets missing", '[{"name":"podman"}]'],
    ["podman", "subnets null", '[{"name":"podman","subnets":null}]'],
    ["podman", "subnet prefix too long", '[{"subnets":[{"subnet":"10.88.0.0/33"}]}]']
  ] as const)("%s, %s → InvalidNetworkInspect", (kind, _case, json) => {
    const error = Either.getOrThrow(Either.flip(decodeBridgeSubnets(kind, "bridge", json)))
    expect(error._tag).toBe("InvalidNetworkInspect")
    expect(error.output).toBe(json)
    expect(error.message).toContain("network inspect")
  })
})

describe("CIDRs and names", () => {
  it.each(["172.17.0.0/16", "10.0.0.1/8", "0.0.0.0/0", "1.2.3.4/32", "fd00::/64", "::/0", "::1/128"])(
    "%s is a CIDR",
    (input) => {
      expect(Either.isRight(Network.cidr(input))).toBe(true)
      expect(Schema.decodeUnknownSync(Network.CidrFromString)(input)).toBe(input)
    }
  )

  it.each([
    "172.17.0.0",
    "172.17.0.0/33",
    "fd00::/129",
    "/16",
    "x/16",
    "10.0.0.0/016",
    "10.0.0.0/-1",
    "fe80::1%eth0/64"
  ])("%s is not a CIDR", (input) => {
    const error = Either.getOrThrow(Either.flip(Network.cidr(input)))
    expect(error._tag).toBe("InvalidCidr")
    expect(error.input).toBe(input)
  })

  it("prefix length", () => {
    expect(Network.prefixLength(Either.getOrThrow(Network.cidr("172.17.0.0/16")))).toBe(16)
    expect(Network.prefixLength(Either.getOrThrow(Network.cidr("fd00::/64")))).toBe(64)
  })

  it("network names follow Podman's rule", () => {
    expect(Either.isRight(Network.name("ociman-test.net_1"))).toBe(true)
    for (const bad of ["", "-net", ".net", "net work", "net/1", "nét"]) {
      expect(Either.getOrThrow(Either.flip(Network.name(bad)))._tag).toBe("InvalidNetworkName")
    }
  })
})

describe("/etc/hosts", () => {
  const docker = [
    "127.0.0.1\tlocalhost",
    "::1\tlocalhost ip6-localhost ip6-loopback",
    "fe00::0\tip6-localnet",
    "172.17.0.1\thost.docker.internal",
    "10.0.0.1\ttest-host",
    "172.17.0.2\te8bf07f09ddd",
    ""
  ].join("\n")

  it("reads Docker's file: tabs, IPv4 and IPv6, several names per line", () => {
    const entries = parseHosts(docker)
    expect(entries).toHaveLength(6)
    expect(entries[1]).toEqual({ address: "::1", names: ["localhost", "ip6-localhost", "ip6-loopback"] })
    expect(lookupHost(entries, "host.docker.internal")).toBe("172.17.0.1")
    expect(lookupHost(entries, "ip6-loopback")).toBe("::1")
    expect(lookupHost(entries, "test-host")).toBe("10.0.0.1")
  })

  it("the first entry for a name wins (localhost is 127.0.0.1 here)", () => {
    expect(lookupHost(parseHosts(docker), "localhost")).toBe("127.0.0.1")
  })

  it("comments (whole line and trailing), blank lines, CRLF, spaces and mixed separators", () => {
    const text = [
      "# The following lines are desirable for IPv6 capable hosts",
      "   ",
      "10.88.0.1 \t host.containers.internal   # the gateway",
      "#10.0.0.9 commented-out",
      "192.168.1.100  custom-host\tcustom-alias\r",
      "fe80::1%eth0 link-local",
      "2001:db8::5 v6-host#no-space-comment"
    ].join("\n")
    const entries = parseHosts(text)
    expect(entries).toEqual([
      { address: "10.88.0.1", names: ["host.containers.internal"] },
      { address: "192.168.1.100", names: ["custom-host", "custom-alias"] },
      { address: "fe80::1%eth0", names: ["link-local"] },
      { address: "2001:db8::5", names: ["v6-host"] }
    ])
    expect(lookupHost(entries, "commented-out")).toBeUndefined()
    expect(lookupHost(entries, "custom-alias")).toBe("192.168.1.100")
  })

  it("names compare case-insensitively; lines without a name or a valid address are skipped", () => {
    const entries = parseHosts("10.0.0.1\nnot-an-ip some-name\n999.1.1.1 bad\n10.0.0.2 Mixed.Case\n")
    expect(entries).toEqual([{ address: "10.0.0.2", names: ["Mixed.Case"] }])
    expect(lookupHost(entries, "mixed.case")).toBe("10.0.0.2")
    expect(lookupHost(entries, "some-name")).toBeUndefined()
    expect(lookupHost(entries, "this-definitely-does-not-exist-12345.local")).toBeUndefined()
  })
})

describe("failure classification", () => {
  it.each([
    ["docker", "Error response from daemon: network with name net-1 already exists"],
    ["podman", "Error: network name net-1 already used: network already exists"]
  ])("%s: a taken name is NetworkNameInUse", (_kind, stderr) => {
    const error = classifyCreateFailure("net-1", result(["network", "create", "net-1"], 1, "", stderr))
    expect(error._tag).toBe("NetworkNameInUse")
  })

  it("create: anything else is CommandFailed", () => {
    const stderr = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"
    expect(classifyCreateFailure("net-1", result(["network", "create"], 1, "", stderr))._tag).toBe("CommandFailed")
  })

  it.each([
    ["docker not found", "Error response from daemon: network net-1 not found", "NetworkNotFound"],
    ["podman not found", "Error: unable to find network with name or ID net-1: network not found", "NetworkNotFound"],
    [
      "docker in use",
      "Error response from daemon: error while removing network: network net-1 id abc has active endpoints",
      "NetworkInUse"
    ],
    [
      "podman in use",
      'Error: "net-1" has associated containers with it. Use -f to forcibly delete containers and pods: network is being used',
      "NetworkInUse"
    ],
    ["daemon down", "Cannot connect to the Docker daemon at unix:///var/run/docker.sock.", "CommandFailed"]
  ])("rm, %s", (_case, stderr, tag) => {
    expect(classifyNetworkFailure("net-1", result(["network", "rm", "--", "net-1"], 1, "", stderr))._tag).toBe(tag)
  })
})

describe("makeNetworkOperations", () => {
  it.effect("Docker create returns the printed id", () =>
    Effect.gen(function* () {
      const { cli, calls } = stubCli((args) => result(args, 0, `${ID}\n`))
      const id = yield* makeNetworkOperations({ kind: "docker" }, cli).create(netName("net-1"), { labels: Label.empty })
      expect(id).toBe(ID)
      expect(calls).toEqual([["network", "create", "net-1"]])
    })
  )

  it.effect("Docker create with unexpected output is UnexpectedOutput", () =>
    Effect.gen(function* () {
      const { cli } = stubCli((args) => result(args, 0, "hello\n"))
      const error = yield* Effect.flip(
        makeNetworkOperations({ kind: "docker" }, cli).create(netName("net-1"), { labels: Label.empty })
      )
      expect(error._tag).toBe("UnexpectedOutput")
    })
  )

  it.effect("Podman create prints the name, so the id is read with inspect", () =>
    Effect.gen(function* () {
      const { cli, calls } = stubCli((args) => result(args, 0, args[1] === "create" ? "net-1\n" : `${ID}\n`))
      const id = yield* makeNetworkOperations({ kind: "podman" }, cli).create(netName("net-1"), { labels: Label.empty })
      expect(id).toBe(ID)
      expect(calls).toEqual([
        ["network", "create", "net-1"],
        ["network", "inspect", "--format", "{{.Id}}", "--", "net-1"]
      ])
    })
  )

  it.effect("Podman: when the id cannot be read, the new network is removed again", () =>
    Effect.gen(function* () {
      const { cli, calls } = stubCli((args) =>
        args[1] === "create" ? result(args, 0, "net-1\n") : args[1] === "rm" ? result(args, 0) : result(args, 125)
      )
      const error = yield* Effect.flip(
        makeNetworkOperations({ kind: "podman" }, cli).create(netName("net-1"), { labels: Label.empty })
      )
      expect(error._tag).toBe("CommandFailed")
      expect(calls.at(-1)).toEqual(["network", "rm", "--", "net-1"])
    })
  )

  /** What Podman 4.3 printed in CI when a host interface vanished while `network create` read them. */
  const INTERFACE_GONE = "Error: route ip+net: no such network interface\n"
  const CREATE = ["network", "create", "net-1"]

  it.live("Podman: a create that failed while a host interface vanished is asked again", () =>
    Effect.gen(function* () {
      let creates = 0
      const { cli, calls } = stubCli((args) =>
        args[1] !== "create"
          ? result(args, 0, `${ID}\n`)
          : ++creates === 1
            ? result(args, 125, "", INTERFACE_GONE)
            : result(args, 0, "net-1\n")
      )
      const id = yield* makeNetworkOperations({ kind: "podman" }, cli).create(netName("net-1"), { labels: Label.empty })
      expect(id).toBe(ID)
      expect(calls).toEqual([CREATE, CREATE, ["network", "inspect", "--format", "{{.Id}}", "--", "net-1"]])
    })
  )

  it.live("Podman: a create that keeps failing so is a CommandFailed after its retries, with Podman's words", () =>
    Effect.gen(function* () {
      const { cli, calls } = stubCli((args) => result(args, 125, "", INTERFACE_GONE))
      const error = yield* Effect.flip(
        makeNetworkOperations({ kind: "podman" }, cli).create(netName("net-1"), { labels: Label.empty })
      )
      expect(error._tag).toBe("CommandFailed")
      expect(error._tag === "CommandFailed" && error.stderr).toContain("no such network interface")
      expect(calls).toEqual(Array.from({ length: 1 + CREATE_RACE_RETRIES }, () => CREATE))
    })
  )

  it.effect("a create failing otherwise, or on Docker, is not asked again", () =>
    Effect.gen(function* () {
      const once: ReadonlyArray<readonly [ContainerRuntime.Kind, number, string]> = [
        ["podman", 125, "Error: permission denied\n"],
        ["podman", 1, INTERFACE_GONE],
        ["docker", 1, INTERFACE_GONE]
      ]
      for (const [kind, exitCode, stderr] of once) {
        const { cli, calls } = stubCli((args) => result(args, exitCode, "", stderr))
        yield* Effect.flip(makeNetworkOperations({ kind }, cli).create(netName("net-1"), { labels: Label.empty }))
        expect(calls).toEqual([CREATE])
      }
    })
  )

  it.effect("exists: Podman 0/1/125, Docker by inspect", () =>
    Effect.gen(function* () {
      const podman = (code: number) =>
        makeNetworkOperations({ kind: "podman" }, stubCli((args) => result(args, code)).cli).exists("net-1")
      expect(yield* podman(0)).toBe(true)
      expect(yield* podman(1)).toBe(false)
      expect((yield* Effect.flip(podman(125)))._tag).toBe("CommandFailed")

      const docker = (code: number, stderr: string) =>
        makeNetworkOperations({ kind: "docker" }, stubCli((args) => result(args, code, "", stderr)).cli).exists("net-1")
      expect(yield* docker(0, "")).toBe(true)
      expect(yield* docker(1, "Error response from daemon: network net-1 not found")).toBe(false)
      expect((yield* Effect.flip(docker(1, "Cannot connect to the Docker daemon")))._tag).toBe("CommandFailed")
    })
  )

  it.effect("bridgeSubnets decodes, and a missing default network is NetworkNotFound", () =>
    Effect.gen(function* () {
      const ok = stubCli((args) => result(args, 0, '[{"subnets":[{"subnet":"10.88.0.0/16"}]}]'))
      expect(yield* makeNetworkOperations({ kind: "podman" }, ok.cli).bridgeSubnets()).toEqual(["10.88.0.0/16"])
      expect(ok.calls).toEqual([["network", "inspect", "podman"]])

      const missing = stubCli((args) => result(args, 1, "[]", "Error response from daemon: network bridge not found"))
      const error = yield* Effect.flip(makeNetworkOperations({ kind: "docker" }, missing.cli).bridgeSubnets())
      expect(error._tag).toBe("NetworkNotFound")
    })
  )
})

/**
 * A fake CLI that logs every argv to `log` beside it. `network rm` answers from `rm-answers`
 * (one "code stderr" line consumed per call, then success).
 */
const fakeRuntime = (kind: "docker" | "podman", rmAnswers: ReadonlyArray<string> = []) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const executable = yield* fakeExecutable(
      kind,
      `dir=$(dirname "$0")
[ "$1" = network ] && echo "$*" >> "$dir/log"
case "$1 $2" in
  "version "*) echo '{"Client":{"Version":"4.3.1"},"Server":{"Version":"4.3.1"}}' ;;
  "info "*) [ ${kind} = docker ] && echo '[]' || echo false ;;
  "network create")
    for last; do :; done
    if [ "$last" = taken ]; then echo "Error: network name taken already used: network already exists" >&2; exit 125; fi
    [ ${kind} = docker ] && echo ${ID} || echo "$last" ;;
  "network inspect") echo ${ID} ;;
  "network rm")
    if [ -s "$dir/rm-answers" ]; then
      line=$(head -n 1 "$dir/rm-answers"); sed -i 1d "$dir/rm-answers"
      echo "\${line#* }" >&2; exit "\${line%% *}"
    fi ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac`
    )
    const dir = path.dirname(executable)
    yield* fs.writeFileString(path.join(dir, "rm-answers"), rmAnswers.map((line) => `${line}\n`).join(""))
    const log = fs.readFileString(path.join(dir, "log")).pipe(
      Effect.orElseSucceed(() => ""),
      Effect.map((text) => text.split("\n").filter((line) => line.length > 0))
    )
    // no automatic sweep: its listing would land in the log
    const layer = ContainerRuntime.layer({ backend: kind, executables: { [kind]: executable }, sweep: false })
    return { layer, log }
  })

describe("Network.make (fake CLI)", () => {
  it.scoped("creates with the ownership labels and a unique name, and removes on scope close", () =>
    Effect.gen(function* () {
      const { layer, log } = yield* fakeRuntime("docker")
      const network = yield* Network.make({ labels: { "com.example.suite": "api", "ociman.managed": "no" } }).pipe(
        Effect.scoped,
        Effect.provide(layer)
      )
      expect(network.id).toBe(ID)
      expect(network.name).toMatch(new RegExp(`^ociman-${sessionId.slice(0, 8)}-[0-9a-f]{8}$`))
      const [create, rm, ...rest] = yield* log
      expect(rest).toEqual([])
      expect(create).toContain(`--label com.example.suite=api`)
      // the ownership labels win over a user's attempt to set them
      expect(create).toContain(`--label ociman.managed=true`)
      expect(create).not.toContain("ociman.managed=no")
      expect(create).toContain(`--label ociman.session=${sessionId}`)
      expect(create).toContain(`--label ociman.pid=${process.pid}`)
      expect(create).toMatch(/--label ociman\.created=\d{4}-/)
      expect(create).toContain("--label ociman.host=")
      expect(create?.endsWith(` ${network.name}`)).toBe(true)
      expect(rm).toBe(`network rm -- ${network.name}`)
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("two networks get different names", () =>
    Effect.gen(function* () {
      const { layer } = yield* fakeRuntime("podman")
      const [a, b] = yield* Effect.all([Network.make(), Network.make()]).pipe(Effect.scoped, Effect.provide(layer))
      expect(a.name).not.toBe(b.name)
      expect(a.id).toBe(ID)
    }).pipe(Effect.provide(NodeContext.layer))
  )

  // live clock: the in-use retries really wait
  it.scopedLive("release tolerates a network that is already gone, and retries while it is in use", () =>
    Effect.gen(function* () {
      const { layer, log } = yield* fakeRuntime("docker", [
        "1 Error response from daemon: error while removing network: network x id y has active endpoints",
        "1 Error response from daemon: network x not found"
      ])
      const exit = yield* Effect.exit(Network.make({ name: "given" }).pipe(Effect.scoped, Effect.provide(layer)))
      expect(Exit.isSuccess(exit)).toBe(true)
      const lines = yield* log
      expect(lines).toHaveLength(3)
      expect(lines[0]).toMatch(/^network create .* given$/)
      expect(lines.slice(1)).toEqual(["network rm -- given", "network rm -- given"])
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("a taken name is NetworkNameInUse and nothing is removed", () =>
    Effect.gen(function* () {
      const { layer, log } = yield* fakeRuntime("podman")
      const error = yield* Effect.flip(Network.make({ name: "taken" }).pipe(Effect.scoped, Effect.provide(layer)))
      expect(error._tag).toBe("NetworkNameInUse")
      expect((yield* log).filter((line) => line.startsWith("network rm"))).toEqual([])
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("an invalid name fails before any process runs", () =>
    Effect.gen(function* () {
      const { layer, log } = yield* fakeRuntime("docker")
      const error = yield* Effect.flip(Network.make({ name: "bad name" }).pipe(Effect.scoped, Effect.provide(layer)))
      expect(error._tag).toBe("InvalidNetworkName")
      expect(yield* log).toEqual([])
    }).pipe(Effect.provide(NodeContext.layer))
  )
})

describe("Network.attach", () => {
  it("sets the network and appends aliases", () => {
    const def = pipe(Def.make("busybox"), Network.attach("net-1", { aliases: ["web", "www"] }))
    expect(def.network).toBe("net-1")
    expect(def.networkAliases).toEqual(["web", "www"])
    expect(pipe(Def.make("busybox"), Network.attach("net-2")).networkAliases).toEqual([])
  })

  it("a second network joins as well, under its own aliases; attaching one again adds aliases there", () => {
    const def = pipe(
      Def.make("busybox"),
      Network.attach("front", { aliases: ["web"] }),
      Network.attach("back", { aliases: ["api"] }),
      Network.attach("admin"),
      Network.attach("back", { aliases: ["api-2"] }),
      Network.attach("front", { aliases: ["www"] })
    )
    expect(def.network).toBe("front")
    expect(def.networkAliases).toEqual(["web", "www"])
    expect(def.moreNetworks).toEqual([
      { network: "back", aliases: ["api", "api-2"] },
      { network: "admin", aliases: [] }
    ])
  })

  it("a definition with other networks: each joined once, no network mode among them", () => {
    const reasonOf = (def: Def.ContainerDefinition) =>
      Either.match(validate(def), { onLeft: (error) => error, onRight: () => undefined })
    const twice = pipe(Def.make("busybox"), Def.joinNetwork("a"), Def.joinNetwork("b"), Def.network("b"))
    expect(reasonOf(twice)).toMatchObject({ _tag: "InvalidContainerDefinition", reason: "NetworkJoinedTwice" })
    for (const mode of ["host", "none", "container:db", "slirp4netns:allow_host_loopback=true", "ns:/proc/1/ns/net"]) {
      const first = pipe(Def.make("busybox"), Def.network(mode), Def.joinNetwork("b"))
      expect(reasonOf(first)).toMatchObject({ reason: "NetworkModeAlone", input: JSON.stringify(mode) })
    }
    // without other networks, the modes stay what they were
    expect(reasonOf(pipe(Def.make("busybox"), Def.network("host")))).toBeUndefined()
    expect(reasonOf(pipe(Def.make("busybox"), Def.joinNetwork("a"), Def.joinNetwork("b")))).toBeUndefined()
  })

  // (that one network keeps its 0.1.0 key is pinned by the golden key in Reuse.test.ts)
  it("other networks, and their aliases, change the reuse key", () => {
    const one = pipe(Def.make("busybox"), Network.attach("front", { aliases: ["web"] }))
    const keyOf = (def: Def.ContainerDefinition) => definitionKey(Either.getOrThrow(validate(def)))
    expect(keyOf(pipe(one, Network.attach("back")))).not.toBe(keyOf(one))
    expect(keyOf(pipe(one, Network.attach("back", { aliases: ["x"] })))).not.toBe(
      keyOf(pipe(one, Network.attach("back")))
    )
  })
})

describe("network connect and disconnect", () => {
  it("argv: aliases before the network, `--` before the operands", () => {
    expect(connectArgs("net-1", "c1", ["web", "www"])).toEqual([
      "network",
      "connect",
      "--alias",
      "web",
      "--alias",
      "www",
      "--",
      "net-1",
      "c1"
    ])
    expect(connectArgs("net-1", "c1", [])).toEqual(["network", "connect", "--", "net-1", "c1"])
    expect(disconnectArgs("net-1", "c1")).toEqual(["network", "disconnect", "--", "net-1", "c1"])
  })

  it.each([
    ["Error response from daemon: No such container: c1", "ContainerNotFound"],
    ['Error: no container with name or ID "c1" found: no such container', "ContainerNotFound"],
    ["Error response from daemon: network net-1 not found", "NetworkNotFound"],
    ["Error: unable to find network with name or ID net-1: network not found", "NetworkNotFound"],
    ["Error response from daemon: container c1 is not connected to the network net-1", "CommandFailed"]
  ])("a failure %j is %s", (stderr, tag) => {
    expect(classifyConnectFailure("net-1", "c1", result(["network", "connect"], 1, "", stderr))._tag).toBe(tag)
  })
})
