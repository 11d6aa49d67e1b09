import { describe, expect, it } from "@effect/vitest"
import { RuntimeError } from "ociman"
import { resolveHint, unavailable } from "../src/actions/doctor.js"

describe("ociman doctor", () => {
  it("the fix for each kind and reason is the library's typed hint, whatever the detail says", () => {
    expect(new RuntimeError.RuntimeUnavailable({ kind: "docker", reason: "NotInstalled", detail: "" }).hint).toBe(
      "install docker or put it on PATH"
    )
    const reasons: ReadonlyArray<RuntimeError.UnavailableReason> = [
      "NotInstalled",
      "DaemonUnreachable",
      "PermissionDenied",
      "ProbeFailed"
    ]
    for (const kind of ["docker", "podman"] as const) {
      for (const reason of reasons) {
        // a detail that looks like a message with a hint must not confuse anything
        const error = new RuntimeError.RuntimeUnavailable({ kind, reason, detail: "it — failed — badly" })
        expect(resolveHint(error)).toBe(error.hint)
        expect(error.message.endsWith(` — ${error.hint}`)).toBe(true)
        const failed = unavailable(kind, error).checks.find((check) => check.ok === false)
        expect(failed?.hint).toBe(error.hint)
      }
    }
  })

  it("reports which check failed and how to fix it, for every kind of resolution error", () => {
    const down = new RuntimeError.RuntimeUnavailable({
      kind: "docker",
      reason: "DaemonUnreachable",
      detail: "Cannot connect to the Docker daemon\n"
    })
    expect(unavailable("docker", down).checks).toEqual([
      { check: "installed", ok: true, detail: "docker found" },
      {
        check: "engine",
        ok: false,
        detail: "DaemonUnreachable: Cannot connect to the Docker daemon",
        hint: "start the Docker engine (dockerd), or check DOCKER_HOST / the docker context"
      },
      { check: "run", ok: null, detail: "not checked" }
    ])
    const config = new RuntimeError.InvalidConfigFile({ path: "/home/u/.config/ociman.toml", detail: "bad TOML" })
    expect(resolveHint(config)).toBe("fix or remove /home/u/.config/ociman.toml")
    const selection = new RuntimeError.InvalidBackendSelection({
      source: "OCIMAN_BACKEND",
      value: "lxc",
      allowed: ["auto", "docker", "podman"]
    })
    expect(resolveHint(selection)).toBe("set OCIMAN_BACKEND to docker or podman, or unset it to autodetect")
    const none = new RuntimeError.NoRuntimeAvailable({
      attempts: [down, new RuntimeError.RuntimeUnavailable({ kind: "podman", reason: "NotInstalled", detail: "" })]
    })
    expect(resolveHint(none)).toBe(
      "start the Docker engine (dockerd), or check DOCKER_HOST / the docker context; install podman or put it on PATH"
    )
  })
})
