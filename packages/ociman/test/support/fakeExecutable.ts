/**
 * Fake `docker` / `podman` executables for unit tests: small shell scripts in a scoped temp
 * directory, so the real process path (spawn, drain, exit codes) is exercised without a runtime.
 */
import { FileSystem, Path } from "@effect/platform"
import { Effect } from "effect"

/** Writes an executable shell script and returns its path. */
export const fakeExecutable = (name: string, script: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "ociman-fake-" })
    const file = path.join(dir, name)
    yield* fs.writeFileString(file, `#!/bin/sh\n${script}\n`)
    yield* fs.chmod(file, 0o755)
    return file
  })

/** A fake Docker CLI whose engine answers with the given versions and security options. */
export const fakeDocker = (options: { client: string; engine: string; securityOptions: ReadonlyArray<string> }) =>
  fakeExecutable(
    "docker",
    `case "$1" in
  version) echo '${JSON.stringify({ Client: { Version: options.client }, Server: { Version: options.engine } })}' ;;
  info) echo '${JSON.stringify(options.securityOptions)}' ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac`
  )

/** A fake Docker CLI whose daemon is down, exactly as the real client reports it. */
export const fakeDockerDaemonDown = fakeExecutable(
  "docker",
  `[ "$1" = version ] && echo '{"Client":{"Version":"28.2.2"},"Server":null}'
echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2
exit 1`
)

/** A fake Podman CLI. */
export const fakePodman = (options: { version: string; rootless: boolean }) =>
  fakeExecutable(
    "podman",
    `case "$1" in
  version) echo '${JSON.stringify({ Client: { Version: options.version } })}' ;;
  info) echo '${options.rootless}' ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac`
  )
