/**
 * Issue #17: the signal names `Container.kill` accepts, the argv of the lifecycle calls, and how
 * the engines' refusals are classified (the messages are Docker 20.10's and Podman 4.3's, as
 * printed by their CLIs and APIs).
 */
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { lifecycleFailure } from "../../src/internal/cli/containers.js"
import { killArgs, pauseArgs, restartArgs, unpauseArgs } from "../../src/internal/dialect/containers.js"
import { parseSignal } from "../../src/internal/signal.js"

const canonical = (input: string) => Either.map(parseSignal(input), (signal) => signal.canonical)

describe("parseSignal", () => {
  it("takes a name with or without SIG, in any case, or a number from 1 to 64", () => {
    for (const input of ["SIGKILL", "KILL", "kill", "sigkill", "9", " 9 "]) {
      expect(canonical(input)).toEqual(Either.right("SIGKILL"))
    }
    expect(canonical("usr1")).toEqual(Either.right("SIGUSR1"))
    expect(canonical("10")).toEqual(Either.right("SIGUSR1"))
    expect(canonical("IOT")).toEqual(Either.right("SIGABRT"))
    expect(canonical("34")).toEqual(Either.right("34"))
    expect(Either.map(parseSignal("TERM"), (s) => s.number)).toEqual(Either.right(15))
  })

  it("refuses anything else with InvalidSignal", () => {
    for (const input of ["", "0", "65", "-9", "SIGNOPE", "KILL9", "SIG"]) {
      const parsed = parseSignal(input)
      expect(Either.isLeft(parsed) && parsed.left._tag).toBe("InvalidSignal")
    }
  })
})

describe("lifecycle argv", () => {
  it("restart, pause, unpause, kill", () => {
    expect(restartArgs("db", 3)).toEqual(["container", "restart", "--time", "3", "db"])
    expect(pauseArgs("db")).toEqual(["container", "pause", "db"])
    expect(unpauseArgs("db")).toEqual(["container", "unpause", "db"])
    expect(killArgs("db", "SIGUSR1")).toEqual(["container", "kill", "--signal", "SIGUSR1", "db"])
  })
})

describe("lifecycleFailure", () => {
  const tag = (message: string) => lifecycleFailure("c", "pause", message)?._tag
  it("classifies both engines' refusals", () => {
    expect(tag("Error response from daemon: Container abc is already paused")).toBe("ContainerPaused")
    expect(tag('Error: "abc" is already paused: container state improper')).toBe("ContainerPaused")
    expect(tag("Error: unable to restart a container in a paused or unknown state: container state improper")).toBe(
      "ContainerPaused"
    )
    expect(tag("Error response from daemon: Container abc is not paused")).toBe("ContainerNotPaused")
    expect(tag('Error: "abc" is not paused, can\'t unpause: container state improper')).toBe("ContainerNotPaused")
    expect(tag("Error response from daemon: Container abc is not running")).toBe("ContainerNotRunning")
    expect(tag('Error: "exited" is not running, can\'t pause: container state improper')).toBe("ContainerNotRunning")
    expect(tag("Error: can only kill running containers. abc is in state exited: container state improper")).toBe(
      "ContainerNotRunning"
    )
    expect(tag("Error: can not pause containers on rootless containers with cgroup V1")).toBe("PauseUnsupported")
    expect(tag("Error response from daemon: i/o timeout")).toBeUndefined()
  })
})
