import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Option } from "effect"
import * as Def from "../../src/ContainerDefinition.js"
import * as Label from "../../src/Label.js"
import { classifyCreateFailure, labelFilters } from "../../src/internal/api/containers.js"
import { addressOf, engineMessageOf } from "../../src/internal/api/http.js"
import { transportSelection } from "../../src/internal/api/select.js"
import { validate } from "../../src/internal/containerSpec.js"
import { apiDialects } from "../../src/internal/dialect/api.js"

const encoder = new TextEncoder()
const answer = (status: number, json: unknown) => ({ status, body: encoder.encode(JSON.stringify(json)) })
const spec = (name?: string) =>
  Either.getOrThrow(
    validate(Def.make("localhost/ociman-test/busybox:1").pipe(name === undefined ? (d) => d : Def.name(name)))
  )
const argv = ["docker", "container", "run", "--detach", "localhost/ociman-test/busybox:1"]

describe("engineMessageOf", () => {
  it("reads the JSON message of both engines, else the body's text", () => {
    expect(engineMessageOf(encoder.encode('{"message":"No such container: x"}'))).toBe("No such container: x")
    expect(
      engineMessageOf(encoder.encode('{"cause":"no such container","message":"no container with name","response":404}'))
    ).toBe("no container with name")
    expect(engineMessageOf(encoder.encode("page not found\n"))).toBe("page not found")
  })
})

describe("classifyCreateFailure (the same errors as the CLI's run)", () => {
  it("a name in use: Docker's 409, Podman's 500 with the CLI's wording", () => {
    const docker = classifyCreateFailure(
      spec("db"),
      argv,
      answer(409, { message: 'Conflict. The container name "/db" is already in use by container "f0".' })
    )
    expect(docker._tag).toBe("NameInUse")
    const podman = classifyCreateFailure(
      spec("db"),
      argv,
      answer(500, { message: 'creating container storage: the container name "db" is already in use by 84' })
    )
    expect(podman).toMatchObject({ _tag: "NameInUse", name: "db" })
  })

  it("a missing image is ImageNotFound; a missing network is not", () => {
    const image = classifyCreateFailure(spec(), argv, answer(404, { message: "No such image: localhost/nope:1" }))
    expect(image).toMatchObject({ _tag: "ImageNotFound", image: "localhost/ociman-test/busybox:1" })
    const podmanImage = classifyCreateFailure(
      spec(),
      argv,
      answer(404, { message: "localhost/nope:1: image not known" })
    )
    expect(podmanImage._tag).toBe("ImageNotFound")
    const network = classifyCreateFailure(spec(), argv, answer(404, { message: "network nope not found" }))
    expect(network).toMatchObject({ _tag: "ContainerStartFailed", stderr: "network nope not found", argv })
  })

  it("a 409 without a name asked for is a start failure, with what the engine said", () => {
    const failure = classifyCreateFailure(spec(), argv, answer(409, { message: "conflict" }))
    expect(failure).toMatchObject({ _tag: "ContainerStartFailed", stderr: "conflict" })
  })
})

describe("labelFilters", () => {
  it("is the API's filters JSON for the CLI's label filters", () => {
    const managed = Label.exact(Either.getOrThrow(Label.key("ociman.managed")), Either.getOrThrow(Label.value("true")))
    const keyOnly = Label.keyOnly(Either.getOrThrow(Label.key("team")))
    expect(JSON.parse(labelFilters([managed, keyOnly]))).toEqual({ label: ["ociman.managed=true", "team"] })
  })
})

describe("addressOf", () => {
  it("speaks unix sockets and plain TCP; ssh and TLS stay on the CLI", () => {
    expect(addressOf("unix:///var/run/docker.sock")).toEqual(
      Option.some({ _tag: "Unix", url: "unix:///var/run/docker.sock", socketPath: "/var/run/docker.sock" })
    )
    expect(addressOf("tcp://10.0.0.2:2375")).toEqual(
      Option.some({ _tag: "Tcp", url: "tcp://10.0.0.2:2375", host: "10.0.0.2", port: 2375 })
    )
    expect(addressOf("tcp://[::1]")).toEqual(Option.some({ _tag: "Tcp", url: "tcp://[::1]", host: "::1", port: 2375 }))
    expect(Option.isNone(addressOf("ssh://me@host"))).toBe(true)
    expect(Option.isNone(addressOf("https://host:2376"))).toBe(true)
    expect(Option.isNone(addressOf("unix://relative.sock"))).toBe(true)
  })
})

describe("apiDialects", () => {
  it("default sockets: Docker's daemon, Podman's root service, a rootless user's runtime directory", () => {
    const facts = { rootless: false, runtimeDir: undefined, uid: 0 }
    expect(apiDialects.docker.defaultSocket(facts)).toBe("unix:///var/run/docker.sock")
    expect(apiDialects.podman.defaultSocket(facts)).toBe("unix:///run/podman/podman.sock")
    expect(apiDialects.podman.defaultSocket({ rootless: true, runtimeDir: "/run/user/1000", uid: 1000 })).toBe(
      "unix:///run/user/1000/podman/podman.sock"
    )
    expect(apiDialects.podman.defaultSocket({ rootless: true, runtimeDir: undefined, uid: 1001 })).toBe(
      "unix:///run/user/1001/podman/podman.sock"
    )
    expect(apiDialects.podman.defaultSocket({ rootless: true, runtimeDir: undefined, uid: undefined })).toBeUndefined()
  })
})

describe("transportSelection", () => {
  const withEnv = (env: Record<string, string>) =>
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

  it.effect("the argument wins, then OCIMAN_TRANSPORT, then auto", () =>
    Effect.gen(function* () {
      expect(yield* transportSelection("api").pipe(withEnv({ OCIMAN_TRANSPORT: "cli" }))).toBe("api")
      expect(yield* transportSelection(undefined).pipe(withEnv({ OCIMAN_TRANSPORT: " Auto " }))).toBe("auto")
      expect(yield* transportSelection(undefined).pipe(withEnv({ OCIMAN_TRANSPORT: "cli" }))).toBe("cli")
      expect(yield* transportSelection(undefined).pipe(withEnv({}))).toBe("auto")
    })
  )

  it.effect("an unknown OCIMAN_TRANSPORT is InvalidBackendSelection naming the variable", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(transportSelection(undefined).pipe(withEnv({ OCIMAN_TRANSPORT: "grpc" })))
      expect(error).toMatchObject({ _tag: "InvalidBackendSelection", source: "OCIMAN_TRANSPORT", value: "grpc" })
    })
  )
})
