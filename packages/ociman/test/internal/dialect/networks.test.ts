import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { networkDialects } from "../../../src/internal/dialect/networks.js"

describe("networkDialects", () => {
  it("presence: Podman's `network exists` by exit code, Docker's inspect by stderr", () => {
    expect(networkDialects.podman.existsArgs("n")).toEqual(["network", "exists", "--", "n"])
    expect(networkDialects.podman.absent(1, "")).toBe(true)
    expect(networkDialects.podman.absent(125, "network not found")).toBe(false)
    expect(networkDialects.docker.existsArgs("n")).toEqual(["network", "inspect", "--format", "{{.Id}}", "--", "n"])
    expect(networkDialects.docker.absent(1, "Error response from daemon: network n not found")).toBe(true)
    expect(networkDialects.docker.absent(1, "Cannot connect to the Docker daemon")).toBe(false)
  })

  it("create: Docker prints the id, Podman the name", () => {
    expect(networkDialects.docker.createPrintsId).toBe(true)
    expect(networkDialects.podman.createPrintsId).toBe(false)
  })

  it("subnets: each runtime's inspect JSON", () => {
    const docker = networkDialects.docker.subnets('[{"IPAM":{"Config":[{"Subnet":"172.17.0.0/16"}]}}]')
    const podman = networkDialects.podman.subnets('[{"subnets":[{"subnet":"10.88.0.0/16"}]}]')
    expect(Either.map(docker, (all) => all.length)).toEqual(Either.right(1))
    expect(Either.map(podman, (all) => all.length)).toEqual(Either.right(1))
    expect(Either.isLeft(networkDialects.docker.subnets('[{"subnets":[]}]'))).toBe(true)
    expect(Either.isLeft(networkDialects.podman.subnets('[{"IPAM":{"Config":[]}}]'))).toBe(true)
  })
})
