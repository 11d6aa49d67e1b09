/**
 * Conformance: definition fields, observed from inside the container (issue #17). Part of the suite in `suite.ts`, run on Docker, Podman (both transports)
 * and the in-memory runtime.
 *
 * On the real runtimes each field is observed where a program in the container sees it (`id -u`,
 * `/proc/self/status`, `/proc/mounts`, the cgroup files, PID 1's command line, a trapped
 * signal, the health check's verdict). The in-memory runtime runs no process (capability
 * `processes: false`): there each test asserts the flags the real CLI would have been given (the
 * recorded `run` argv), and the health checks, whose commands the handlers below answer as busybox
 * does.
 *
 * This machine (Debian 12, root, cgroups v1/v2 hybrid, no systemd) shows every limit through the
 * cgroup v1 files (`pids/pids.max`, `memory/memory.limit_in_bytes`, `cpu/cpu.cfs_quota_us`); the
 * tests read the v2 file (`pids.max`, `memory.max`, `cpu.max`) where v1's is absent.
 */
import { expect } from "@effect/vitest"
import { Effect, Either, Option, Schema } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Container, ContainerDefinition as Def, ContainerRuntime, Mount, TestRuntime, Wait } from "ociman"
import { type Part, partLayer, removeContainersOnExit } from "./part.js"

/** Prints `ready` once its traps are set, then reports which stop signal arrived. */
const TRAPPER = [
  "sh",
  "-c",
  "trap 'echo got-INT; exit 0' INT; trap 'echo got-TERM; exit 0' TERM; echo ready; sleep 60 & wait"
]
const FAILING_HEALTH = "echo not-ready; exit 3"

/** How the in-memory runtime answers the commands of these tests. */
export const definitionHandlers: ReadonlyArray<TestRuntime.Handler> = [
  // a detached main process keeps running (no `exitCode`), as the real one does until stopped
  TestRuntime.handler("*", TRAPPER, { stdout: "ready\n" }),
  // a definition's health check runs as `/bin/sh -c COMMAND` in the real runtimes
  TestRuntime.handler("*", ["/bin/sh", "-c", FAILING_HEALTH], { stdout: "not-ready\n", exitCode: 3 })
]

/** Whether `argv` holds `flag` followed by `value` (or `flag` alone). */
const hasFlag = (argv: ReadonlyArray<string>, flag: string, value?: string) =>
  argv.some((arg, index) => arg === flag && (value === undefined || argv[index + 1] === value))

/** A `Cap*:` line of `/proc/<pid>/status` as a bit set. */
const capabilityBits = (status: string, field: "CapEff" | "CapBnd"): bigint => {
  const match = new RegExp(`^${field}:\\s*([0-9a-f]+)$`, "m").exec(status)
  if (match?.[1] === undefined) return expect.fail(`no ${field} in ${JSON.stringify(status)}`)
  return BigInt(`0x${match[1]}`)
}
const CAP_CHOWN = 1n << 0n
const CAP_NET_ADMIN = 1n << 12n

const StopConfig = Schema.Struct({
  Config: Schema.Struct({
    // Docker prints the name, Podman 4.3 the number
    StopSignal: Schema.Union(Schema.String, Schema.Number),
    StopTimeout: Schema.Number
  })
})

/**
 * Rootless Podman on a cgroup v1 host (this machine's hybrid hierarchy, the rootless slice) runs
 * a container without its resource limits, and says so on stderr: the limit tests assert that.
 */
const LIMITS_IGNORED = "Resource limits are not supported and ignored on cgroups V1 rootless systems"
const limitsIgnored = Effect.map(
  ContainerRuntime.ContainerRuntime,
  (runtime) => runtime.backend.rootless && !fs.existsSync("/sys/fs/cgroup/cgroup.controllers")
)

/** Declares these tests for one runtime (see `conformance` in `suite.ts`). */
export const definitionConformance: Part = (kind, runtime, capabilities, image) => {
  const docker = kind === "docker"
  const real = capabilities.processes
  const where = real ? kind : `memory-${kind}`
  const marker = `ociman-test.definition-${where}-${process.pid}`
  const base = Def.make(image).pipe(Def.labels({ [marker]: "1" }))

  /** A foreground run of a shell script (removed once it exits). */
  const inside = (definition: Def.ContainerDefinition, script: string) =>
    Container.run(definition.pipe(Def.withRemove, Def.command(["sh", "-c", script])))

  partLayer(runtime)(`${where} definition fields`, (it) => {
    it.effect("definition: user and hostname, seen by id -u and hostname", () =>
      Effect.gen(function* () {
        const result = yield* inside(base.pipe(Def.user("1234"), Def.hostname("defbox")), "id -u; hostname")
        if (!real) {
          expect(hasFlag(result.argv, "--user", "1234")).toBe(true)
          expect(hasFlag(result.argv, "--hostname", "defbox")).toBe(true)
          return
        }
        expect(result.stdout).toBe("1234\ndefbox\n")
      })
    )

    it.effect("definition: a securityOption (no-new-privileges) is seen in /proc/self/status", () =>
      Effect.gen(function* () {
        const result = yield* inside(
          base.pipe(Def.securityOption("no-new-privileges")),
          "grep NoNewPrivs /proc/self/status"
        )
        if (!real) {
          expect(hasFlag(result.argv, "--security-opt", "no-new-privileges")).toBe(true)
          return
        }
        expect(result.stdout).toBe("NoNewPrivs:\t1\n")
      })
    )

    it.effect(
      "definition: platform picks the image's platform; another one is refused, typed (capability: processes)",
      () =>
        Effect.gen(function* () {
          if (!real) return
          // the test image is built for this machine (amd64 on CI)
          const machine = (yield* inside(base, "uname -m")).stdout
          const platform = machine === "aarch64\n" ? "linux/arm64" : "linux/amd64"
          const other = platform === "linux/arm64" ? "linux/amd64" : "linux/arm64"
          const same = yield* inside(base.pipe(Def.platform(platform), Def.pullPolicy("never")), "uname -m")
          expect(same.stdout).toBe(machine)
          // with no registry and no image of that platform here, the run cannot start
          const refused = yield* Effect.flip(
            inside(base.pipe(Def.platform(other), Def.pullPolicy("never")), "uname -m")
          )
          expect(["ImageNotFound", "ContainerStartFailed"]).toContain(refused._tag)
        })
    )

    it.effect("definition: capAdd / capDrop change the effective capabilities (CapEff)", () =>
      Effect.gen(function* () {
        const status = "grep CapEff /proc/self/status"
        const plain = yield* inside(base, status)
        const changed = yield* inside(base.pipe(Def.capAdd("NET_ADMIN"), Def.capDrop("CHOWN")), status)
        const none = yield* inside(base.pipe(Def.capDrop("ALL")), status)
        if (!real) {
          expect(hasFlag(changed.argv, "--cap-add", "NET_ADMIN")).toBe(true)
          expect(hasFlag(changed.argv, "--cap-drop", "CHOWN")).toBe(true)
          expect(hasFlag(none.argv, "--cap-drop", "ALL")).toBe(true)
          return
        }
        const before = capabilityBits(plain.stdout, "CapEff")
        const after = capabilityBits(changed.stdout, "CapEff")
        // both runtimes grant CHOWN and withhold NET_ADMIN by default
        expect(before & CAP_CHOWN).toBe(CAP_CHOWN)
        expect(before & CAP_NET_ADMIN).toBe(0n)
        expect(after).toBe((before | CAP_NET_ADMIN) & ~CAP_CHOWN)
        expect(capabilityBits(none.stdout, "CapEff")).toBe(0n)
      })
    )

    it.effect("definition: privileged grants every capability the host can give", () =>
      Effect.gen(function* () {
        const result = yield* Effect.either(inside(base.pipe(Def.withPrivileged), "grep CapEff /proc/self/status"))
        if (!real) {
          if (Either.isLeft(result)) return expect.fail(result.left.message)
          expect(hasFlag(result.right.argv, "--privileged")).toBe(true)
          return
        }
        const hostBounding = capabilityBits(fs.readFileSync("/proc/self/status", "utf8"), "CapBnd")
        const lastCap = BigInt(fs.readFileSync("/proc/sys/kernel/cap_last_cap", "utf8").trim())
        const every = (1n << (lastCap + 1n)) - 1n
        if (docker && hostBounding !== every) {
          // Docker asks for every capability the kernel knows; in a sandbox whose bounding set
          // lacks some (this machine lacks CAP_SYS_RESOURCE), runc cannot apply them. Podman
          // grants what the bounding set holds.
          if (Either.isRight(result)) return expect.fail("Docker ran a privileged container without every capability")
          expect(result.left.message).toMatch(/unable to apply caps|operation not permitted/)
          return
        }
        if (Either.isLeft(result)) return expect.fail(result.left.message)
        // rootless: every capability, of the user namespace the container runs in
        const rootless = (yield* ContainerRuntime.ContainerRuntime).backend.rootless
        expect(capabilityBits(result.right.stdout, "CapEff")).toBe(rootless ? every : hostBounding)
      })
    )

    it.effect("definition: shmSize is the size of /dev/shm", () =>
      Effect.gen(function* () {
        const result = yield* inside(base.pipe(Def.shmSize(32 * 1024 * 1024)), "grep ' /dev/shm ' /proc/mounts")
        if (!real) return expect(hasFlag(result.argv, "--shm-size", "33554432b")).toBe(true)
        expect(result.stdout).toMatch(/\bsize=32768k\b/)
      })
    )

    it.effect("definition: ulimits, seen by ulimit -n / -Hn", () =>
      Effect.gen(function* () {
        // nproc too: given any --ulimit, Podman drops its configured defaults and asks for a hard
        // nproc this sandbox cannot grant ("error setting rlimit type 6")
        const limits = base.pipe(
          Def.ulimit({ name: "nofile", soft: 256, hard: 512 }, { name: "nproc", soft: 1024, hard: 1024 })
        )
        const result = yield* inside(limits, "ulimit -n; ulimit -Hn")
        if (!real) return expect(hasFlag(result.argv, "--ulimit", "nofile=256:512")).toBe(true)
        expect(result.stdout).toBe("256\n512\n")
      })
    )

    it.effect("definition: pidsLimit is the cgroup's pids.max", () =>
      Effect.gen(function* () {
        const result = yield* inside(
          base.pipe(Def.pidsLimit(77)),
          "cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max 2>/dev/null || echo none"
        )
        if (!real) return expect(hasFlag(result.argv, "--pids-limit", "77")).toBe(true)
        if (yield* limitsIgnored) return expect(result.stderr).toContain(LIMITS_IGNORED)
        expect(result.stdout.trim()).toBe("77")
      })
    )

    it.effect("definition: memory and cpus are the cgroup's memory limit and CPU quota", () =>
      Effect.gen(function* () {
        const result = yield* inside(
          base.pipe(Def.memory(64 * 1024 * 1024), Def.cpus(0.5)),
          [
            "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max",
            "if [ -f /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then echo $(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us); else cat /sys/fs/cgroup/cpu.max; fi"
          ].join("; ")
        )
        if (!real) {
          expect(hasFlag(result.argv, "--memory", "67108864b")).toBe(true)
          expect(hasFlag(result.argv, "--cpus", "0.5")).toBe(true)
          return
        }
        if (yield* limitsIgnored) return expect(result.stderr).toContain(LIMITS_IGNORED)
        const [memory, cpu] = result.stdout.trim().split("\n")
        expect(memory).toBe("67108864")
        const [quota = "", period = ""] = (cpu ?? "").split(" ")
        expect(Number(quota) / Number(period)).toBe(0.5)
      })
    )

    it.effect("definition: readOnly root refuses writes; tmpfs and bind mounts are seen", () =>
      Effect.gen(function* () {
        const source = fs.mkdtempSync(path.join(os.tmpdir(), "ociman-definition-"))
        yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(source, { recursive: true, force: true })))
        fs.writeFileSync(path.join(source, "hello.txt"), "from the host\n")
        const definition = base.pipe(
          Def.withReadOnly,
          Def.mount(
            Either.getOrThrow(Mount.tmpfs({ target: "/scratch" })),
            Either.getOrThrow(Mount.bind({ source, target: "/data", readOnly: true }))
          )
        )
        const result = yield* inside(
          definition,
          [
            "touch /rootfile 2>/dev/null && echo root-writable || echo root-read-only",
            "touch /scratch/file && echo scratch-writable",
            "grep -c ' /scratch tmpfs ' /proc/mounts",
            "cat /data/hello.txt"
          ].join("; ")
        )
        if (!real) {
          expect(hasFlag(result.argv, "--read-only")).toBe(true)
          expect(result.argv.some((arg) => arg.includes("/scratch"))).toBe(true)
          expect(result.argv.some((arg) => arg.includes("/data"))).toBe(true)
          return
        }
        expect(result.stdout).toBe("root-read-only\nscratch-writable\n1\nfrom the host\n")
      }).pipe(Effect.scoped)
    )

    it.effect("definition: init runs as PID 1 (docker-init, Podman's catatonit)", () =>
      Effect.gen(function* () {
        const result = yield* inside(base.pipe(Def.withInit), "tr '\\0' ' ' < /proc/1/cmdline")
        if (!real) return expect(hasFlag(result.argv, "--init")).toBe(true)
        // Podman mounts catatonit at /run/podman-init
        expect(result.stdout).toMatch(docker ? /^\/sbin\/docker-init -- sh -c / : /^\/run\/podman-init -- sh -c /)
      })
    )

    it.scoped("definition: stopSignal reaches the main process on stop; inspect shows it and stopTimeout", () =>
      Effect.gen(function* () {
        yield* removeContainersOnExit(marker)
        const c = yield* Container.start(
          base.pipe(Def.command(TRAPPER), Def.stopSignal("SIGINT"), Def.stopTimeout(7)),
          { waitFor: Wait.logLine("ready"), timeout: "30 seconds" }
        )
        const info = yield* c.inspect
        yield* c.stop({ timeout: "10 seconds" })
        const logs = yield* c.logs
        if (!real) {
          const calls = yield* Effect.serviceOption(TestRuntime.Recorder)
          if (Option.isNone(calls)) return expect.fail("the in-memory runtime records its calls")
          // the recorder holds every call of this runtime: this test's run is the one with the flags
          const runs = (yield* calls.value.calls).filter((call) => call.operation === "containers.run")
          const mine = runs.filter(
            (call) => call.argv.includes(TRAPPER[2] ?? "") && hasFlag(call.argv, "--stop-signal")
          )
          expect(mine.map((call) => hasFlag(call.argv, "--stop-signal", "SIGINT"))).toEqual([true])
          expect(mine.map((call) => hasFlag(call.argv, "--stop-timeout", "7"))).toEqual([true])
          return
        }
        const config = yield* Schema.decodeUnknown(StopConfig)(info.raw)
        expect(config.Config.StopSignal).toBe(docker ? "SIGINT" : 2)
        expect(config.Config.StopTimeout).toBe(7)
        expect(logs.map((line) => line.text)).toEqual(["ready", "got-INT"])
      })
    )

    it.scoped("definition: healthcheck makes Wait.healthy pass", () =>
      Effect.gen(function* () {
        yield* removeContainersOnExit(marker)
        const c = yield* Container.start(
          base.pipe(
            Def.command(TRAPPER),
            Def.healthcheck({ command: ["true"], interval: "500 millis", timeout: "5 seconds", retries: 3 })
          ),
          { waitFor: Wait.healthy, timeout: "60 seconds" }
        )
        const health = (yield* c.inspect).state.health
        // the in-memory runtime answers the check itself; it prints no health state
        if (real) expect(health?.status).toBe("healthy")
      })
    )

    it.scoped("definition: an always-failing healthcheck is reported unhealthy", () =>
      Effect.gen(function* () {
        yield* removeContainersOnExit(marker)
        const c = yield* Container.start(
          base.pipe(
            Def.command(TRAPPER),
            Def.healthcheck({ command: FAILING_HEALTH, interval: "500 millis", retries: 1 })
          ),
          { waitFor: Wait.logLine("ready"), timeout: "30 seconds" }
        )
        const outcome = yield* Effect.flip(Wait.forContainer(c, Wait.healthy, { timeout: "5 seconds" }))
        if (outcome._tag !== "WaitTimedOut") return expect.fail(`${outcome._tag}: ${outcome.message}`)
        expect(outcome.lastError).toMatch(/unhealthy|exited with 3/)
        if (real) expect((yield* c.inspect).state.health?.status).toBe("unhealthy")
      })
    )
  })
}
