/**
 * What `ociman doctor` does (see `commands/doctor.ts`).
 */
import { Clock, Console, Data, Effect, Either, Option } from "effect"
import * as Container from "ociman/Container"
import * as Def from "ociman/ContainerDefinition"
import * as ContainerRuntime from "ociman/ContainerRuntime"
import * as ImageReference from "ociman/ImageReference"
import type * as RuntimeError from "ociman/RuntimeError"
import { DEFAULT_IMAGE, type DoctorInput } from "../commands/doctor.js"
import { platformLayer } from "../platform.js"

/** One check: passed (`ok: true`), failed (`ok: false`, with a `hint`), or skipped after an earlier failure (`ok: null`). */
export interface Check {
  readonly check: "installed" | "engine" | "run"
  readonly ok: boolean | null
  readonly detail: string
  readonly hint?: string | undefined
}

/** What doctor found out about one runtime. */
export interface RuntimeReport {
  readonly kind: ContainerRuntime.Kind
  /** Every check passed. */
  readonly ok: boolean
  readonly clientVersion: string | null
  readonly engineVersion: string | null
  readonly rootless: boolean | null
  /** Where the CLI sends its calls (see `ContainerRuntime.Endpoint`); null when the runtime could not be resolved. */
  readonly endpoint: ContainerRuntime.Endpoint | null
  readonly checks: ReadonlyArray<Check>
}

/** Which runtime the other commands would use without `--backend`. */
export type Selection =
  | { readonly ok: true; readonly kind: ContainerRuntime.Kind; readonly source: ContainerRuntime.SelectionSource }
  | { readonly ok: false; readonly detail: string; readonly hint: string }

/** The JSON document `ociman doctor --json` prints. */
export interface DoctorReport {
  readonly ok: boolean
  readonly image: string
  readonly runtimes: ReadonlyArray<RuntimeReport>
  readonly selected: Selection
}

/** No runtime passed every check; the report above says why. */
export class DoctorFailed extends Data.TaggedError("DoctorFailed")<{ readonly kinds: ReadonlyArray<string> }> {
  override get message(): string {
    return this.kinds.length === 1
      ? `${this.kinds[0] ?? ""} did not pass every check (see the report above for how to fix it)`
      : "no container runtime passed every check (see the report above for how to fix it)"
  }
}

const skipped = (check: Check["check"]): Check => ({ check, ok: null, detail: "not checked" })

/** How to fix any failure of resolving a runtime, from its typed fields. */
export const resolveHint = (error: RuntimeError.ResolveError): string => {
  switch (error._tag) {
    case "InvalidBackendSelection":
      return error.source === "OCIMAN_BACKEND"
        ? "set OCIMAN_BACKEND to docker or podman, or unset it to autodetect"
        : `set default_backend in ${error.source} to auto, docker or podman`
    case "InvalidConfigFile":
      return `fix or remove ${error.path}`
    case "RuntimeUnavailable":
      return error.hint
    case "NoRuntimeAvailable":
      return error.attempts.length === 0
        ? "install docker or podman"
        : error.attempts.map((attempt) => attempt.hint).join("; ")
  }
}

/** The report of a runtime that could not be resolved: which check failed, why, and how to fix it. */
export const unavailable = (kind: ContainerRuntime.Kind, error: RuntimeError.ResolveError): RuntimeReport => {
  const hint = resolveHint(error)
  const detail =
    error._tag === "RuntimeUnavailable" ? `${error.reason}: ${error.detail.trim() || "no detail"}` : error.message
  const notInstalled = error._tag === "RuntimeUnavailable" && error.reason === "NotInstalled"
  return {
    kind,
    ok: false,
    clientVersion: null,
    engineVersion: null,
    rootless: null,
    endpoint: null,
    checks: notInstalled
      ? [{ check: "installed", ok: false, detail, hint }, skipped("engine"), skipped("run")]
      : [
          { check: "installed", ok: true, detail: `${kind} found` },
          { check: "engine", ok: false, detail, hint },
          skipped("run")
        ]
  }
}

const imageHint = (kind: ContainerRuntime.Kind, image: string): string =>
  image === DEFAULT_IMAGE
    ? `build it: \`bash scripts/provision-runtimes.sh\` (as root, in the ociman repository) builds ${DEFAULT_IMAGE} on both runtimes without a registry; or pass --image with an image ${kind} has`
    : `pull or build ${image} with ${kind} first (doctor runs it with --pull never), or pass another --image`

const seconds = (millis: number): string => `${(millis / 1000).toFixed(1)} s`

/** Runs `true` in a throwaway container of `image` (removed afterwards, never pulled). */
const runCheck = (kind: ContainerRuntime.Kind, image: string) =>
  Effect.gen(function* () {
    const started = yield* Clock.currentTimeMillis
    const outcome = yield* Effect.either(
      Container.run(Def.make(image).pipe(Def.withRemove, Def.pullPolicy("never"), Def.command(["true"])), {
        timeout: "60 seconds"
      })
    )
    const elapsed = (yield* Clock.currentTimeMillis) - started
    if (Either.isRight(outcome)) {
      const passed: Check = { check: "run", ok: true, detail: `ran ${image} in ${seconds(elapsed)}` }
      return passed
    }
    const error = outcome.left
    const failed: Check =
      error._tag === "ImageNotFound"
        ? { check: "run", ok: false, detail: `image ${image} is not present on ${kind}`, hint: imageHint(kind, image) }
        : {
            check: "run",
            ok: false,
            detail: error.message,
            hint: `run \`${kind} run --rm --pull never ${image} true\` to see the runtime's own error`
          }
    return failed
  })

/** Every check of one runtime, in order; a failed check skips the ones that need it. */
export const checkRuntime = (kind: ContainerRuntime.Kind, image: string) =>
  Effect.gen(function* () {
    const resolved = yield* Effect.either(ContainerRuntime.resolve({ backend: kind }))
    if (Either.isLeft(resolved)) return unavailable(kind, resolved.left)
    const backend = resolved.right
    const client = yield* Effect.either(ContainerRuntime.clientVersion(backend))
    if (Either.isLeft(client)) return unavailable(kind, client.left)
    const clientVersion = client.right.raw
    const service = yield* ContainerRuntime.make(backend)
    const run = yield* runCheck(kind, image).pipe(Effect.provideService(ContainerRuntime.ContainerRuntime, service))
    const report: RuntimeReport = {
      kind,
      ok: run.ok === true,
      clientVersion,
      engineVersion: backend.engineVersion.raw,
      rootless: backend.rootless,
      endpoint: backend.endpoint,
      checks: [
        { check: "installed", ok: true, detail: `${backend.executable} client ${clientVersion}` },
        {
          check: "engine",
          ok: true,
          detail: `engine ${backend.engineVersion.raw} at ${backend.endpoint.url ?? "local"}${backend.endpoint.remote ? " (remote)" : ""}, rootless: ${backend.rootless ? "yes" : "no"}`
        },
        run
      ]
    }
    return report
  })

const selectionHint = (error: RuntimeError.ResolveError): string => {
  switch (error._tag) {
    case "RuntimeUnavailable":
      return `${error.hint}; or choose the other runtime with OCIMAN_BACKEND`
    case "NoRuntimeAvailable":
      return "make one runtime pass the checks above"
    default:
      return resolveHint(error)
  }
}

/** What `ContainerRuntime.layerFromEnv` would pick. */
export const environmentSelection = Effect.map(
  Effect.either(ContainerRuntime.resolve()),
  Either.match({
    onLeft: (error): Selection => ({
      ok: false,
      detail: error._tag === "NoRuntimeAvailable" ? "neither docker nor podman is usable" : error.message,
      hint: selectionHint(error)
    }),
    onRight: (backend): Selection => ({ ok: true, kind: backend.kind, source: backend.source })
  })
)

const MARK = { true: "✓", false: "✗", null: "-" } as const
const LABEL: Record<Check["check"], string> = {
  installed: "installed",
  engine: "engine",
  run: "runs a container"
}

/** The report as text: one block per runtime, then the environment's selection. */
export const doctorText = (report: DoctorReport): string => {
  const blocks = report.runtimes.map((runtime) =>
    [
      `${runtime.kind}: ${runtime.ok ? "ok" : "not usable"}`,
      ...runtime.checks.flatMap((check) => [
        `  ${MARK[`${check.ok}`]} ${LABEL[check.check].padEnd(16)} ${check.detail}`,
        ...(check.hint === undefined ? [] : [`    fix: ${check.hint}`])
      ])
    ].join("\n")
  )
  const selected = report.selected
  const selection = selected.ok
    ? `ociman uses ${selected.kind} here (selected by ${selected.source}; --backend or OCIMAN_BACKEND overrides it)`
    : `ociman cannot choose a runtime here: ${selected.detail}\n  fix: ${selected.hint}`
  return [...blocks, selection].join("\n")
}

export const action = ({ backend, image, json }: DoctorInput) =>
  Effect.gen(function* () {
    // An unusable --image is a usage error, not a failed check.
    yield* Either.match(ImageReference.parse(image), { onLeft: Effect.fail, onRight: () => Effect.void })
    const kinds: ReadonlyArray<ContainerRuntime.Kind> = Option.match(backend, {
      onNone: () => ["docker", "podman"],
      onSome: (kind) => [kind]
    })
    const [runtimes, selected] = yield* Effect.all(
      [Effect.forEach(kinds, (kind) => checkRuntime(kind, image), { concurrency: "unbounded" }), environmentSelection],
      { concurrency: "unbounded" }
    )
    const report: DoctorReport = { ok: runtimes.some((runtime) => runtime.ok), image, runtimes, selected }
    yield* Console.log(json ? JSON.stringify(report) : doctorText(report))
    if (!report.ok) return yield* new DoctorFailed({ kinds })
  }).pipe(Effect.provide(platformLayer))
