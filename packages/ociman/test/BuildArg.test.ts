import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck, Schema } from "effect"
import { BuildArg } from "ociman"

const keyError = (input: string) => Either.getOrThrow(Either.flip(BuildArg.key(input)))
const args = (input: Parameters<typeof BuildArg.make>[0]) => Either.getOrThrow(BuildArg.make(input))

describe("BuildArg", () => {
  describe("keys (ociman's BuildArgumentKey)", () => {
    it.each(["VERSION", "a", "lower_case", "with space", "ünï", "A-B.C"])("accepts %j", (input) => {
      expect(Either.getOrThrow(BuildArg.key(input))).toBe(input)
    })

    it("rejects the empty key: Empty, with ociman's message", () => {
      const error = keyError("")
      expect(error._tag).toBe("InvalidBuildArg")
      expect(error.reason).toBe("Empty")
      expect(error.message).toBe("Build argument key cannot be empty")
    })

    it.each(["A=B", "=", "A=", "=A"])("rejects %j: ContainsEquals, with ociman's message", (input) => {
      const error = keyError(input)
      expect(error.reason).toBe("ContainsEquals")
      expect(error.input).toBe(input)
      expect(error.message.startsWith("Build argument key cannot contain '=' character")).toBe(true)
    })

    it("rejects NUL and lone surrogates", () => {
      expect(keyError("A\u0000").reason).toBe("InvalidCharacter")
      expect(keyError("\ud800A").reason).toBe("InvalidCharacter")
    })

    it("KeyFromString decodes and fails with the message", () => {
      expect(Schema.decodeUnknownSync(BuildArg.KeyFromString)("VERSION")).toBe("VERSION")
      const error = Either.getOrThrow(Either.flip(Schema.decodeUnknownEither(BuildArg.KeyFromString)("")))
      expect(error.message).toContain("Build argument key cannot be empty")
    })
  })

  describe("make", () => {
    it("sorts by key in UTF-8 byte order (BTreeMap) and deduplicates, later wins", () => {
      expect(
        args([
          ["b", "1"],
          ["😀", "2"],
          ["\uffff", "3"],
          ["B", "4"],
          ["b", "5"]
        ])
      ).toStrictEqual([
        ["B", "4"],
        ["b", "5"],
        ["\uffff", "3"],
        ["😀", "2"]
      ])
    })

    it("values are any string without NUL ('=', empty, newlines)", () => {
      expect(args({ A: "x=y", B: "", C: "l1\nl2" })).toHaveLength(3)
      const error = Either.getOrThrow(Either.flip(BuildArg.make({ A: "a\u0000b" })))
      expect(error.reason).toBe("ValueInvalidCharacter")
      expect(error.input).toBe("A")
    })

    it("fails on the first invalid key", () => {
      expect(Either.getOrThrow(Either.flip(BuildArg.make({ OK: "1", "": "2" }))).reason).toBe("Empty")
    })

    it("merge: that wins", () => {
      expect(BuildArg.merge(args({ A: "1", B: "1" }), args({ B: "2" }))).toStrictEqual([
        ["A", "1"],
        ["B", "2"]
      ])
    })

    it("property: independent of the order of distinct keys", () => {
      FastCheck.assert(
        FastCheck.property(
          FastCheck.uniqueArray(
            FastCheck.tuple(
              FastCheck.string({ minLength: 1, maxLength: 5 }).filter((k) => !k.includes("=")),
              FastCheck.string()
            ),
            { selector: ([k]) => k }
          ),
          (pairs) => {
            expect(args([...pairs].reverse())).toStrictEqual(args(pairs))
          }
        )
      )
    })
  })
})
