/**
 * `ociman info --backend docker` on the API: the CLI's version (`docker --version`) is asked while
 * the layer probes the engine, not after it. A fake engine on a unix socket holds its `/_ping`
 * answer until the fake CLI was asked (or 0.9 s passed), and says which came first.
 */
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, type Console, Effect, Option } from "effect"
import * as fs from "node:fs"
import * as http from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import { action } from "../src/actions/info.js"

/** A temp directory with a fake `docker` (its `--version` leaves a mark) first on `PATH`, for the scope. */
const fakeDockerFirstOnPath = Effect.acquireRelease(
  Effect.sync(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ociman-info-"))
    const mark = path.join(dir, "version-asked")
    fs.writeFileSync(
      path.join(dir, "docker"),
      `#!/bin/sh\ncase "$1" in\n  --version) touch '${mark}'; echo "Docker version 28.2.2, build e6534b4" ;;\n  *) exit 2 ;;\nesac\n`,
      { mode: 0o755 }
    )
    const previousPath = process.env["PATH"]
    process.env["PATH"] = `${dir}:${previousPath ?? ""}`
    return { dir, mark, previousPath }
  }),
  ({ dir, previousPath }) =>
    Effect.sync(() => {
      if (previousPath === undefined) delete process.env["PATH"]
      else process.env["PATH"] = previousPath
      fs.rmSync(dir, { recursive: true, force: true })
    })
)

/** An engine whose `/_ping` waits (up to 900 ms, within the probe's 1 s) for `mark` to exist, recording whether it did. */
const engineWaitingFor = (dir: string, mark: string) =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly seenDuringPing: Array<boolean>; readonly server: http.Server }>(
      (resume) => {
        const seenDuringPing: Array<boolean> = []
        const socketPath = path.join(dir, "engine.sock")
        const server = http.createServer((req, res) => {
          if (req.url?.endsWith("/_ping") === true) {
            const started = Date.now()
            const answer = () => {
              if (!fs.existsSync(mark) && Date.now() - started < 900) return void setTimeout(answer, 10)
              seenDuringPing.push(fs.existsSync(mark))
              res.writeHead(200, { Server: "Docker/27.5.1 (linux)" }).end("OK")
            }
            answer()
          } else if (req.url?.endsWith("/info") === true) {
            res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ SecurityOptions: [] }))
          } else {
            res.writeHead(404).end("{}")
          }
        })
        server.listen(socketPath, () => resume(Effect.succeed({ url: `unix://${socketPath}`, seenDuringPing, server })))
      }
    ),
    ({ server }) =>
      Effect.sync(() => {
        server.closeAllConnections()
        server.close()
      })
  )

describe("ociman info --backend", () => {
  it.scoped("asks the CLI's version while the layer probes the engine, and prints both", () =>
    Effect.gen(function* () {
      const { dir, mark } = yield* fakeDockerFirstOnPath
      const engine = yield* engineWaitingFor(dir, mark)
      const printed: Array<string> = []
      const base = yield* Effect.console
      const recording: Console.Console = {
        ...base,
        log: (...args) => Effect.sync(() => void printed.push(args.join(" ")))
      }
      yield* action({ backend: Option.some("docker"), json: true }).pipe(
        Effect.withConfigProvider(ConfigProvider.fromJson({ DOCKER_HOST: engine.url, HOME: dir })),
        Effect.withConsole(recording)
      )
      // the probe's one /_ping was answered after `docker --version` had run
      expect(engine.seenDuringPing).toEqual([true])
      expect(JSON.parse(printed.join("\n"))).toMatchObject({
        kind: "docker",
        clientVersion: "28.2.2",
        engineVersion: "27.5.1",
        transport: "api"
      })
    }).pipe(Effect.provide(NodeContext.layer))
  )
})
