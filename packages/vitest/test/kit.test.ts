/**
 * The kit's plain-data pieces, without a runtime: a resolution survives the trip to a worker
 * (JSON), and a service the global setup did not start is a typed error, not `undefined`.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Schema } from "effect"
import { Version } from "ociman"
import { PlanSchema, sharedService } from "@ociman/vitest"

const version = (raw: string) => Either.getOrThrow(Version.parse(raw))

describe("PlanSchema", () => {
  it("a resolved backend survives JSON, versions included", () => {
    const plan = {
      _tag: "Run" as const,
      backend: {
        kind: "podman" as const,
        executable: "podman",
        clientVersion: version("4.3.1"),
        engineVersion: version("4.3.1"),
        rootless: false,
        source: "argument" as const,
        endpoint: {
          url: "unix:///run/podman/podman.sock",
          source: "default" as const,
          name: undefined,
          remote: false,
          host: undefined
        },
        transport: "cli" as const
      }
    }
    const wire: unknown = JSON.parse(JSON.stringify(Schema.encodeSync(PlanSchema)(plan)))
    const decoded = Schema.decodeUnknownSync(PlanSchema)(wire)
    if (decoded._tag !== "Run") return expect.fail(decoded._tag)
    expect(decoded.backend.clientVersion).toBeInstanceOf(Version.Version)
    expect(Version.atLeast(decoded.backend.engineVersion, 4, 3)).toBe(true)
    expect({ ...decoded.backend, clientVersion: undefined, engineVersion: undefined }).toEqual({
      ...plan.backend,
      clientVersion: undefined,
      engineVersion: undefined
    })
  })

  it("a backend probed over the API, with no client version asked, survives JSON too", () => {
    const backend = {
      kind: "docker" as const,
      executable: "docker",
      clientVersion: undefined,
      engineVersion: version("27.5.1"),
      rootless: false,
      source: "default" as const,
      endpoint: { url: undefined, source: "default" as const, name: undefined, remote: false, host: undefined },
      transport: "api" as const
    }
    const wire: unknown = JSON.parse(JSON.stringify(Schema.encodeSync(PlanSchema)({ _tag: "Run", backend })))
    const decoded = Schema.decodeUnknownSync(PlanSchema)(wire)
    if (decoded._tag !== "Run") return expect.fail(decoded._tag)
    expect(decoded.backend.clientVersion).toBeUndefined()
    expect(decoded.backend.engineVersion.raw).toBe("27.5.1")
    expect(decoded.backend.transport).toBe("api")
  })

  it("a skipped runtime keeps its reason", () => {
    const wire = Schema.encodeSync(PlanSchema)({ _tag: "Skip", kind: "docker", reason: "not installed" })
    expect(Schema.decodeUnknownSync(PlanSchema)(wire)).toEqual({
      _tag: "Skip",
      kind: "docker",
      reason: "not installed"
    })
  })
})

describe("sharedService", () => {
  it.effect("get without a global setup that started it is SharedServiceUnavailable", () =>
    Effect.gen(function* () {
      const Absent = sharedService("absent", Schema.String, Effect.succeed("never started"))
      const error = yield* Effect.flip(Absent.get)
      expect(error._tag).toBe("SharedServiceUnavailable")
      expect(error.message).toContain('"absent"')
    })
  )
})
