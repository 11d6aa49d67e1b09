/**
 * Conformance: a definition's files (`ContainerDefinition.files`), in the container before its
 * first process starts (issue #17). Part of the suite in `suite.ts`, run on Docker, Podman (both
 * transports) and the in-memory runtime.
 *
 * On the real runtimes the main process itself observes them (its command is a script placed by
 * the definition, which prints what it finds: contents, modes, checksums); the in-memory runtime,
 * which runs no process (`capabilities.processes`), is observed through `readFile` and `copyFrom`
 * (its file map). Failures are typed and leave no container behind: every test labels its
 * containers with a marker and lists them after a failing start.
 */
import { expect } from "@effect/vitest"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import { join } from "node:path"
import { Container, ContainerDefinition as Def, Label, type TestRuntime, Wait } from "ociman"
import { hostDir, labelKey, type Part, partLayer, whereOf } from "./part.js"

/**
 * How the in-memory runtime answers the commands of these tests: none. Every command below runs
 * only where `capabilities.processes` holds; the in-memory runtime is checked through its file map.
 */
export const definitionFilesHandlers: ReadonlyArray<TestRuntime.Handler> = []

const CONFIG = "port=8080\nname=wörld\n"
const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i)
const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex")

/** The main process: prints what the definition placed, then runs until stopped. */
const ENTRY = [
  "#!/bin/sh",
  "cat /etc/app.conf",
  "stat -c '%n %a %s' /etc/app.conf /usr/local/bin/entry.sh /opt/deep/nested/bytes.bin",
  "md5sum /opt/deep/nested/bytes.bin",
  "echo files-seen",
  "trap 'exit 0' TERM",
  "sleep 60 & wait",
  ""
].join("\n")

const HOST_DIR_PREFIX = "ociman-definition-files"
const SLEEPER = ["sh", "-c", "trap 'exit 0' TERM; sleep 60 & wait"]

/** Declares these tests for one runtime (see `conformance` in `suite.ts`). */
export const definitionFilesConformance: Part = (kind, runtime, capabilities, image) => {
  const where = whereOf(kind, capabilities)
  let counter = 0
  /** A label only this test's containers carry. */
  const uniqueMarker = () => `ociman-test.definition-files-${where}-${process.pid}-${(counter += 1)}`
  const left = (marker: string) => Container.list([Label.keyOnly(labelKey(marker))])

  partLayer(runtime)(`definition files (${where})`, (it) => {
    it.scoped("definition files: the main process sees them at start, exact bytes and modes, parents created", () =>
      Effect.gen(function* () {
        const def = Def.make(image).pipe(
          Def.files(
            { target: "/etc/app.conf", content: CONFIG },
            { target: "/usr/local/bin/entry.sh", content: ENTRY, mode: 0o755 },
            // parents that do not exist are created
            { target: "/opt/deep/nested/bytes.bin", content: allBytes, mode: 0o600 }
          ),
          Def.command(["/usr/local/bin/entry.sh"])
        )
        if (capabilities.processes) {
          const c = yield* Container.start(def, { waitFor: Wait.logLine("files-seen"), timeout: "60 seconds" })
          const lines = (yield* c.logs).map((line) => line.text)
          expect(lines).toEqual([
            "port=8080",
            "name=wörld",
            `/etc/app.conf 644 ${new TextEncoder().encode(CONFIG).length}`,
            `/usr/local/bin/entry.sh 755 ${new TextEncoder().encode(ENTRY).length}`,
            "/opt/deep/nested/bytes.bin 600 256",
            `${md5(allBytes)}  /opt/deep/nested/bytes.bin`,
            "files-seen"
          ])
        } else {
          const c = yield* Container.start(def)
          expect(yield* c.readFileString("/etc/app.conf")).toBe(CONFIG)
          expect(yield* c.readFileString("/usr/local/bin/entry.sh")).toBe(ENTRY)
          expect(yield* c.readFile("/opt/deep/nested/bytes.bin")).toEqual(allBytes)
          const dir = yield* hostDir(HOST_DIR_PREFIX)
          yield* c.copyFrom("/usr/local/bin/entry.sh", join(dir, "entry.sh"))
          yield* c.copyFrom("/opt/deep/nested/bytes.bin", join(dir, "bytes.bin"))
          expect(fs.statSync(join(dir, "entry.sh")).mode & 0o7777).toBe(0o755)
          expect(fs.statSync(join(dir, "bytes.bin")).mode & 0o7777).toBe(0o600)
        }
      })
    )

    it.scoped("definition files: a directory tree and a file from this machine, with their modes and links", () =>
      Effect.gen(function* () {
        const dir = yield* hostDir(HOST_DIR_PREFIX)
        const tree = join(dir, "tree")
        fs.mkdirSync(join(tree, "sub"), { recursive: true })
        fs.writeFileSync(join(tree, "sub", "a.txt"), "alpha\n")
        fs.chmodSync(join(tree, "sub", "a.txt"), 0o600)
        fs.writeFileSync(join(tree, "run.sh"), "#!/bin/sh\necho ran\n")
        fs.chmodSync(join(tree, "run.sh"), 0o755)
        fs.symlinkSync("sub/a.txt", join(tree, "link"))
        fs.chmodSync(join(tree, "sub"), 0o750)
        fs.writeFileSync(join(dir, "single.txt"), "single\n")
        fs.chmodSync(join(dir, "single.txt"), 0o644)

        const c = yield* Container.start(
          Def.make(image).pipe(
            Def.files(
              { target: "/srv/tree", source: tree },
              // `mode` replaces the host file's
              { target: "/srv/single.txt", source: join(dir, "single.txt"), mode: 0o640 }
            ),
            Def.command(["sh", "-c", "trap 'exit 0' TERM; sleep 60 & wait"])
          )
        )
        expect(yield* c.readFileString("/srv/tree/sub/a.txt")).toBe("alpha\n")
        expect(yield* c.readFileString("/srv/single.txt")).toBe("single\n")
        if (capabilities.processes) {
          const found = yield* c.execSuccess(["sh", "-c", "cd /srv/tree && find . | sort"])
          expect(found.stdout).toBe(".\n./link\n./run.sh\n./sub\n./sub/a.txt\n")
          const modes = yield* c.execSuccess([
            "stat",
            "-c",
            "%n %a",
            "/srv/tree/sub",
            "/srv/tree/sub/a.txt",
            "/srv/single.txt"
          ])
          expect(modes.stdout).toBe("/srv/tree/sub 750\n/srv/tree/sub/a.txt 600\n/srv/single.txt 640\n")
          expect((yield* c.execSuccess(["/srv/tree/run.sh"])).stdout).toBe("ran\n")
          expect((yield* c.execSuccess(["readlink", "/srv/tree/link"])).stdout).toBe("sub/a.txt\n")
        } else {
          const back = join(dir, "back")
          yield* c.copyFrom("/srv/tree", back)
          expect(fs.statSync(join(back, "sub")).mode & 0o7777).toBe(0o750)
          expect(fs.statSync(join(back, "run.sh")).mode & 0o7777).toBe(0o755)
          expect(fs.readlinkSync(join(back, "link"))).toBe("sub/a.txt")
          yield* c.copyFrom("/srv/single.txt", join(dir, "single-back.txt"))
          expect(fs.statSync(join(dir, "single-back.txt")).mode & 0o7777).toBe(0o640)
        }
      })
    )

    it.scoped("definition files: a foreground run's command sees them, and --rm removes it after", () =>
      Effect.gen(function* () {
        const marker = uniqueMarker()
        const result = yield* Container.run(
          Def.make(image).pipe(
            Def.labels({ [marker]: "1" }),
            Def.files({ target: "/etc/app.conf", content: CONFIG }),
            Def.command(["cat", "/etc/app.conf"]),
            Def.withRemove
          )
        )
        expect(result.exitCode).toBe(0)
        if (capabilities.processes) expect(result.stdout).toBe(CONFIG)
        // the in-memory runtime runs no command: nothing printed it
        else expect(result.stdout).toBe("")
        expect(yield* left(marker)).toEqual([])
        // a non-zero exit of the command is its result, not a start failure
        if (capabilities.processes) {
          const failing = yield* Effect.flip(
            Container.run(
              Def.make(image).pipe(
                Def.labels({ [marker]: "1" }),
                Def.files({ target: "/tmp/x", content: "x" }),
                Def.command(["sh", "-c", "cat /tmp/x; exit 3"]),
                Def.withRemove
              )
            )
          )
          if (failing._tag !== "ContainerExitedNonZero") return expect.fail(`${failing._tag}: ${failing.message}`)
          expect(failing.exitCode).toBe(3)
          expect(failing.stdout).toBe("x")
          // a command that cannot start is ContainerStartFailed, and its container is gone
          const unstartable = yield* Effect.flip(
            Container.run(
              Def.make(image).pipe(
                Def.labels({ [marker]: "1" }),
                Def.files({ target: "/tmp/x", content: "x" }),
                Def.command(["/no/such/binary"])
              )
            )
          )
          expect(unstartable._tag).toBe("ContainerStartFailed")
          expect(yield* left(marker)).toEqual([])
        } else {
          expect(capabilities.processes).toBe(false)
        }
      })
    )

    it.scoped("definition files: a tar archive is extracted into its target, modes and links kept", () =>
      Effect.gen(function* () {
        const dir = yield* hostDir(HOST_DIR_PREFIX)
        fs.mkdirSync(join(dir, "sub"))
        fs.writeFileSync(join(dir, "a.txt"), "from the archive\n")
        fs.writeFileSync(join(dir, "sub", "run.sh"), "#!/bin/sh\necho ran\n", { mode: 0o750 })
        fs.symlinkSync("a.txt", join(dir, "link"))
        // made by this machine's tar, as a user's archive would be
        const archive = new Uint8Array(
          execFileSync("tar", ["-cf", "-", "--owner=0", "--group=0", "-C", dir, "a.txt", "sub", "link"])
        )
        const c = yield* Container.start(
          Def.make(image).pipe(Def.command(SLEEPER), Def.files({ target: "/opt/app", archive }))
        )
        expect(yield* c.readFileString("/opt/app/a.txt")).toBe("from the archive\n")
        expect(yield* c.readFileString("/opt/app/sub/run.sh")).toBe("#!/bin/sh\necho ran\n")
        if (capabilities.processes) {
          const seen = yield* c.exec([
            "sh",
            "-c",
            "stat -c '%a' /opt/app/sub/run.sh; readlink /opt/app/link; /opt/app/sub/run.sh"
          ])
          expect(seen.stdout).toBe("750\na.txt\nran\n")
        }
        // a path that climbs out of the target, or bytes that are no tar, are refused before anything runs
        const marker = uniqueMarker()
        const climbing = new Uint8Array(
          execFileSync("tar", ["-cf", "-", "--absolute-names", "-C", join(dir, "sub"), "../a.txt"])
        )
        const escape = yield* Effect.flip(
          Container.start(
            Def.make(image).pipe(Def.labels({ [marker]: "1" }), Def.files({ target: "/opt", archive: climbing }))
          )
        )
        expect(escape._tag === "InvalidContainerDefinition" && escape.reason).toBe("FileArchiveInvalid")
        const garbage = yield* Effect.flip(
          Container.start(
            Def.make(image).pipe(Def.labels({ [marker]: "1" }), Def.files({ target: "/opt", archive: allBytes }))
          )
        )
        expect(garbage._tag === "InvalidContainerDefinition" && garbage.reason).toBe("FileArchiveInvalid")
        expect(yield* left(marker)).toEqual([])
      })
    )

    it.scoped("definition files: an owner (uid:gid) is the file's, and a directory tree's, in the container", () =>
      Effect.gen(function* () {
        const dir = yield* hostDir(HOST_DIR_PREFIX)
        fs.mkdirSync(join(dir, "conf"))
        fs.writeFileSync(join(dir, "conf", "app.ini"), "[app]\n")
        const owner = { uid: 1234, gid: 2345 }
        const c = yield* Container.start(
          Def.make(image).pipe(
            Def.command(SLEEPER),
            Def.files(
              { target: "/srv/owned.txt", content: "mine\n", owner },
              { target: "/srv/conf", source: join(dir, "conf"), owner },
              { target: "/srv/root.txt", content: "root's\n" }
            )
          )
        )
        expect(yield* c.readFileString("/srv/owned.txt")).toBe("mine\n")
        if (capabilities.processes) {
          const seen = yield* c.exec([
            "stat",
            "-c",
            "%n %u:%g",
            "/srv/owned.txt",
            "/srv/conf",
            "/srv/conf/app.ini",
            "/srv/root.txt"
          ])
          expect(seen.stdout).toBe(
            "/srv/owned.txt 1234:2345\n/srv/conf 1234:2345\n/srv/conf/app.ini 1234:2345\n/srv/root.txt 0:0\n"
          )
        }
      })
    )

    it.scoped("definition files: checked before anything runs (target, mode, host source), nothing created", () =>
      Effect.gen(function* () {
        const marker = uniqueMarker()
        const base = Def.make(image).pipe(Def.labels({ [marker]: "1" }), Def.command(["true"]))
        const relative = yield* Effect.flip(
          Container.start(base.pipe(Def.files({ target: "etc/app.conf", content: "x" })))
        )
        if (relative._tag !== "InvalidContainerDefinition") return expect.fail(`${relative._tag}: ${relative.message}`)
        expect(relative.reason).toBe("FileTargetInvalid")
        expect(relative.field).toBe("files[0].target")
        const root = yield* Effect.flip(Container.start(base.pipe(Def.files({ target: "/", content: "x" }))))
        expect(root._tag === "InvalidContainerDefinition" && root.reason).toBe("FileTargetInvalid")
        const mode = yield* Effect.flip(
          Container.start(
            base.pipe(Def.files({ target: "/a", content: "x" }, { target: "/b", content: "x", mode: 0o10000 }))
          )
        )
        if (mode._tag !== "InvalidContainerDefinition") return expect.fail(`${mode._tag}: ${mode.message}`)
        expect([mode.reason, mode.field]).toEqual(["FileModeInvalid", "files[1].mode"])
        const dir = yield* hostDir(HOST_DIR_PREFIX)
        const missing = yield* Effect.flip(
          Container.start(base.pipe(Def.files({ target: "/a", source: join(dir, "absent") })))
        )
        if (missing._tag !== "HostPathNotFound") return expect.fail(`${missing._tag}: ${missing.message}`)
        expect(missing.path).toBe(join(dir, "absent"))
        const foreground = yield* Effect.flip(
          Container.run(base.pipe(Def.files({ target: "/a", source: join(dir, "absent") })))
        )
        expect(foreground._tag).toBe("HostPathNotFound")
        expect(yield* left(marker)).toEqual([])
      })
    )

    it.scoped("definition files: files that cannot be put fail the start typed, and leave no container", () =>
      Effect.gen(function* () {
        const marker = uniqueMarker()
        // the second file's parent is the first file
        const def = Def.make(image).pipe(
          Def.labels({ [marker]: "1" }),
          Def.files({ target: "/tmp/plain", content: "a file" }, { target: "/tmp/plain/below", content: "x" }),
          Def.command(["sh", "-c", "trap 'exit 0' TERM; sleep 60 & wait"])
        )
        const scoped = yield* Effect.flip(Container.start(def))
        if (scoped._tag !== "ContainerStartFailed") return expect.fail(`${scoped._tag}: ${scoped.message}`)
        expect(yield* left(marker)).toEqual([])
        const detached = yield* Effect.flip(Container.startDetached(def))
        expect(detached._tag).toBe("ContainerStartFailed")
        expect(yield* left(marker)).toEqual([])
        const foreground = yield* Effect.flip(Container.run(def.pipe(Def.command(["true"]))))
        expect(foreground._tag).toBe("ContainerStartFailed")
        expect(yield* left(marker)).toEqual([])
      })
    )
  })
}
