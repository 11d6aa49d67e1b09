import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as ImageReference from "../../../src/ImageReference.js"
import { imageDialects } from "../../../src/internal/dialect/images.js"

const ref = (s: string) => Either.getOrThrow(ImageReference.parse(s))

describe("imageDialects", () => {
  it("presence: Docker reads the listing, Podman the exit code", () => {
    expect(imageDialects.docker.presence(0, "a724bbd786b2\n")).toBe(true)
    expect(imageDialects.docker.presence(0, " \n")).toBe(false)
    expect(imageDialects.docker.presence(1, "")).toBeUndefined()
    expect(imageDialects.podman.presence(0, "")).toBe(true)
    expect(imageDialects.podman.presence(1, "")).toBe(false)
    expect(imageDialects.podman.presence(125, "")).toBeUndefined()
  })

  it("name filter: Docker's familiar form with glob characters escaped, Podman's full form", () => {
    expect(imageDialects.docker.nameFilter(ref("docker.io/library/pg:1"))).toBe("pg")
    expect(imageDialects.docker.nameFilter(ref("[::1]:5000/app:1"))).toBe("\\[::1\\]:5000/app")
    expect(imageDialects.podman.nameFilter(ref("localhost/app:1"))).toBe("localhost/app")
  })

  it("remove failures: Podman by exit code, Docker by stderr", () => {
    expect(imageDialects.podman.removeFailure(1, "")).toBe("NotFound")
    expect(imageDialects.podman.removeFailure(2, "")).toBe("InUse")
    expect(imageDialects.podman.removeFailure(125, "image not known")).toBe("Other")
    expect(imageDialects.docker.removeFailure(1, "Error response from daemon: No such image: x:1")).toBe("NotFound")
    expect(imageDialects.docker.removeFailure(1, "conflict: unable to remove repository reference")).toBe("InUse")
    expect(imageDialects.docker.removeFailure(2, "")).toBe("Other")
  })
})
