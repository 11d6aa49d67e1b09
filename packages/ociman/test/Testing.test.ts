/**
 * The testing kit: ociman's `testing` helpers, the required-backends policy, the test image (on the
 * in-memory runtime), and the static-executable check it relies on.
 */
import { FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Context, Effect, Either, Layer } from "effect"
import { existsSync, readFileSync } from "node:fs"
import { ContainerRuntime, Image, ImageReference } from "../src/index.js"
import { isStaticExecutable } from "../src/internal/elf.js"
import * as TestRuntime from "../src/TestRuntime.js"
import * as Testing from "../src/Testing.js"
import { fakeDocker } from "./support/fakeExecutable.js"

const withEnv = (env: Record<string, string>) => Effect.withConfigProvider(ConfigProvider.fromJson(env))

/** A minimal ELF64 little-endian header with one program header of the given type. */
const elf = (programType: number) => {
  const bytes = new Uint8Array(64 + 56)
  const view = new DataView(bytes.buffer)
  bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1])
  view.setUint16(16, 2, true) // ET_EXEC
  view.setBigUint64(0x20, 64n, true) // e_phoff
  view.setUint16(0x36, 56, true) // e_phentsize
  view.setUint16(0x38, 1, true) // e_phnum
  view.setUint32(64, programType, true)
  return bytes
}

describe("ociman's testing helpers", () => {
  it("the image constants are the references their strings parse to, in ociman's order", () => {
    const strings = [
      "alpine:latest",
      "docker.io/library/postgres:17",
      "docker.io/ruby:3.4-alpine",
      "docker.io/node:22-alpine",
      "docker.io/library/registry:2"
    ]
    expect(Testing.testImages).toEqual(strings.map((s) => Either.getOrThrow(ImageReference.parse(s))))
    expect(Testing.testImages.map(ImageReference.format)).toEqual(strings)
    expect(Testing.POSTGRES_IMAGE).toBe(Testing.testImages[1])
  })

  it("names and references are scoped to this run (the process id)", () => {
    expect(Testing.runId).toBe(String(process.pid))
    expect(Testing.testName("db")).toEqual(Either.right(`${process.pid}-db`))
    expect(Either.isLeft(Testing.testName("bad name"))).toBe(true)
    const ref = Either.getOrThrow(Testing.testReference("ociman-test-app:1"))
    expect(ImageReference.format(ref)).toBe(`${process.pid}-ociman-test-app:1`)
    expect(Either.isLeft(Testing.testReference("Upper:1"))).toBe(true)
  })

  it.effect("platform support: fails only on GitHub Actions' macOS runners", () =>
    Effect.gen(function* () {
      const onActions = yield* Effect.either(Testing.platformSupport).pipe(withEnv({ GITHUB_ACTIONS: "" }))
      expect(Either.isLeft(onActions)).toBe(process.platform === "darwin")
      expect(yield* Testing.platformNotSupported.pipe(withEnv({}))).toBe(false)
      expect(new Testing.PlatformNotSupported({ platform: "darwin" }).message).toBe(
        "GitHub Actions on macOS does not support Docker. Container runtime is not available."
      )
    })
  )
})

describe("required backends", () => {
  it("parses a comma-separated list; anything else is an error", () => {
    expect(Testing.parseBackends("")).toEqual(Either.right([]))
    expect(Testing.parseBackends("podman, docker")).toEqual(Either.right(["docker", "podman"]))
    expect(Testing.parseBackends("docker,,docker")).toEqual(Either.right(["docker"]))
    expect(Either.isLeft(Testing.parseBackends("docker,kubernetes"))).toBe(true)
  })

  it.effect("OCIMAN_TEST_BACKENDS through Config: unset is none; a bad value is a ConfigError", () =>
    Effect.gen(function* () {
      expect(yield* Testing.requiredBackends.pipe(withEnv({}))).toEqual([])
      expect(yield* Testing.requiredBackends.pipe(withEnv({ OCIMAN_TEST_BACKENDS: "docker" }))).toEqual(["docker"])
      const bad = yield* Effect.flip(Testing.requiredBackends.pipe(withEnv({ OCIMAN_TEST_BACKENDS: "dockr" })))
      expect(String(bad)).toContain("dockr")
    })
  )

  it.scoped("planBackends: an answering runtime runs, a missing one is skipped, or fails when required", () =>
    Effect.gen(function* () {
      const docker = yield* fakeDocker({ client: "28.2.2", engine: "28.2.2", securityOptions: [] })
      const executables = { docker, podman: "/nonexistent/ociman-test/podman" }
      const relaxed = yield* Testing.planBackends({ executables }).pipe(withEnv({}))
      expect(relaxed.map((plan) => [plan.kind, plan._tag])).toEqual([
        ["docker", "Run"],
        ["podman", "Skip"]
      ])
      const strict = yield* Testing.planBackends({ executables }).pipe(
        withEnv({ OCIMAN_TEST_BACKENDS: "docker,podman" })
      )
      const podman = strict[1]
      expect(podman?._tag).toBe("Fail")
      if (podman?._tag === "Fail") expect(podman.error.message).toContain("podman")
      const run = strict[0]
      if (run?._tag !== "Run") return expect.fail("docker should run")
      expect(run.backend.executable).toBe(docker)
      // The plan's layer is that runtime's own layer (the automatic sweep it starts is off here).
      const context = yield* Layer.build(run.layer).pipe(withEnv({ OCIMAN_SWEEP: "0" }))
      expect(Context.get(context, ContainerRuntime.ContainerRuntime).backend).toEqual(run.backend)
      const only = yield* Testing.planBackends({ kinds: ["podman"], executables }).pipe(withEnv({}))
      expect(only.map((plan) => plan.kind)).toEqual(["podman"])
    }).pipe(Effect.provide(NodeContext.layer))
  )
})

describe("the static-executable check", () => {
  it("no PT_INTERP is static; PT_INTERP is dynamic; anything else is not an executable", () => {
    expect(isStaticExecutable(elf(1))).toBe(true)
    expect(isStaticExecutable(elf(3))).toBe(false)
    expect(isStaticExecutable(new TextEncoder().encode("#!/bin/sh\necho hi\n".padEnd(80)))).toBe(false)
    expect(isStaticExecutable(new Uint8Array(0))).toBe(false)
  })

  it("the host's files: node is dynamic, Debian's busybox-static is static", () => {
    expect(isStaticExecutable(readFileSync(process.execPath))).toBe(false)
    if (existsSync("/bin/busybox")) expect(isStaticExecutable(readFileSync("/bin/busybox"))).toBe(true)
  })
})

/** A directory holding a fake static "busybox" (a valid static ELF header). */
const fakeBusybox = Effect.gen(function* () {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const dir = yield* fs.makeTempDirectoryScoped({ prefix: "ociman-busybox-" })
  const file = path.join(dir, "busybox")
  yield* fs.writeFile(file, elf(1))
  return file
})

describe("ensureTestImage (on the in-memory runtime)", () => {
  const on = (options: TestRuntime.Options) => Layer.merge(TestRuntime.layer(options), NodeContext.layer)

  it.scoped("present: nothing is built or pulled", () =>
    Effect.gen(function* () {
      const ensured = yield* Testing.ensureTestImage()
      expect(ensured.how).toBe("present")
      const calls = yield* TestRuntime.calls
      expect(calls.map((call) => call.operation)).toEqual(["images.exists"])
    }).pipe(Effect.provide(on({ images: [Testing.TEST_IMAGE] })))
  )

  it.scoped("absent with a static busybox on the host: built FROM scratch from a temporary context", () =>
    Effect.gen(function* () {
      const busybox = yield* fakeBusybox
      const ensured = yield* Testing.ensureTestImage({ busybox })
      expect(ensured.how).toBe("built")
      expect(ImageReference.format(ensured.reference)).toBe(Testing.TEST_IMAGE)
      expect(yield* Image.exists(Testing.TEST_IMAGE)).toBe(true)
      const build = (yield* TestRuntime.calls).find((call) => call.operation === "images.build")
      expect(build?.argv.slice(0, 3)).toEqual(["docker", "build", "--tag"])
      const context = build?.argv.at(-1) ?? ""
      expect(context).toMatch(/ociman-test-image-/)
      // the context is removed once built
      const fs = yield* FileSystem.FileSystem
      expect(yield* fs.exists(context)).toBe(false)
    }).pipe(Effect.provide(on({})))
  )

  it.scoped("absent without a static busybox: the pinned busybox is pulled and tagged", () =>
    Effect.gen(function* () {
      const ensured = yield* Testing.ensureTestImage({ busybox: process.execPath, reference: "localhost/t/bb:1" })
      expect(ensured.how).toBe("pulled")
      expect(yield* Image.exists("localhost/t/bb:1")).toBe(true)
      const operations = (yield* TestRuntime.calls).map((call) => call.argv.slice(1, 3).join(" "))
      expect(operations).toEqual(["image ls", "image pull", "image tag", "image ls"])
    }).pipe(Effect.provide(on({ registry: [Testing.PINNED_BUSYBOX] })))
  )

  it.scoped("with no registry to pull from, the failure is a typed PullFailed", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Testing.ensureTestImage({ busybox: "/nonexistent/busybox" }))
      expect(error._tag).toBe("PullFailed")
      if (error._tag === "PullFailed") expect(error.reference).toBe(Testing.PINNED_BUSYBOX)
    }).pipe(Effect.provide(on({ kind: "podman" })))
  )
})

describe("layers", () => {
  it.effect("memoryLayer seeds the test image as busybox (CMD sh)", () =>
    Effect.gen(function* () {
      const inspected = yield* Image.inspect(Testing.TEST_IMAGE)
      expect(inspected.cmd).toEqual(["sh"])
      const runtime = yield* ContainerRuntime.ContainerRuntime
      expect(runtime.backend.kind).toBe("podman")
      expect(yield* Image.exists("localhost/extra:1")).toBe(true)
    }).pipe(Effect.provide(Testing.memoryLayer({ kind: "podman", images: ["localhost/extra:1"] })))
  )
})
