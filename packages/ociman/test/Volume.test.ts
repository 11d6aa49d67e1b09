import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Schema } from "effect"
import * as Label from "../src/Label.js"
import * as Volume from "../src/Volume.js"
import { classifyVolumeFailure, makeVolumeOperations } from "../src/internal/cli/volumes.js"
import { labeledListArgs } from "../src/internal/dialect/labeled.js"
import { createArgs, labeledVolumes, volumeRemoveArgs } from "../src/internal/dialect/volumes.js"
import { result, stubCli } from "./support/stubCli.js"

const volName = (input: string) => Either.getOrThrow(Volume.name(input))

describe("volume names", () => {
  it("Docker's rule: two characters at least, starting with a letter or digit", () => {
    expect(Volume.name("pgdata")).toEqual(Either.right("pgdata"))
    expect(Volume.name("a.b_c-1")).toEqual(Either.right("a.b_c-1"))
    for (const bad of ["x", "-x", ".x", "a b", "a/b", ""]) {
      const error = Either.flip(Volume.name(bad))
      expect(Either.getOrThrow(error)._tag).toBe("InvalidVolumeName")
    }
    expect(Schema.decodeUnknownEither(Volume.NameFromString)("-x")._tag).toBe("Left")
  })

  it("mount: a named volume mount at the target, read-only if asked", () => {
    const mount = Either.getOrThrow(Volume.mount(volName("pgdata"), "/data", { readOnly: true }))
    expect(mount).toMatchObject({ _tag: "Volume", source: "pgdata", target: "/data", readOnly: true })
    expect(Either.isLeft(Volume.mount(volName("pgdata"), "relative"))).toBe(true)
  })
})

describe("volume argv", () => {
  it("create with labels, remove never forced, list without --no-trunc", () => {
    const labels = Either.getOrThrow(Label.make([["k", "v"]]))
    expect(createArgs(volName("data-1"), { labels })).toEqual(["volume", "create", "--label", "k=v", "data-1"])
    expect(volumeRemoveArgs("data-1")).toEqual(["volume", "rm", "--", "data-1"])
    expect(labeledListArgs(labeledVolumes, [])).toEqual(["volume", "ls", "--quiet"])
  })
})

describe("volume failure classification", () => {
  it.each([
    ["docker not found", "Error response from daemon: get data-1: no such volume", "VolumeNotFound"],
    ["podman not found", 'Error: no volume with name "data-1" found: no such volume', "VolumeNotFound"],
    ["docker in use", "Error response from daemon: remove data-1: volume is in use - [abc]", "VolumeInUse"],
    [
      "podman in use",
      "Error: volume data-1 is being used by the following container(s): abc: volume is being used",
      "VolumeInUse"
    ],
    ["daemon down", "Cannot connect to the Docker daemon at unix:///var/run/docker.sock.", "CommandFailed"]
  ])("rm, %s", (_case, stderr, tag) => {
    expect(classifyVolumeFailure("data-1", result(["volume", "rm", "--", "data-1"], 1, "", stderr))._tag).toBe(tag)
  })
})

describe("makeVolumeOperations", () => {
  it.effect("Docker: an existing name is refused before create (its own create would take it)", () =>
    Effect.gen(function* () {
      const { cli, calls } = stubCli((args) => result(args, 0, "data-1\n"))
      const error = yield* Effect.flip(
        makeVolumeOperations({ kind: "docker" }, cli).create(volName("data-1"), { labels: Label.empty })
      )
      expect(error._tag).toBe("VolumeNameInUse")
      expect(calls).toEqual([["volume", "inspect", "--format", "{{.Name}}", "--", "data-1"]])
    })
  )

  /** Docker: the name is absent; create records its nonce label; the read-back prints `readBack(nonce)`. */
  const dockerCreate = (readBack: (nonce: string) => string) => {
    let nonce = ""
    return stubCli((args) => {
      if (args.includes("{{.Name}}"))
        return result(args, 1, "", "Error response from daemon: get data-1: no such volume")
      if (args[1] === "create") {
        nonce = (args.find((arg) => arg.startsWith("ociman.volume-create=")) ?? "").split("=")[1] ?? ""
        return result(args, 0, "data-1\n")
      }
      return result(args, 0, `${readBack(nonce)}\n`)
    })
  }

  it.effect("Docker: an absent name is created with a nonce label, read back to be sure it is this create's", () =>
    Effect.gen(function* () {
      const { cli, calls } = dockerCreate((nonce) => nonce)
      yield* makeVolumeOperations({ kind: "docker" }, cli).create(volName("data-1"), { labels: Label.empty })
      expect(calls.map((call) => call.slice(0, 2))).toEqual([
        ["volume", "inspect"],
        ["volume", "create"],
        ["volume", "inspect"]
      ])
      expect(calls[1]?.at(-1)).toBe("data-1")
      expect(calls[2]).toEqual([
        "volume",
        "inspect",
        "--format",
        '{{index .Labels "ociman.volume-create"}}',
        "--",
        "data-1"
      ])
    })
  )

  it.effect("Docker: a create of the same name meanwhile (another nonce) is VolumeNameInUse", () =>
    Effect.gen(function* () {
      const { cli } = dockerCreate(() => "someone-else")
      const error = yield* Effect.flip(
        makeVolumeOperations({ kind: "docker" }, cli).create(volName("data-1"), { labels: Label.empty })
      )
      expect(error._tag).toBe("VolumeNameInUse")
    })
  )

  it.effect("Podman: create alone; its 'already exists' is VolumeNameInUse", () =>
    Effect.gen(function* () {
      const { cli, calls } = stubCli((args) =>
        result(args, 125, "", "Error: volume with name data-1 already exists: volume already exists")
      )
      const error = yield* Effect.flip(
        makeVolumeOperations({ kind: "podman" }, cli).create(volName("data-1"), { labels: Label.empty })
      )
      expect(error._tag).toBe("VolumeNameInUse")
      expect(calls).toEqual([["volume", "create", "data-1"]])
    })
  )

  it.effect("exists: Podman 0/1/125, Docker by inspect", () =>
    Effect.gen(function* () {
      const podman = (code: number) =>
        makeVolumeOperations({ kind: "podman" }, stubCli((args) => result(args, code)).cli).exists("data-1")
      expect(yield* podman(0)).toBe(true)
      expect(yield* podman(1)).toBe(false)
      expect((yield* Effect.flip(podman(125)))._tag).toBe("CommandFailed")
      const docker = (code: number, stderr: string) =>
        makeVolumeOperations({ kind: "docker" }, stubCli((args) => result(args, code, "", stderr)).cli).exists("data-1")
      expect(yield* docker(0, "")).toBe(true)
      expect(yield* docker(1, "Error response from daemon: get data-1: no such volume")).toBe(false)
      expect((yield* Effect.flip(docker(1, "Cannot connect to the Docker daemon")))._tag).toBe("CommandFailed")
    })
  )
})
