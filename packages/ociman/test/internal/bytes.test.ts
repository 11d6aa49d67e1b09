import { describe, expect, it } from "@effect/vitest"
import { FastCheck } from "effect"
import { compareUtf8, entriesOf, hasLoneSurrogate, sortedUnique, utf8Length } from "../../src/internal/bytes.js"

const encoder = new TextEncoder()

describe("internal/bytes", () => {
  it("utf8Length matches TextEncoder, lone surrogates included", () => {
    for (const s of ["", "a", "é", "€", "😀", "a😀b", "\ud800", "\udc00x", "\ud83d\ud83d\ude00"]) {
      expect(utf8Length(s)).toBe(encoder.encode(s).length)
    }
    FastCheck.assert(
      FastCheck.property(FastCheck.string({ unit: "binary" }), (s) => {
        expect(utf8Length(s)).toBe(encoder.encode(s).length)
      })
    )
    FastCheck.assert(
      FastCheck.property(
        FastCheck.string({ unit: FastCheck.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)) }),
        (s) => {
          expect(utf8Length(s)).toBe(encoder.encode(s).length)
        }
      )
    )
  })

  it("compareUtf8 is the order of the UTF-8 bytes", () => {
    expect(compareUtf8("\uffff", "😀")).toBe(-1)
    expect("\uffff" < "😀").toBe(false) // why a plain comparison would be wrong
    expect(compareUtf8("a", "a")).toBe(0)
    expect(compareUtf8("a", "ab")).toBe(-1)
    expect(compareUtf8("b", "ab")).toBe(1)
    expect(compareUtf8("Z", "a")).toBe(-1)
    FastCheck.assert(
      FastCheck.property(FastCheck.string({ unit: "grapheme" }), FastCheck.string({ unit: "grapheme" }), (a, b) => {
        const expected = Math.sign(Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")))
        expect(compareUtf8(a, b)).toBe(expected)
      })
    )
  })

  it("hasLoneSurrogate finds unpaired surrogates only", () => {
    expect(hasLoneSurrogate("😀")).toBe(false)
    expect(hasLoneSurrogate("a\ud800")).toBe(true)
    expect(hasLoneSurrogate("\ude00a")).toBe(true)
    expect(hasLoneSurrogate("\ude00\ud83d")).toBe(true)
  })

  it("sortedUnique: later wins, sorted", () => {
    expect(
      sortedUnique([
        ["b", 1],
        ["a", 2],
        ["b", 3]
      ])
    ).toStrictEqual([
      ["a", 2],
      ["b", 3]
    ])
  })

  it("entriesOf reads records, maps and arrays", () => {
    expect(entriesOf({ a: "1" })).toStrictEqual([["a", "1"]])
    expect(entriesOf(new Map([["a", "1"]]))).toStrictEqual([["a", "1"]])
    expect(entriesOf([["a", "1"]])).toStrictEqual([["a", "1"]])
  })
})
