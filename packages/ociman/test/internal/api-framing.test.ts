import { describe, expect, it } from "@effect/vitest"
import { FastCheck } from "effect"
import { demuxAll, Demuxer, type Frame, LineSplitter } from "../../src/internal/api/framing.js"

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** One frame as the engine writes it: stream byte, three zeros, big-endian length, payload. */
const frame = (stream: 1 | 2, text: string): Uint8Array => {
  const payload = encoder.encode(text)
  const bytes = new Uint8Array(8 + payload.length)
  bytes[0] = stream
  new DataView(bytes.buffer).setUint32(4, payload.length)
  bytes.set(payload, 8)
  return bytes
}

const join = (parts: ReadonlyArray<Uint8Array>): Uint8Array => new Uint8Array(Buffer.concat(parts))

/** Cuts `bytes` at the given offsets. */
const cut = (bytes: Uint8Array, at: ReadonlyArray<number>): ReadonlyArray<Uint8Array> => {
  const points = [0, ...[...new Set(at)].filter((p) => p > 0 && p < bytes.length).sort((a, b) => a - b), bytes.length]
  return points.slice(1).map((end, i) => bytes.slice(points[i], end))
}

const texts = (frames: ReadonlyArray<Frame>) => frames.map((f) => `${f.stream}:${decoder.decode(f.bytes)}`)

describe("Demuxer", () => {
  it("splits frames of both outputs, several in one chunk", () => {
    const demuxer = new Demuxer()
    const frames = demuxer.push(join([frame(1, "out\n"), frame(2, "err\n"), frame(1, "more\n")]))
    expect(texts(frames)).toEqual(["stdout:out\n", "stderr:err\n", "stdout:more\n"])
    expect(demuxer.end()).toEqual([])
  })

  it("keeps a header or a payload cut across chunks until the rest arrives", () => {
    const demuxer = new Demuxer()
    const bytes = join([frame(2, "hello"), frame(1, "world")])
    expect(demuxer.push(bytes.slice(0, 3))).toEqual([]) // inside the first header
    expect(demuxer.push(bytes.slice(3, 10))).toEqual([]) // header done, payload cut
    expect(texts(demuxer.push(bytes.slice(10, 15)))).toEqual(["stderr:hello"])
    expect(texts(demuxer.push(bytes.slice(15)))).toEqual(["stdout:world"])
  })

  it("gives the same payloads however the stream is cut", () => {
    FastCheck.assert(
      FastCheck.property(
        FastCheck.array(FastCheck.tuple(FastCheck.constantFrom<1 | 2>(1, 2), FastCheck.string({ minLength: 1 })), {
          maxLength: 8
        }),
        FastCheck.array(FastCheck.nat(400), { maxLength: 12 }),
        (frames, at) => {
          const bytes = join(frames.map(([stream, text]) => frame(stream, text)))
          const demuxer = new Demuxer()
          const got = [...cut(bytes, at).flatMap((chunk) => demuxer.push(chunk)), ...demuxer.end()]
          const whole = (stream: "stdout" | "stderr") =>
            decoder.decode(join(got.filter((f) => f.stream === stream).map((f) => f.bytes)))
          expect(whole("stdout")).toBe(
            frames
              .filter(([s]) => s === 1)
              .map(([, t]) => t)
              .join("")
          )
          expect(whole("stderr")).toBe(
            frames
              .filter(([s]) => s === 2)
              .map(([, t]) => t)
              .join("")
          )
        }
      )
    )
  })

  it("passes a TTY's raw output through as stdout", () => {
    const demuxer = new Demuxer()
    expect(demuxer.push(encoder.encode("ab"))).toEqual([]) // too short to tell yet
    expect(texts(demuxer.push(encoder.encode("c\r\nd")))).toEqual(["stdout:abc\r\nd"])
    expect(texts(demuxer.push(encoder.encode("e")))).toEqual(["stdout:e"])
    const short = new Demuxer()
    short.push(encoder.encode("x"))
    expect(texts(short.end())).toEqual(["stdout:x"])
  })

  it("keeps what a frame cut short by the end of the connection had", () => {
    const demuxer = new Demuxer()
    const bytes = frame(2, "partial line")
    expect(demuxer.push(bytes.slice(0, 12))).toEqual([])
    expect(texts(demuxer.end())).toEqual(["stderr:part"])
  })

  it("demuxAll joins each output's bytes", () => {
    const { stdout, stderr } = demuxAll(cut(join([frame(1, "a"), frame(2, "b"), frame(1, "c")]), [5, 9, 17]))
    expect(decoder.decode(stdout)).toBe("ac")
    expect(decoder.decode(stderr)).toBe("b")
  })
})

describe("LineSplitter", () => {
  it("splits each output on its own, across frames, with the unterminated last line at the end", () => {
    const splitter = new LineSplitter()
    const lines = [
      ...splitter.push({ stream: "stdout", bytes: encoder.encode("one\ntw") }),
      ...splitter.push({ stream: "stderr", bytes: encoder.encode("err\n") }),
      ...splitter.push({ stream: "stdout", bytes: encoder.encode("o\r\n\nthree") }),
      ...splitter.end()
    ]
    expect(lines).toEqual([
      { stream: "stdout", text: "one" },
      { stream: "stderr", text: "err" },
      { stream: "stdout", text: "two" },
      { stream: "stdout", text: "" },
      { stream: "stdout", text: "three" }
    ])
  })

  it("decodes a UTF-8 character split across frames whole, and shows a progress line as displayed", () => {
    const splitter = new LineSplitter()
    const euro = encoder.encode("€\n")
    const lines = [
      ...splitter.push({ stream: "stdout", bytes: euro.slice(0, 1) }),
      ...splitter.push({ stream: "stdout", bytes: euro.slice(1) }),
      ...splitter.push({ stream: "stdout", bytes: encoder.encode("10%\r50%\r100%\n") })
    ]
    expect(lines).toEqual([
      { stream: "stdout", text: "€" },
      { stream: "stdout", text: "100%" }
    ])
  })
})
