import { FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Exit, Fiber, Layer, Logger, Scope, TestClock } from "effect"
import { spawnSync } from "node:child_process"
import { CommandFailed } from "../src/CliError.js"
import * as Container from "../src/Container.js"
import * as Def from "../src/ContainerDefinition.js"
import { ContainerNotFound, ImageNotFound } from "../src/ContainerError.js"
import * as ContainerRuntime from "../src/ContainerRuntime.js"
import type * as Label from "../src/Label.js"
import { ImageInUse } from "../src/ImageError.js"
import { NetworkInUse } from "../src/NetworkError.js"
import { VolumeInUse } from "../src/VolumeError.js"
import * as Sweeper from "../src/Sweeper.js"
import * as TestRuntime from "../src/TestRuntime.js"
import * as Version from "../src/Version.js"
import { labeledContainers } from "../src/internal/dialect/containers.js"
import { labeledImages } from "../src/internal/dialect/images.js"
import { parseIds, parseInspectLines } from "../src/internal/cli/labeled.js"
import { labeledNetworks } from "../src/internal/dialect/networks.js"
import { here, ownershipLabels, sessionId } from "../src/internal/session.js"
import { builtReference } from "../src/internal/builtImage.js"
import { inheritsFromImage, isAlive, isDetached, judge, logReport, run, type Vantage } from "../src/internal/sweep.js"
import { fakeExecutable } from "./support/fakeExecutable.js"
import type { LabeledContainer, ListedImage, ListedNetwork, ListedVolume } from "../src/ContainerRuntime.js"

const NOW = Date.parse("2026-01-01T12:00:00.000Z")
const vantage: Vantage = {
  host: "ci-1",
  pidNamespace: "4026531836",
  pid: 1000,
  session: "this-session",
  now: NOW,
  isAlive: (pid) => pid === 2000
}

const owner = (overrides: Record<string, string | undefined> = {}): ReadonlyMap<string, string> => {
  const base: Record<string, string | undefined> = {
    "ociman.managed": "true",
    "ociman.session": "dead-session",
    "ociman.pid": "3000",
    "ociman.host": "ci-1",
    "ociman.pidns": "4026531836",
    "ociman.created": "2026-01-01T11:00:00.000Z",
    ...overrides
  }
  return new Map(Object.entries(base).flatMap(([k, v]) => (v === undefined ? [] : [[k, v] as const])))
}

const defaults = { allSessions: false, olderThanMillis: undefined }

describe("judging one resource by its labels", () => {
  it("removes a resource whose owner on this host is gone, and keeps a living owner's", () => {
    expect(judge(owner(), defaults, vantage)).toEqual({ reason: "OwnerGone", remove: true })
    expect(judge(owner({ "ociman.pid": "2000" }), defaults, vantage)).toEqual({ reason: "OwnerAlive", remove: false })
  })

  it("never removes this process's resources: same session, or same pid on this host whatever the session", () => {
    expect(judge(owner({ "ociman.session": "this-session" }), { ...defaults, allSessions: true }, vantage)).toEqual({
      reason: "ThisProcess",
      remove: false
    })
    // a second copy of the library in this process has another session id, but the same pid
    expect(judge(owner({ "ociman.pid": "1000" }), { ...defaults, allSessions: true }, vantage).remove).toBe(false)
  })

  it("another host or another pid namespace cannot be checked: kept, or removed with allSessions", () => {
    for (const labels of [owner({ "ociman.host": "laptop" }), owner({ "ociman.pidns": "4026532000" })]) {
      expect(judge(labels, defaults, vantage)).toEqual({ reason: "OtherHost", remove: false })
      expect(judge(labels, { ...defaults, allSessions: true }, vantage)).toEqual({ reason: "OtherHost", remove: true })
    }
    // a pid namespace known on one side only does not make it another host
    expect(judge(owner({ "ociman.pidns": undefined }), defaults, vantage).reason).toBe("OwnerGone")
    expect(judge(owner(), defaults, { ...vantage, pidNamespace: undefined }).reason).toBe("OwnerGone")
  })

  it.each([undefined, "", "0", "-1", "12abc", "1.5"])(
    "an unreadable pid (%j) is UnknownOwner: never taken for a process group, removed only with allSessions",
    (pid) => {
      expect(judge(owner({ "ociman.pid": pid }), defaults, vantage)).toEqual({ reason: "UnknownOwner", remove: false })
      expect(judge(owner({ "ociman.pid": pid }), { ...defaults, allSessions: true }, vantage).remove).toBe(true)
    }
  )

  it("a missing host is UnknownOwner", () => {
    expect(judge(owner({ "ociman.host": undefined }), defaults, vantage).reason).toBe("UnknownOwner")
  })

  it("olderThan spares younger resources and those whose creation time cannot be read", () => {
    const hour = 3_600_000
    expect(judge(owner(), { ...defaults, olderThanMillis: hour }, vantage)).toEqual({
      reason: "OwnerGone",
      remove: true
    })
    expect(judge(owner(), { ...defaults, olderThanMillis: 2 * hour }, vantage)).toEqual({
      reason: "TooRecent",
      remove: false
    })
    expect(judge(owner({ "ociman.created": "yesterday" }), { ...defaults, olderThanMillis: 1 }, vantage).reason).toBe(
      "TooRecent"
    )
    // a living owner's resource stays whatever its age
    expect(judge(owner({ "ociman.pid": "2000" }), { ...defaults, olderThanMillis: 1 }, vantage).reason).toBe(
      "OwnerAlive"
    )
  })
})

describe("detached resources (ociman.lifecycle=detached)", () => {
  const detached = (overrides: Record<string, string | undefined> = {}) =>
    owner({ "ociman.lifecycle": "detached", ...overrides })

  it("a gone owner's detached resource is the caller's: kept by default, removed with includeDetached", () => {
    expect(judge(detached(), defaults, vantage)).toEqual({ reason: "Detached", remove: false })
    expect(judge(detached(), { ...defaults, includeDetached: true }, vantage)).toEqual({
      reason: "OwnerGone",
      remove: true
    })
  })

  it("includeDetached never takes a living owner's, this process's, or another host's without allSessions", () => {
    const all = { ...defaults, includeDetached: true }
    expect(judge(detached({ "ociman.pid": "2000" }), all, vantage)).toEqual({ reason: "OwnerAlive", remove: false })
    expect(judge(detached({ "ociman.session": "this-session" }), all, vantage).reason).toBe("ThisProcess")
    expect(judge(detached({ "ociman.host": "laptop" }), all, vantage)).toEqual({ reason: "OtherHost", remove: false })
    // allSessions alone does not take detached ones either
    expect(judge(detached({ "ociman.host": "laptop" }), { ...defaults, allSessions: true }, vantage)).toEqual({
      reason: "Detached",
      remove: false
    })
    expect(judge(detached(), { ...all, olderThanMillis: 2 * 3_600_000 }, vantage).reason).toBe("TooRecent")
  })

  it("scoped, or no lifecycle label (earlier versions), is scoped; an unknown lifecycle is kept as detached", () => {
    expect(judge(owner({ "ociman.lifecycle": "scoped" }), defaults, vantage)).toEqual({
      reason: "OwnerGone",
      remove: true
    })
    expect(judge(owner({ "ociman.lifecycle": undefined }), defaults, vantage).remove).toBe(true)
    expect(judge(owner({ "ociman.lifecycle": "persistent" }), defaults, vantage).reason).toBe("Detached")
    expect(isDetached(new Map([["ociman.lifecycle", "detached"]]))).toBe(true)
    expect(isDetached(new Map())).toBe(false)
  })

  it("the ownership labels always carry the lifecycle, so one inherited from an image never decides it", () => {
    expect(new Map(ownershipLabels()).get("ociman.lifecycle")).toBe("scoped")
    expect(new Map(ownershipLabels(new Date(), "detached")).get("ociman.lifecycle")).toBe("detached")
  })

  it.effect("startDetached labels its container detached; start labels it scoped", () =>
    Effect.gen(function* () {
      const image = "localhost/ociman-test/busybox:1"
      const detachedOne = yield* Container.startDetached(Def.make(image))
      const scope = yield* Scope.make()
      const scopedOne = yield* Container.start(Def.make(image)).pipe(Scope.extend(scope))
      const labels = (c: Container.Container) => Effect.map(c.labels, (l) => l.get("ociman.lifecycle"))
      expect(yield* labels(detachedOne)).toBe("detached")
      expect(yield* labels(scopedOne)).toBe("scoped")
      expect((yield* detachedOne.labels).get("ociman.session")).toBe(sessionId)
      yield* Scope.close(scope, Exit.void)
    }).pipe(Effect.provide(TestRuntime.layer({ images: ["localhost/ociman-test/busybox:1"] })))
  )
})

describe("liveness (kill(pid, 0))", () => {
  it("this process and pid 1 are alive; an exited child is gone", () => {
    expect(isAlive(process.pid)).toBe(true)
    expect(isAlive(1)).toBe(true)
    const child = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" })
    expect(isAlive(Number(child.stdout.trim()))).toBe(false)
  })
})

describe("inherited labels", () => {
  const imageLabels = owner({ "ociman.created": "2026-01-01T10:00:00.000Z" })
  const images = new Map([["abc123", imageLabels]])

  it("a container whose ownership labels are exactly its image's did not get them from the library", () => {
    expect(inheritsFromImage({ image: "sha256:abc123", labels: imageLabels }, images)).toBe(true)
    expect(inheritsFromImage({ image: "abc123", labels: owner() }, images)).toBe(false)
    expect(inheritsFromImage({ image: "other", labels: imageLabels }, images)).toBe(false)
  })

  it("an image is the library's while it carries the reference it was built under (Podman adds localhost/)", () => {
    const labels = new Map([["ociman.reference", "my/app:dev"]])
    expect(builtReference({ references: ["docker.io/my/app:dev"], labels })).toBe("docker.io/my/app:dev")
    expect(builtReference({ references: ["localhost/my/app:dev"], labels })).toBe("localhost/my/app:dev")
    expect(builtReference({ references: ["my/app:dev", "other:1"], labels })).toBe("my/app:dev")
    // built FROM it, or re-tagged: not the library's
    expect(builtReference({ references: ["my/child:1"], labels })).toBeUndefined()
    expect(builtReference({ references: ["my/app:other"], labels })).toBeUndefined()
    expect(builtReference({ references: [], labels })).toBeUndefined()
    expect(builtReference({ references: ["my/app:dev"], labels: new Map() })).toBeUndefined()
  })
})

describe("listing with labels (CLI output)", () => {
  const argv = ["docker", "x"]

  it("ls --quiet: ids once each; anything with spaces is UnexpectedOutput", () => {
    expect(Either.getOrThrow(parseIds(argv, "a1\nb2\na1\n\n"))).toEqual(["a1", "b2"])
    const bad = parseIds(argv, "a1\nError: something went wrong\n")
    expect(Either.isLeft(bad) && bad.left._tag).toBe("UnexpectedOutput")
  })

  it("container inspect lines: id, image, name without Docker's slash, labels (null is none; tabs in values stay)", () => {
    const stdout = [`c1\tsha256:i1\t/web\t{"b":"x\\ty","a":"1"}`, `c2\ti2\tdb\tnull`].join("\n")
    const parsed = Either.getOrThrow(parseInspectLines(labeledContainers.docker, argv, stdout))
    expect(parsed.map((c) => [c.id, c.image, c.names, [...c.labels]])).toEqual([
      [
        "c1",
        "sha256:i1",
        ["web"],
        [
          ["a", "1"],
          ["b", "x\ty"]
        ]
      ],
      ["c2", "i2", ["db"], []]
    ])
  })

  it("network and image inspect lines", () => {
    const networks = Either.getOrThrow(parseInspectLines(labeledNetworks, argv, `n1\tnet\t{"k":"v"}\n`))
    expect(networks.map((n) => [n.id, n.name, n.labels.get("k")])).toEqual([["n1", "net", "v"]])
    const images = Either.getOrThrow(
      parseInspectLines(labeledImages, argv, `sha256:i1\t["a:1","b:2"]\t{"k":"v"}\ni2\tnull\tnull\n`)
    )
    expect(images.map((i) => [i.id, i.references, i.labels.size])).toEqual([
      ["sha256:i1", ["a:1", "b:2"], 1],
      ["i2", [], 0]
    ])
  })

  it.each(["garbage", "c1\ti1\tname\tnot json", 'c1\ti1\tname\t{"a":1}', "c1\t{}"])(
    "a line it cannot read is UnexpectedOutput: %j",
    (line) => {
      const result = parseInspectLines(labeledContainers.docker, argv, line)
      expect(Either.isLeft(result) && result.left._tag).toBe("UnexpectedOutput")
    }
  )
})

// ---------------------------------------------------------------------------------------------
// The sweep over a stub service: a real CLI service whose listing and removal are replaced
// ---------------------------------------------------------------------------------------------

const backend: ContainerRuntime.Backend = {
  kind: "docker",
  executable: "/nonexistent/ociman-test/docker",
  clientVersion: Either.getOrThrow(Version.parse("28.2.2")),
  engineVersion: Either.getOrThrow(Version.parse("20.10.24")),
  rootless: false,
  source: "argument",
  endpoint: { url: undefined, source: "default", name: undefined, remote: false, host: undefined },
  transport: "cli"
}

/** Labels as a process that is gone (pid of an exited child) would have put them, on this host. */
const deadPid = (() => {
  const child = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" })
  return child.stdout.trim()
})()
const dead = (extra: Record<string, string> = {}) =>
  new Map([
    ...ownershipLabels(new Date(Date.now() - 60_000)).map(([k, v]) => [k, v] as const),
    ["ociman.session", "dead-session"],
    ["ociman.pid", deadPid],
    ...Object.entries(extra)
  ])
const alive = () => new Map(ownershipLabels())

interface World {
  containers: Array<LabeledContainer>
  networks: Array<ListedNetwork>
  volumes?: Array<ListedVolume>
  images: Array<ListedImage>
  removed: Array<string>
  /** A network with containers attached, and one whose removal fails otherwise. */
  failNetwork?: string
  brokenNetwork?: string
  /** An image a container still uses. */
  busyImage?: string
  /** A volume a container still mounts. */
  busyVolume?: string
}

const commandFailed = (stderr: string) =>
  new CommandFailed({ argv: ["docker", "network", "rm"], exitCode: 1, signal: undefined, stdout: "", stderr })

const stubbed = (world: World) =>
  Effect.map(ContainerRuntime.make(backend), (real): ContainerRuntime.Service => {
    const matches = (labels: ReadonlyMap<string, string>, filters: ReadonlyArray<Label.Filter>) =>
      filters.every((f) => (f.value === undefined ? labels.has(f.key) : labels.get(f.key) === f.value))
    return {
      ...real,
      containers: {
        ...real.containers,
        listLabeled: (filters) => Effect.succeed(world.containers.filter((c) => matches(c.labels, filters))),
        remove: (id) =>
          id === "gone-meanwhile"
            ? Effect.fail(new ContainerNotFound({ container: id }))
            : Effect.sync(() => void world.removed.push(`container ${id}`))
      },
      networks: {
        ...real.networks,
        listLabeled: (filters) => Effect.succeed(world.networks.filter((n) => matches(n.labels, filters))),
        remove: (id) =>
          id === world.failNetwork
            ? Effect.fail(new NetworkInUse({ network: id, stderr: "has active endpoints" }))
            : id === world.brokenNetwork
              ? Effect.fail(commandFailed("Error response from daemon: something broke"))
              : Effect.sync(() => void world.removed.push(`network ${id}`))
      },
      volumes: {
        ...real.volumes,
        listLabeled: (filters) => Effect.succeed((world.volumes ?? []).filter((v) => matches(v.labels, filters))),
        remove: (name) =>
          name === world.busyVolume
            ? Effect.fail(new VolumeInUse({ volume: name, stderr: "volume is in use" }))
            : Effect.sync(() => void world.removed.push(`volume ${name}`))
      },
      images: {
        ...real.images,
        listLabeled: (filters) => Effect.succeed(world.images.filter((i) => matches(i.labels, filters))),
        remove: (ref) =>
          ref.path === "gone/meanwhile"
            ? Effect.fail(new ImageNotFound({ image: ref.path, stderr: "" }))
            : ref.path === world.busyImage
              ? Effect.fail(new ImageInUse({ image: ref.path, stderr: "image is in use by a container" }))
              : Effect.sync(() => void world.removed.push(`image ${ref.path}:${ref.tag ?? ""}`))
      }
    }
  })

const container = (id: string, labels: ReadonlyMap<string, string>, image = "sha256:base"): LabeledContainer => ({
  id,
  names: [`name-${id}`],
  image,
  labels
})

describe("Sweeper (stub service)", () => {
  it.live("removes containers, then networks, volumes and images of gone owners; keeps the rest and says why", () =>
    Effect.gen(function* () {
      const leakedImage = dead({ "ociman.reference": "localhost/leak:1" })
      const world: World = {
        containers: [
          container("c-dead", dead()),
          container("c-alive", alive()),
          container("c-other-host", dead({ "ociman.host": "elsewhere" })),
          container("c-foreign", new Map([["com.example", "1"]])),
          // a user's container run from a leaked image: its labels are the image's
          container("c-inherited", leakedImage, "sha256:leak"),
          container("gone-meanwhile", dead()),
          // started detached by a process that has exited: the caller's
          container("c-detached", dead({ "ociman.lifecycle": "detached" }))
        ],
        networks: [
          { id: "n-dead", name: "net-dead", labels: dead() },
          { id: "n-busy", name: "net-busy", labels: dead() },
          { id: "n-broken", name: "net-broken", labels: dead() }
        ],
        volumes: [
          { name: "v-dead", labels: dead() },
          { name: "v-busy", labels: dead() },
          { name: "v-alive", labels: alive() }
        ],
        images: [
          { id: "sha256:leak", references: ["localhost/leak:1"], labels: leakedImage },
          { id: "sha256:child", references: ["localhost/child:1"], labels: leakedImage },
          {
            id: "sha256:gone",
            references: ["gone/meanwhile:1"],
            labels: dead({ "ociman.reference": "gone/meanwhile:1" })
          },
          // a dead owner's image that some (user's) container still runs
          { id: "sha256:busy", references: ["used/still:1"], labels: dead({ "ociman.reference": "used/still:1" }) }
        ],
        removed: [],
        failNetwork: "n-busy",
        brokenNetwork: "n-broken",
        busyImage: "used/still",
        busyVolume: "v-busy"
      }
      const service = yield* stubbed(world)
      const report = yield* run(service)
      const outcomes = report.entries.map((e) => `${e.outcome} ${e.kind} ${e.id} ${e.reason}`)
      expect(outcomes).toEqual([
        "Removed container c-dead OwnerGone",
        "Kept container c-alive ThisProcess",
        "Kept container c-inherited Inherited",
        "AlreadyGone container gone-meanwhile OwnerGone",
        "Kept container c-detached Detached",
        "Removed network n-dead OwnerGone",
        // in use after waiting: rightly left alone, not a failure; the next sweep takes it once free
        "Kept network n-busy InUse",
        "Failed network n-broken OwnerGone",
        "Removed volume v-dead OwnerGone",
        "Kept volume v-busy InUse",
        "Kept volume v-alive ThisProcess",
        "Removed image sha256:leak OwnerGone",
        "Kept image sha256:child Inherited",
        "AlreadyGone image sha256:gone OwnerGone",
        "Kept image sha256:busy InUse"
      ])
      expect(world.removed).toEqual(["container c-dead", "network n-dead", "volume v-dead", "image leak:1"])
      expect(report.entries.find((e) => e.id === "n-busy")?.error).toBeUndefined()
      expect(report.entries.find((e) => e.id === "n-broken")?.error).toContain("something broke")
      expect(report.entries.find((e) => e.id === "c-detached")?.detached).toBe(true)
      expect(report.entries.find((e) => e.id === "c-dead")?.detached).toBe(false)
      expect(report.entries.find((e) => e.id === "c-dead")).toMatchObject({
        name: "name-c-dead",
        session: "dead-session",
        pid: deadPid,
        host: here.host
      })
      expect(Sweeper.removed(report).map((e) => e.id)).toEqual(["c-dead", "n-dead", "v-dead", "sha256:leak"])
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.effect("a dry run decides the same and removes nothing; allSessions takes other hosts too", () =>
    Effect.gen(function* () {
      const world: World = {
        containers: [container("c-dead", dead()), container("c-other-host", dead({ "ociman.host": "elsewhere" }))],
        networks: [],
        images: [],
        removed: []
      }
      const service = yield* stubbed(world)
      const dry = yield* run(service, { dryRun: true, allSessions: true })
      expect(dry.dryRun).toBe(true)
      expect(dry.entries.map((e) => `${e.outcome} ${e.id} ${e.reason}`)).toEqual([
        "WouldRemove c-dead OwnerGone",
        "WouldRemove c-other-host OtherHost"
      ])
      expect(world.removed).toEqual([])
      // without allSessions another host's resources are not even asked for
      const own = yield* run(service, { dryRun: true })
      expect(own.entries.map((e) => e.id)).toEqual(["c-dead"])
      const young = yield* run(service, { dryRun: true, olderThan: "1 hour" })
      expect(young.entries.map((e) => `${e.outcome} ${e.reason}`)).toEqual(["Kept TooRecent"])
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.effect("includeDetached also removes the detached containers of gone owners, never a living one's", () =>
    Effect.gen(function* () {
      const world: World = {
        containers: [
          container("c-detached", dead({ "ociman.lifecycle": "detached" })),
          container("c-detached-alive", new Map(ownershipLabels(new Date(), "detached"))),
          container("c-scoped", dead())
        ],
        networks: [],
        images: [],
        removed: []
      }
      const service = yield* stubbed(world)
      const outcomes = (report: Sweeper.Report) => report.entries.map((e) => `${e.outcome} ${e.id} ${e.reason}`)
      expect(outcomes(yield* run(service, { dryRun: true }))).toEqual([
        "Kept c-detached Detached",
        "Kept c-detached-alive ThisProcess",
        "WouldRemove c-scoped OwnerGone"
      ])
      expect(outcomes(yield* run(service, { includeDetached: true }))).toEqual([
        "Removed c-detached OwnerGone",
        "Kept c-detached-alive ThisProcess",
        "Removed c-scoped OwnerGone"
      ])
      expect(world.removed).toEqual(["container c-detached", "container c-scoped"])
    }).pipe(Effect.provide(NodeContext.layer))
  )

  /** A gone owner's container and network. */
  const heldWorld = (): World => ({
    containers: [container("c-dead", dead())],
    networks: [{ id: "n-held", name: "net-held", labels: dead() }],
    images: [],
    removed: []
  })

  /** A network no container holds once `holder` is removed; counts its removal attempts and the container listings. */
  const heldNetwork = (world: World, holder: string, lateContainer?: LabeledContainer) =>
    Effect.map(stubbed(world), (base) => {
      const counts = { listings: 0, networkAttempts: 0 }
      const service: ContainerRuntime.Service = {
        ...base,
        containers: {
          ...base.containers,
          listLabeled: (filters) =>
            Effect.suspend(() => {
              counts.listings++
              // created by a gone owner's in-flight `docker run` after the sweep listed containers
              if (counts.listings === 2 && lateContainer !== undefined) world.containers.push(lateContainer)
              return base.containers.listLabeled(filters)
            })
        },
        networks: {
          ...base.networks,
          remove: (id) =>
            Effect.suspend(() => {
              counts.networkAttempts++
              return world.removed.includes(`container ${holder}`)
                ? base.networks.remove(id)
                : Effect.fail(new NetworkInUse({ network: id, stderr: "has active endpoints" }))
            })
        }
      }
      return { service, counts }
    })

  it.effect("a network held by a container created after the listing: the late container goes, then the network", () =>
    Effect.gen(function* () {
      const world = heldWorld()
      const { service, counts } = yield* heldNetwork(world, "c-late", container("c-late", dead()))
      const fiber = yield* Effect.fork(run(service))
      yield* TestClock.adjust("1 minute")
      const report = yield* Fiber.join(fiber)
      expect(report.entries.map((e) => `${e.outcome} ${e.kind} ${e.id} ${e.reason}`)).toEqual([
        "Removed container c-dead OwnerGone",
        "Removed container c-late OwnerGone",
        "Removed network n-held OwnerGone"
      ])
      expect(world.removed).toEqual(["container c-dead", "container c-late", "network n-held"])
      expect(counts.listings).toBe(2)
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.effect("a late container of an image built after the first listing keeps the labels it inherits", () =>
    Effect.gen(function* () {
      const world = heldWorld()
      // the gone owner's leaked image, built after the first listing, and a user's container of it,
      // whose labels are the image's: the second look lists the images again to see that
      const inheritedLabels = dead({ "ociman.created": "2026-01-01T00:00:00.000Z" })
      const late = container("c-users", inheritedLabels, "sha256:img-late")
      const { service } = yield* heldNetwork(world, "c-nobody", late)
      const withLateImage: ContainerRuntime.Service = {
        ...service,
        containers: {
          ...service.containers,
          listLabeled: (filters) =>
            Effect.tap(service.containers.listLabeled(filters), () =>
              Effect.sync(() => {
                if (world.containers.includes(late) && !world.images.some((image) => image.id === "img-late")) {
                  world.images.push({ id: "img-late", references: ["localhost/leaked:1"], labels: inheritedLabels })
                }
              })
            )
        }
      }
      const fiber = yield* Effect.fork(run(withLateImage))
      yield* TestClock.adjust("1 minute")
      const report = yield* Fiber.join(fiber)
      expect(report.entries.map((e) => `${e.outcome} ${e.kind} ${e.id} ${e.reason}`)).toEqual([
        "Removed container c-dead OwnerGone",
        "Kept network n-held InUse"
      ])
      expect(world.removed).toEqual(["container c-dead"])
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.effect("a network still held with no new container to remove stays InUse: no second wait", () =>
    Effect.gen(function* () {
      const world = heldWorld()
      const { service, counts } = yield* heldNetwork(world, "c-someone-elses")
      const fiber = yield* Effect.fork(run(service))
      yield* TestClock.adjust("1 minute")
      const report = yield* Fiber.join(fiber)
      expect(report.entries.map((e) => `${e.outcome} ${e.kind} ${e.id} ${e.reason}`)).toEqual([
        "Removed container c-dead OwnerGone",
        "Kept network n-held InUse"
      ])
      expect(counts.listings).toBe(2)
      // the first attempt and its 20 retries, once
      expect(counts.networkAttempts).toBe(21)
      const dry = yield* run(service, { dryRun: true })
      expect(dry.entries.map((e) => `${e.outcome} ${e.id}`)).toEqual(["WouldRemove c-dead", "WouldRemove n-held"])
      expect(counts.listings).toBe(3)
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.effect("a listing that fails is the sweep's typed error", () =>
    Effect.gen(function* () {
      const real = yield* ContainerRuntime.make(backend)
      const failing: ContainerRuntime.Service = {
        ...real,
        containers: {
          ...real.containers,
          listLabeled: () =>
            Effect.fail(
              new CommandFailed({
                argv: ["docker", "container", "list"],
                exitCode: 1,
                signal: undefined,
                stdout: "",
                stderr: "Cannot connect to the Docker daemon"
              })
            )
        }
      }
      const error = yield* Effect.flip(run(failing))
      expect(error._tag).toBe("CommandFailed")
      expect(error.message).toContain("Cannot connect to the Docker daemon")
    }).pipe(Effect.provide(NodeContext.layer))
  )
})

// ---------------------------------------------------------------------------------------------
// The automatic sweep, through ContainerRuntime.layer and a fake CLI that logs its calls
// ---------------------------------------------------------------------------------------------

/** A fake Docker: answers the probe; `container/network/image ls` print `lsOutput`; logs every call. */
const fakeDocker = (lsOutput: string, lsExit = 0) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const executable = yield* fakeExecutable(
      "docker",
      `dir=$(dirname "$0")
echo "$*" >> "$dir/log"
case "$1" in
  version) echo '{"Client":{"Version":"28.2.2"},"Server":{"Version":"20.10.24"}}' ;;
  info) echo '[]' ;;
  container|network|volume|image) printf '%s' '${lsOutput}'; exit ${lsExit} ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac`
    )
    const calls = fs.readFileString(path.join(path.dirname(executable), "log")).pipe(
      Effect.orElseSucceed(() => ""),
      Effect.map((text) => text.split("\n").filter((line) => line.length > 0))
    )
    return { executable, calls }
  })

const sweepCalls = (calls: ReadonlyArray<string>) => calls.filter((call) => !/^(version|info)\b/.test(call))

/** Polls `calls` until `done` holds, for at most about 10 s (the sweep runs in the background). */
const eventually = <A>(effect: Effect.Effect<A>, done: (a: A) => boolean) =>
  Effect.gen(function* () {
    for (let i = 0; i < 100; i++) {
      const value = yield* effect
      if (done(value)) return value
      yield* Effect.sleep("100 millis")
    }
    return yield* effect
  })

describe("automatic sweep (ContainerRuntime.layer)", () => {
  it.live("runs once per process and runtime, in the background: a second layer does not sweep again", () =>
    Effect.gen(function* () {
      const { executable, calls } = yield* fakeDocker("")
      const layer = ContainerRuntime.layer({ transport: "cli", backend: "docker", executables: { docker: executable } })
      yield* Effect.provide(ContainerRuntime.ContainerRuntime, layer)
      const first = yield* eventually(calls, (c) => sweepCalls(c).length >= 4)
      expect(sweepCalls(first).sort()).toEqual([
        `container list --all --quiet --no-trunc --filter label=ociman.managed=true --filter label=ociman.host=${here.host}`,
        "image ls --quiet --no-trunc --filter label=ociman.managed=true",
        `network ls --quiet --no-trunc --filter label=ociman.managed=true --filter label=ociman.host=${here.host}`,
        `volume ls --quiet --filter label=ociman.managed=true --filter label=ociman.host=${here.host}`
      ])
      yield* Effect.provide(ContainerRuntime.ContainerRuntime, layer)
      yield* Effect.sleep("500 millis")
      expect(sweepCalls(yield* calls).length).toBe(4)
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer))
  )

  it.live("is off with sweep: false, and with OCIMAN_SWEEP=0", () =>
    Effect.gen(function* () {
      const { executable, calls } = yield* fakeDocker("")
      yield* Effect.provide(
        ContainerRuntime.ContainerRuntime,
        ContainerRuntime.layer({
          transport: "cli",
          backend: "docker",
          executables: { docker: executable },
          sweep: false
        })
      )
      yield* Effect.provide(
        ContainerRuntime.ContainerRuntime,
        ContainerRuntime.layer({ transport: "cli", backend: "docker", executables: { docker: executable } })
      ).pipe(Effect.withConfigProvider(ConfigProvider.fromJson({ OCIMAN_SWEEP: "0" })))
      yield* Effect.sleep("500 millis")
      expect(sweepCalls(yield* calls)).toEqual([])
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer))
  )

  it.live("never fails the layer: a runtime that prints garbage gives a warning", () =>
    Effect.gen(function* () {
      const { executable } = yield* fakeDocker("this is not an id list", 0)
      const warnings: Array<string> = []
      const logger = Logger.replace(
        Logger.defaultLogger,
        Logger.make(({ logLevel, message }) => {
          if (logLevel._tag === "Warning") warnings.push(String(message))
        })
      )
      const runtime = yield* Effect.provide(
        ContainerRuntime.ContainerRuntime,
        ContainerRuntime.layer({ transport: "cli", backend: "docker", executables: { docker: executable } }).pipe(
          Layer.provide(logger)
        )
      ).pipe(Effect.provide(logger))
      expect(runtime.backend.kind).toBe("docker")
      const seen = yield* eventually(
        Effect.sync(() => [...warnings]),
        (w) => w.length > 0
      )
      expect(seen.join("\n")).toContain("the automatic sweep of docker failed")
      expect(seen.join("\n")).toContain("printed unexpected output")
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer))
  )

  it.effect("says what it removed, what it kept because it is still in use, and what failed", () =>
    Effect.gen(function* () {
      const logged: Array<string> = []
      const logger = Logger.make(({ logLevel, message }) => {
        logged.push(`${logLevel.label} ${Array.isArray(message) ? message.join(" ") : String(message)}`)
      })
      const entry = (kind: Sweeper.ResourceKind, name: string, outcome: Sweeper.Outcome, reason: Sweeper.Reason) => ({
        kind,
        id: name,
        name,
        session: "s",
        pid: "1",
        host: here.host,
        created: undefined,
        detached: false,
        reason,
        outcome,
        ...(outcome === "Failed" ? { error: "something broke" } : {})
      })
      yield* logReport(backend, {
        dryRun: false,
        entries: [
          entry("container", "c1", "Removed", "OwnerGone"),
          entry("container", "c2", "Removed", "OwnerGone"),
          entry("container", "c3", "Kept", "OwnerAlive"),
          entry("network", "net-held", "Kept", "InUse"),
          entry("image", "img-broken", "Failed", "OwnerGone")
        ]
      }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
      expect(logged).toEqual([
        "INFO ociman: removed 2 containers left behind by processes that are gone (docker)",
        "INFO ociman: kept 1 network left behind by processes that are gone, still in use (docker): network net-held; a later sweep removes them once free",
        "WARN ociman: could not remove 1 image left behind by processes that are gone (docker): image img-broken: something broke"
      ])
    })
  )

  it("the session id is this process's ownership label", () => {
    expect(Sweeper.session).toBe(sessionId)
    expect(new Map(ownershipLabels()).get("ociman.session")).toBe(Sweeper.session)
  })
})

describe("forced removal", () => {
  // the argv of forced removal is golden-tested in internal/dialect/containers.test.ts
  it.effect("a handle's remove takes the volumes unless told not to; release and sweep always do", () =>
    Effect.gen(function* () {
      const removals = Effect.map(TestRuntime.calls, (calls) =>
        calls.filter((call) => call.operation === "containers.remove").map((call) => call.argv.slice(1))
      )
      const detached = yield* Container.startDetached(Def.make("busybox"))
      yield* detached.remove({ force: true })
      const kept = yield* Container.startDetached(Def.make("busybox"))
      yield* kept.remove({ volumes: false, force: true })
      const scoped = yield* Effect.scoped(Effect.map(Container.start(Def.make("busybox")), (c) => c.id))
      expect(yield* removals).toEqual([
        ["container", "rm", "--force", "--volumes", detached.id],
        ["container", "rm", "--force", kept.id],
        ["container", "rm", "--force", "--volumes", scoped]
      ])
    }).pipe(Effect.provide(TestRuntime.layer({ images: ["busybox"] })))
  )
})
