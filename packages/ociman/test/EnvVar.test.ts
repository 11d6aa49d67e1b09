import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck, Redacted, Schema } from "effect"
import { EnvVar } from "ociman"

const nameReason = (input: string) =>
  Either.match(EnvVar.name(input), { onLeft: (e) => e.reason, onRight: () => undefined })
const makeReason = (input: Parameters<typeof EnvVar.make>[0]) =>
  Either.match(EnvVar.make(input), { onLeft: (e) => e.reason, onRight: () => undefined })
const makeError = (input: Parameters<typeof EnvVar.make>[0]) => Either.getOrThrow(Either.flip(EnvVar.make(input)))
const vars = (input: Parameters<typeof EnvVar.make>[0]) => Either.getOrThrow(EnvVar.make(input))
const planOf = (input: Parameters<typeof EnvVar.make>[0]) => Either.getOrThrow(EnvVar.plan(vars(input)))

// ---------------------------------------------------------------------------------------------
// How docker 20.10 and podman 4.3 read an `--env-file`, as observed on real runtimes (the
// `cli/opts/envfile.go` and `pkg/env/env.go` parsers), to check `plan` against without a runtime.
//
// Reproduce (both runtimes print the container's environment byte for byte):
//   printf 'SP=a b  c\nLEAD=  x\nTRAIL=x  \nEQ=a=b=c\nDQ="q"\nSQ='"'"'q'"'"'\nHASH=a # b\nEMPTY=\nDOLLAR=$HOME\nCR=ab\r\n' > env
//   docker run --rm --env-file env localhost/ociman-test/busybox:1 cat /proc/self/environ | tr '\0' '\n'
//   podman run --rm --env-file env localhost/ociman-test/busybox:1 cat /proc/self/environ | tr '\0' '\n'
// Both: every value verbatim (spaces kept at both ends, quotes kept, `#` and `$` literal, `EMPTY=`
// empty) except `CR`, which arrives as "ab": a carriage return before the line break is dropped.
// Same for `exec --env-file`. Further observations, on both unless said:
// - a line of 65 535 bytes (without its "\n", counted in UTF-8 bytes) passes, 65 536 fails with
//   "bufio.Scanner: token too long" (with or without a final "\n", last line or not);
// - a line starting with `#` is a comment; leading spaces/tabs are stripped; docker also strips
//   Unicode spaces (U+00A0 …) and a byte-order mark on the first line, podman does not;
// - docker rejects a name containing a space or a tab ("variable 'A B*' contains whitespaces"),
//   podman keeps it; `A*B=x` and `FOO*=x` set those literal names;
// - `PATH=/custom/bin` in the file sets the container's PATH and leaves the CLI alone.
// And for `--env NAME` with the value in the CLI's environment (`SECRET='a\nb' podman run --env SECRET …`):
// every value arrives verbatim (line breaks, trailing "\r", 65 535 bytes, ""), and names with
// spaces, `#`, U+00A0, a BOM, "\r" or "\n" too; but podman drops a name starting with a space or a
// tab (it trims it, then looks up the trimmed name), and expands `--env GL*` to every variable of
// its environment starting with GL (docker passes the literal name; neither globs `A*B`).
// ---------------------------------------------------------------------------------------------

const GO_SPACE = /^[\s\u0085]+/u
const utf8 = (s: string) => new TextEncoder().encode(s).length

const parseEnvFile = (text: string, runtime: "docker" | "podman"): Map<string, string> | string => {
  const env = new Map<string, string>()
  const lines = text.split("\n")
  if (lines.at(-1) === "") lines.pop()
  for (const [index, raw] of lines.entries()) {
    if (utf8(raw) > 65_535) return "token too long"
    let line = raw.endsWith("\r") ? raw.slice(0, -1) : raw
    if (runtime === "docker" && index === 0) line = line.replace(/^\ufeff/u, "")
    line = runtime === "docker" ? line.replace(GO_SPACE, "") : line.replace(/^[ \t]+/, "")
    if (line.length === 0 || line.startsWith("#")) continue
    const eq = line.indexOf("=")
    if (eq === -1) return "name-only line"
    const name = line.slice(0, eq).replace(/^[ \t]+/, "")
    if (runtime === "docker" && /[ \t]/.test(name)) return "contains whitespaces"
    env.set(name, line.slice(eq + 1))
  }
  return env
}

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

  describe("plan", () => {
    const secret = 'p@ss=w,o"rd'
    const example = () =>
      planOf({
        POSTGRES_USER: "app",
        POSTGRES_PASSWORD: Redacted.make(secret),
        EMPTY: "",
        EQ: "a=b",
        PATH: "/opt/bin:/bin",
        "FOO*": Redacted.make("glob secret"),
        DOCKER_HOST: "tcp://in-container:2375"
      })

    it("--env NAME in argv, values in the process environment, CLI-reserved and glob names in the env file", () => {
      const plan = example()
      expect(plan.args).toStrictEqual([
        "--env",
        "EMPTY",
        "--env",
        "EQ",
        "--env",
        "POSTGRES_PASSWORD",
        "--env",
        "POSTGRES_USER"
      ])
      expect(plan.processEnv).toStrictEqual({ EMPTY: "", EQ: "a=b", POSTGRES_PASSWORD: secret, POSTGRES_USER: "app" })
      expect(plan.envFile).toBe("DOCKER_HOST=tcp://in-container:2375\nFOO*=glob secret\nPATH=/opt/bin:/bin\n")
      expect(plan.secrets).toStrictEqual(["glob secret", secret])
    })

    it("no value appears in argv", () => {
      const argv = example().args.join("\u0000")
      for (const value of [secret, "app", "a=b", "/opt/bin:/bin", "glob secret", "tcp://in-container:2375"]) {
        expect(argv).not.toContain(value)
      }
    })

    it("no env file when no variable needs one, and an empty plan for no variables", () => {
      expect(planOf({ A: "1" }).envFile).toBeUndefined()
      expect(Either.getOrThrow(EnvVar.plan(EnvVar.empty))).toStrictEqual({
        args: [],
        processEnv: {},
        envFile: undefined,
        secrets: []
      })
    })

    it("a variable named __proto__ stays an own property of processEnv", () => {
      const plan = planOf([["__proto__", "x"]])
      expect(Object.keys(plan.processEnv)).toStrictEqual(["__proto__"])
      expect(Object.entries({ ...plan.processEnv })).toStrictEqual([["__proto__", "x"]])
    })

    it("validates and deduplicates a hand-built set", () => {
      const name = (n: string) => Either.getOrThrow(EnvVar.name(n))
      const bad: EnvVar.EnvVars = [[name("PATH"), "a\nb"]]
      expect(Either.getOrThrow(Either.flip(EnvVar.plan(bad))).reason).toBe("ValueNotRepresentable")
      const dup: EnvVar.EnvVars = [
        [name("B"), "1"],
        [name("A"), "x"],
        [name("B"), "2"]
      ]
      expect(Either.getOrThrow(EnvVar.plan(dup)).processEnv).toStrictEqual({ A: "x", B: "2" })
      expect(Either.getOrThrow(EnvVar.plan(dup)).args).toStrictEqual(["--env", "A", "--env", "B"])
    })

    it("secretValues lists the Redacted values", () => {
      expect(
        EnvVar.secretValues(vars({ USER: "app", PASSWORD: Redacted.make("pw"), HOME: Redacted.make("h") }))
      ).toStrictEqual(["h", "pw"])
      expect(EnvVar.secretValues(EnvVar.empty)).toStrictEqual([])
    })

    it("the test's env-file parser agrees with what the runtimes were seen to do", () => {
      expect(parseEnvFile('A=  x  \n#B=1\n  C="q"\r\n', "docker")).toStrictEqual(
        new Map([
          ["A", "  x  "],
          ["C", '"q"']
        ])
      )
      expect(parseEnvFile("\u00a0X*=1\n", "docker")).toStrictEqual(new Map([["X*", "1"]]))
      expect(parseEnvFile("\u00a0X*=1\n", "podman")).toStrictEqual(new Map([["\u00a0X*", "1"]]))
      expect(parseEnvFile("A B*=1\n", "docker")).toBe("contains whitespaces")
      expect(parseEnvFile(`N=${"x".repeat(65_534)}\n`, "podman")).toBe("token too long")
    })

    it("property: no value in argv, and process env + env file (as both runtimes read it) give back every variable", () => {
      const special = FastCheck.constantFrom(
        "PATH",
        "HOME",
        "DOCKER_HOST",
        "XDG_X",
        "A*",
        "*",
        "a*b",
        "#H",
        "É",
        "__proto__"
      )
      const nameArb = FastCheck.oneof(
        special,
        FastCheck.string({ minLength: 1, maxLength: 6 }),
        FastCheck.string({ unit: "binary", minLength: 1, maxLength: 6 })
      )
      const textArb = FastCheck.oneof(
        FastCheck.string({ maxLength: 10 }),
        FastCheck.string({ unit: "binary", maxLength: 10 }),
        FastCheck.constantFrom("", " ", "a\nb", "x\r", "\r", "#", "=", '"', "\ufeff", "--env")
      )
      const valueArb = FastCheck.oneof(
        textArb,
        textArb.map((s) => Redacted.make(s))
      )
      FastCheck.assert(
        FastCheck.property(FastCheck.array(FastCheck.tuple(nameArb, valueArb)), (pairs) => {
          const result = EnvVar.make(pairs)
          if (Either.isLeft(result)) {
            // Rejected only for a reason the rules give.
            expect([
              "NameEmpty",
              "NameContainsEquals",
              "NameInvalidCharacter",
              "NameNotRepresentable",
              "ValueInvalidCharacter",
              "ValueNotRepresentable"
            ]).toContain(result.left.reason)
            return
          }
          const plan = Either.getOrThrow(EnvVar.plan(result.right))
          const argvNames = plan.args.filter((_, i) => i % 2 === 1)
          expect(plan.args.filter((_, i) => i % 2 === 0).every((flag) => flag === "--env")).toBe(true)
          // argv holds names only, exactly the keys of processEnv (whose order puts integer keys first).
          expect(new Set(argvNames)).toStrictEqual(new Set(Object.keys(plan.processEnv)))
          expect(argvNames.length).toBe(Object.keys(plan.processEnv).length)
          expect(argvNames.every((n) => !EnvVar.usesEnvFile(n))).toBe(true)
          const expected = new Map<string, string>()
          for (const [n, v] of pairs) expected.set(n, Redacted.isRedacted(v) ? Redacted.value(v) : v)
          for (const runtime of ["docker", "podman"] as const) {
            const fromFile =
              plan.envFile === undefined ? new Map<string, string>() : parseEnvFile(plan.envFile, runtime)
            if (typeof fromFile === "string") expect.fail(`${runtime} would reject the env file: ${fromFile}`)
            const seen = new Map([...Object.entries(plan.processEnv), ...fromFile])
            expect(seen).toStrictEqual(expected)
          }
          expect(plan.secrets).toStrictEqual(EnvVar.secretValues(result.right))
        }),
        { numRuns: 500 }
      )
    })
  })
})
