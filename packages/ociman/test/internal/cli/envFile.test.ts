import * as nodeFs from "node:fs"
import * as nodePath from "node:path"
import { SystemError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Logger, Scope } from "effect"
import { EnvVar } from "ociman"
import { writeEnvFile } from "../../../src/internal/cli/envFile.js"

const modeOf = (path: string) => nodeFs.statSync(path).mode & 0o777

const systemError = (method: string, path: string) =>
  new SystemError({ reason: "PermissionDenied", module: "FileSystem", method, pathOrDescriptor: path })

describe("internal/envFile", () => {
  it.effect("writes the text to a 0600 file in a 0700 directory, removed when the scope closes", () =>
    Effect.gen(function* () {
      const text = 'PATH=/opt/bin:/bin\nFOO*=a # b "c"\n'
      const scope = yield* Scope.make()
      const file = yield* writeEnvFile(text).pipe(Scope.extend(scope))
      const directory = nodePath.dirname(file)
      expect(nodePath.basename(file)).toBe("env")
      expect(nodePath.basename(directory)).toMatch(/^ociman-env-/)
      expect(nodeFs.readFileSync(file, "utf8")).toBe(text)
      expect(modeOf(file)).toBe(0o600)
      expect(modeOf(directory)).toBe(0o700)
      expect(nodeFs.readdirSync(directory)).toStrictEqual(["env"])
      yield* Scope.close(scope, Exit.void)
      expect(nodeFs.existsSync(directory)).toBe(false)
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.effect("is removed when the scope fails too, and each call gets its own directory", () =>
    Effect.gen(function* () {
      const seen: Array<string> = []
      const exit = yield* Effect.exit(
        Effect.scoped(
          Effect.gen(function* () {
            seen.push(yield* writeEnvFile("A=1\n"), yield* writeEnvFile("A=2\n"))
            return yield* Effect.fail("boom")
          })
        )
      )
      expect(Exit.isFailure(exit)).toBe(true)
      expect(seen).toHaveLength(2)
      expect(new Set(seen.map((file) => nodePath.dirname(file))).size).toBe(2)
      for (const file of seen) expect(nodeFs.existsSync(nodePath.dirname(file))).toBe(false)
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.effect("the file is 0600 whatever the umask", () =>
    Effect.gen(function* () {
      const previous = process.umask(0o277)
      const result = yield* Effect.scoped(
        Effect.map(writeEnvFile("A=1\n"), (file) => ({ file: modeOf(file), dir: modeOf(nodePath.dirname(file)) }))
      ).pipe(Effect.ensuring(Effect.sync(() => process.umask(previous))))
      expect(result).toStrictEqual({ file: 0o600, dir: 0o700 })
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.effect("writes the empty text and non-ASCII text byte for byte", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const empty = yield* writeEnvFile("")
        expect(nodeFs.readFileSync(empty)).toHaveLength(0)
        const text = "É*=😀 é\u00a0\n"
        expect(nodeFs.readFileSync(yield* writeEnvFile(text))).toStrictEqual(Buffer.from(text, "utf8"))
      })
    ).pipe(Effect.provide(NodeContext.layer))
  )

  describe("failures become EnvFileError, without the file's content", () => {
    const failing = (overrides: Partial<FileSystem.FileSystem>) =>
      Layer.merge(
        FileSystem.layerNoop({
          makeTempDirectory: () => Effect.succeed("/tmp/ociman-env-test"),
          chmod: () => Effect.void,
          writeFileString: () => Effect.void,
          remove: () => Effect.void,
          ...overrides
        }),
        Path.layer
      )

    it.effect("makeTempDirectory", () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(Effect.scoped(writeEnvFile("SECRET=hunter2\n")))
        expect(error._tag).toBe("EnvFileError")
        expect(error.operation).toBe("makeTempDirectory")
        expect(error.path).toBeUndefined()
        expect(error.cause._tag).toBe("SystemError")
        expect(error.message).toContain(
          "Could not create a private directory for the env file in the temporary directory"
        )
        expect(error.message).toContain("TMPDIR")
        expect(JSON.stringify(error) + error.message).not.toContain("hunter2")
      }).pipe(
        Effect.provide(failing({ makeTempDirectory: () => Effect.fail(systemError("makeTempDirectory", "/tmp")) }))
      )
    )

    it.effect("writeFile, and the directory is removed all the same", () => {
      const removed: Array<string> = []
      return Effect.gen(function* () {
        const error = yield* Effect.flip(Effect.scoped(writeEnvFile("SECRET=hunter2\n")))
        expect(error).toBeInstanceOf(EnvVar.EnvFileError)
        expect(error.operation).toBe("writeFile")
        expect(error.path).toBe("/tmp/ociman-env-test/env")
        expect(error.message).toContain('Could not write the env file at "/tmp/ociman-env-test/env": PermissionDenied')
        expect(JSON.stringify(error) + error.message).not.toContain("hunter2")
        expect(removed).toStrictEqual(["/tmp/ociman-env-test"])
      }).pipe(
        Effect.provide(
          failing({
            writeFileString: (path) => Effect.fail(systemError("writeFile", path)),
            remove: (path) => Effect.sync(() => void removed.push(path))
          })
        )
      )
    })

    it.effect("chmod", () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(Effect.scoped(writeEnvFile("A=1\n")))
        expect(error.operation).toBe("chmod")
        expect(error.path).toBe("/tmp/ociman-env-test")
      }).pipe(Effect.provide(failing({ chmod: (path) => Effect.fail(systemError("chmod", path)) })))
    )

    it.effect("a failed removal is logged, not a defect", () => {
      const logs: Array<unknown> = []
      const logger = Logger.replace(
        Logger.defaultLogger,
        Logger.make(({ message }) => void logs.push(message))
      )
      return Effect.gen(function* () {
        const path = yield* Effect.scoped(writeEnvFile("A=1\n"))
        expect(path).toBe("/tmp/ociman-env-test/env")
        expect(JSON.stringify(logs)).toContain("could not remove the env file directory /tmp/ociman-env-test")
      }).pipe(
        Effect.provide(Layer.merge(failing({ remove: (path) => Effect.fail(systemError("remove", path)) }), logger))
      )
    })
  })
})
