import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck, Schema } from "effect"
import { ContainerName } from "ociman"

const reason = (input: string) =>
  Either.match(ContainerName.make(input), { onLeft: (e) => e.reason, onRight: () => undefined })

describe("ContainerName", () => {
  describe("ociman cases (container.rs)", () => {
    it.each(["session-main", "0", "a", "pg-ephemeral.session_42", "a".repeat(256)])("accepts %s", (input) => {
      expect(Either.getOrThrow(ContainerName.make(input))).toBe(input)
    })

    it("rejects the empty name", () => {
      expect(reason("")).toBe("Empty")
    })

    it.each(["-leading", ".leading", "_leading"])("rejects %s as InvalidStartCharacter", (input) => {
      expect(reason(input)).toBe("InvalidStartCharacter")
    })

    it.each(["session main", "session/main", "session=main"])("rejects %s as InvalidCharacter", (input) => {
      expect(reason(input)).toBe("InvalidCharacter")
    })

    it("rejects 257 bytes as TooLong", () => {
      expect(reason("a".repeat(257))).toBe("TooLong")
      expect(ContainerName.MAX_LENGTH).toBe(256)
    })

    it("accepts the constant pg-ephemeral.main", () => {
      expect(Either.getOrThrow(ContainerName.make("pg-ephemeral.main"))).toBe("pg-ephemeral.main")
    })
  })

  describe("messages", () => {
    it.each([
      ["", "Container name cannot be empty"],
      ["-x", "Container name must start with an ASCII alphanumeric"],
      ["a b", "Container name may only contain ASCII alphanumerics, '_', '.', '-'"],
      ["a".repeat(257), "Container name exceeds maximum length of 256 bytes"]
    ])("%s starts with ociman's message", (input, expected) => {
      const error = Either.getOrThrow(Either.flip(ContainerName.make(input)))
      expect(error._tag).toBe("InvalidContainerName")
      expect(error.input).toBe(input)
      expect(error.message.startsWith(expected)).toBe(true)
    })

    it("quotes the input", () => {
      const error = Either.getOrThrow(Either.flip(ContainerName.make("session/main")))
      expect(error.message).toContain('"session/main"')
    })
  })

  describe("edge cases", () => {
    it("rejects non-ASCII letters", () => {
      expect(reason("café")).toBe("InvalidCharacter")
      expect(reason("élan")).toBe("InvalidStartCharacter")
    })

    it("counts bytes: 255 ASCII + one 2-byte character is too long", () => {
      expect(reason(`${"a".repeat(255)}é`)).toBe("TooLong")
    })

    it("checks the length first (a long name with a bad character is TooLong)", () => {
      expect(reason(`-${"a".repeat(300)}`)).toBe("TooLong")
    })

    it("rejects a trailing newline", () => {
      expect(reason("db\n")).toBe("InvalidCharacter")
    })

    it("accepts upper case and every allowed character", () => {
      expect(Either.isRight(ContainerName.make("Z9_.-aZ"))).toBe(true)
    })

    it("fromInspect strips Docker's leading slash, once", () => {
      expect(Either.getOrThrow(ContainerName.fromInspect("/session-main"))).toBe("session-main")
      expect(Either.getOrThrow(ContainerName.fromInspect("session-main"))).toBe("session-main")
      expect(Either.isLeft(ContainerName.fromInspect("//x"))).toBe(true)
    })

    it("is is a type guard", () => {
      expect(ContainerName.is("db-1")).toBe(true)
      expect(ContainerName.is("_db")).toBe(false)
      expect(ContainerName.is(42)).toBe(false)
    })
  })

  describe("FromString", () => {
    it("decodes a valid name", () => {
      expect(Schema.decodeUnknownSync(ContainerName.FromString)("db-1")).toBe("db-1")
    })

    it("fails with ociman's message", () => {
      const result = Schema.decodeUnknownEither(ContainerName.FromString)("session main")
      const error = Either.getOrThrow(Either.flip(result))
      expect(error.message).toContain("Container name may only contain ASCII alphanumerics")
    })

    it("rejects non-strings", () => {
      expect(Either.isLeft(Schema.decodeUnknownEither(ContainerName.FromString)(1))).toBe(true)
    })
  })

  it("property: make agrees with the grammar", () => {
    const pattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,255}$/
    FastCheck.assert(
      FastCheck.property(
        FastCheck.oneof(
          FastCheck.string({ maxLength: 300 }),
          FastCheck.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,260}$/),
          FastCheck.string({ unit: "binary", maxLength: 20 })
        ),
        (input) => {
          expect(Either.isRight(ContainerName.make(input))).toBe(pattern.test(input))
          expect(Either.isRight(Schema.decodeUnknownEither(ContainerName.FromString)(input))).toBe(pattern.test(input))
        }
      )
    )
  })
})
