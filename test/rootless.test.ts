/**
 * Acceptance: the rootless flag is the truth, not the CLI's answer compared with itself. Podman
 * runs rootless exactly when the test process is not root (Podman has no daemon: it runs as the
 * caller), so the library's `backend.rootless` and `ociman info --json` must say so. CI runs this
 * file as root (rootless: false) and again as an unprivileged user in the rootless slice
 * (`npm run test:rootless`, which sets OCIMAN_EXPECT_ROOTLESS=1 so that a slice that ran as root
 * by mistake fails instead of passing as rootful).
 */
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { execFile } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { ContainerRuntime } from "ociman"
import { describeEachRuntime, runtimeLayer } from "./support/backends.js"

const isRoot = process.getuid?.() === 0
const expectRootless = process.env["OCIMAN_EXPECT_ROOTLESS"] === "1"
const cliLauncher = fileURLToPath(new URL("../packages/cli/bin/ociman.js", import.meta.url))
const cliBuilt = existsSync(fileURLToPath(new URL("../packages/cli/dist", import.meta.url)))

describeEachRuntime("rootless", (kind) => {
  layer(Layer.merge(runtimeLayer(kind), NodeContext.layer), { excludeTestServices: true })((it) => {
    if (kind !== "podman") {
      // Docker's rootless mode is a daemon started as a user; the slice runs rootless Podman only.
      it.effect("Docker here runs as root (the rootless slice is Podman's)", () =>
        Effect.gen(function* () {
          const runtime = yield* ContainerRuntime.ContainerRuntime
          expect(runtime.backend.rootless).toBe(false)
        })
      )
      return
    }

    it.effect("Podman reports rootless exactly when the caller is not root", () =>
      Effect.gen(function* () {
        if (expectRootless) expect(isRoot, "OCIMAN_EXPECT_ROOTLESS=1 but the tests run as root").toBe(false)
        const runtime = yield* ContainerRuntime.ContainerRuntime
        expect(runtime.backend.rootless).toBe(!isRoot)
        // The library tells a local Podman's mode from the caller; Podman's own report agrees.
        const { stdout } = yield* Effect.promise(() =>
          promisify(execFile)("podman", ["info", "--format", "{{.Host.Security.Rootless}}"], { timeout: 60_000 })
        )
        expect(stdout.trim()).toBe(String(!isRoot))
      })
    )

    it.effect("ociman info --json says the same", () =>
      Effect.gen(function* () {
        if (!cliBuilt) return expect.fail("packages/cli is not built: run `npm run build` first")
        const { stdout } = yield* Effect.promise(() =>
          promisify(execFile)(process.execPath, [cliLauncher, "info", "--json", "--backend", "podman"], {
            timeout: 60_000
          })
        )
        const info: unknown = JSON.parse(stdout)
        expect(info).toMatchObject({ kind: "podman", rootless: !isRoot })
      })
    )
  })
})
