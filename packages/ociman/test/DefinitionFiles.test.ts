/**
 * A definition's files (`ContainerDefinition.files`, issue #17): their validation, the archive
 * they become (extracted at `/`), the argv of a run with files (create, start), and the reuse key
 * (the files' content, not when they were read).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, TestClock } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Def from "../src/ContainerDefinition.js"
import { validate, validateRun } from "../src/internal/containerSpec.js"
import { createArgs, runArgs, startArgs } from "../src/internal/dialect/containers.js"
import { definitionKey } from "../src/internal/reuse.js"
import { readTar } from "../src/internal/tar.js"

const base = Def.make("localhost/ociman-test/busybox:1")

const invalidOf = (definition: Def.ContainerDefinition) => {
  const result = validate(definition)
  if (Either.isRight(result)) return expect.fail("expected an invalid definition")
  if (result.left._tag !== "InvalidContainerDefinition") return expect.fail(result.left._tag)
  return result.left
}

const entriesOf = (archive: Uint8Array | undefined) => {
  if (archive === undefined) return expect.fail("expected files")
  return Either.getOrThrow(readTar(archive)).entries
}

describe("ContainerDefinition.files", () => {
  it("appends entries; a definition without any has none", () => {
    const def = base.pipe(
      Def.files({ target: "/a", content: "a" }),
      Def.files({ target: "/b", source: "./b", mode: 0o600 })
    )
    expect(def.files).toEqual([
      { target: "/a", content: "a" },
      { target: "/b", source: "./b", mode: 0o600 }
    ])
    expect(base.files).toEqual([])
    expect(Either.getOrThrow(validate(def)).files).toBeUndefined()
  })

  it("refuses a relative target, the root, and a mode outside 0..0o7777, naming the entry", () => {
    expect(invalidOf(base.pipe(Def.files({ target: "etc/app.conf", content: "" })))).toMatchObject({
      field: "files[0].target",
      input: '"etc/app.conf"',
      reason: "FileTargetInvalid"
    })
    for (const target of ["/", "//", "/tmp/..", "", "/a\u0000b"]) {
      expect(invalidOf(base.pipe(Def.files({ target, content: "" }))).reason).toBe("FileTargetInvalid")
    }
    for (const mode of [-1, 0o10000, 1.5, Number.NaN]) {
      const error = invalidOf(base.pipe(Def.files({ target: "/ok", content: "" }, { target: "/x", content: "", mode })))
      expect([error.field, error.reason]).toEqual(["files[1].mode", "FileModeInvalid"])
    }
    expect(invalidOf(base.pipe(Def.files({ target: "/x", content: "", mode: 0o10000 }))).message).toContain(
      "0 to 0o7777"
    )
    expect(Either.isRight(validate(base.pipe(Def.files({ target: "/x", content: "", mode: 0o7777 }))))).toBe(true)
  })

  it.effect("reads the files into one archive at /: names without the leading slash, modes, bytes", () =>
    Effect.gen(function* () {
      const dir = fs.mkdtempSync(join(tmpdir(), "ociman-definition-files-"))
      fs.mkdirSync(join(dir, "tree", "sub"), { recursive: true })
      fs.writeFileSync(join(dir, "tree", "sub", "a.txt"), "alpha")
      fs.chmodSync(join(dir, "tree", "sub", "a.txt"), 0o600)
      fs.chmodSync(join(dir, "tree"), 0o755)
      fs.chmodSync(join(dir, "tree", "sub"), 0o750)
      const spec = yield* validateRun(
        base.pipe(
          Def.files(
            { target: "/etc/app.conf", content: "x=1\n" },
            { target: "/bin/run.sh", content: new Uint8Array([35, 33]), mode: 0o755 },
            // `mode` sets a directory's own mode, its contents keep theirs
            { target: "/srv/tree/", source: join(dir, "tree"), mode: 0o700 }
          )
        )
      )
      fs.rmSync(dir, { recursive: true, force: true })
      const entries = entriesOf(spec.files?.archive)
      expect(entries.map((entry) => [entry._tag, entry.path, entry.mode])).toEqual([
        ["File", "etc/app.conf", 0o644],
        ["File", "bin/run.sh", 0o755],
        ["Directory", "srv/tree", 0o700],
        ["Directory", "srv/tree/sub", 0o750],
        ["File", "srv/tree/sub/a.txt", 0o600]
      ])
      const first = entries[0]
      expect(first?._tag === "File" && new TextDecoder().decode(first.content)).toBe("x=1\n")
    })
  )

  it.effect("an archive lands under its target, without its own root entry; `..` and devices are refused", () =>
    Effect.gen(function* () {
      const dir = fs.mkdtempSync(join(tmpdir(), "ociman-archive-"))
      fs.chmodSync(dir, 0o700)
      fs.writeFileSync(join(dir, "a.txt"), "x")
      const archive = new Uint8Array(execFileSync("tar", ["-cf", "-", "-C", dir, "."]))
      fs.rmSync(dir, { recursive: true, force: true })
      const spec = yield* validateRun(base.pipe(Def.files({ target: "/", archive }, { target: "/opt/app", archive })))
      const paths = entriesOf(spec.files?.archive).map((entry) => [entry.path, entry._tag])
      // the archive's `./` (mode 0700) would have made the container's root, or /opt/app, 0700
      expect(paths).toEqual([
        ["a.txt", "File"],
        ["opt/app/a.txt", "File"]
      ])
      const climbDir = fs.mkdtempSync(join(tmpdir(), "ociman-archive-"))
      fs.mkdirSync(join(climbDir, "in"))
      fs.writeFileSync(join(climbDir, "out.txt"), "x")
      const climbing = new Uint8Array(
        execFileSync("tar", ["-cf", "-", "--absolute-names", "-C", join(climbDir, "in"), "../out.txt"])
      )
      fs.rmSync(climbDir, { recursive: true, force: true })
      const escape = yield* Effect.flip(validateRun(base.pipe(Def.files({ target: "/opt", archive: climbing }))))
      expect(escape._tag === "InvalidContainerDefinition" && escape.reason).toBe("FileArchiveInvalid")
      const fifoDir = fs.mkdtempSync(join(tmpdir(), "ociman-archive-"))
      execFileSync("mkfifo", [join(fifoDir, "pipe")])
      const withFifo = new Uint8Array(execFileSync("tar", ["-cf", "-", "-C", fifoDir, "pipe"]))
      fs.rmSync(fifoDir, { recursive: true, force: true })
      const fifo = yield* Effect.flip(validateRun(base.pipe(Def.files({ target: "/opt", archive: withFifo }))))
      expect(fifo._tag === "InvalidContainerDefinition" && fifo.reason).toBe("FileArchiveInvalid")
    })
  )

  it.effect("an owner goes into the archive's headers (uid, gid); an invalid one is refused", () =>
    Effect.gen(function* () {
      const spec = yield* validateRun(
        base.pipe(
          Def.files(
            { target: "/srv/a", content: "x", owner: { uid: 1234, gid: 2345 } },
            { target: "/srv/b", content: "y" }
          )
        )
      )
      const archive = spec.files?.archive ?? expect.fail("expected files")
      const octal = (offset: number, block: number) =>
        parseInt(
          new TextDecoder()
            .decode(archive.subarray(block * 512 + offset, block * 512 + offset + 8))
            .replace(/\0.*$/, "")
            .trim(),
          8
        )
      // block 0: /srv/a's header; block 2: /srv/b's (each file's content takes one block)
      expect([octal(108, 0), octal(116, 0)]).toEqual([1234, 2345])
      expect([octal(108, 2), octal(116, 2)]).toEqual([0, 0])
      const key = (owner: Def.FileOwner | undefined) =>
        validateRun(base.pipe(Def.files({ target: "/srv/a", content: "x", owner }))).pipe(Effect.map(definitionKey))
      expect(yield* key({ uid: 1, gid: 1 })).not.toBe(yield* key(undefined))
      for (const owner of [
        { uid: -1, gid: 0 },
        { uid: 0, gid: 0o10000000 },
        { uid: 1.5, gid: 0 }
      ]) {
        const error = invalidOf(base.pipe(Def.files({ target: "/srv/a", content: "x", owner })))
        expect([error.reason, error.field]).toEqual(["FileOwnerInvalid", "files[0].owner"])
      }
    })
  )

  it.effect("a missing source is HostPathNotFound, before anything runs", () =>
    Effect.gen(function* () {
      const missing = join(tmpdir(), `ociman-absent-${process.pid}-${Date.now()}`)
      const error = yield* Effect.flip(validateRun(base.pipe(Def.files({ target: "/x", source: missing }))))
      if (error._tag !== "HostPathNotFound") return expect.fail(error._tag)
      expect(error.path).toBe(missing)
    })
  )

  it.effect("the reuse key follows the files' content and modes, not the time they were read", () =>
    Effect.gen(function* () {
      const keyOf = (files: ReadonlyArray<Def.ContainerFile>) =>
        Effect.map(validateRun(base.pipe(Def.files(...files))), definitionKey)
      const first = yield* keyOf([{ target: "/a", content: "one" }])
      yield* TestClock.adjust("1 hour")
      expect(yield* keyOf([{ target: "/a", content: "one" }])).toBe(first)
      expect(yield* keyOf([{ target: "/a", content: "two" }])).not.toBe(first)
      expect(yield* keyOf([{ target: "/a", content: "one", mode: 0o600 }])).not.toBe(first)
      expect(yield* keyOf([{ target: "/b", content: "one" }])).not.toBe(first)
      // no files at all is the key of a definition without them (Reuse.test.ts pins that key to 0.1.0's)
      expect(yield* keyOf([])).toBe(definitionKey(Either.getOrThrow(validate(base))))
    })
  )

  it("a run with files is `create` with run's flags (no --detach), then `start`, attached for the foreground", () => {
    const spec = Either.getOrThrow(
      validate(base.pipe(Def.name("app"), Def.withRemove, Def.withInteractive, Def.command(["cat", "/x"])))
    )
    const created = createArgs(spec, { envArgs: ["--env", "A"] })
    expect(created.slice(0, 2)).toEqual(["container", "create"])
    expect(created).not.toContain("--detach")
    expect(created.slice(2)).toEqual(runArgs(spec, { detach: false, envArgs: ["--env", "A"] }).slice(2))
    expect(created).toContain("--rm")
    expect(startArgs("abc", { attach: false, interactive: true })).toEqual(["container", "start", "abc"])
    expect(startArgs("abc", { attach: true, interactive: false })).toEqual(["container", "start", "--attach", "abc"])
    expect(startArgs("abc", { attach: true, interactive: true })).toEqual([
      "container",
      "start",
      "--attach",
      "--interactive",
      "abc"
    ])
  })
})
