/**
 * The Engine API's stream framing, undone. A container without a TTY has its logs, and an exec
 * its output, sent as frames: an 8-byte header (byte 0 the stream: 0 stdin, 1 stdout, 2 stderr;
 * bytes 4–7 the payload's length, big-endian) and the payload. A container with a TTY sends its
 * output raw, without headers; which one it is shows in the first bytes (a header starts with
 * 0, 1 or 2 and three zero bytes, which text from a terminal never does).
 *
 * Chunks from the socket cut frames anywhere (inside a header, inside a payload, several frames in
 * one chunk), so the demuxer keeps what it has not placed yet.
 */
import type { LogLine } from "../../ContainerRuntime.js"

/** One payload and the output it belongs to (stdin, never sent back, is counted as stdout). */
export interface Frame {
  readonly stream: "stdout" | "stderr"
  readonly bytes: Uint8Array
}

const HEADER_LENGTH = 8
const STDERR = 2

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  if (a.length === 0) return b
  const joined = new Uint8Array(a.length + b.length)
  joined.set(a, 0)
  joined.set(b, a.length)
  return joined
}

/** Whether `bytes` (at least 4 of them) start like a frame header. */
const looksFramed = (bytes: Uint8Array): boolean =>
  (bytes[0] ?? 255) <= STDERR && bytes[1] === 0 && bytes[2] === 0 && bytes[3] === 0

/**
 * Splits a framed (or raw) byte stream into its payloads, chunk by chunk. `push` returns the
 * frames completed by a chunk; `end` what was left (a raw tail, or a frame cut short by the
 * connection's end: its bytes are kept rather than lost).
 */
export class Demuxer {
  private pending: Uint8Array = new Uint8Array(0)
  private mode: "unknown" | "framed" | "raw" = "unknown"

  push(chunk: Uint8Array): ReadonlyArray<Frame> {
    this.pending = concat(this.pending, chunk)
    if (this.mode === "unknown") {
      if (this.pending.length < 4) return []
      this.mode = looksFramed(this.pending) ? "framed" : "raw"
    }
    if (this.mode === "raw") return this.takeRaw()
    const frames: Array<Frame> = []
    let offset = 0
    while (this.pending.length - offset >= HEADER_LENGTH) {
      const view = new DataView(this.pending.buffer, this.pending.byteOffset + offset, HEADER_LENGTH)
      const length = view.getUint32(4)
      if (this.pending.length - offset - HEADER_LENGTH < length) break
      const start = offset + HEADER_LENGTH
      const bytes = this.pending.slice(start, start + length)
      if (bytes.length > 0) frames.push({ stream: view.getUint8(0) === STDERR ? "stderr" : "stdout", bytes })
      offset = start + length
    }
    this.pending = this.pending.slice(offset)
    return frames
  }

  end(): ReadonlyArray<Frame> {
    if (this.mode !== "framed") return this.takeRaw()
    // A frame cut short: keep its payload so far rather than drop what the container wrote.
    const stream = this.pending[0] === STDERR ? "stderr" : "stdout"
    const bytes = this.pending.slice(HEADER_LENGTH)
    this.pending = new Uint8Array(0)
    return bytes.length === 0 ? [] : [{ stream, bytes }]
  }

  private takeRaw(): ReadonlyArray<Frame> {
    const bytes = this.pending
    this.pending = new Uint8Array(0)
    return bytes.length === 0 ? [] : [{ stream: "stdout", bytes }]
  }
}

/** What a terminal shows of a line: progress output rewrites it after each carriage return (as the CLI wing does). */
const asDisplayed = (line: string): string => {
  const trimmed = line.replace(/\r+$/, "")
  return trimmed.slice(trimmed.lastIndexOf("\r") + 1)
}

/**
 * Turns frames into lines, each output on its own (a line of stdout may be split across frames
 * with stderr frames in between). UTF-8 characters split across frames are decoded whole.
 */
export class LineSplitter {
  private readonly decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() }
  private readonly partial = { stdout: "", stderr: "" }

  push(frame: Frame): ReadonlyArray<LogLine> {
    const text = this.partial[frame.stream] + this.decoders[frame.stream].decode(frame.bytes, { stream: true })
    const parts = text.split("\n")
    this.partial[frame.stream] = parts.pop() ?? ""
    return parts.map((line) => ({ stream: frame.stream, text: asDisplayed(line) }))
  }

  /** The unterminated last line of each output, if any. */
  end(): ReadonlyArray<LogLine> {
    return (["stdout", "stderr"] as const).flatMap((stream) => {
      const rest = this.partial[stream] + this.decoders[stream].decode()
      this.partial[stream] = ""
      return rest === "" ? [] : [{ stream, text: asDisplayed(rest) }]
    })
  }
}

/** A whole framed body split into the bytes of each output (for an exec's collected result). */
export const demuxAll = (
  chunks: ReadonlyArray<Uint8Array>
): { readonly stdout: Uint8Array; readonly stderr: Uint8Array } => {
  const demuxer = new Demuxer()
  const frames = [...chunks.flatMap((chunk) => demuxer.push(chunk)), ...demuxer.end()]
  const join = (stream: "stdout" | "stderr"): Uint8Array => {
    const parts = frames.filter((frame) => frame.stream === stream).map((frame) => frame.bytes)
    const joined = new Uint8Array(parts.reduce((length, part) => length + part.length, 0))
    parts.reduce((offset, part) => {
      joined.set(part, offset)
      return offset + part.length
    }, 0)
    return joined
  }
  return { stdout: join("stdout"), stderr: join("stderr") }
}
