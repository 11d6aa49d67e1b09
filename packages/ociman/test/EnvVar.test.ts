import { describe, expect, it } from "@effect/vitest"
import { Either, Redacted, Schema } from "effect"
import { EnvVar } from "ociman"

const nameReason = (input: string) =>
  Either.match(EnvVar.name(input), { onLeft: (e) => e.reason, onRight: () => undefined })
const makeReason = (input: Parameters<typeof EnvVar.make>[0]) =>
  Either.match(EnvVar.make(input), { onLeft: (e) => e.reason, onRight: () => undefined })
const makeError = (input: Parameters<typeof EnvVar.make>[0]) => Either.getOrThrow(Either.flip(EnvVar.make(input)))
const vars = (input: Parameters<typeof EnvVar.make>[0]) => Either.getOrThrow(EnvVar.make(input))

describe("EnvVar", () => {
  describe("names (ociman's EnvVariableName: non-empty, no '=')", () => {
    it.each(["POSTGRES_USER", "a", "lower.case-name", "É", "SP ACE", "A*B", "FOO*", "#HASH", "A\nB", "\u00a0NB"])(
      "accepts %j",
      (input) => {
        expect(Either.getOrThrow(EnvVar.name(input))).toBe(input)
      }
    )

    it("rejects the empty name", () => {
      expect(nameReason("")).toBe("NameEmpty")
    })

    it.each(["A=B", "=", "A="])("rejects %j (contains '=')", (input) => {
      expect(nameReason(input)).toBe("NameContainsEquals")
    })

    it("rejects NUL and lone surrogates", () => {
      expect(nameReason("A\u0000B")).toBe("NameInvalidCharacter")
      expect(nameReason("A\ud800")).toBe("NameInvalidCharacter")
    })

    it.each([" LEAD", "\tTAB"])("rejects %j: podman strips a leading space or tab", (input) => {
      expect(nameReason(input)).toBe("NameNotRepresentable")
      expect(Either.getOrThrow(Either.flip(EnvVar.name(input))).message).toContain("podman strips leading")
    })

    it.each(["#A*", "A B*", "A\tB*", "\u00a0A*", "\u3000A*", "\u0085A*", "\ufeffA*", "\rA*", "A\nB*", "DOCKER_ X"])(
      "rejects %j: it travels in an env file, which cannot carry that name",
      (input) => {
        expect(nameReason(input)).toBe("NameNotRepresentable")
      }
    )

    it("messages", () => {
      expect(Either.getOrThrow(Either.flip(EnvVar.name(""))).message).toBe("Environment variable name cannot be empty")
      expect(Either.getOrThrow(Either.flip(EnvVar.name("A=B"))).message).toBe(
        `Environment variable name cannot contain '=' (got "A=B")`
      )
      expect(Either.getOrThrow(Either.flip(EnvVar.name("A B*"))).message).toBe(
        `Environment variable name "A B*" cannot be passed to the container: podman reads '*' in --env NAME as a glob, so it travels in an --env-file, where docker rejects a name containing a space or a tab. Use another name`
      )
    })

    it("NameFromString decodes and fails with the message", () => {
      expect(Schema.decodeUnknownSync(EnvVar.NameFromString)("PGUSER")).toBe("PGUSER")
      const error = Either.getOrThrow(Either.flip(Schema.decodeUnknownEither(EnvVar.NameFromString)("A=B")))
      expect(error.message).toContain("cannot contain '='")
      const star = Either.getOrThrow(Either.flip(Schema.decodeUnknownEither(EnvVar.NameFromString)("#X*")))
      expect(star.message).toContain("comment")
    })
  })

  describe("values (ociman's EnvVariableValue: no NUL, at most 65 535 bytes)", () => {
    it("accepts 65 535 bytes and rejects 65 536", () => {
      expect(makeReason({ A: "x".repeat(65_535) })).toBeUndefined()
      expect(makeReason({ A: "x".repeat(65_536) })).toBe("ValueTooLong")
      expect(EnvVar.MAX_VALUE_LENGTH).toBe(65_535)
    })

    it("counts UTF-8 bytes: 32 767 × é + 1 byte fits, 32 768 × é does not", () => {
      expect(makeReason({ A: `${"é".repeat(32_767)}x` })).toBeUndefined()
      expect(makeReason({ A: "é".repeat(32_768) })).toBe("ValueTooLong")
    })

    it("applies to Redacted values too", () => {
      expect(makeReason({ A: Redacted.make("x".repeat(65_536)) })).toBe("ValueTooLong")
      expect(makeReason({ A: Redacted.make("a\u0000b") })).toBe("ValueInvalidCharacter")
    })

    it("rejects NUL and lone surrogates", () => {
      expect(makeReason({ A: "a\u0000b" })).toBe("ValueInvalidCharacter")
      expect(makeReason({ A: "\udfff" })).toBe("ValueInvalidCharacter")
    })

    it("accepts the empty string, '=', line breaks, a final carriage return (they travel in the environment)", () => {
      expect(makeReason({ A: "", B: "x=y", C: "l1\nl2", D: "ab\r", E: Redacted.make("s\ne\r") })).toBeUndefined()
    })

    it("an error keeps only the NAME, never the value", () => {
      const secret = "hunter2-\u0000-secret"
      const error = makeError({ DB_PASSWORD: Redacted.make(secret) })
      expect(error.input).toBe("DB_PASSWORD")
      expect(error.message).not.toContain("hunter2")
      expect(JSON.stringify(error)).not.toContain("hunter2")
      expect(String(error)).not.toContain("hunter2")
      const plain = makeError({ TOKEN: `tok-${"x".repeat(70_000)}` })
      expect(plain.input).toBe("TOKEN")
      expect(plain.message).not.toContain("tok-")
    })
  })

  describe("variables that travel in the env file", () => {
    it("CLI-reserved names and names containing '*'", () => {
      for (const reserved of ["PATH", "HOME", "TMPDIR", "http_proxy", "NOTIFY_SOCKET", "GODEBUG"]) {
        expect(EnvVar.CLI_RESERVED_NAMES.has(reserved)).toBe(true)
      }
      for (const prefixed of ["DOCKER_HOST", "DOCKER_CONFIG", "CONTAINER_HOST", "CONTAINERS_CONF", "XDG_RUNTIME_DIR"]) {
        expect(EnvVar.isCliReserved(prefixed)).toBe(true)
      }
      expect(EnvVar.isCliReserved("LD_PRELOAD")).toBe(true)
      expect(EnvVar.isCliReserved("POSTGRES_PASSWORD")).toBe(false)
      expect(EnvVar.isCliReserved("Path")).toBe(false) // names are case-sensitive on Linux
      expect(EnvVar.usesEnvFile("FOO*")).toBe(true)
      expect(EnvVar.usesEnvFile("A*B")).toBe(true)
      expect(EnvVar.usesEnvFile("POSTGRES_PASSWORD")).toBe(false)
    })

    it("accept what an env-file line keeps verbatim: spaces, quotes, '#', '=', '$', '\\r' inside, empty", () => {
      for (const value of [
        "a b  c",
        "  lead",
        "trail  ",
        '"q"',
        "'q'",
        '"half',
        "a # b",
        "#x",
        "a=b=c",
        "",
        "$HOME",
        "a\rb"
      ]) {
        expect(makeReason({ PATH: value })).toBeUndefined()
        expect(makeReason({ "FOO*": Redacted.make(value) })).toBeUndefined()
      }
    })

    it("reject a line break or a final carriage return, plain or Redacted", () => {
      expect(makeReason({ PATH: "/bin\n/usr/bin" })).toBe("ValueNotRepresentable")
      expect(makeReason({ HOME: Redacted.make("/home\r") })).toBe("ValueNotRepresentable")
      expect(makeReason({ "A*": "x\r\n" })).toBe("ValueNotRepresentable")
      expect(makeError({ PATH: "a\nb" }).message).toBe(
        `Value of environment variable "PATH" cannot be passed to the container: the docker/podman CLI reads this variable itself, so it travels in an --env-file, where a value cannot contain a line break. Change the value or use another name`
      )
      expect(makeError({ "FOO*": "a\r" }).message).toContain("glob")
    })

    it("reject a line NAME=value over 65 535 UTF-8 bytes", () => {
      expect(EnvVar.MAX_ENV_FILE_LINE_LENGTH).toBe(65_535)
      expect(makeReason({ PATH: "x".repeat(65_530) })).toBeUndefined() // "PATH=" + 65 530 = 65 535
      expect(makeReason({ PATH: "x".repeat(65_531) })).toBe("ValueNotRepresentable")
      // The same limit as observed with "N=" + 32 765 × é + "xxx" (65 535 bytes) and + "xxxx".
      expect(makeReason({ "N*": `${"é".repeat(32_765)}xx` })).toBeUndefined()
      expect(makeReason({ "N*": `${"é".repeat(32_765)}xxx` })).toBe("ValueNotRepresentable")
      const error = makeError({ HOME: Redacted.make(`secret-${"y".repeat(65_526)}`) })
      expect(error.message).toContain("at most 65535 bytes (this one is 65538)")
      expect(error.message).not.toContain("secret-")
      expect(error.input).toBe("HOME")
    })

    it("the same value under an ordinary name travels in the environment", () => {
      expect(makeReason({ MY_PATH: "/bin\n/usr/bin", MY_HOME: `ab\r`, BIG: "x".repeat(65_535) })).toBeUndefined()
    })
  })

  describe("make", () => {
    it("sorts by name in UTF-8 byte order and deduplicates, later wins", () => {
      const result = vars([
        ["b", "1"],
        ["😀", "2"],
        ["\uffff", "3"],
        ["B", "4"],
        ["b", "5"]
      ])
      expect(result).toStrictEqual([
        ["B", "4"],
        ["b", "5"],
        ["\uffff", "3"],
        ["😀", "2"]
      ])
    })

    it("a later plain value replaces an earlier secret and vice versa", () => {
      const secret = Redacted.make("s")
      expect(
        vars([
          ["A", secret],
          ["A", "plain"]
        ])
      ).toStrictEqual([["A", "plain"]])
      expect(
        vars([
          ["A", "plain"],
          ["A", secret]
        ])
      ).toStrictEqual([["A", secret]])
    })

    it("merge: that wins", () => {
      expect(EnvVar.merge(vars({ A: "1", B: "1" }), vars({ B: "2" }))).toStrictEqual([
        ["A", "1"],
        ["B", "2"]
      ])
    })

    it("accepts secrets under CLI-reserved and glob names (they travel in the env file)", () => {
      expect(
        makeReason({ HOME: Redacted.make("/x"), DOCKER_HOST: Redacted.make("tcp://h:1"), "FOO*": Redacted.make("g") })
      ).toBeUndefined()
    })
  })

  describe("secretValues", () => {
    it("secretValues lists the Redacted values", () => {
      expect(
        EnvVar.secretValues(vars({ USER: "app", PASSWORD: Redacted.make("pw"), HOME: Redacted.make("h") }))
      ).toStrictEqual(["h", "pw"])
      expect(EnvVar.secretValues(EnvVar.empty)).toStrictEqual([])
    })
  })
})
