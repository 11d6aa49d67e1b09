/**
 * Podman fails a read of its image store while another process removes an image (exit 125,
 * naming that other image). Such calls are asked again; other failures are classified at once.
 */
import { describe, expect, it } from "@effect/vitest"
import type { CommandExecutor } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { Effect, Either, Ref } from "effect"
import type { CliResult, Service } from "../../../src/ContainerRuntime.js"
import * as ImageReference from "../../../src/ImageReference.js"
import * as Label from "../../../src/Label.js"
import { makeImageOperations } from "../../../src/internal/cli/images.js"
import { labeledImages } from "../../../src/internal/dialect/images.js"
import { listLabeled } from "../../../src/internal/cli/labeled.js"
import { askingAgainAfterStorageRace, STORAGE_RACE_RETRIES } from "../../../src/internal/cli/storageRace.js"

const encode = (text: string) => new TextEncoder().encode(text)
const result = (argv: ReadonlyArray<string>, exitCode: number, stdout: string, stderr = ""): CliResult => ({
  argv,
  exitCode,
  signal: undefined,
  stdout: encode(stdout),
  stderr: encode(stderr)
})

/** What Podman 4.3 printed in CI while another program's image was being removed. */
const RACE =
  'Error: locating item named "manifest" for image with ID "38411cce3974dde1bc67ec87f4af1ce1cea3213aa89470010a69cfc381d7f63a" (consider removing the image to resolve the issue): file does not exist\n'

/** A CLI answering each call with the next of `answers` (the last one repeated), counting the calls. */
const scriptedCli = (answers: ReadonlyArray<(argv: ReadonlyArray<string>) => CliResult>) =>
  Effect.map(Ref.make<ReadonlyArray<ReadonlyArray<string>>>([]), (calls) => {
    const cli: Service["cli"] = (args) =>
      Ref.modify(calls, (seen) => {
        const answer = answers[Math.min(seen.length, answers.length - 1)]
        const argv = ["podman", ...args]
        return [answer === undefined ? result(argv, 0, "") : answer(argv), [...seen, argv]] as const
      })
    return { cli, calls: Ref.get(calls) }
  })

const raced = (argv: ReadonlyArray<string>) => result(argv, 125, "", RACE)

describe("askingAgainAfterStorageRace", () => {
  it.live("asks again after a storage race, and returns the answer", () =>
    Effect.gen(function* () {
      const { cli, calls } = yield* scriptedCli([raced, raced, (argv) => result(argv, 0, "[]")])
      const answer = yield* askingAgainAfterStorageRace("podman", cli)(["image", "inspect", "localhost/a:1"])
      expect(answer.exitCode).toBe(0)
      expect((yield* calls).length).toBe(3)
    })
  )

  it.live("gives up after its retries and returns the raced result to be classified", () =>
    Effect.gen(function* () {
      const { cli, calls } = yield* scriptedCli([raced])
      const answer = yield* askingAgainAfterStorageRace("podman", cli)(["image", "inspect", "localhost/a:1"])
      expect(answer.exitCode).toBe(125)
      expect((yield* calls).length).toBe(1 + STORAGE_RACE_RETRIES)
    })
  )

  it.live("asks a listing again when a listed volume or container went before it was read", () =>
    Effect.gen(function* () {
      const vanished = [
        "Error: no volume with name 96677ff0af2285defef53a797fa06c4efad637af8396b4b0037e33a233cd89ea found in database: no such volume\n",
        "Error: no container with ID 5c3f0f2b8a3e found in database: no such container\n"
      ]
      for (const stderr of vanished) {
        const { cli, calls } = yield* scriptedCli([
          (argv) => result(argv, 125, "", stderr),
          (argv) => result(argv, 0, "")
        ])
        expect((yield* askingAgainAfterStorageRace("podman", cli)(["volume", "ls", "--quiet"])).exitCode).toBe(0)
        expect((yield* calls).length).toBe(2)
      }
      // a call that names a missing volume is answered at once: that volume is not there
      const missing = yield* scriptedCli([
        (argv) => result(argv, 125, "", 'Error: no volume with name "data" found: no such volume\n')
      ])
      expect((yield* askingAgainAfterStorageRace("podman", missing.cli)(["volume", "inspect", "data"])).exitCode).toBe(
        125
      )
      expect((yield* missing.calls).length).toBe(1)
    })
  )

  it.live("does not ask again after any other failure, or a success", () =>
    Effect.gen(function* () {
      const missing = yield* scriptedCli([(argv) => result(argv, 125, "", "Error: localhost/a:1: image not known\n")])
      expect(
        (yield* askingAgainAfterStorageRace("podman", missing.cli)(["image", "inspect", "localhost/a:1"])).exitCode
      ).toBe(125)
      expect((yield* missing.calls).length).toBe(1)
      const fine = yield* scriptedCli([(argv) => result(argv, 0, "[]")])
      yield* askingAgainAfterStorageRace("podman", fine.cli)(["image", "inspect", "localhost/a:1"])
      expect((yield* fine.calls).length).toBe(1)
    })
  )
})

describe("Docker has no storage race", () => {
  it.live("the same failure from Docker is classified at once", () =>
    Effect.gen(function* () {
      const { cli, calls } = yield* scriptedCli([raced])
      expect((yield* askingAgainAfterStorageRace("docker", cli)(["image", "inspect", "a:1"])).exitCode).toBe(125)
      expect((yield* calls).length).toBe(1)
    })
  )
})

describe("image operations after a storage race", () => {
  const reference = Either.getOrThrow(ImageReference.parse("localhost/a:1"))
  const imagesOf = (cli: Service["cli"]) =>
    Effect.map(Effect.context<CommandExecutor.CommandExecutor>(), (platform) =>
      makeImageOperations({ kind: "podman", executable: "podman" }, cli, platform)
    ).pipe(Effect.provide(NodeContext.layer))
  const missing = (argv: ReadonlyArray<string>) => result(argv, 1, "", "Error: localhost/a:1: image not known\n")

  it.live("inspect answers once the other image is gone", () =>
    Effect.gen(function* () {
      const inspect = '[{"Id":"sha256:eea5","RepoTags":["localhost/a:1"],"Config":{"Labels":{"x":"y"}}}]'
      const { cli, calls } = yield* scriptedCli([raced, (argv) => result(argv, 0, inspect)])
      const found = yield* (yield* imagesOf(cli)).inspect(reference)
      expect([found.id, found.labels.get("x")]).toEqual(["sha256:eea5", "y"])
      expect((yield* calls).length).toBe(2)
    })
  )

  it.live(
    "a removal that raced and then finds the image gone has removed it; without a race, gone is ImageNotFound",
    () =>
      Effect.gen(function* () {
        const afterRace = yield* scriptedCli([raced, missing])
        yield* (yield* imagesOf(afterRace.cli)).remove(reference)
        expect((yield* afterRace.calls).length).toBe(2)
        const never = yield* scriptedCli([missing])
        const error = yield* Effect.flip((yield* imagesOf(never.cli)).remove(reference))
        expect(error._tag).toBe("ImageNotFound")
      })
  )
})

describe("listLabeled after a storage race", () => {
  it.live("the sweep's image listing answers once the other image is gone", () =>
    Effect.gen(function* () {
      const id = "sha256:eea5faa792bc23528b2f6e25d17c0e1c938aa47e9b77e03a3914fd678266cd63"
      const { cli, calls } = yield* scriptedCli([
        (argv) => result(argv, 0, `${id}\n`),
        raced,
        (argv) => result(argv, 0, `${id}\t["localhost/s:1"]\t{"ociman.managed":"true"}\n`)
      ])
      const managed = Label.exact(yield* Label.key("ociman.managed"), yield* Label.value("true"))
      const images = yield* listLabeled(askingAgainAfterStorageRace("podman", cli), labeledImages, [managed])
      expect(images.map((image) => [image.id, image.references, image.labels.get("ociman.managed")])).toEqual([
        [id, ["localhost/s:1"], "true"]
      ])
      expect((yield* calls).map((argv) => argv[2])).toEqual(["ls", "inspect", "inspect"])
    })
  )
})
