/**
 * The privilege, limit, stop and health-check fields of a definition (issue #17): their
 * validation, the `run` flags they become, the Engine API create body (the same container), and
 * the reuse key.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Either } from "effect"
import * as Def from "../src/ContainerDefinition.js"
import type { RunSpec } from "../src/ContainerRuntime.js"
import { createRequestOf } from "../src/internal/api/createBody.js"
import { shellQuote, validate } from "../src/internal/containerSpec.js"
import { goDuration, runArgs } from "../src/internal/dialect/containers.js"
import { definitionKey } from "../src/internal/reuse.js"

const base = Def.make("localhost/ociman-test/busybox:1")

const specOf = (definition: Def.ContainerDefinition): RunSpec => Either.getOrThrow(validate(definition))

const argvOf = (definition: Def.ContainerDefinition) => runArgs(specOf(definition), { detach: true, envArgs: [] })

const bodyOf = (definition: Def.ContainerDefinition) => {
  const request = Either.getOrThrow(Either.getOrThrow(createRequestOf(specOf(definition))))
  return request.body
}

const invalidOf = (definition: Def.ContainerDefinition) => {
  const result = validate(definition)
  if (Either.isRight(result)) return expect.fail("expected an invalid definition")
  if (result.left._tag !== "InvalidContainerDefinition") return expect.fail(result.left._tag)
  return result.left
}

const everything = base.pipe(
  Def.withPrivileged,
  Def.capAdd("NET_ADMIN", "CAP_SYS_TIME"),
  Def.capDrop("CHOWN"),
  Def.shmSize(32 * 1024 * 1024),
  Def.ulimit({ name: "nofile", soft: 256, hard: 512 }, { name: "core", soft: 0, hard: -1 }),
  Def.pidsLimit(77),
  Def.withReadOnly,
  Def.stopSignal("SIGINT"),
  Def.stopTimeout(7),
  Def.healthcheck({
    command: ["test", "-f", "/tmp/it's ready"],
    interval: "500 millis",
    timeout: "2 seconds",
    startPeriod: Duration.micros(1500n),
    retries: 5
  })
)

describe("ContainerDefinition: privilege, limit, stop and health-check fields", () => {
  it("make leaves every new field unset", () => {
    const fields = Def.fields(base)
    expect(fields).toMatchObject({
      privileged: false,
      capAdd: [],
      capDrop: [],
      shmSizeBytes: undefined,
      ulimits: [],
      pidsLimit: undefined,
      readOnly: false,
      stopSignal: undefined,
      stopTimeoutSeconds: undefined,
      healthcheck: undefined
    })
    expect(argvOf(base)).toEqual(["container", "run", "--detach", "localhost/ociman-test/busybox:1"])
  })

  it("the dual combinators work data-first and data-last", () => {
    expect(Def.shmSize(base, 1024)).toEqual(base.pipe(Def.shmSize(1024)))
    expect(Def.pidsLimit(base, 5).pidsLimit).toBe(5)
    expect(Def.stopSignal(base, "INT").stopSignal).toBe("INT")
    expect(Def.stopTimeout(base, 3).stopTimeoutSeconds).toBe(3)
    expect(Def.healthcheck(base, { command: "true" }).healthcheck).toEqual({ command: "true" })
    expect(base.pipe(Def.capAdd("A"), Def.capAdd("B")).capAdd).toEqual(["A", "B"])
  })

  it("run flags: each field as the CLIs take it, before the raw flags and the image", () => {
    const argv = argvOf(everything.pipe(Def.rawFlags("--raw")))
    expect(argv).toEqual([
      "container",
      "run",
      "--detach",
      "--privileged",
      "--cap-add",
      "NET_ADMIN",
      "--cap-add",
      "CAP_SYS_TIME",
      "--cap-drop",
      "CHOWN",
      "--shm-size",
      "33554432b",
      "--ulimit",
      "nofile=256:512",
      "--ulimit",
      "core=0:-1",
      "--pids-limit",
      "77",
      "--read-only",
      "--stop-signal",
      "SIGINT",
      "--stop-timeout",
      "7",
      "--health-cmd",
      `'test' '-f' '/tmp/it'\\''s ready'`,
      "--health-interval",
      "500ms",
      "--health-timeout",
      "2s",
      "--health-retries",
      "5",
      "--health-start-period",
      "1500us",
      "--raw",
      "localhost/ociman-test/busybox:1"
    ])
  })

  it("a shell-string health check goes as written; unset settings are not sent", () => {
    const argv = argvOf(base.pipe(Def.healthcheck({ command: "test -f /tmp/ready || exit 1" })))
    expect(argv.slice(2, -1)).toEqual(["--detach", "--health-cmd", "test -f /tmp/ready || exit 1"])
  })

  it("Go durations: the largest whole unit", () => {
    expect(goDuration(Duration.seconds(2))).toBe("2s")
    expect(goDuration(Duration.minutes(1))).toBe("60s")
    expect(goDuration(Duration.millis(1500))).toBe("1500ms")
    expect(goDuration(Duration.micros(7n))).toBe("7us")
    expect(goDuration(Duration.nanos(1_000_001n))).toBe("1000001ns")
  })

  it("shell quoting keeps every argument one word", () => {
    expect(shellQuote(["echo", "a b", "it's", ""])).toBe(`'echo' 'a b' 'it'\\''s' ''`)
  })

  it("the API create body carries the same container (durations in nanoseconds)", () => {
    const body = bodyOf(everything)
    expect(body).toMatchObject({
      StopSignal: "SIGINT",
      StopTimeout: 7,
      Healthcheck: {
        Test: ["CMD-SHELL", `'test' '-f' '/tmp/it'\\''s ready'`],
        Interval: 500_000_000,
        Timeout: 2_000_000_000,
        StartPeriod: 1_500_000,
        Retries: 5
      },
      HostConfig: {
        Privileged: true,
        CapAdd: ["NET_ADMIN", "CAP_SYS_TIME"],
        CapDrop: ["CHOWN"],
        ShmSize: 33554432,
        Ulimits: [
          { Name: "nofile", Soft: 256, Hard: 512 },
          { Name: "core", Soft: 0, Hard: -1 }
        ],
        PidsLimit: 77,
        ReadonlyRootfs: true
      }
    })
  })

  it("the API body leaves unset fields out (the engine's defaults, as without the flags)", () => {
    const body = bodyOf(base.pipe(Def.healthcheck({ command: "true" })))
    expect(body.Healthcheck).toEqual({ Test: ["CMD-SHELL", "true"] })
    expect(body.StopSignal).toBeUndefined()
    expect(body.HostConfig).toEqual({ PortBindings: {}, Mounts: [], AutoRemove: false })
  })

  it("validation: typed errors naming the field, the value and the rule", () => {
    expect(invalidOf(base.pipe(Def.capAdd("NET ADMIN")))).toMatchObject({
      field: "capAdd",
      reason: "CapabilityInvalid"
    })
    expect(invalidOf(base.pipe(Def.capDrop("")))).toMatchObject({ field: "capDrop", reason: "CapabilityInvalid" })
    expect(invalidOf(base.pipe(Def.shmSize(0))).reason).toBe("ShmSizeInvalid")
    expect(invalidOf(base.pipe(Def.shmSize(1.5))).reason).toBe("ShmSizeInvalid")
    expect(invalidOf(base.pipe(Def.ulimit({ name: "nofile", soft: 10, hard: 5 }))).reason).toBe("UlimitSoftAboveHard")
    expect(invalidOf(base.pipe(Def.ulimit({ name: "nofile", soft: -1, hard: 5 }))).reason).toBe("UlimitSoftAboveHard")
    expect(invalidOf(base.pipe(Def.ulimit({ name: "nofile", soft: -2, hard: 5 }))).reason).toBe("UlimitValueInvalid")
    expect(invalidOf(base.pipe(Def.pidsLimit(0))).reason).toBe("PidsLimitInvalid")
    expect(invalidOf(base.pipe(Def.stopSignal("SIG INT"))).reason).toBe("StopSignalInvalid")
    expect(invalidOf(base.pipe(Def.stopTimeout(-1))).reason).toBe("StopTimeoutInvalid")
    expect(invalidOf(base.pipe(Def.healthcheck({ command: [] }))).reason).toBe("HealthcheckCommandEmpty")
    expect(invalidOf(base.pipe(Def.healthcheck({ command: "  " }))).reason).toBe("HealthcheckCommandEmpty")
    const interval = invalidOf(base.pipe(Def.healthcheck({ command: "true", interval: 0 })))
    expect(interval).toMatchObject({ field: "healthcheck.interval", reason: "HealthcheckDurationInvalid" })
    expect(invalidOf(base.pipe(Def.healthcheck({ command: "true", timeout: -5 }))).reason).toBe(
      "HealthcheckDurationInvalid"
    )
    expect(invalidOf(base.pipe(Def.healthcheck({ command: "true", interval: Duration.infinity }))).reason).toBe(
      "HealthcheckDurationInvalid"
    )
    expect(invalidOf(base.pipe(Def.healthcheck({ command: "true", interval: Duration.micros(10n) }))).reason).toBe(
      "HealthcheckDurationInvalid"
    )
    expect(invalidOf(base.pipe(Def.healthcheck({ command: "true", retries: 0 }))).reason).toBe(
      "HealthcheckRetriesInvalid"
    )
    expect(invalidOf(base.pipe(Def.shmSize(-1))).message).toBe(
      "invalid shmSizeBytes -1: the shm size is a whole number of bytes above 0"
    )
  })

  it("validation accepts the runtimes' own forms: ALL, CAP_ prefixes, signal numbers, -1 limits, a zero start period", () => {
    const spec = specOf(
      base.pipe(
        Def.capAdd("ALL", "cap_net_admin"),
        Def.capDrop("ALL"),
        Def.pidsLimit(-1),
        Def.stopSignal("9"),
        Def.stopTimeout(0),
        Def.ulimit({ name: "memlock", soft: -1, hard: -1 }),
        Def.healthcheck({ command: "true", startPeriod: 0, retries: 1 })
      )
    )
    expect(spec.healthcheck?.startPeriod).toEqual(Duration.zero)
    expect(specOf(base.pipe(Def.stopSignal("RTMIN+3"))).stopSignal).toBe("RTMIN+3")
  })

  it("the reuse key changes with each new field, and not with the unit a duration is written in", () => {
    const keyOf = (definition: Def.ContainerDefinition) => definitionKey(specOf(definition))
    const variants = [
      base,
      base.pipe(Def.withPrivileged),
      base.pipe(Def.capAdd("NET_ADMIN")),
      base.pipe(Def.capDrop("NET_ADMIN")),
      base.pipe(Def.shmSize(1024)),
      base.pipe(Def.ulimit({ name: "nofile", soft: 1, hard: 2 })),
      base.pipe(Def.pidsLimit(10)),
      base.pipe(Def.withReadOnly),
      base.pipe(Def.stopSignal("SIGINT")),
      base.pipe(Def.stopTimeout(1)),
      base.pipe(Def.healthcheck({ command: "true" })),
      base.pipe(Def.healthcheck({ command: "true", interval: "1 second" })),
      everything
    ]
    expect(new Set(variants.map(keyOf)).size).toBe(variants.length)
    const inMillis = base.pipe(Def.healthcheck({ command: "true", interval: "1000 millis" }))
    const inNanos = base.pipe(Def.healthcheck({ command: "true", interval: Duration.nanos(1_000_000_000n) }))
    expect(keyOf(inMillis)).toBe(keyOf(inNanos))
    // a bigint-backed duration must not break the key's JSON
    expect(keyOf(everything)).toMatch(/^[0-9a-f]{64}$/)
  })
})
