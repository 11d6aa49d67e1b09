import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { forwardHostPort, mayConnect } from "../src/internal/hostPortForwarding.js"

describe("host port forwarding", () => {
  it.effect("an address this machine does not have is HostPortUnavailable, said by the listen", () =>
    Effect.gen(function* () {
      // TEST-NET-1 (RFC 5737): never an address of this machine
      const error = yield* Effect.flip(Effect.scoped(forwardHostPort("192.0.2.177", 40123)))
      expect(error._tag).toBe("HostPortUnavailable")
      expect(error.message).toContain("an address it does not have")
    })
  )

  it.effect("every address at once is refused before any listen", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Effect.scoped(forwardHostPort("0.0.0.0", 40124)))
      expect(error.message).toContain("every address")
    })
  )

  it("connections come from this machine or a private range only", () => {
    const local = new Set(["192.0.2.2"])
    expect(mayConnect("192.0.2.2", local)).toBe(true)
    expect(mayConnect("::ffff:172.17.0.2", local)).toBe(true)
    expect(mayConnect("10.88.0.5", local)).toBe(true)
    expect(mayConnect("8.8.8.8", local)).toBe(false)
    expect(mayConnect("2001:db8::1", local)).toBe(false)
    expect(mayConnect(undefined, local)).toBe(false)
  })
})
