import { describe, expect, it } from "@effect/vitest"
import {
  CONMON_FAILED,
  decodeK8sFileLog,
  onlyPodmanOwnLines,
  withoutPodmanOwnLines
} from "../../../src/internal/dialect/podmanLog.js"

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

describe("Podman's own lines on stderr", () => {
  const offTerminal =
    'time="2026-12-05T01:54:44Z" level=warning msg="\\"/\\" is not a shared mount, this could cause issues"'
  const onTerminal = "WARN[0000] The cgroupv2 manager is set to systemd but there is no systemd user session available"

  it("are told from the command's output, in both of logrus' formats", () => {
    expect(onlyPodmanOwnLines("")).toBe(true)
    expect(onlyPodmanOwnLines(`${offTerminal}\n${onTerminal}\n`)).toBe(true)
    expect(onlyPodmanOwnLines(`${offTerminal}\noops\n`)).toBe(false)
    expect(onlyPodmanOwnLines("level=warning msg=x\n")).toBe(false)
    expect(withoutPodmanOwnLines(`${onTerminal}\noops\n`)).toBe("oops\n")
  })

  it("conmon's own failure is recognised, a command's similar words are not", () => {
    expect(
      CONMON_FAILED.test(
        "[conmon:e]: Failed to open log file No such file or directory\nError: write child: broken pipe\n"
      )
    ).toBe(true)
    expect(CONMON_FAILED.test("[conmon:e] k8s-file doesn't support --log-tag\n")).toBe(true)
    expect(CONMON_FAILED.test("my tool says [conmon:e] in the middle\n")).toBe(false)
  })
})
