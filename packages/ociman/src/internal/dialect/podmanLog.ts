/**
 * The `k8s-file` log Podman's conmon writes (`--log-driver k8s-file`), read back into a run's two
 * outputs. Each line is `<RFC 3339 time> <stdout|stderr> <tag> <bytes>`: tag `F` ends a line of
 * the output (its newline is not written), `P` is part of a line written without one. The bytes
 * are the container's, unchanged (not UTF-8 decoded).
 */
import { concatBytes } from "../bytes.js"

/** What a log held, per output. */
export interface LoggedOutput {
  readonly stdout: Uint8Array
  readonly stderr: Uint8Array
}

const NEWLINE = 0x0a
const SPACE = 0x20
const NEWLINE_BYTES = Uint8Array.of(NEWLINE)
const ascii = new TextDecoder("latin1")

/** The log's lines in order, each output's bytes joined; a line of another shape is skipped. */
export const decodeK8sFileLog = (log: Uint8Array): LoggedOutput => {
  const chunks: Record<"stdout" | "stderr", Array<Uint8Array>> = { stdout: [], stderr: [] }
  let start = 0
  while (start < log.length) {
    const newline = log.indexOf(NEWLINE, start)
    const end = newline === -1 ? log.length : newline
    const line = log.subarray(start, end)
    start = end + 1
    const afterTime = line.indexOf(SPACE)
    const afterStream = afterTime === -1 ? -1 : line.indexOf(SPACE, afterTime + 1)
    const afterTag = afterStream === -1 ? -1 : line.indexOf(SPACE, afterStream + 1)
    if (afterTag === -1) continue
    const stream = ascii.decode(line.subarray(afterTime + 1, afterStream))
    if (stream !== "stdout" && stream !== "stderr") continue
    chunks[stream].push(line.subarray(afterTag + 1))
    if (ascii.decode(line.subarray(afterStream + 1, afterTag)) !== "P") chunks[stream].push(NEWLINE_BYTES)
  }
  return { stdout: concatBytes(chunks.stdout), stderr: concatBytes(chunks.stderr) }
}

/**
 * A line Podman writes about itself on its stderr, never the container's: logrus'
 * `time="…" level=warning msg="…"` off a terminal, `WARN[0000] …` on one. Rootless Podman without
 * a systemd session, or on a `/` that is not a shared mount, warns so on every call.
 */
const PODMAN_OWN_LINE = /^(?:time="[^"]*" level=[a-z]+ msg=|[A-Z]{4}\[\d+\] )/

/** Whether every line of `stderr` is Podman's own (an empty one is). */
export const onlyPodmanOwnLines = (stderr: string): boolean =>
  stderr.split("\n").every((line) => line.length === 0 || PODMAN_OWN_LINE.test(line))

/** `stderr` without Podman's own lines. */
export const withoutPodmanOwnLines = (stderr: string): string =>
  stderr
    .split("\n")
    .filter((line) => !PODMAN_OWN_LINE.test(line))
    .join("\n")

/**
 * Conmon failing before the command starts, e.g. a log it cannot write where it was told:
 * `[conmon:e]: Failed to open log file No such file or directory`, or
 * `[conmon:e] k8s-file doesn't support --log-tag` (a `log_tag` in containers.conf); Podman then
 * exits 126 with `Error: write child: broken pipe`.
 */
export const CONMON_FAILED = /^\[conmon:e\]/m
