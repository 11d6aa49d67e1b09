/**
 * Acceptance: image operations against real Docker and Podman (ociman's integration scenarios
 * 17–30 that concern images, built `FROM` the local busybox image since no registry is
 * reachable). Every image a test creates has a run-unique name and is removed by a finalizer.
 */
import { FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, Layer, Redacted, Stream } from "effect"
import { fileURLToPath } from "node:url"
import { BuildDefinition, ContainerRuntime, ImageReference } from "ociman"
import { Image } from "ociman"
import { describeEachRuntime, runtimeLayer, TEST_IMAGE } from "./support/backends.js"

const fixture = (name: string) => fileURLToPath(new URL(`fixtures/images/${name}`, import.meta.url))

/** Removes every image of this name when the test's scope closes (whatever happened). */
const removeAllOnExit = (name: string) =>
  Effect.addFinalizer(() =>
    Image.listByName(name).pipe(
      Effect.flatMap(Effect.forEach((ref) => Image.remove(ref, { force: true }))),
      Effect.ignore
    )
  )

/** The raw escape hatch, to look inside an image without the container API. */
const catInImage = (ref: ImageReference.ImageReference, file: string) =>
  Effect.gen(function* () {
    const runtime = yield* ContainerRuntime.ContainerRuntime
    const result = yield* runtime.cli(["run", "--rm", ImageReference.format(ref), "cat", file])
    expect(result.exitCode).toBe(0)
    return new TextDecoder().decode(result.stdout).trim()
  })

describeEachRuntime("images", (kind) => {
  const base = `localhost/ociman-test/image-${process.pid}-${kind}`
  const name = (suffix: string) => `${base}-${suffix}`

  layer(Layer.merge(runtimeLayer(kind), NodeContext.layer), { excludeTestServices: true })((it) => {
    it.scoped("17. build from instructions, present, removed", () =>
      Effect.gen(function* () {
        const image = name("instructions")
        yield* removeAllOnExit(image)
        const ref = yield* Image.build(
          BuildDefinition.fromInstructions(`FROM ${TEST_IMAGE}\nRUN echo instructions > /test-id\n`, {
            reference: `${image}:latest`
          })
        )
        expect(ImageReference.format(ref)).toBe(`${image}:latest`)
        expect(yield* Image.exists(ref)).toBe(true)
        expect(yield* catInImage(ref, "/test-id")).toBe("instructions")
        yield* Image.remove(ref)
        expect(yield* Image.exists(ref)).toBe(false)
      })
    )

    it.scoped("18. build from a directory (its files reach the image); a Dockerfile outside it", () =>
      Effect.gen(function* () {
        const image = name("directory")
        yield* removeAllOnExit(image)
        const ref = yield* Image.build(
          BuildDefinition.fromDirectory(fixture("build"), { reference: `${image}:inside` })
        )
        expect(yield* Image.exists(ref)).toBe(true)
        expect(yield* catInImage(ref, "/hello.txt")).toBe("hello from the build context")
        const outside = yield* Image.build(
          BuildDefinition.fromDirectory(fixture("build"), { reference: `${image}:outside` }).pipe(
            BuildDefinition.dockerfile("../outside.Dockerfile")
          )
        )
        expect(yield* catInImage(outside, "/outside-hello.txt")).toBe("hello from the build context")
      })
    )

    it.scoped("19. buildIfAbsent twice gives the same reference and builds once", () =>
      Effect.gen(function* () {
        const image = name("if-absent")
        yield* removeAllOnExit(image)
        const def = BuildDefinition.fromInstructions(
          `FROM ${TEST_IMAGE}\nRUN echo if-absent-${process.pid} > /test-id\n`,
          {
            name: image
          }
        )
        let lines = 0
        const count = { onOutput: () => Effect.sync(() => void lines++) }
        const first = yield* Image.buildIfAbsent(def, count)
        const afterFirst = lines
        const second = yield* Image.buildIfAbsent(def, count)
        expect(afterFirst).toBeGreaterThan(0)
        expect(lines).toBe(afterFirst)
        expect(second).toEqual(first)
        expect(ImageReference.format(first)).toMatch(new RegExp(`^${image}:[0-9a-f]{64}$`))
        expect(first).toEqual(yield* Image.targetReference(def))
        expect(yield* Image.exists(first)).toBe(true)
      })
    )

    it.scoped("20. labels roundtrip", () =>
      Effect.gen(function* () {
        const image = name("labels")
        yield* removeAllOnExit(image)
        const ref = yield* Image.build(
          BuildDefinition.fromInstructions(`FROM ${TEST_IMAGE}\n`, { name: image }).pipe(
            BuildDefinition.label("ociman-test.role", "integration"),
            BuildDefinition.label("ociman-test.build", "1")
          )
        )
        const labels = yield* Image.labelsOf(ref)
        expect(labels.get("ociman-test.role")).toBe("integration")
        expect(labels.get("ociman-test.build")).toBe("1")
        expect(labels.get("ociman-test.unknown")).toBeUndefined()
      })
    )

    it.scoped("22. tag: the target appears, the source stays", () =>
      Effect.gen(function* () {
        const target = `${name("tag")}:1`
        yield* removeAllOnExit(name("tag"))
        expect(yield* Image.exists(target)).toBe(false)
        yield* Image.tag(TEST_IMAGE, target)
        expect(yield* Image.exists(TEST_IMAGE)).toBe(true)
        expect(yield* Image.exists(target)).toBe(true)
        const missing = yield* Effect.flip(Image.tag(`${name("tag-missing")}:1`, `${name("tag")}:2`))
        expect(missing._tag).toBe("ImageNotFound")
      })
    )

    it.scoped("23. pullIfAbsent of a present image does not pull", () =>
      Effect.gen(function* () {
        expect(yield* Image.pullIfAbsent(TEST_IMAGE)).toBe(false)
      })
    )

    it.scoped("24 / 26. content-addressed builds (instructions, directory) are stable", () =>
      Effect.gen(function* () {
        const image = name("hash")
        yield* removeAllOnExit(image)
        const instructions = BuildDefinition.fromInstructions(`FROM ${TEST_IMAGE}\nRUN echo hash > /test-id\n`, {
          name: image
        })
        const a = yield* Image.build(instructions)
        const b = yield* Image.build(
          BuildDefinition.fromInstructions(`FROM ${TEST_IMAGE}\nRUN echo hash > /test-id\n`, { name: image })
        )
        expect(b).toEqual(a)
        const directory = BuildDefinition.fromDirectory(fixture("build-hash"), { name: image })
        const c = yield* Image.build(directory)
        expect(yield* Image.build(BuildDefinition.fromDirectory(fixture("build-hash"), { name: image }))).toEqual(c)
        expect(c).not.toEqual(a)
        expect((yield* Image.listByName(image)).map(ImageReference.format)).toEqual(
          [ImageReference.format(a), ImageReference.format(c)].sort()
        )
      })
    )

    it.scoped("27. build arguments reach the image; a Redacted one too, out of argv", () =>
      Effect.gen(function* () {
        const image = name("build-args")
        yield* removeAllOnExit(image)
        const ref = yield* Image.build(
          BuildDefinition.fromInstructions(
            `FROM ${TEST_IMAGE}\nARG TEST_ARG\nARG TOKEN\nRUN echo "$TEST_ARG" > /test-output && test "$TOKEN" = s3cr3t\n`,
            { name: image }
          ).pipe(
            BuildDefinition.buildArg("TEST_ARG", "test_value"),
            BuildDefinition.buildArg("TOKEN", Redacted.make("s3cr3t"))
          )
        )
        expect(yield* catInImage(ref, "/test-output")).toBe("test_value")
      })
    )

    it.effect("28–30. build arguments and labels affect the hash; invalid keys are typed errors", () =>
      Effect.gen(function* () {
        const def = BuildDefinition.fromInstructions(`FROM ${TEST_IMAGE}\n`, { name: name("hash-args") })
        const v1 = yield* Image.targetReference(def.pipe(BuildDefinition.buildArg("VERSION", "1.0")))
        const v2 = yield* Image.targetReference(def.pipe(BuildDefinition.buildArg("VERSION", "2.0")))
        expect(v1).not.toEqual(v2)
        expect(yield* Image.targetReference(def.pipe(BuildDefinition.buildArg("VERSION", "1.0")))).toEqual(v1)
        const a = yield* Image.targetReference(def.pipe(BuildDefinition.label("role", "a")))
        expect(a).not.toEqual(yield* Image.targetReference(def.pipe(BuildDefinition.label("role", "b"))))
        expect(a).not.toEqual(yield* Image.targetReference(def))
        const empty = yield* Effect.flip(Image.build(def.pipe(BuildDefinition.buildArg("", "x"))))
        expect(empty._tag === "InvalidBuildArg" && empty.reason).toBe("Empty")
        const equals = yield* Effect.flip(Image.build(def.pipe(BuildDefinition.buildArg("KEY=VALUE", "x"))))
        expect(equals._tag === "InvalidBuildArg" && equals.reason).toBe("ContainsEquals")
      })
    )

    it.scoped("build output streams as lines; a failed build carries its exit code and last lines", () =>
      Effect.gen(function* () {
        const image = name("stream")
        yield* removeAllOnExit(image)
        const lines = yield* Stream.runCollect(
          Image.buildStream(
            BuildDefinition.fromInstructions(`FROM ${TEST_IMAGE}\nRUN echo ociman-streamed-line-${process.pid}\n`, {
              name: image
            })
          )
        )
        expect(Array.from(lines).some((l) => l.line.includes(`ociman-streamed-line-${process.pid}`))).toBe(true)

        const failing = BuildDefinition.fromInstructions(
          `FROM ${TEST_IMAGE}\nRUN echo ociman-failing-step && exit 3\n`,
          {
            reference: `${name("failing")}:1`
          }
        )
        yield* removeAllOnExit(name("failing"))
        const error = yield* Effect.flip(Image.build(failing))
        if (error._tag !== "BuildFailed")
          return expect.fail(`expected BuildFailed, got ${error._tag}: ${error.message}`)
        expect(error.exitCode).toBe(3)
        expect(error.lastLines.some((l) => l.includes("ociman-failing-step"))).toBe(true)
        expect(error.argv.slice(0, 2)).toEqual([kind, "build"])
        expect(yield* Image.exists(`${name("failing")}:1`)).toBe(false)
      })
    )

    it.scoped("remove: absent is ImageNotFound; in use is ImageInUse; force removes it", () =>
      Effect.gen(function* () {
        const image = name("in-use")
        const container = `ociman-test-image-in-use-${process.pid}-${kind}`
        yield* removeAllOnExit(image)
        const runtime = yield* ContainerRuntime.ContainerRuntime
        yield* Effect.addFinalizer(() => Effect.ignore(runtime.cli(["rm", "--force", container])))
        const missing = yield* Effect.flip(Image.remove(`${image}:absent`))
        expect(missing._tag).toBe("ImageNotFound")
        // Its own image ID (a unique label), so removing the tag would delete the image.
        const ref = yield* Image.build(
          BuildDefinition.fromInstructions(`FROM ${TEST_IMAGE}\nLABEL ociman-test.in-use=${process.pid}\n`, {
            name: image
          })
        )
        const created = yield* runtime.cli(["create", "--name", container, ImageReference.format(ref), "true"])
        expect(created.exitCode).toBe(0)
        const inUse = yield* Effect.flip(Image.remove(ref))
        expect(inUse._tag).toBe("ImageInUse")
        expect(yield* Image.exists(ref)).toBe(true)
        yield* Image.remove(ref, { force: true })
        expect(yield* Image.exists(ref)).toBe(false)
      })
    )

    it.scoped("listByName returns exactly the tags of that name (client-side path filter)", () =>
      Effect.gen(function* () {
        const image = name("list")
        yield* removeAllOnExit(image)
        yield* Image.tag(TEST_IMAGE, `${image}:a`)
        yield* Image.tag(TEST_IMAGE, `${image}:b`)
        // Same image ID under another name: Podman's filter returns it too; the client filter drops it.
        yield* Image.tag(TEST_IMAGE, `${image}-other:a`)
        yield* removeAllOnExit(`${image}-other`)
        expect((yield* Image.listByName(image)).map(ImageReference.format)).toEqual([`${image}:a`, `${image}:b`])
        expect(yield* Image.listByName(name("list-none"))).toEqual([])
      })
    )

    it.scoped("inspect decodes the image; an absent one is ImageNotFound", () =>
      Effect.gen(function* () {
        const inspected = yield* Image.inspect(TEST_IMAGE)
        expect(inspected.id).toMatch(/^sha256:[0-9a-f]{64}$/)
        expect(inspected.repoTags).toContain(TEST_IMAGE)
        expect(inspected.os).toBe("linux")
        expect(inspected.cmd).toEqual(["sh"])
        const missing = yield* Effect.flip(Image.inspect(`${name("inspect-absent")}:1`))
        expect(missing._tag).toBe("ImageNotFound")
      })
    )

    it.scoped("exists: present, absent, invalid", () =>
      Effect.gen(function* () {
        expect(yield* Image.exists(TEST_IMAGE)).toBe(true)
        expect(yield* Image.exists(`${name("absent")}:1`)).toBe(false)
        expect(yield* Image.exists(name("absent"))).toBe(false)
        const invalid = yield* Effect.flip(Image.exists("Bad:x"))
        expect(invalid._tag).toBe("InvalidImageReference")
      })
    )

    it.scoped("a docker.io-qualified reference finds the image stored under its short name", () =>
      Effect.gen(function* () {
        const short = `ociman-test-short-${process.pid}-${kind}`
        yield* removeAllOnExit(short)
        // How each runtime stores a Docker Hub image (a pull of `x:1` on Podman stores docker.io/library/x:1).
        yield* Image.tag(TEST_IMAGE, kind === "docker" ? `${short}:1` : `docker.io/library/${short}:1`)
        expect(yield* Image.exists(`docker.io/library/${short}:1`)).toBe(true)
        expect(yield* Image.exists(`${short}:1`)).toBe(true)
        expect((yield* Image.listByName(`docker.io/library/${short}`)).length).toBe(1)
        if (kind === "podman") {
          // Podman stores a locally tagged short name under localhost/, which is another image name.
          yield* Image.tag(TEST_IMAGE, `${short}:2`)
          expect(yield* Image.exists(`localhost/${short}:2`)).toBe(true)
          expect(yield* Image.exists(`docker.io/library/${short}:2`)).toBe(false)
        }
      })
    )

    it.scoped("pull from a registry out of reach is a typed PullFailed Unreachable", () =>
      Effect.gen(function* () {
        const reference = `docker.io/library/ociman-nonexistent-${process.pid}:1`
        const error = yield* Effect.flip(Image.pull(reference))
        if (error._tag !== "PullFailed") return expect.fail(`expected PullFailed, got ${error._tag}`)
        // With a registry this would be NotFound ("manifest unknown", see registry.test.ts); here DNS fails first.
        expect(error.reason).toBe("Unreachable")
        expect(error.stderr).not.toBe("")
        const ifAbsent = yield* Effect.flip(Image.pullIfAbsent(reference))
        expect(ifAbsent._tag).toBe("PullFailed")
      })
    )

    it.scoped("push to an unreachable registry is a typed PushFailed", () =>
      Effect.gen(function* () {
        // localhost:443 refuses connections here, so nothing leaves the machine.
        const error = yield* Effect.flip(Image.push(TEST_IMAGE))
        expect(error._tag === "PushFailed" && error.reason).toBe("Unreachable")
        if (error._tag === "PushFailed") expect(error.reference).toBe(TEST_IMAGE)
      })
    )

    it.scoped("a runtime that cannot reach its engine is an error, never 'absent'", () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const path = yield* Path.Path
        const runtime = yield* ContainerRuntime.ContainerRuntime
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "ociman-down-" })
        const wrapper = path.join(dir, kind)
        yield* fs.writeFileString(
          wrapper,
          kind === "docker"
            ? '#!/bin/sh\nDOCKER_HOST=unix:///nonexistent/ociman.sock exec docker "$@"\n'
            : '#!/bin/sh\nexec podman --remote --url unix:///nonexistent/ociman.sock "$@"\n'
        )
        yield* fs.chmod(wrapper, 0o755)
        const down = yield* ContainerRuntime.make({ ...runtime.backend, executable: wrapper })
        const layerDown = Layer.succeed(ContainerRuntime.ContainerRuntime, down)
        const exists = yield* Effect.flip(Image.exists(TEST_IMAGE).pipe(Effect.provide(layerDown)))
        expect(exists._tag).toBe("CommandFailed")
        const pull = yield* Effect.flip(Image.pullIfAbsent(TEST_IMAGE).pipe(Effect.provide(layerDown)))
        expect(pull._tag).toBe("CommandFailed")
        const list = yield* Effect.flip(Image.listByName(TEST_IMAGE).pipe(Effect.provide(layerDown)))
        expect(list._tag).toBe("CommandFailed")
        const built = yield* Effect.flip(
          Image.buildIfAbsent(BuildDefinition.fromInstructions(`FROM ${TEST_IMAGE}\n`, { name: name("down") })).pipe(
            Effect.provide(layerDown)
          )
        )
        expect(built._tag).toBe("CommandFailed")
      })
    )
  })
})
