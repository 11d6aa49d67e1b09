/**
 * An HTTP server standing for an engine on a fresh unix socket, for the API transport's unit tests:
 * plain requests go to `plain` with their whole body; `setup` adds what else a test listens for
 * (connections, upgrades) before it listens. Closed, its directory removed, with the scope.
 */
import { Effect, Option } from "effect"
import * as fs from "node:fs"
import * as http from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import { addressOf, type EngineClient, makeClient } from "../../src/internal/api/http.js"

export type PlainHandler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void

export const fakeEngineServer = (plain: PlainHandler, setup: (server: http.Server) => void = () => undefined) =>
  Effect.acquireRelease(
    Effect.async<{
      readonly server: http.Server
      readonly dir: string
      readonly client: EngineClient
      readonly url: string
    }>((resume) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ociman-engine-test-"))
      const socketPath = path.join(dir, "engine.sock")
      const url = `unix://${socketPath}`
      const server = http.createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (chunk: Buffer) => chunks.push(chunk))
        req.on("end", () => plain(req, res, Buffer.concat(chunks).toString("utf8")))
      })
      setup(server)
      server.listen(socketPath, () =>
        resume(Effect.succeed({ server, dir, client: makeClient(Option.getOrThrow(addressOf(url))), url }))
      )
    }),
    ({ dir, server }) =>
      Effect.sync(() => {
        server.closeAllConnections()
        server.close()
        fs.rmSync(dir, { recursive: true, force: true })
      })
  )
