/**
 * Acceptance: the sweeper and scoped images on real runtimes, with resources labelled by hand as
 * other processes would have left them: a dead owner's are removed, a living owner's, another
 * host's, unlabelled ones and ones whose labels were inherited are kept.
 */
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { spawnSync } from "node:child_process"
import { hostname } from "node:os"
import { BuildDefinition, ContainerRuntime, Image, ImageReference } from "ociman"
import { Sweeper } from "ociman"
import { describeEachRuntime, type Kind, TEST_IMAGE } from "./support/backends.js"
import { detachedIds, runToEnd } from "./support/leaks.js"

/** A pid no process has: an exited child's. */
const deadPid = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" }).stdout.trim()
const marker = `ociman-test.sweeper-${process.pid}`

const cli = (kind: Kind, args: ReadonlyArray<string>, input?: string) => {
  const result = spawnSync(kind, args, { encoding: "utf8", input })
  expect(result.stderr.replace(/^time=.*level=warning.*\n/gm, "")).not.toMatch(/^Error/m)
  return result.stdout.trim()
}

const owner = (session: string, pid: string, host = hostname()) => [
  "--label",
  "ociman.managed=true",
  "--label",
  `ociman.session=${session}`,
  "--label",
  `ociman.pid=${pid}`,
  "--label",
  `ociman.host=${host}`,
  "--label",
  `ociman.created=${new Date(Date.now() - 60_000).toISOString()}`,
  "--label",
  `${marker}=1`
]

/** `rm --force` that kills at once (Podman otherwise gives `sleep` 10 s to stop). */
const forceRm = (kind: Kind): ReadonlyArray<string> =>
  kind === "podman" ? ["container", "rm", "--force", "--time", "0"] : ["container", "rm", "--force"]

const exists = (kind: Kind, what: "container" | "network" | "volume" | "image", id: string) =>
  spawnSync(kind, [what, "inspect", id], { stdio: "ignore" }).status === 0

describeEachRuntime("sweeper", (kind) => {
  // no automatic sweep in this process: it would sweep the dead owner's fixtures at a moment of its
  // own (its second look waits for resources in use, and lists containers again)
  const runtime = ContainerRuntime.layer({ backend: kind, sweep: false }).pipe(Layer.provide(NodeContext.layer))
  layer(Layer.merge(runtime, NodeContext.layer), { excludeTestServices: true, timeout: "60 seconds" })((it) => {
    it.effect(
      "removes a dead owner's container, network, volume and image; keeps living, foreign, unlabelled and inherited ones",
      () =>
        Effect.gen(function* () {
          const run = (labels: ReadonlyArray<string>, image = TEST_IMAGE) =>
            cli(kind, ["run", "-d", ...labels, image, "sleep", "600"])
          const session = `dead-${process.pid}-${Date.now()}`
          const leakedImage = `localhost/ociman-test/sweeper-leak-${process.pid}:1`
          cli(
            kind,
            [
              "build",
              "-q",
              ...owner(session, deadPid),
              "--label",
              `ociman.reference=${leakedImage}`,
              "-t",
              leakedImage,
              "-"
            ],
            `FROM ${TEST_IMAGE}\n`
          )
          // the dead owner's container mounts its volume: the volume goes once the container has
          const volume = cli(kind, ["volume", "create", ...owner(session, deadPid), `sweeper-leak-${process.pid}`])
          const livingVolume = cli(kind, [
            "volume",
            "create",
            ...owner(`alive-${process.pid}`, "1"),
            `sweeper-living-${process.pid}`
          ])
          const ids = {
            dead: run([...owner(session, deadPid), "--volume", `${volume}:/data`]),
            living: run(owner(`alive-${process.pid}`, "1")),
            foreign: run(owner(session, deadPid, "another-host.example")),
            unlabelled: run(["--label", `${marker}=1`]),
            // a user's container from the leaked image: labelled only by inheritance
            inherited: run(["--label", `${marker}=1`], leakedImage)
          }
          const network = cli(kind, ["network", "create", ...owner(session, deadPid), `sweeper-leak-${process.pid}`])
          try {
            const dry = yield* Sweeper.sweep({ dryRun: true })
            const outcome = (id: string) => dry.entries.find((e) => id.startsWith(e.id) || e.id.startsWith(id))
            expect(outcome(ids.dead)).toMatchObject({
              outcome: "WouldRemove",
              reason: "OwnerGone",
              kind: "container"
            })
            expect(outcome(ids.living)).toMatchObject({ outcome: "Kept", reason: "OwnerAlive" })
            expect(outcome(ids.foreign)).toBeUndefined()
            expect(outcome(ids.unlabelled)).toBeUndefined()
            expect(outcome(ids.inherited)).toMatchObject({ outcome: "Kept", reason: "Inherited" })
            expect(exists(kind, "container", ids.dead)).toBe(true)

            const report = yield* Sweeper.sweep()
            // AlreadyGone: another process's automatic sweep (on a shared machine) got there first
            const removed = report.entries.filter(
              (e) => (e.outcome === "Removed" || e.outcome === "AlreadyGone") && e.session === session
            )
            expect(removed.map((e) => e.kind).sort()).toEqual(["container", "network", "volume"])
            expect(exists(kind, "container", ids.dead)).toBe(false)
            expect(exists(kind, "network", network)).toBe(false)
            expect(exists(kind, "volume", volume)).toBe(false)
            expect(exists(kind, "volume", livingVolume)).toBe(true)
            for (const id of [ids.living, ids.foreign, ids.unlabelled, ids.inherited]) {
              expect(exists(kind, "container", id)).toBe(true)
            }
            // the leaked image is still used by the user's container: kept (not a failure of the sweep)
            const image = report.entries.find((e) => e.kind === "image" && e.session === session)
            expect(image).toMatchObject({ outcome: "Kept", reason: "InUse" })
            expect(exists(kind, "image", leakedImage)).toBe(true)
            cli(kind, [...forceRm(kind), ids.inherited])
            const again = yield* Sweeper.sweep()
            expect(again.entries.find((e) => e.kind === "image" && e.session === session)).toMatchObject({
              outcome: "Removed"
            })
            expect(exists(kind, "image", leakedImage)).toBe(false)

            // with allSessions, another host's go too (their owners cannot be checked from here)
            const all = yield* Sweeper.sweep({ allSessions: true, dryRun: true })
            expect(all.entries.find((e) => ids.foreign.startsWith(e.id) || e.id.startsWith(ids.foreign))).toMatchObject(
              { outcome: "WouldRemove", reason: "OtherHost" }
            )
          } finally {
            // one at a time: Podman 4.3's `rm --force` with an id that is gone removes none of the others
            for (const id of Object.values(ids)) spawnSync(kind, [...forceRm(kind), id], { stdio: "ignore" })
            spawnSync(kind, ["network", "rm", network], { stdio: "ignore" })
            spawnSync(kind, ["volume", "rm", volume, livingVolume], { stdio: "ignore" })
            spawnSync(kind, ["image", "rm", "--force", leakedImage], { stdio: "ignore" })
          }
        }),
      120_000
    )

    it.effect(
      "a detached container of a gone owner survives the default sweep and is taken with includeDetached",
      () =>
        Effect.gen(function* () {
          const session = `detached-${process.pid}-${Date.now()}`
          const detached = ["--label", "ociman.lifecycle=detached"]
          const run = (labels: ReadonlyArray<string>) => cli(kind, ["run", "-d", ...labels, TEST_IMAGE, "sleep", "600"])
          const ids = {
            detached: run([...owner(session, deadPid), ...detached]),
            scoped: run([...owner(session, deadPid), "--label", "ociman.lifecycle=scoped"]),
            // a living owner's detached container: kept even with includeDetached
            living: run([...owner(`alive-${process.pid}`, "1"), ...detached])
          }
          const find = (report: Sweeper.Report, id: string) =>
            report.entries.find((e) => id.startsWith(e.id) || e.id.startsWith(id))
          try {
            const report = yield* Sweeper.sweep()
            expect(find(report, ids.detached)).toMatchObject({ outcome: "Kept", reason: "Detached", detached: true })
            // AlreadyGone: another process's automatic sweep (on a shared machine) got there first
            expect(["Removed", "AlreadyGone"]).toContain(find(report, ids.scoped)?.outcome)
            expect(exists(kind, "container", ids.detached)).toBe(true)
            expect(exists(kind, "container", ids.scoped)).toBe(false)

            const dry = yield* Sweeper.sweep({ includeDetached: true, dryRun: true })
            expect(find(dry, ids.detached)).toMatchObject({ outcome: "WouldRemove", reason: "OwnerGone" })
            expect(exists(kind, "container", ids.detached)).toBe(true)

            const all = yield* Sweeper.sweep({ includeDetached: true })
            expect(find(all, ids.detached)).toMatchObject({ outcome: "Removed", reason: "OwnerGone", detached: true })
            expect(find(all, ids.living)).toMatchObject({ outcome: "Kept", reason: "OwnerAlive" })
            expect(exists(kind, "container", ids.detached)).toBe(false)
            expect(exists(kind, "container", ids.living)).toBe(true)
          } finally {
            for (const id of Object.values(ids)) spawnSync(kind, [...forceRm(kind), id], { stdio: "ignore" })
          }
        }),
      120_000
    )

    it.effect(
      "Container.startDetached in a process that exits: the next process's automatic sweep leaves it, includeDetached takes it",
      () =>
        Effect.gen(function* () {
          const starter = yield* Effect.promise(() =>
            runToEnd(
              kind,
              ["--mode", "exit", "--containers", "0", "--no-network", "--no-image", "--detached", "1"],
              false
            )
          )
          expect(starter.exitCode).toBe(0)
          const [id] = detachedIds(starter.stdout)
          if (id === undefined) return yield* Effect.die(`no detached container reported: ${starter.stderr}`)
          try {
            expect(
              cli(kind, ["container", "inspect", "--format", '{{index .Config.Labels "ociman.lifecycle"}}', id])
            ).toBe("detached")
            // the next process: acquires nothing, its runtime layer's automatic sweep runs to its end
            const next = yield* Effect.promise(() =>
              runToEnd(kind, ["--mode", "exit", "--containers", "0", "--no-network", "--no-image"], true)
            )
            expect(next.exitCode).toBe(0)
            expect(exists(kind, "container", id)).toBe(true)
            const report = yield* Sweeper.sweep({ includeDetached: true })
            expect(report.entries.find((e) => id.startsWith(e.id) || e.id.startsWith(id))).toMatchObject({
              outcome: "Removed",
              reason: "OwnerGone",
              detached: true
            })
            expect(exists(kind, "container", id)).toBe(false)
          } finally {
            spawnSync(kind, [...forceRm(kind), id], { stdio: "ignore" })
          }
        }),
      120_000
    )

    it.scoped("a scoped image carries the ownership labels and is removed when the scope closes", () =>
      Effect.gen(function* () {
        const reference = `localhost/ociman-test/scoped-image-${process.pid}:1`
        const built = yield* Effect.scoped(
          Image.buildScoped(
            BuildDefinition.fromInstructions(`FROM ${TEST_IMAGE}\nLABEL com.example.role=fixture\n`, { reference })
          )
        )
        expect(ImageReference.format(built)).toBe(reference)
        expect(exists(kind, "image", reference)).toBe(false)

        const labels = yield* Effect.scoped(
          Effect.flatMap(
            Image.buildScoped(
              BuildDefinition.fromInstructions(`FROM ${TEST_IMAGE}\nLABEL com.example.role=fixture\n`, { reference })
            ),
            Image.labelsOf
          )
        )
        expect(labels.get("com.example.role")).toBe("fixture")
        expect(labels.get("ociman.managed")).toBe("true")
        expect(labels.get("ociman.session")).toBe(Sweeper.session)
        expect(labels.get("ociman.pid")).toBe(String(process.pid))
        expect(labels.get("ociman.reference")).toBe(reference)
        expect(exists(kind, "image", reference)).toBe(false)
      })
    )

    it.scoped("a scoped build that fails leaves an image someone else built under that reference alone", () =>
      Effect.gen(function* () {
        const reference = `localhost/ociman-test/not-mine-${process.pid}:1`
        cli(kind, ["build", "-q", "-t", reference, "-"], `FROM ${TEST_IMAGE}\nLABEL com.example.owner=someone-else\n`)
        yield* Effect.addFinalizer(() =>
          Effect.sync(() => spawnSync(kind, ["image", "rm", "--force", reference], { stdio: "ignore" }))
        )
        const error = yield* Effect.flip(
          Image.buildScoped(
            BuildDefinition.fromInstructions("FROM localhost/ociman-test/does-not-exist:1\n", { reference })
          ).pipe(Effect.scoped)
        )
        expect(error._tag).toBe("BuildFailed")
        expect(exists(kind, "image", reference)).toBe(true)
      })
    )
  })
})
