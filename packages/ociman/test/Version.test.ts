import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as Version from "../src/Version.js"

const parsed = (text: string) => Either.getOrThrow(Version.parse(text))

describe("Version.parse", () => {
  it.each([
    ["Docker version 29.0.0, build abcdef1", 29, 0, 0, "", "29.0.0"],
    ["podman version 4.3.1", 4, 3, 1, "", "4.3.1"],
    ["podman version 4.9.0", 4, 9, 0, "", "4.9.0"],
    ["24.0.5-1ubuntu1~22.04", 24, 0, 5, "-1ubuntu1~22.04", "24.0.5-1ubuntu1~22.04"],
    ["Docker version 24.0.5-1ubuntu1~22.04, build ced0996", 24, 0, 5, "-1ubuntu1~22.04", "24.0.5-1ubuntu1~22.04"],
    ["20.10.24+dfsg1", 20, 10, 24, "+dfsg1", "20.10.24+dfsg1"],
    ["1.6.20~ds1", 1, 6, 20, "~ds1", "1.6.20~ds1"],
    ["5.0.0-rc1", 5, 0, 0, "-rc1", "5.0.0-rc1"],
    ["v1.2", 1, 2, 0, "", "v1.2"],
    ["  docker version 27.3.1,,  \n", 27, 3, 1, "", "27.3.1"]
  ])("%j", (text, major, minor, patch, suffix, raw) => {
    const version = parsed(text)
    expect([version.major, version.minor, version.patch, version.suffix, version.raw]).toEqual([
      major,
      minor,
      patch,
      suffix,
      raw
    ])
  })

  it("fails with InvalidVersion when no word looks like a version", () => {
    const result = Version.parse("Docker version unknown")
    expect(Either.isLeft(result) && result.left._tag).toBe("InvalidVersion")
    expect(Either.isLeft(result) && result.left.message).toContain("Docker version unknown")
  })

  it("compares by major, minor, patch", () => {
    expect(Version.atLeast(parsed("29.0.0"), 29)).toBe(true)
    expect(Version.atLeast(parsed("28.5.2"), 29)).toBe(false)
    expect(Version.atLeast(parsed("4.3.1"), 4, 3, 1)).toBe(true)
    expect(Version.atLeast(parsed("4.3.0"), 4, 3, 1)).toBe(false)
  })
})
