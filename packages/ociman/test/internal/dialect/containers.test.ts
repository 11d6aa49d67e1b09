import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import {
  CONTAINER_NOT_FOUND,
  commitArgs,
  containerDialects,
  forceRemoveFlags,
  idArgs,
  inspectArgs,
  labeledContainers,
  logsArgs,
  removeArgs,
  stopArgs,
  streamLogsArgs,
  waitArgs
} from "../../../src/internal/dialect/containers.js"
import { labeledInspectArgs, labeledListArgs } from "../../../src/internal/dialect/labeled.js"
import * as Label from "../../../src/Label.js"
import * as Version from "../../../src/Version.js"

const v = (text: string) => Either.getOrThrow(Version.parse(text))

describe("CONTAINER_NOT_FOUND (one pattern for every container call)", () => {
  it.each([
    // Docker 28 (every call, the daemon answers) and older clients
    "Error response from daemon: No such container: nosuchctr1",
    "Error: No such container: nosuchctr1",
    // Podman 4.3: stop, rm, logs, wait, commit, exec; inspect; containers/storage
    'Error: no container with name or ID "nosuchctr1" found: no such container',
    "Error: inspecting object: no such container nosuchctr1",
    "error inspecting object: no such container nosuchctr2",
    "no such container",
    "Error: container not known"
  ])("recognises %s", (stderr) => {
    expect(CONTAINER_NOT_FOUND.test(stderr)).toBe(true)
  })

  it.each([
    "sh: /nope: No such file or directory",
    "cat: can't open '/x': No such file or directory",
    "Error response from daemon: No such image: localhost/nope:1",
    "Error: localhost/nope:1: image not known",
    "Error: network not found"
  ])("does not take %s for it", (stderr) => {
    expect(CONTAINER_NOT_FOUND.test(stderr)).toBe(false)
  })

  it("is also what a vanished container's inspect says in listLabeled, on both runtimes", () => {
    expect(labeledContainers.docker.notFound).toBe(CONTAINER_NOT_FOUND)
    expect(labeledContainers.podman.notFound).toBe(CONTAINER_NOT_FOUND)
  })
})

describe("containerDialects", () => {
  it("presence: Podman asks `container exists` and reads its exit code; Docker looks it up in a listing", () => {
    const podman = containerDialects.podman.exists
    expect(podman._tag).toBe("ExistsCommand")
    if (podman._tag === "ExistsCommand") {
      expect(podman.args("db")).toEqual(["container", "exists", "--", "db"])
      expect(podman.present(0)).toBe(true)
      expect(podman.present(1)).toBe(false)
      expect(podman.present(125)).toBeUndefined()
      expect(podman.present(undefined)).toBeUndefined()
    }
    expect(containerDialects.docker.exists._tag).toBe("ListLookup")
  })
})

describe("container argv", () => {
  it("kills at once on both runtimes: Podman is told --time 0 (its rm --force otherwise waits 10 s)", () => {
    expect(forceRemoveFlags("docker")).toEqual(["--force"])
    expect(forceRemoveFlags("podman")).toEqual(["--force", "--time", "0"])
  })

  it("container rm takes the anonymous volumes with --volumes (both CLIs spell it so)", () => {
    expect(removeArgs("docker", "c1", { force: true, volumes: true })).toEqual([
      "container",
      "rm",
      "--force",
      "--volumes",
      "c1"
    ])
    expect(removeArgs("podman", "c1", { force: true, volumes: true })).toEqual([
      "container",
      "rm",
      "--force",
      "--time",
      "0",
      "--volumes",
      "c1"
    ])
    expect(removeArgs("docker", "c1", { force: false, volumes: false })).toEqual(["container", "rm", "c1"])
    expect(removeArgs("podman", "c1", { force: false, volumes: true })).toEqual(["container", "rm", "--volumes", "c1"])
  })

  it("commit puts the pause flags before the container and the reference", () => {
    expect(commitArgs("docker", v("28.2.2"), "c1", "localhost/x:1", false)).toEqual([
      "commit",
      "--pause=false",
      "c1",
      "localhost/x:1"
    ])
    expect(commitArgs("docker", v("29.0.0"), "c1", "localhost/x:1", false)).toEqual([
      "commit",
      "--no-pause",
      "c1",
      "localhost/x:1"
    ])
    expect(commitArgs("podman", v("4.3.1"), "c1", "localhost/x:1", true)).toEqual([
      "commit",
      "--pause",
      "c1",
      "localhost/x:1"
    ])
    expect(commitArgs("podman", v("4.3.1"), "c1", "localhost/x:1", false)).toEqual(["commit", "c1", "localhost/x:1"])
  })

  it("queries and lifecycle calls", () => {
    expect(inspectArgs("c1")).toEqual(["container", "inspect", "c1"])
    expect(idArgs("c1")).toEqual(["container", "inspect", "--format", "{{.Id}}", "c1"])
    expect(stopArgs("c1", 10)).toEqual(["container", "stop", "--time", "10", "c1"])
    expect(logsArgs("c1")).toEqual(["container", "logs", "--timestamps", "c1"])
    expect(waitArgs("c1")).toEqual(["container", "wait", "c1"])
    expect(streamLogsArgs("c1", {})).toEqual(["container", "logs", "c1"])
    expect(streamLogsArgs("c1", { follow: true, tail: 5 })).toEqual([
      "container",
      "logs",
      "--follow",
      "--tail",
      "5",
      "c1"
    ])
  })

  it("listLabeled's two calls", () => {
    const role = Either.getOrThrow(Label.key("role"))
    const db = Either.getOrThrow(Label.value("db"))
    expect(labeledListArgs(labeledContainers.docker, [Label.keyOnly(role), Label.exact(role, db)])).toEqual([
      "container",
      "list",
      "--all",
      "--quiet",
      "--no-trunc",
      "--filter",
      "label=role",
      "--filter",
      "label=role=db"
    ])
    expect(labeledInspectArgs(labeledContainers.podman, ["a", "b"])).toEqual([
      "container",
      "inspect",
      "--format",
      "{{.Id}}\t{{.Image}}\t{{.Name}}\t{{json .Config.Labels}}",
      "--",
      "a",
      "b"
    ])
  })
})
