import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck, Redacted } from "effect"
import { EnvVar } from "ociman"
import { envPlan } from "../../../src/internal/dialect/env.js"

const vars = (input: Parameters<typeof EnvVar.make>[0]) => Either.getOrThrow(EnvVar.make(input))
const planOf = (input: Parameters<typeof EnvVar.make>[0]) => Either.getOrThrow(envPlan(vars(input)))

// ---------------------------------------------------------------------------------------------
// How docker 20.10 and podman 4.3 read an `--env-file`, as observed on real runtimes (the
// `cli/opts/envfile.go` and `pkg/env/env.go` parsers), to check `envPlan` against without a runtime.
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

describe("dialect/env", () => {
  describe("envPlan", () => {
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
      expect(Either.getOrThrow(envPlan(EnvVar.empty))).toStrictEqual({
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
      expect(Either.getOrThrow(Either.flip(envPlan(bad))).reason).toBe("ValueNotRepresentable")
      const dup: EnvVar.EnvVars = [
        [name("B"), "1"],
        [name("A"), "x"],
        [name("B"), "2"]
      ]
      expect(Either.getOrThrow(envPlan(dup)).processEnv).toStrictEqual({ A: "x", B: "2" })
      expect(Either.getOrThrow(envPlan(dup)).args).toStrictEqual(["--env", "A", "--env", "B"])
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
          const plan = Either.getOrThrow(envPlan(result.right))
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
