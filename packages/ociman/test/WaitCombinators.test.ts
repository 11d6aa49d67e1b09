/**
 * `Wait.all` / `Wait.any` take the strategies as arguments or as one array (as `Effect.all` does);
 * both forms build the same strategy. How the strategies are checked is in `Wait.test.ts`.
 */
import { describe, expect, it } from "@effect/vitest"
import { Port, Wait } from "ociman"

const logLine = Wait.logLine(/listening/)
const tcp = Wait.tcp(Port.tcp(5432))

describe("Wait.all / Wait.any: arguments or an array", () => {
  it("an array gives the same strategy as the arguments", () => {
    expect(Wait.all([logLine, tcp])).toEqual(Wait.all(logLine, tcp))
    expect(Wait.any([logLine, tcp])).toEqual(Wait.any(logLine, tcp))
    expect(Wait.describe(Wait.all([logLine, tcp]))).toBe("all(log line /listening/, tcp 5432/tcp)")
    expect(Wait.describe(Wait.any([Wait.healthy, tcp]))).toBe("any(healthy, tcp 5432/tcp)")
  })

  it("keeps the order and nests", () => {
    const nested = Wait.all([Wait.any([tcp, Wait.healthy]), logLine])
    expect(Wait.describe(nested)).toBe("all(any(tcp 5432/tcp, healthy), log line /listening/)")
    expect(nested._tag === "All" && nested.strategies.length).toBe(2)
  })

  it("an empty array is the empty combination", () => {
    expect(Wait.all([])).toEqual(Wait.all())
    expect(Wait.any([])).toEqual(Wait.any())
    const strategies = [tcp, logLine] as const
    expect(Wait.all(strategies)).toEqual(Wait.all(tcp, logLine))
  })
})
