import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck, Schema } from "effect"
import { Label } from "ociman"

const keyReason = (input: string) =>
  Either.match(Label.key(input), { onLeft: (e) => e.reason, onRight: () => undefined })
const valueReason = (input: string) =>
  Either.match(Label.value(input), { onLeft: (e) => e.reason, onRight: () => undefined })
const labels = (input: Parameters<typeof Label.make>[0]) => Either.getOrThrow(Label.make(input))
const key = (input: string) => Either.getOrThrow(Label.key(input))
const value = (input: string) => Either.getOrThrow(Label.value(input))

describe("Label", () => {
  describe("ociman cases (label.rs)", () => {
    it("accepts pg-ephemeral.session and round-trips it", () => {
      expect(`${key("pg-ephemeral.session")}`).toBe("pg-ephemeral.session")
    })

    it.each(["maintainer", "com.example.MixedCase", "foo_bar", ".leading", "trailing-"])("accepts key %s", (input) => {
      expect(keyReason(input)).toBeUndefined()
    })

    it("rejects the empty key", () => {
      expect(keyReason("")).toBe("KeyEmpty")
    })

    it.each(["foo=bar", "foo bar", "foo\tbar", "foo,bar"])("rejects key %j as KeyInvalidCharacter", (input) => {
      expect(keyReason(input)).toBe("KeyInvalidCharacter")
    })

    it("rejects a 257-byte key and accepts 256 bytes", () => {
      expect(keyReason("a".repeat(257))).toBe("KeyTooLong")
      expect(keyReason("a".repeat(256))).toBeUndefined()
      expect(Label.MAX_KEY_LENGTH).toBe(256)
    })

    it("accepts the constants pg-ephemeral.managed and main", () => {
      expect(key("pg-ephemeral.managed")).toBe("pg-ephemeral.managed")
      expect(value("main")).toBe("main")
    })

    it("accepts a 65 536-byte value and rejects 65 537", () => {
      expect(valueReason("x".repeat(65_536))).toBeUndefined()
      expect(valueReason("x".repeat(65_537))).toBe("ValueTooLong")
      expect(Label.MAX_VALUE_LENGTH).toBe(65_536)
    })

    it("read-side labels compare with typed keys and values (cross-family equality)", () => {
      const read = Either.getOrThrow(Label.decode({ Config: { Labels: { "pg-ephemeral.session": "main" } } }))
      const [readKey, readValue] = [...read][0] ?? ["", ""]
      expect(readKey === key("pg-ephemeral.session")).toBe(true)
      expect(key("pg-ephemeral.session") === readKey).toBe(true)
      expect(readValue === value("main")).toBe(true)
      expect(value("main") === readValue).toBe(true)
    })

    it("read-side get / has by typed key; a missing key gives undefined", () => {
      const read = Either.getOrThrow(Label.decode({ Config: { Labels: { "pg-ephemeral.session": "main" } } }))
      expect(read.get(key("pg-ephemeral.session"))).toBe("main")
      expect(read.has(key("pg-ephemeral.session"))).toBe(true)
      expect(read.get(key("other"))).toBeUndefined()
      expect(read.has(key("other"))).toBe(false)
    })

    it("iterates sorted: inserting b.key then a.key yields a.key then b.key", () => {
      expect(
        labels([
          ["b.key", "1"],
          ["a.key", "2"]
        ]).map(([k]) => k)
      ).toStrictEqual(["a.key", "b.key"])
    })
  })

  describe("messages (ociman's wording)", () => {
    it.each([
      ["", "Label key cannot be empty"],
      ["a=b", "Label key may not contain '=', whitespace, control characters, or ','"],
      ["a".repeat(257), "Label key exceeds maximum length of 256 bytes"]
    ])("key %j", (input, expected) => {
      const error = Either.getOrThrow(Either.flip(Label.key(input)))
      expect(error._tag).toBe("InvalidLabel")
      expect(error.message.startsWith(expected)).toBe(true)
    })

    it("value too long: names the key, gives the size, does not dump the value", () => {
      const error = Either.getOrThrow(Either.flip(Label.make({ big: "x".repeat(70_000) })))
      expect(error.reason).toBe("ValueTooLong")
      expect(error.key).toBe("big")
      expect(error.message.startsWith("Label value exceeds maximum length of 65536 bytes")).toBe(true)
      expect(error.message).toContain('"big"')
      expect(error.message).toContain("70000 bytes")
      expect(error.message.length).toBeLessThan(300)
    })
  })

  describe("UTF-8 byte lengths", () => {
    it("counts a 2-byte character twice: 128 × é is 256 bytes, 129 × é too long", () => {
      expect(keyReason("é".repeat(128))).toBeUndefined()
      expect(keyReason("é".repeat(129))).toBe("KeyTooLong")
    })

    it("counts an astral character as 4 bytes (2 UTF-16 units)", () => {
      expect(keyReason("😀".repeat(64))).toBeUndefined()
      expect(keyReason("😀".repeat(65))).toBe("KeyTooLong")
      expect(valueReason("😀".repeat(16_384))).toBeUndefined()
      expect(valueReason(`${"😀".repeat(16_384)}x`)).toBe("ValueTooLong")
    })

    it("counts a 3-byte character as 3 bytes", () => {
      expect(valueReason("€".repeat(21_845) + "x")).toBeUndefined() // 65 536 bytes
      expect(valueReason("€".repeat(21_846))).toBe("ValueTooLong") // 65 538 bytes
    })
  })

  describe("key characters", () => {
    it.each(["\n", "\r", "\f", "\v", "\u0000", "\u001f", "\u007f", " "])("rejects %j", (c) => {
      expect(keyReason(`a${c}b`)).toBe("KeyInvalidCharacter")
    })

    it("accepts non-ASCII, including non-ASCII spaces (ociman checks ASCII only)", () => {
      expect(keyReason("clé.ünïcode")).toBeUndefined()
      expect(keyReason("a\u00a0b")).toBeUndefined()
    })

    it("rejects a lone surrogate", () => {
      expect(keyReason("a\ud800")).toBe("KeyInvalidCharacter")
    })
  })

  describe("values", () => {
    it("accept =, commas, newlines, JSON, the empty string", () => {
      for (const v of ["a=b", "a,b", "line1\nline2", '{"k":[1,2]}', ""]) expect(valueReason(v)).toBeUndefined()
    })

    it("reject NUL and lone surrogates", () => {
      expect(valueReason("a\u0000b")).toBe("ValueInvalidCharacter")
      expect(valueReason("\udc00")).toBe("ValueInvalidCharacter")
    })
  })

  describe("make", () => {
    it("sorts by key in UTF-8 byte order, not UTF-16 order", () => {
      // U+FFFF is EF BF BF in UTF-8, U+1F600 is F0 9F 98 80; in UTF-16 the emoji starts with 0xD83D < 0xFFFF.
      const sorted = labels({ "😀": "1", "\uffff": "2", Z: "3", a: "4", "a.b": "5" }).map(([k]) => k)
      expect(sorted).toStrictEqual(["Z", "a", "a.b", "\uffff", "😀"])
    })

    it("deduplicates, the later pair wins", () => {
      expect(
        labels([
          ["k", "1"],
          ["j", "x"],
          ["k", "2"]
        ])
      ).toStrictEqual([
        ["j", "x"],
        ["k", "2"]
      ])
    })

    it("accepts a Map and an existing Labels", () => {
      const fromMap = labels(new Map([["a", "1"]]))
      expect(labels(fromMap)).toStrictEqual([["a", "1"]])
    })

    it("fails on the first invalid key or value", () => {
      expect(Either.getOrThrow(Either.flip(Label.make({ ok: "1", "bad key": "2" }))).reason).toBe("KeyInvalidCharacter")
      expect(Either.getOrThrow(Either.flip(Label.make({ ok: "a\u0000" }))).input).toBe("a\u0000")
    })

    it("merge: that wins", () => {
      expect(Label.merge(labels({ a: "1", b: "1" }), labels({ b: "2", c: "2" }))).toStrictEqual([
        ["a", "1"],
        ["b", "2"],
        ["c", "2"]
      ])
      expect(Label.merge(labels({ b: "2" }))(labels({ a: "1" }))).toStrictEqual([
        ["a", "1"],
        ["b", "2"]
      ])
    })

    it("get finds a value by key", () => {
      expect(Label.get(labels({ role: "db" }), "role")).toBe("db")
      expect(Label.get(labels({ role: "db" }), "other")).toBeUndefined()
    })

    it("property: the result does not depend on the order of distinct keys", () => {
      const keyArb = FastCheck.string({ unit: "grapheme", minLength: 1, maxLength: 8 }).filter((k) =>
        Either.isRight(Label.key(k))
      )
      FastCheck.assert(
        FastCheck.property(
          FastCheck.uniqueArray(FastCheck.tuple(keyArb, FastCheck.string()), { selector: ([k]) => k }),
          (pairs) => {
            const forward = labels(pairs)
            expect(labels([...pairs].reverse())).toStrictEqual(forward)
            const keys = forward.map(([k]) => Buffer.from(k, "utf8"))
            for (let i = 1; i < keys.length; i++) {
              expect(Buffer.compare(keys[i - 1] ?? Buffer.alloc(0), keys[i] ?? Buffer.alloc(0))).toBe(-1)
            }
          }
        )
      )
    })
  })

  describe("Schemas", () => {
    it("KeyFromString and ValueFromString decode and fail with the message", () => {
      expect(Schema.decodeUnknownSync(Label.KeyFromString)("com.example.role")).toBe("com.example.role")
      expect(Schema.decodeUnknownSync(Label.ValueFromString)("v")).toBe("v")
      const error = Either.getOrThrow(Either.flip(Schema.decodeUnknownEither(Label.KeyFromString)("a b")))
      expect(error.message).toContain("Label key may not contain")
    })
  })

  describe("decode (inspect Config.Labels)", () => {
    const decoded = (inspect: unknown) => [...Either.getOrThrow(Label.decode(inspect))]
    const failure = (inspect: unknown) => Either.getOrThrow(Either.flip(Label.decode(inspect)))

    it("reads Config.Labels, sorted by key in byte order", () => {
      expect(
        decoded({ Id: "abc", Config: { Image: "x", Labels: { b: "2", "😀": "e", "\uffff": "f", a: "1" } } })
      ).toStrictEqual([
        ["a", "1"],
        ["b", "2"],
        ["\uffff", "f"],
        ["😀", "e"]
      ])
    })

    it.each([{}, { Config: null }, { Config: {} }, { Config: { Labels: null } }, { Config: { Labels: {} } }])(
      "%j has no labels",
      (inspect) => {
        expect(decoded(inspect)).toStrictEqual([])
      }
    )

    it.each([["x"], [[]], [1], [true]])("Labels = %j is NotObject", (labelsValue) => {
      const error = failure({ Config: { Labels: labelsValue } })
      expect(error._tag).toBe("InvalidInspectLabels")
      expect(error.reason).toBe("NotObject")
      expect(error.path).toBe("Config.Labels")
      expect(error.message.startsWith("inspect Config.Labels was not a JSON object")).toBe(true)
    })

    it("a non-object inspect output or Config is NotObject too", () => {
      expect(failure("oops").path).toBe("")
      expect(failure(null).reason).toBe("NotObject")
      expect(failure({ Config: "x" }).path).toBe("Config")
    })

    it.each([[1], [null], [{}], [["a"]], [false]])("a %j value is ValueNotString, naming the key", (bad) => {
      const error = failure({ Config: { Labels: { ok: "1", bad } } })
      expect(error.reason).toBe("ValueNotString")
      expect(error.key).toBe("bad")
      expect(error.message.startsWith('inspect label "bad" had a non-string value')).toBe(true)
    })

    it("does not validate values (read side)", () => {
      expect(decoded({ Config: { Labels: { "bad key": "x".repeat(70_000) } } })).toHaveLength(1)
    })
  })
})
