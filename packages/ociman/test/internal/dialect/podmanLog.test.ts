import { describe, expect, it } from "@effect/vitest"
import { decodeK8sFileLog } from "../../../src/internal/dialect/podmanLog.js"

const T = "2026-12-05T03:19:57.417286287+00:00"
const bytes = (text: string) => new TextEncoder().encode(text)
const text = (data: Uint8Array) => new TextDecoder().decode(data)

describe("decodeK8sFileLog (what conmon logs, read back into the two outputs)", () => {
  it("full lines end with a newline, partial ones do not; each output keeps its own order", () => {
    const log = [
      `${T} stdout F out`,
      `${T} stderr P par`,
      `${T} stdout P no newline`,
      `${T} stderr F tial`,
      `${T} stdout F `,
      `${T} stdout F a  b\tc`,
      ""
    ].join("\n")
    const decoded = decodeK8sFileLog(bytes(log))
    expect(text(decoded.stdout)).toBe("out\nno newline\na  b\tc\n")
    expect(text(decoded.stderr)).toBe("partial\n")
  })

  it("keeps the container's bytes as they are, not decoded as text", () => {
    const log = new Uint8Array([...bytes(`${T} stderr F `), 0xff, 0xfe, 0x0a])
    expect([...decodeK8sFileLog(log).stderr]).toEqual([0xff, 0xfe, 0x0a])
  })

  it("skips lines of another shape, and reads a last line without its newline", () => {
    const log = [`garbage`, `${T} stdin F x`, `${T} stdout`, `${T} stdout F last`].join("\n")
    const decoded = decodeK8sFileLog(bytes(log))
    expect(text(decoded.stdout)).toBe("last\n")
    expect(decoded.stderr.length).toBe(0)
  })

  it("an empty log is empty outputs", () => {
    const decoded = decodeK8sFileLog(new Uint8Array())
    expect(decoded.stdout.length + decoded.stderr.length).toBe(0)
  })
})
