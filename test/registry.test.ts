/**
 * Acceptance: pull, push, login and their failures against real registries (the distribution
 * registry, `docker-registry`, that `scripts/provision-runtimes.sh` runs on the loopback):
 * `127.0.0.1:5000` open, `127.0.0.1:5001` behind htpasswd (user `ociman`, password in the file the
 * script writes), and a closed port for an unreachable one. Every name carries the process id, and
 * each test removes its local images and logs out when its scope closes.
 */
import { FileSystem } from "@effect/platform"
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Chunk, Effect, Layer, Redacted, Stream } from "effect"
import { Image, Testing } from "ociman"
import { describeEachRuntime, runtimeLayer, TEST_IMAGE } from "./support/backends.js"

const OPEN = "127.0.0.1:5000"
const AUTH = "127.0.0.1:5001"
/** Nothing listens here (the registries' neighbour port). */
const CLOSED = "127.0.0.1:5009"
const USERNAME = "ociman"
const PASSWORD_FILE = process.env["OCIMAN_TEST_REGISTRY_PASSWORD_FILE"] ?? "/var/lib/ociman-registry/password"

const password = Effect.gen(function* () {
  const fs = yield* FileSystem.FileSystem
  const text = yield* fs
    .readFileString(PASSWORD_FILE)
    .pipe(
      Effect.orElseFail(
        () =>
          new Error(`cannot read the test registry's password from ${PASSWORD_FILE}: run scripts/provision-runtimes.sh`)
      )
    )
  return Redacted.make(text.trim())
})

/** Tags the test image under `reference`; the name is removed from local storage when the scope closes. */
const tagged = (reference: string) =>
  Effect.zipRight(
    Effect.addFinalizer(() => Image.remove(reference, { force: true }).pipe(Effect.ignore)),
    Image.tag(TEST_IMAGE, reference)
  )

/** The terminal's erase-line sequence, which the layer lines are drawn with. */
const ERASE_LINE = "\u001b\\[2K"
const cliLauncher = fileURLToPath(new URL("../packages/cli/bin/ociman.js", import.meta.url))

/** The built command (`npm run build` first), as a user runs it. */
const ociman = (args: ReadonlyArray<string>) =>
  spawnSync(process.execPath, [cliLauncher, ...args], { encoding: "utf8", timeout: 120_000 })

const loggedOutOnExit = (registry: string) => Effect.addFinalizer(() => Image.logout(registry).pipe(Effect.ignore))

describeEachRuntime("registries", (kind) => {
  const repository = (registry: string, suffix: string) => `${registry}/ociman-test/${kind}-${Testing.runId}-${suffix}`

  layer(Layer.merge(runtimeLayer(kind), NodeContext.layer), { excludeTestServices: true, timeout: "120 seconds" })(
    (it) => {
      it.scoped("push, then pull back: the same image, and progress is reported", () =>
        Effect.gen(function* () {
          const reference = `${repository(OPEN, "roundtrip")}:1`
          yield* tagged(reference)
          const pushedId = (yield* Image.inspect(reference)).id
          yield* Image.push(reference)
          yield* Image.remove(reference)
          expect(yield* Image.exists(reference)).toBe(false)

          const events = Chunk.toReadonlyArray(yield* Stream.runCollect(Image.pullStream(reference)))
          expect(events.length).toBeGreaterThan(0)
          const pulled = yield* Image.inspect(reference)
          expect(pulled.id).toBe(pushedId)
          // The registry's digest of what was pushed is the one the pulled image carries.
          expect(
            pulled.repoDigests.some((digest) => digest.startsWith(`${repository(OPEN, "roundtrip")}@sha256:`))
          ).toBe(true)
        })
      )

      it.scoped(
        "ociman pull: progress as JSON events, a plain log, or layer lines on a terminal; failures in one line",
        () =>
          Effect.gen(function* () {
            const reference = `${repository(OPEN, "cli")}:1`
            yield* tagged(reference)
            yield* Image.push(reference)

            yield* Image.remove(reference)
            const json = ociman(["pull", "--json", "--backend", kind, reference])
            expect(json.status).toBe(0)
            const lines = json.stdout
              .trim()
              .split("\n")
              .map((line): unknown => JSON.parse(line))
            expect(lines.at(-1)).toEqual({ pulled: reference })
            expect(
              lines.slice(0, -1).every((event) => typeof event === "object" && event !== null && "_tag" in event)
            ).toBe(true)
            expect(yield* Image.exists(reference)).toBe(true)

            yield* Image.remove(reference)
            const plain = ociman(["pull", "--backend", kind, reference])
            expect(plain.status).toBe(0)
            expect(plain.stdout).toBe(`${reference}\n`)
            expect(plain.stderr).not.toContain("\u001b[")

            // Under a pseudo-terminal (util-linux `script`): layer lines drawn in place.
            yield* Image.remove(reference)
            const tty = spawnSync(
              "script",
              [
                "--quiet",
                "--return",
                "--command",
                `${process.execPath} ${cliLauncher} pull --backend ${kind} ${reference}`,
                "/dev/null"
              ],
              { encoding: "utf8", timeout: 120_000 }
            )
            expect(tty.status).toBe(0)
            expect(tty.stdout).toContain(reference)
            // Podman reports each blob it copies; Docker, whose layers are all present here, reports none.
            if (kind === "podman") expect(tty.stdout).toMatch(new RegExp(`${ERASE_LINE}[0-9a-f]{12}: `))
            expect(yield* Image.exists(reference)).toBe(true)

            const missing = ociman(["pull", "--backend", kind, `${repository(OPEN, "cli")}:missing`])
            expect(missing.status).toBe(1)
            expect(missing.stderr.trim().split("\n").at(-1)).toMatch(/^ociman: image not found in registry: /)
          })
      )

      it.scoped("ociman run: a missing image is pulled first, its progress on stderr; --json stays one document", () =>
        Effect.gen(function* () {
          const reference = `${repository(OPEN, "run")}:1`
          yield* tagged(reference)
          yield* Image.push(reference)

          yield* Image.remove(reference)
          const shown = ociman(["run", "--backend", kind, reference, "echo", "ran"])
          expect(shown.status).toBe(0)
          expect(shown.stdout).toBe("ran\n")
          // the pull's events, one plain line each (stderr is not a terminal here)
          expect(shown.stderr.trim()).not.toBe("")
          expect(shown.stderr).not.toContain("\u001b[")
          expect(yield* Image.exists(reference)).toBe(true)

          // present now: nothing is pulled, nothing is said
          const quiet = ociman(["run", "--backend", kind, reference, "echo", "again"])
          expect(quiet.status).toBe(0)
          expect(quiet.stderr).toBe("")

          yield* Image.remove(reference)
          const json = ociman(["run", "--json", "--backend", kind, reference, "echo", "json"])
          expect(json.status).toBe(0)
          expect(JSON.parse(json.stdout)).toEqual({ exitCode: 0, stdout: "json\n", stderr: "" })
        })
      )

      it.scoped("pullIfAbsent pulls once: absent, then present", () =>
        Effect.gen(function* () {
          const reference = `${repository(OPEN, "once")}:1`
          yield* tagged(reference)
          yield* Image.push(reference)
          yield* Image.remove(reference)
          expect(yield* Image.pullIfAbsent(reference)).toBe(true)
          expect(yield* Image.pullIfAbsent(reference)).toBe(false)
        })
      )

      it.scoped("a tag the registry does not have is PullFailed NotFound (pull, pullIfAbsent, pullStream)", () =>
        Effect.gen(function* () {
          const reference = `${repository(OPEN, "roundtrip")}:missing`
          const pulled = yield* Effect.flip(Image.pull(reference))
          expect(pulled._tag === "PullFailed" && pulled.reason).toBe("NotFound")
          expect(pulled.message).toContain("image not found in registry")
          const ifAbsent = yield* Effect.flip(Image.pullIfAbsent(reference))
          expect(ifAbsent._tag === "PullFailed" && ifAbsent.reason).toBe("NotFound")
          const streamed = yield* Effect.flip(Stream.runDrain(Image.pullStream(reference)))
          expect(streamed._tag === "PullFailed" && streamed.reason).toBe("NotFound")
        })
      )

      it.scoped("a registry that does not answer is Unreachable, for pull, push and login", () =>
        Effect.gen(function* () {
          const reference = `${repository(CLOSED, "nowhere")}:1`
          const pulled = yield* Effect.flip(Image.pull(reference))
          expect(pulled._tag === "PullFailed" && pulled.reason).toBe("Unreachable")
          yield* tagged(reference)
          const pushed = yield* Effect.flip(Image.push(reference))
          expect(pushed._tag === "PushFailed" && pushed.reason).toBe("Unreachable")
          const login = yield* Effect.flip(Image.login(CLOSED, { username: USERNAME, password: Redacted.make("x") }))
          expect(login._tag === "LoginFailed" && login.reason).toBe("Unreachable")
        })
      )

      it.scoped("push of a name not stored locally is PushFailed NotStoredLocally", () =>
        Effect.gen(function* () {
          const pushed = yield* Effect.flip(Image.push(`${repository(OPEN, "absent")}:1`))
          expect(pushed._tag === "PushFailed" && pushed.reason).toBe("NotStoredLocally")
        })
      )

      it.scoped(
        "behind auth: refused without login, a wrong password is LoginFailed, login makes push and pull work",
        () =>
          Effect.gen(function* () {
            const secret = yield* password
            const reference = `${repository(AUTH, "private")}:1`
            yield* loggedOutOnExit(AUTH)
            yield* Image.logout(AUTH)
            yield* tagged(reference)

            const refused = yield* Effect.flip(Image.push(reference))
            expect(refused._tag === "PushFailed" && refused.reason).toBe("Unauthorized")

            const wrong = yield* Effect.flip(
              Image.login(AUTH, { username: USERNAME, password: Redacted.make(`${Redacted.value(secret)}-wrong`) })
            )
            if (wrong._tag !== "LoginFailed") return expect.fail(`expected LoginFailed, got ${wrong._tag}`)
            expect(wrong.reason).toBe("Unauthorized")
            // The password went on stdin: not in argv, not in the message.
            expect(wrong.argv.join(" ")).not.toContain(Redacted.value(secret))
            expect(wrong.message).not.toContain(Redacted.value(secret))

            yield* Image.login(AUTH, { username: USERNAME, password: secret })
            yield* Image.push(reference)
            yield* Image.remove(reference)
            yield* Image.pull(reference)
            expect(yield* Image.exists(reference)).toBe(true)

            yield* Image.logout(AUTH)
            yield* Image.remove(reference)
            const anonymous = yield* Effect.flip(Image.pull(reference))
            expect(anonymous._tag === "PullFailed" && anonymous.reason).toBe("Unauthorized")
          })
      )
    }
  )
})
