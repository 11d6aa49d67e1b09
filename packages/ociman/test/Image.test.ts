import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Equal, Layer, Redacted, Stream } from "effect"
import { fileURLToPath } from "node:url"
import * as ContainerRuntime from "../src/ContainerRuntime.js"
import * as Image from "../src/Image.js"
import * as ImageReference from "../src/ImageReference.js"
import * as Label from "../src/Label.js"
import * as BuildArg from "../src/BuildArg.js"
import * as BuildDefinition from "../src/BuildDefinition.js"
import {
  BUILD_TAIL_LINES,
  classifyLogin,
  classifyMissing,
  classifyPull,
  classifyPush,
  classifyRemove,
  interpretExists
} from "../src/internal/cli/images.js"
import {
  buildInvocation,
  decodeInspect,
  dockerReferencePattern,
  existsArgs,
  inspectArgs,
  listByNameArgs,
  matchesName,
  parseListByName,
  removeArgs,
  tagArgs
} from "../src/internal/dialect/images.js"
import { loginArgs, logoutArgs, pullArgs, pullEventOf, pushArgs } from "../src/internal/dialect/registry.js"
import * as Version from "../src/Version.js"
import { fakeExecutable } from "./support/fakeExecutable.js"

const ref = (s: string) => Either.getOrThrow(ImageReference.parse(s))
const bytes = (text: string) => new TextEncoder().encode(text)
const result = (exitCode: number | undefined, stdout = "", stderr = "", argv: ReadonlyArray<string> = ["x"]) => ({
  argv,
  exitCode,
  signal: exitCode === undefined ? "SIGKILL" : undefined,
  stdout: bytes(stdout),
  stderr: bytes(stderr)
})
const fixture = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url))

const request = (patch: Partial<ContainerRuntime.BuildRequest> = {}): ContainerRuntime.BuildRequest => ({
  reference: ref("localhost/app:1"),
  source: { _tag: "Directory", context: "/ctx", dockerfile: undefined },
  buildArgs: [],
  labels: [],
  target: undefined,
  platform: undefined,
  noCache: false,
  pull: false,
  ...patch
})

describe("argv (golden)", () => {
  it("exists: Docker filters on the familiar form with :latest added; Podman asks image exists", () => {
    expect(existsArgs("docker", ref("localhost/ociman-test/busybox:1"))).toEqual([
      "image",
      "ls",
      "--filter",
      "reference=localhost/ociman-test/busybox:1",
      "--quiet"
    ])
    expect(existsArgs("podman", ref("localhost/ociman-test/busybox:1"))).toEqual([
      "image",
      "exists",
      "--",
      "localhost/ociman-test/busybox:1"
    ])
    // Docker's filter does not normalize (inventory §9 item 4): always pass the familiar form.
    expect(existsArgs("docker", ref("docker.io/library/postgres:17"))[3]).toBe("reference=postgres:17")
    expect(existsArgs("docker", ref("index.docker.io/org/app:2"))[3]).toBe("reference=org/app:2")
    expect(existsArgs("podman", ref("docker.io/library/postgres:17"))[3]).toBe("docker.io/library/postgres:17")
  })

  it("the Docker pattern: :latest for a bare name, digest only, glob characters escaped", () => {
    expect(dockerReferencePattern(ref("postgres"))).toBe("postgres:latest")
    const digest = `sha256:${"a".repeat(64)}`
    expect(dockerReferencePattern(ref(`postgres:17@${digest}`))).toBe(`postgres@${digest}`)
    expect(dockerReferencePattern(ref("[::1]:5000/app:1"))).toBe("\\[::1\\]:5000/app:1")
  })

  it("tag, remove, pull, push, inspect are the same on both runtimes", () => {
    expect(tagArgs(ref("a:1"), ref("localhost/b:2"))).toEqual(["image", "tag", "a:1", "localhost/b:2"])
    expect(removeArgs(ref("a:1"), false)).toEqual(["image", "rm", "a:1"])
    expect(removeArgs(ref("a:1"), true)).toEqual(["image", "rm", "--force", "a:1"])
    expect(pullArgs(ref("ghcr.io/org/app:1"))).toEqual(["image", "pull", "ghcr.io/org/app:1"])
    expect(pushArgs(ref("ghcr.io/org/app:1"))).toEqual(["image", "push", "ghcr.io/org/app:1"])
    expect(inspectArgs(ref("a:1"))).toEqual(["image", "inspect", "a:1"])
  })

  it("listByName: every tag of the name, in each runtime's spelling", () => {
    expect(listByNameArgs("docker", ref("docker.io/library/pg-cache:abc"))).toEqual([
      "image",
      "list",
      "--format",
      "{{.Repository}}:{{.Tag}}",
      "--filter",
      "reference=pg-cache:*"
    ])
    expect(listByNameArgs("podman", ref("localhost/ociman-test/x"))).toEqual([
      "image",
      "list",
      "--format",
      "{{.Repository}}:{{.Tag}}",
      "--filter",
      "reference=localhost/ociman-test/x:*"
    ])
  })

  it("build from a directory with every option", () => {
    const full = request({
      source: { _tag: "Directory", context: "/ctx", dockerfile: "/elsewhere/Dockerfile.prod" },
      buildArgs: Either.getOrThrow(BuildArg.make({ VERSION: "1.0", A: "x=y" })),
      labels: Either.getOrThrow(Label.make({ "com.example.role": "db" })),
      target: "runtime",
      platform: "linux/amd64",
      noCache: true,
      pull: true
    })
    const tail = [
      "--no-cache",
      "PULL",
      "--build-arg",
      "A=x=y",
      "--build-arg",
      "VERSION=1.0",
      "--label",
      "com.example.role=db",
      "/ctx"
    ]
    const head = [
      "build",
      "--tag",
      "localhost/app:1",
      "--file",
      "/elsewhere/Dockerfile.prod",
      "--target",
      "runtime",
      "--platform",
      "linux/amd64"
    ]
    const docker = buildInvocation("docker", full)
    expect(docker.args).toEqual([
      ...head.slice(0, 3),
      "--force-rm",
      ...head.slice(3),
      ...tail.map((a) => (a === "PULL" ? "--pull" : a))
    ])
    expect(docker.stdin).toBeUndefined()
    expect(docker.env).toEqual({})
    expect(buildInvocation("podman", full).args).toEqual([
      ...head,
      ...tail.map((a) => (a === "PULL" ? "--pull=always" : a))
    ])
  })

  it("build from instructions: the Dockerfile on stdin, `-` as context, no --file", () => {
    const invocation = buildInvocation(
      "podman",
      request({ source: { _tag: "Instructions", dockerfile: "FROM scratch\n" } })
    )
    expect(invocation.args).toEqual(["build", "--tag", "localhost/app:1", "-"])
    expect(new TextDecoder().decode(invocation.stdin)).toBe("FROM scratch\n")
  })

  it("a Redacted build argument goes through the environment, never argv", () => {
    const invocation = buildInvocation(
      "docker",
      request({
        buildArgs: [
          [Either.getOrThrow(BuildArg.key("PLAIN")), "visible"],
          [Either.getOrThrow(BuildArg.key("TOKEN")), Redacted.make("s3cr3t")]
        ]
      })
    )
    expect(invocation.args).toEqual([
      "build",
      "--tag",
      "localhost/app:1",
      "--force-rm",
      "--build-arg",
      "PLAIN=visible",
      "--build-arg",
      "TOKEN",
      "/ctx"
    ])
    expect(invocation.env).toEqual({ TOKEN: "s3cr3t" })
    expect(invocation.secrets).toEqual(["s3cr3t"])
  })
})

describe("exists: exit-code rules (inventory §1.1)", () => {
  it("Docker: exit 0 is present iff stdout is not empty; any other exit is a failure", () => {
    expect(interpretExists("docker", result(0, "a724bbd786b2\n"))).toEqual(Either.right(true))
    expect(interpretExists("docker", result(0, "  \n"))).toEqual(Either.right(false))
    const down = interpretExists("docker", result(1, "", "Cannot connect to the Docker daemon"))
    expect(Either.isLeft(down) && down.left._tag).toBe("CommandFailed")
  })

  it("Podman: 0 present, 1 absent, 125 or a signal is a failure", () => {
    expect(interpretExists("podman", result(0))).toEqual(Either.right(true))
    expect(interpretExists("podman", result(1))).toEqual(Either.right(false))
    for (const code of [125, 2, undefined]) {
      const failed = interpretExists("podman", result(code, "", "Error: storage"))
      expect(Either.isLeft(failed) && failed.left._tag).toBe("CommandFailed")
    }
  })
})

describe("pull and push classification (inventory §1.1 unit tests 1–7)", () => {
  const target = ref("ghcr.io/myorg/pg-ephemeral/main:abc123")

  it("1. success", () => {
    expect(Either.isRight(classifyPull(target, result(0)))).toBe(true)
  })

  it("2. Podman manifest unknown is NotFound, with the reference", () => {
    const stderr =
      "Error: initializing source docker://ghcr.io/myorg/pg-ephemeral/main:abc123: reading manifest abc123 in ghcr.io/myorg/pg-ephemeral/main: manifest unknown"
    const error = Either.getOrThrow(Either.flip(classifyPull(target, result(125, "", stderr))))
    expect(error.reason).toBe("NotFound")
    expect(error.reference).toBe("ghcr.io/myorg/pg-ephemeral/main:abc123")
    expect(error.message).toContain("image not found in registry: ghcr.io/myorg/pg-ephemeral/main:abc123")
  })

  it("3. Docker manifest unknown is NotFound", () => {
    const stderr =
      "Error response from daemon: manifest for ghcr.io/myorg/pg-ephemeral/main:abc123 not found: manifest unknown: manifest unknown"
    expect(Either.getOrThrow(Either.flip(classifyPull(target, result(1, "", stderr)))).reason).toBe("NotFound")
  })

  it("4. a refused access is Unauthorized (Docker Hub says so for a missing repository too), and says denied", () => {
    const stderr =
      "Error response from daemon: pull access denied for ghcr.io/myorg/private, repository does not exist or may require 'docker login': denied: requested access to the resource is denied"
    const error = Either.getOrThrow(Either.flip(classifyPull(target, result(1, "", stderr))))
    expect(error.reason).toBe("Unauthorized")
    expect(error.message).toContain("denied")
    expect(error.message).toContain("Image.login")
  })

  it("5. a network error is Unreachable, and says what the dialer said", () => {
    const stderr = 'Error response from daemon: Get "https://ghcr.io/v2/": dial tcp: lookup ghcr.io: no such host'
    const error = Either.getOrThrow(Either.flip(classifyPull(target, result(1, "", stderr))))
    expect(error.reason).toBe("Unreachable")
    expect(error.message).toContain("no such host")
  })

  // The words of a real docker-registry (open and behind htpasswd) and of a closed port, as each CLI prints them.
  it.each([
    [
      "docker",
      'Error response from daemon: Get "http://127.0.0.1:5999/v2/": dial tcp 127.0.0.1:5999: connect: connection refused',
      "Unreachable"
    ],
    [
      "podman",
      'Error: initializing source docker://127.0.0.1:5999/x:1: pinging container registry 127.0.0.1:5999: Get "https://127.0.0.1:5999/v2/": dial tcp 127.0.0.1:5999: connect: connection refused',
      "Unreachable"
    ],
    [
      "podman",
      "Error: initializing source docker://127.0.0.1:5001/lead/bb:1: reading manifest 1 in 127.0.0.1:5001/lead/bb: unauthorized: authentication required",
      "Unauthorized"
    ],
    [
      "docker",
      'Error response from daemon: Head "http://127.0.0.1:5001/v2/lead/bb/manifests/1": no basic auth credentials',
      "Unauthorized"
    ],
    ["docker", "Error response from daemon: toomanyrequests: You have reached your pull rate limit.", "Other"]
  ] as const)("%s: %s is %s", (_kind, stderr, reason) => {
    expect(Either.getOrThrow(Either.flip(classifyPull(target, result(1, "", stderr)))).reason).toBe(reason)
  })

  it("6. push success", () => {
    expect(Either.isRight(classifyPush(target, result(0)))).toBe(true)
  })

  it("7. push failure keeps the trimmed stderr, and says why", () => {
    const error = Either.getOrThrow(
      Either.flip(classifyPush(target, result(1, "", "unauthorized: authentication required\n")))
    )
    expect(error._tag).toBe("PushFailed")
    expect(error.reason).toBe("Unauthorized")
    expect(error.stderr).toBe("unauthorized: authentication required")
    expect(error.message).toContain("unauthorized: authentication required")
  })

  it.each([
    ["An image does not exist locally with the tag: 127.0.0.1:5001/lead/bb", "NotStoredLocally"],
    ["Error: 127.0.0.1:5000/x:1: image not known", "NotStoredLocally"],
    ["no basic auth credentials", "Unauthorized"],
    ['Get "http://127.0.0.1:5999/v2/": dial tcp 127.0.0.1:5999: connect: connection refused', "Unreachable"],
    ["Error: something else", "Other"]
  ] as const)("push: %s is %s", (stderr, reason) => {
    expect(Either.getOrThrow(Either.flip(classifyPush(target, result(1, "", stderr)))).reason).toBe(reason)
  })

  it("login: the password is never in argv; refused credentials and a closed port are told apart", () => {
    expect(loginArgs("127.0.0.1:5001", "ci")).toEqual([
      "login",
      "--username",
      "ci",
      "--password-stdin",
      "127.0.0.1:5001"
    ])
    expect(logoutArgs("127.0.0.1:5001")).toEqual(["logout", "127.0.0.1:5001"])
    const request = { registry: "127.0.0.1:5001", username: "ci", password: Redacted.make("hunter2") }
    expect(Either.isRight(classifyLogin(request, result(0)))).toBe(true)
    const refused = Either.getOrThrow(
      Either.flip(
        classifyLogin(
          request,
          result(
            1,
            "",
            "Error response from daemon: login attempt to http://127.0.0.1:5001/v2/ failed with status: 401 Unauthorized"
          )
        )
      )
    )
    expect(refused.reason).toBe("Unauthorized")
    expect(refused.message).toContain("login to 127.0.0.1:5001 as ci failed")
    expect(refused.message).not.toContain("hunter2")
    const podmanRefused = classifyLogin(
      request,
      result(125, "", 'Error: logging into "127.0.0.1:5001": invalid username/password')
    )
    expect(Either.isLeft(podmanRefused) && podmanRefused.left.reason).toBe("Unauthorized")
    const closed = classifyLogin(request, result(1, "", "dial tcp 127.0.0.1:5999: connect: connection refused"))
    expect(Either.isLeft(closed) && closed.left.reason).toBe("Unreachable")
  })
})

describe("pull progress (each CLI's lines when stdout is not a terminal)", () => {
  it("Docker: a layer's status per line; the rest is a status message", () => {
    expect(pullEventOf.docker("77907b92efe2: Pull complete")).toEqual({
      _tag: "Layer",
      layer: "77907b92efe2",
      status: "Pull complete"
    })
    expect(pullEventOf.docker("Digest: sha256:089d")).toEqual({ _tag: "Status", message: "Digest: sha256:089d" })
  })

  it("Podman: each blob copied is a layer (short id); config and manifest lines are status messages", () => {
    expect(
      pullEventOf.podman("Copying blob sha256:146069905a39af40a6c44966edf1501ca9d49f37e55843ab0df582feed3b4443")
    ).toEqual({
      _tag: "Layer",
      layer: "146069905a39",
      status: "Copying"
    })
    expect(pullEventOf.podman("Copying blob 4bb031e7f5d6 skipped: already exists")).toEqual({
      _tag: "Layer",
      layer: "4bb031e7f5d6",
      status: "skipped: already exists"
    })
    expect(pullEventOf.podman("Writing manifest to image destination")._tag).toBe("Status")
  })
})

describe("tag, inspect and remove failures", () => {
  const image = ref("x:1")

  it("a missing image is ImageNotFound on both runtimes; anything else the runtime's failure", () => {
    const docker = classifyMissing(image, result(1, "[]", "Error response from daemon: No such image: x:1"))
    const podman = classifyMissing(image, result(125, "[]", "Error: inspecting object: x:1: image not known"))
    const down = classifyMissing(image, result(1, "", "Cannot connect to the Docker daemon at unix:///x.sock."))
    expect(Either.isLeft(docker) && docker.left._tag).toBe("ImageNotFound")
    expect(Either.isLeft(podman) && podman.left._tag).toBe("ImageNotFound")
    expect(Either.isLeft(down) && down.left._tag).toBe("CommandFailed")
  })

  it("remove: Podman by exit code (1 missing, 2 in use), Docker by stderr", () => {
    const tagOf = (e: Either.Either<void, { readonly _tag: string }>) => (Either.isLeft(e) ? e.left._tag : "ok")
    expect(tagOf(classifyRemove("podman", image, result(0)))).toBe("ok")
    expect(tagOf(classifyRemove("podman", image, result(1, "", "Error: x:1: image not known")))).toBe("ImageNotFound")
    expect(tagOf(classifyRemove("podman", image, result(2, "", "Error: image used by 1287: image is in use")))).toBe(
      "ImageInUse"
    )
    expect(tagOf(classifyRemove("podman", image, result(125, "", "Error: storage")))).toBe("CommandFailed")
    expect(
      tagOf(classifyRemove("docker", image, result(1, "", "Error response from daemon: No such image: x:1")))
    ).toBe("ImageNotFound")
    const conflict =
      'Error response from daemon: conflict: unable to remove repository reference "x:1" (must force) - container e872a506c503 is using its referenced image aace978e3d12'
    expect(tagOf(classifyRemove("docker", image, result(1, "", conflict)))).toBe("ImageInUse")
    expect(tagOf(classifyRemove("docker", image, result(1, "", "Cannot connect to the Docker daemon")))).toBe(
      "CommandFailed"
    )
  })
})

describe("inspect decoding", () => {
  it("decodes Docker's shape (sha256: ids, null labels)", () => {
    const stdout = JSON.stringify([
      {
        Id: "sha256:a724bbd786b2",
        RepoTags: ["localhost/ociman-test/busybox:1"],
        RepoDigests: [],
        Created: "2026-11-27T03:26:51.234937444Z",
        Config: { Env: ["PATH=/bin"], Cmd: ["sh"], Entrypoint: null, WorkingDir: "", Labels: null },
        Architecture: "amd64",
        Os: "linux",
        Size: 1985472
      }
    ])
    const inspected = Either.getOrThrow(decodeInspect(["docker"], stdout))
    expect(inspected).toMatchObject({
      id: "sha256:a724bbd786b2",
      repoTags: ["localhost/ociman-test/busybox:1"],
      cmd: ["sh"],
      entrypoint: undefined,
      env: ["PATH=/bin"],
      size: 1985472,
      architecture: "amd64",
      exposedPorts: []
    })
    expect(inspected.labels.size).toBe(0)
  })

  it("decodes Podman's shape (bare ids get sha256:, labels sorted)", () => {
    const stdout = JSON.stringify([
      {
        Id: "f5366392aef0",
        Config: { Labels: { b: "2", "io.buildah.version": "1.28.2", a: "1" }, ExposedPorts: { "5432/tcp": {} } }
      }
    ])
    const inspected = Either.getOrThrow(decodeInspect(["podman"], stdout))
    expect(inspected.id).toBe("sha256:f5366392aef0")
    expect(Array.from(inspected.labels.keys())).toEqual(["a", "b", "io.buildah.version"])
    expect(inspected.exposedPorts).toEqual(["5432/tcp"])
  })

  it("output that is not an inspect array is UnexpectedOutput", () => {
    for (const stdout of ["not json", "[]", '[{"NoId":1}]']) {
      const error = decodeInspect(["docker", "image", "inspect", "x"], stdout)
      expect(Either.isLeft(error) && error.left._tag).toBe("UnexpectedOutput")
    }
    const labels = decodeInspect(["podman"], '[{"Id":"x","Config":{"Labels":{"a":1}}}]')
    expect(Either.isLeft(labels) && labels.left._tag).toBe("InvalidInspectLabels")
  })
})

describe("listByName: client-side filter", () => {
  it("drops Podman's same-ID extras and untagged entries, sorts and dedupes", () => {
    const stdout = [
      "localhost/ociman-test/busybox:1",
      "localhost/ociman-test/x:b",
      "localhost/ociman-test/x:a",
      "localhost/ociman-test/x:a",
      "localhost/ociman-test/x-other:a",
      "<none>:<none>",
      ""
    ].join("\n")
    const refs = Either.getOrThrow(parseListByName(["podman"], ref("ociman-test/x"), stdout))
    expect(refs.map(ImageReference.format)).toEqual(["localhost/ociman-test/x:a", "localhost/ociman-test/x:b"])
  })

  it("matches the registry when the name has one; docker.io spellings are equal", () => {
    expect(matchesName(ref("docker.io/library/pg"), ref("pg:1"))).toBe(true)
    expect(matchesName(ref("pg"), ref("docker.io/library/pg:1"))).toBe(true)
    expect(matchesName(ref("pg"), ref("localhost/pg:1"))).toBe(true)
    expect(matchesName(ref("docker.io/pg"), ref("localhost/pg:1"))).toBe(false)
    expect(matchesName(ref("localhost/pg"), ref("ghcr.io/pg:1"))).toBe(false)
    expect(matchesName(ref("pg"), ref("pgx:1"))).toBe(false)
  })

  it("an unparseable line is UnexpectedOutput", () => {
    const error = parseListByName(["docker"], ref("x"), "Bad/Name:1\n")
    expect(Either.isLeft(error) && error.left._tag).toBe("UnexpectedOutput")
  })
})

describe("build definitions", () => {
  it("are immutable Data values with structural equality", () => {
    const base = BuildDefinition.fromInstructions("FROM scratch\n", { name: "x" })
    const withArg = base.pipe(BuildDefinition.buildArg("A", "1"), BuildDefinition.label("k", "v"))
    expect(base.buildArgs).toEqual([])
    expect(Equal.equals(withArg, base.pipe(BuildDefinition.buildArg("A", "1"), BuildDefinition.label("k", "v")))).toBe(
      true
    )
    expect(Equal.equals(withArg, base.pipe(BuildDefinition.buildArg("A", "2"), BuildDefinition.label("k", "v")))).toBe(
      false
    )
  })

  it("every combinator sets its field", () => {
    const def = BuildDefinition.fromDirectory("ctx", { reference: "app:dev" }).pipe(
      BuildDefinition.buildArgs({ A: "1" }),
      BuildDefinition.labels([["l", "v"]]),
      BuildDefinition.target("runtime"),
      BuildDefinition.platform("linux/arm64"),
      BuildDefinition.dockerfile("Dockerfile.prod"),
      BuildDefinition.noCache,
      BuildDefinition.pullBase
    )
    expect(def).toMatchObject({
      source: { _tag: "Directory", context: "ctx" },
      image: { _tag: "Fixed", reference: "app:dev" },
      buildArgs: [["A", "1"]],
      labels: [["l", "v"]],
      target: "runtime",
      platform: "linux/arm64",
      dockerfile: "Dockerfile.prod",
      noCache: true,
      pull: true
    })
    expect(def.pipe(BuildDefinition.contentAddressed("app")).image).toMatchObject({
      _tag: "ContentAddressed",
      name: "app"
    })
    expect(def.pipe(BuildDefinition.contentAddressed("app"), BuildDefinition.tagged("app:2")).image).toMatchObject({
      _tag: "Fixed",
      reference: "app:2"
    })
  })
})

const target = (def: BuildDefinition.BuildDefinition) =>
  Image.targetReference(def).pipe(Effect.map(ImageReference.format), Effect.provide(NodeContext.layer))

describe("targetReference vectors (inventory §5.4)", () => {
  const alpine = "FROM alpine:latest\n"

  it.effect("instructions", () =>
    Effect.gen(function* () {
      expect(yield* target(BuildDefinition.fromInstructions(alpine, { name: "x" }))).toBe(
        "x:afebbeab875bca34d9148b626a501d2008f0e5f2da1e0edfc37150a5bc409187"
      )
      expect(
        yield* target(
          BuildDefinition.fromInstructions(alpine, { name: "x" }).pipe(BuildDefinition.buildArg("VERSION", "1.0"))
        )
      ).toBe("x:47392ae7d1d59b9a9d66d02bfe869afb053fb1180626c2a059ee16228de1d511")
      expect(
        yield* target(
          BuildDefinition.fromInstructions(alpine, { name: "x" }).pipe(BuildDefinition.label("ociman-test.role", "a"))
        )
      ).toBe("x:62666cd6e27e3ba6271e42b560c93a62dee9b184aa514aa4c19e049429a0543b")
      expect(
        yield* target(
          BuildDefinition.fromInstructions(alpine, { name: "localhost/x" }).pipe(
            BuildDefinition.buildArgs({ B: "2", A: "1" }),
            BuildDefinition.labels({ "b.key": "second", "a.key": "first" })
          )
        )
      ).toBe("localhost/x:78a279ae8c76f1aea7b43b4bb37ab66b6123e85f8b3788748dc434aa9dac7a16")
    })
  )

  it.effect("directories (ociman's fixtures)", () =>
    Effect.gen(function* () {
      expect(yield* target(BuildDefinition.fromDirectory(fixture("test-build"), { name: "x" }))).toBe(
        "x:2a754bbfb146ae9516feea92b3f9fae869ab013251c54dd7d6ee29ae8049be8e"
      )
      expect(yield* target(BuildDefinition.fromDirectory(fixture("test-build-hash"), { name: "x" }))).toBe(
        "x:0c7af6cd4d9eba023f339e84ca6ffb08cff4fc4abd52d4e9d71e5a16ba7d8cc0"
      )
    })
  )

  it.effect("a later value wins, a Redacted value hashes like its plain value, labels and stage matter", () =>
    Effect.gen(function* () {
      const base = BuildDefinition.fromInstructions(alpine, { name: "x" })
      const plain = yield* target(base.pipe(BuildDefinition.buildArg("VERSION", "1.0")))
      expect(
        yield* target(base.pipe(BuildDefinition.buildArg("VERSION", "0"), BuildDefinition.buildArg("VERSION", "1.0")))
      ).toBe(plain)
      expect(yield* target(base.pipe(BuildDefinition.buildArg("VERSION", Redacted.make("1.0"))))).toBe(plain)
      const a = yield* target(base.pipe(BuildDefinition.label("role", "a")))
      expect(a).not.toBe(yield* target(base.pipe(BuildDefinition.label("role", "b"))))
      expect(a).toBe(yield* target(base.pipe(BuildDefinition.label("role", "a"))))
      expect(yield* target(base.pipe(BuildDefinition.target("s")))).not.toBe(yield* target(base))
      // noCache and pullBase do not change what is built.
      expect(yield* target(base.pipe(BuildDefinition.noCache, BuildDefinition.pullBase))).toBe(yield* target(base))
    })
  )

  it.effect("a fixed target is the reference as given", () =>
    Effect.gen(function* () {
      expect(yield* target(BuildDefinition.fromInstructions(alpine, { reference: "ghcr.io/org/app:1.2" }))).toBe(
        "ghcr.io/org/app:1.2"
      )
    })
  )

  it.effect("invalid definitions fail with typed errors before anything runs", () =>
    Effect.gen(function* () {
      const tagOf = (def: BuildDefinition.BuildDefinition) =>
        Effect.map(Effect.flip(Image.targetReference(def)), (e) => e._tag).pipe(Effect.provide(NodeContext.layer))
      const base = BuildDefinition.fromInstructions(alpine, { name: "x" })
      expect(yield* tagOf(BuildDefinition.fromInstructions(alpine, { name: "x:1" }))).toBe("InvalidBuildDefinition")
      expect(yield* tagOf(BuildDefinition.fromInstructions(alpine, { name: "Bad" }))).toBe("InvalidImageReference")
      expect(yield* tagOf(BuildDefinition.fromInstructions(alpine, { reference: "x:.bad" }))).toBe(
        "InvalidImageReference"
      )
      expect(yield* tagOf(base.pipe(BuildDefinition.buildArg("A=B", "1")))).toBe("InvalidBuildArg")
      expect(yield* tagOf(base.pipe(BuildDefinition.label("bad key", "1")))).toBe("InvalidLabel")
      expect(yield* tagOf(base.pipe(BuildDefinition.dockerfile("Dockerfile")))).toBe("InvalidBuildDefinition")
      expect(yield* tagOf(base.pipe(BuildDefinition.target("")))).toBe("InvalidBuildDefinition")
      expect(yield* tagOf(base.pipe(BuildDefinition.platform("--help")))).toBe("InvalidBuildDefinition")
      expect(yield* tagOf(BuildDefinition.fromDirectory("/nonexistent/ociman", { name: "x" }))).toBe("ContextNotFound")
    })
  )

  it.effect("prepare resolves the context and the Dockerfile (relative to the context)", () =>
    Effect.gen(function* () {
      const prepared = yield* Image.prepare(
        BuildDefinition.fromDirectory(fixture("test-build"), { reference: "x:1" }).pipe(
          BuildDefinition.dockerfile("../test-build-hash/Dockerfile")
        )
      ).pipe(Effect.provide(NodeContext.layer))
      expect(prepared.request.source).toEqual({
        _tag: "Directory",
        context: fixture("test-build"),
        dockerfile: fixture("test-build-hash/Dockerfile")
      })
      expect(prepared.hash).toBeUndefined()
    })
  )
})

/** A backend that runs a fake executable, for the streaming build path. */
const fakeRuntime = (script: string) =>
  Effect.gen(function* () {
    const executable = yield* fakeExecutable("docker", script)
    const version = Either.getOrThrow(Version.parse("28.2.2"))
    return yield* ContainerRuntime.make({
      kind: "docker",
      executable,
      clientVersion: version,
      engineVersion: version,
      rootless: false,
      source: "argument",
      endpoint: { url: undefined, source: "default", name: undefined, remote: false, host: undefined },
      transport: "cli"
    })
  })

describe("build through a runtime (fake executable)", () => {
  it.scopedLive("Docker: a build whose cached parent vanished (a sibling image removed) is built again", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const marker = yield* fs.makeTempFileScoped()
      // fails like the classic builder the first time, succeeds the second
      const runtime = yield* fakeRuntime(
        `if [ ! -s ${marker} ]; then echo once > ${marker}; echo "Step 2/3 : LABEL a=b"; ` +
          `echo "failed to get digest sha256:${"ab".repeat(32)}: open /var/lib/docker/image/overlay2/imagedb/content/sha256/${"ab".repeat(32)}: no such file or directory" >&2; exit 1; fi; ` +
          `echo "Successfully built"`
      )
      const lines = Array.from(
        yield* Stream.runCollect(
          runtime.images.build(request({ source: { _tag: "Instructions", dockerfile: "FROM scratch\n" } }))
        )
      )
      expect(lines.map((l) => l.line).at(-1)).toBe("Successfully built")
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scopedLive("any other build failure is not retried", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const count = yield* fs.makeTempFileScoped()
      const runtime = yield* fakeRuntime(`echo run >> ${count}; echo "unknown instruction: FORM" >&2; exit 1`)
      const error = yield* Effect.flip(
        Stream.runDrain(runtime.images.build(request({ source: { _tag: "Instructions", dockerfile: "FORM x\n" } })))
      )
      expect(error._tag).toBe("BuildFailed")
      expect((yield* fs.readFileString(count)).trim().split("\n")).toEqual(["run"])
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scopedLive("streams stdout and stderr lines, then succeeds; the Dockerfile arrives on stdin", () =>
    Effect.gen(function* () {
      const runtime = yield* fakeRuntime('echo "step 1"; echo "warn" >&2; cat; echo "args: $*"')
      const lines = yield* Stream.runCollect(
        runtime.images.build(request({ source: { _tag: "Instructions", dockerfile: "FROM scratch\n" } }))
      )
      const all = Array.from(lines)
      expect(all.filter((l) => l.stream === "stdout").map((l) => l.line)).toEqual([
        "step 1",
        "FROM scratch",
        "args: build --tag localhost/app:1 --force-rm -"
      ])
      expect(all.filter((l) => l.stream === "stderr").map((l) => l.line)).toEqual(["warn"])
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scopedLive("a line is what a terminal shows: carriage-return progress keeps its last state", () =>
    Effect.gen(function* () {
      const runtime = yield* fakeRuntime("printf 'sending 1kB\\rsending 3kB\\r\\r\\nnext\\n'")
      const lines = yield* Stream.runCollect(runtime.images.build(request()))
      expect(Array.from(lines).map((l) => l.line)).toEqual(["sending 3kB", "next"])
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scopedLive("a failing build carries the exit code, the argv and the last lines", () =>
    Effect.gen(function* () {
      const runtime = yield* fakeRuntime(
        'i=0; while [ $i -lt 80 ]; do echo "line $i"; i=$((i+1)); done; echo boom >&2; exit 3'
      )
      const error = yield* Effect.flip(Stream.runDrain(runtime.images.build(request())))
      expect(error._tag).toBe("BuildFailed")
      if (error._tag !== "BuildFailed") return
      expect(error.exitCode).toBe(3)
      expect(error.lastLines).toHaveLength(BUILD_TAIL_LINES)
      expect(error.lastLines).toContain("boom")
      expect(error.lastLines).toContain("line 79")
      expect(error.lastLines).not.toContain("line 0")
      expect(error.argv.slice(1)).toEqual(["build", "--tag", "localhost/app:1", "--force-rm", "/ctx"])
      expect(error.message).toContain("exited with 3")
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scopedLive("a secret build argument reaches the CLI's environment and no argv", () =>
    Effect.gen(function* () {
      const runtime = yield* fakeRuntime('echo "token=$TOKEN args=$*"; exit 1')
      const error = yield* Effect.flip(
        Stream.runDrain(
          runtime.images.build(
            request({ buildArgs: [[Either.getOrThrow(BuildArg.key("TOKEN")), Redacted.make("s3cr3t")]] })
          )
        )
      )
      if (error._tag !== "BuildFailed") return expect.fail(error.message)
      expect(error.lastLines).toEqual([
        "token=s3cr3t args=build --tag localhost/app:1 --force-rm --build-arg TOKEN /ctx"
      ])
      expect(error.argv.join(" ")).not.toContain("s3cr3t")
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scopedLive("drains large output on both pipes without deadlock", () =>
    Effect.gen(function* () {
      const runtime = yield* fakeRuntime(
        'i=0; while [ $i -lt 3000 ]; do echo "err $i .................................." >&2; echo "out $i .................................."; i=$((i+1)); done'
      )
      const count = yield* Stream.runCount(runtime.images.build(request()))
      expect(count).toBe(6000)
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scopedLive("a timeout kills the build", () =>
    Effect.gen(function* () {
      const runtime = yield* fakeRuntime("echo started; sleep 30")
      const started = Date.now()
      const error = yield* Effect.flip(Stream.runDrain(runtime.images.build(request({ timeout: "300 millis" }))))
      expect(error._tag).toBe("CommandTimedOut")
      expect(Date.now() - started).toBeLessThan(5_000)
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scopedLive("Image.build and buildIfAbsent run through the service in the context", () =>
    Effect.gen(function* () {
      const runtime = yield* fakeRuntime(
        'case "$2" in ls) exit 0 ;; esac; [ "$1" = build ] && { echo "built $3"; exit 0; }; exit 9'
      )
      const layer = Layer.merge(Layer.succeed(ContainerRuntime.ContainerRuntime, runtime), NodeContext.layer)
      const seen: Array<string> = []
      const def = BuildDefinition.fromInstructions("FROM scratch\n", { name: "localhost/app" })
      const built = yield* Image.buildIfAbsent(def, {
        onOutput: (o) => Effect.sync(() => seen.push(o.line))
      }).pipe(Effect.provide(layer))
      expect(built).toEqual(yield* Image.targetReference(def))
      expect(seen).toEqual([`built ${ImageReference.format(built)}`])
    }).pipe(Effect.provide(NodeContext.layer))
  )
})
