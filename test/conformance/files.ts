/**
 * Conformance: files in and out of a container: copyTo, copyFrom, readFile, writeFile (issue #17). Part of the suite in `suite.ts`, run on Docker, Podman (both transports)
 * and the in-memory runtime.
 *
 * What a write did is observed from inside the container (`cat`, `md5sum`, `stat`, `find`) where
 * the runtime runs processes; the in-memory runtime, which runs none (`capabilities.processes`),
 * is observed through `readFile` and `copyFrom`, which read its file map.
 */
import { expect } from "@effect/vitest"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import { join } from "node:path"
import { Container, ContainerDefinition as Def, type TestRuntime } from "ociman"
import { hostDir, type Part, partLayer, whereOf } from "./part.js"

/**
 * How the in-memory runtime answers the commands of these tests: none. Every command below runs
 * only where `capabilities.processes` holds; the in-memory runtime is checked through its file map.
 */
export const filesHandlers: ReadonlyArray<TestRuntime.Handler> = []

/** Runs until stopped, and exits 0 at once on SIGTERM. */
const SLEEPER = ["sh", "-c", "trap 'exit 0' TERM; sleep 60 & wait"]

const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i)
const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex")

const HOST_DIR_PREFIX = "ociman-files"

/** Declares these tests for one runtime (see `conformance` in `suite.ts`). */
export const filesConformance: Part = (kind, runtime, capabilities, image) => {
  const where = whereOf(kind, capabilities)
  const sleeper = Def.make(image).pipe(Def.command(SLEEPER))

  partLayer(runtime)(`files (${where})`, (it) => {
    it.scoped("files: writeFile writes the exact bytes with the mode, and readFile reads them back", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(sleeper)
        const text = "hello\nwörld\n\ttabs and no newline at the end"
        yield* c.writeFile("/tmp/written.txt", text, { mode: 0o640 })
        expect(yield* c.readFileString("/tmp/written.txt")).toBe(text)
        // default mode, and a relative path starts at the root
        yield* c.writeFile("tmp/default-mode", "x")
        expect(yield* c.readFileString("/tmp/default-mode")).toBe("x")
        // an existing file is replaced
        yield* c.writeFile("/tmp/written.txt", "shorter", { mode: 0o600 })
        expect(yield* c.readFileString("/tmp/written.txt")).toBe("shorter")
        if (capabilities.processes) {
          expect((yield* c.execSuccess(["cat", "/tmp/written.txt"])).stdout).toBe("shorter")
          const modes = yield* c.execSuccess(["stat", "-c", "%a %u", "/tmp/written.txt", "/tmp/default-mode"])
          expect(modes.stdout).toBe("600 0\n644 0\n")
        }
      })
    )

    it.scoped("files: binary content round-trips, all 256 byte values", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(sleeper)
        yield* c.writeFile("/tmp/bytes.bin", allBytes, { mode: 0o755 })
        expect(yield* c.readFile("/tmp/bytes.bin")).toEqual(allBytes)
        if (capabilities.processes) {
          const sum = yield* c.execSuccess(["md5sum", "/tmp/bytes.bin"])
          expect(sum.stdout.split(" ")[0]).toBe(md5(allBytes))
          expect((yield* c.execSuccess(["stat", "-c", "%a %s", "/tmp/bytes.bin"])).stdout).toBe("755 256\n")
        }
      })
    )

    it.scoped("files: copyTo copies a directory tree with its modes and links, copyFrom brings it back", () =>
      Effect.gen(function* () {
        const dir = yield* hostDir(HOST_DIR_PREFIX)
        const source = join(dir, "source")
        fs.mkdirSync(join(source, "sub"), { recursive: true })
        fs.writeFileSync(join(source, "sub", "a.txt"), "alpha\n")
        fs.chmodSync(join(source, "sub", "a.txt"), 0o600)
        fs.writeFileSync(join(source, "run.sh"), "#!/bin/sh\necho ran\n")
        fs.chmodSync(join(source, "run.sh"), 0o755)
        fs.writeFileSync(join(source, "bytes.bin"), allBytes)
        fs.symlinkSync("sub/a.txt", join(source, "link"))
        fs.chmodSync(join(source, "sub"), 0o750)

        const c = yield* Container.start(sleeper)
        // the destination names the copy itself, not a directory to copy into
        yield* c.copyTo(source, "/tmp/tree")
        expect(yield* c.readFileString("/tmp/tree/sub/a.txt")).toBe("alpha\n")
        expect(yield* c.readFile("/tmp/tree/bytes.bin")).toEqual(allBytes)
        if (capabilities.processes) {
          const tree = yield* c.execSuccess(["sh", "-c", "cd /tmp/tree && find . | sort"])
          expect(tree.stdout).toBe(".\n./bytes.bin\n./link\n./run.sh\n./sub\n./sub/a.txt\n")
          const modes = yield* c.execSuccess(["stat", "-c", "%n %a", "/tmp/tree/sub", "/tmp/tree/sub/a.txt"])
          expect(modes.stdout).toBe("/tmp/tree/sub 750\n/tmp/tree/sub/a.txt 600\n")
          expect((yield* c.execSuccess(["/tmp/tree/run.sh"])).stdout).toBe("ran\n")
          expect((yield* c.execSuccess(["readlink", "/tmp/tree/link"])).stdout).toBe("sub/a.txt\n")
        }
        // a single file, to a new name
        yield* c.copyTo(join(source, "run.sh"), "/tmp/renamed.sh")
        expect(yield* c.readFileString("/tmp/renamed.sh")).toBe("#!/bin/sh\necho ran\n")

        const back = join(dir, "back")
        yield* c.copyFrom("/tmp/tree", back)
        expect(fs.readFileSync(join(back, "sub", "a.txt"), "utf8")).toBe("alpha\n")
        expect(new Uint8Array(fs.readFileSync(join(back, "bytes.bin")))).toEqual(allBytes)
        expect(fs.statSync(join(back, "sub", "a.txt")).mode & 0o7777).toBe(0o600)
        expect(fs.statSync(join(back, "run.sh")).mode & 0o7777).toBe(0o755)
        expect(fs.statSync(join(back, "sub")).mode & 0o7777).toBe(0o750)
        expect(fs.readlinkSync(join(back, "link"))).toBe("sub/a.txt")
        expect(fs.readdirSync(back).sort()).toEqual(["bytes.bin", "link", "run.sh", "sub"])
        // a single file, to a new name
        yield* c.copyFrom("/tmp/tree/sub/a.txt", join(dir, "single.txt"))
        expect(fs.readFileSync(join(dir, "single.txt"), "utf8")).toBe("alpha\n")
      })
    )

    it.scoped("files: readFile reads a file a command created (capability: processes)", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(sleeper)
        if (capabilities.processes) {
          yield* c.execSuccess(["sh", "-c", "printf 'made by exec' > /tmp/made && chmod 700 /tmp/made"])
          expect(yield* c.readFileString("/tmp/made")).toBe("made by exec")
          const dir = yield* hostDir(HOST_DIR_PREFIX)
          yield* c.copyFrom("/tmp/made", join(dir, "made"))
          expect(fs.statSync(join(dir, "made")).mode & 0o7777).toBe(0o700)
        } else {
          // no process ran, so nothing made the file
          const error = yield* Effect.flip(c.readFile("/tmp/made"))
          expect(error._tag).toBe("PathNotFound")
        }
      })
    )

    it.scoped("files: missing paths, containers and host paths are typed errors", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(sleeper)
        const missing = yield* Effect.flip(c.readFile("/no/such/file"))
        if (missing._tag !== "PathNotFound") return expect.fail(`${missing._tag}: ${missing.message}`)
        expect(missing.path).toBe("/no/such/file")
        expect(missing.container).toBe(c.id)

        const noDirectory = yield* Effect.flip(c.writeFile("/no/such/dir/file", "x"))
        if (noDirectory._tag !== "PathNotFound") return expect.fail(`${noDirectory._tag}: ${noDirectory.message}`)
        expect(noDirectory.path).toBe("/no/such/dir")

        const directory = yield* Effect.flip(c.readFile("/tmp"))
        if (directory._tag !== "NotARegularFile") return expect.fail(`${directory._tag}: ${directory.message}`)
        expect(directory.found).toBe("directory")

        const dir = yield* hostDir(HOST_DIR_PREFIX)
        const noSource = yield* Effect.flip(c.copyTo(join(dir, "absent"), "/tmp/x"))
        if (noSource._tag !== "HostPathNotFound") return expect.fail(`${noSource._tag}: ${noSource.message}`)
        expect(noSource.path).toBe(join(dir, "absent"))
        const noHostParent = yield* Effect.flip(c.copyFrom("/tmp", join(dir, "absent", "deeper")))
        expect(noHostParent._tag).toBe("HostPathNotFound")
        const fromMissing = yield* Effect.flip(c.copyFrom("/no/such/path", join(dir, "out")))
        expect(fromMissing._tag).toBe("PathNotFound")
        expect(fs.existsSync(join(dir, "out"))).toBe(false)

        yield* c.remove({ force: true })
        const gone = yield* Container.handle(c.id)
        expect((yield* Effect.flip(gone.readFile("/tmp/x")))._tag).toBe("ContainerNotFound")
        expect((yield* Effect.flip(gone.writeFile("/tmp/x", "x")))._tag).toBe("ContainerNotFound")
        fs.writeFileSync(join(dir, "present"), "x")
        expect((yield* Effect.flip(gone.copyTo(join(dir, "present"), "/tmp/x")))._tag).toBe("ContainerNotFound")
      })
    )

    it.scoped("files: a stopped container can be written and read", () =>
      Effect.gen(function* () {
        const c = yield* Container.start(sleeper)
        yield* c.stop({ timeout: "1 second" })
        expect((yield* c.inspect).state.running).toBe(false)
        yield* c.writeFile("/tmp/while-stopped", "still here", { mode: 0o604 })
        expect(yield* c.readFileString("/tmp/while-stopped")).toBe("still here")
      })
    )
  })
}
