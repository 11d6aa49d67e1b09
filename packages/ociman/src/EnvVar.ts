/**
 * Container environment variables (`run --env`, `exec --env`). No value, plain or `Redacted`,
 * ever appears in the argv of the spawned CLI, so none shows in process listings.
 *
 * - A name is non-empty, without `=` or NUL (ociman's `EnvVariableName`), without an unpaired
 *   UTF-16 surrogate (it cannot be encoded), and deliverable by both CLIs (see below).
 * - A value is a `string` or a `Redacted<string>` without NUL, at most 65 535 UTF-8 bytes
 *   (ociman's `EnvVariableValue`).
 * - A set (`EnvVars`) is deduplicated (the later value wins) and sorted by name in UTF-8 byte order.
 *
 * How values reach the container (the runtime does this when it runs `run` or `exec`):
 * - Most variables: argv gets `--env NAME` only, and the value goes into the CLI's own environment
 *   both CLIs copy a bare `--env NAME` from their environment into the container.
 * - Variables the CLI itself would read from that environment (`isCliReserved`: `PATH`, `HOME`,
 *   `DOCKER_HOST`, `CONTAINER_HOST`, proxies, …; verified with podman 4.3: `PATH=/opt/custom/bin
 *   podman run --env PATH …` fails before the container starts) and names containing `*` (podman
 *   4.3 reads `--env FOO*` as "every variable of my environment starting with FOO"; only a final
 *   `*` globs there, but every `*` is routed, in case another version reads more) travel in an
 *   `--env-file` instead: one `NAME=value` line each, in a 0600 file in a private temporary
 *   directory, removed when the call is done (`EnvFileError` if it cannot be written).
 *
 * What an env file can carry, verified with docker 20.10 and podman 4.3 (both read it line by line
 * with Go's `bufio.Scanner`, split each line at the first `=`, and keep the value verbatim: no quote
 * removal, no `#` comment after the start of a line, no `$` expansion, leading and trailing spaces
 * kept, `NAME=` is the empty string):
 * - a value cannot contain a line break, cannot end with a carriage return (both strip it), and a
 *   line `NAME=value` is at most 65 535 UTF-8 bytes (`bufio.Scanner: token too long` beyond);
 * - a name cannot start with `#` (a comment), with whitespace or a byte-order mark (docker strips
 *   them, podman does not), and cannot contain a space or a tab (docker rejects it).
 * Such a variable is rejected (`ValueNotRepresentable`, `NameNotRepresentable`) rather than put in argv.
 *
 * A name starting with a space or a tab is rejected whatever its route: podman 4.3 strips it from
 * `--env NAME` (and docker from env-file lines), so the container would get another variable.
 *
 * Deliberate differences from ociman 0.8: `Redacted` values, which ociman does not have; values kept
 * out of argv (ociman passes `--env NAME=value`); the surrogate and deliverability rules above.
 *
 * @example
 * ```ts
 * import { Either, Redacted } from "effect"
 * import { EnvVar } from "ociman"
 *
 * const vars = Either.getOrThrow(
 *   EnvVar.make({ POSTGRES_USER: "app", POSTGRES_PASSWORD: Redacted.make("s3cret"), PATH: "/opt/bin:/bin" })
 * )
 * // argv: --env POSTGRES_PASSWORD --env POSTGRES_USER --env-file <0600 file holding PATH=/opt/bin:/bin>
 * EnvVar.usesEnvFile("PATH") // true
 * EnvVar.secretValues(vars) // ["s3cret"], hidden wherever an argv or output is shown
 * ```
 *
 * @since 0.1.0
 */
import type { PlatformError } from "@effect/platform/Error"
import { Brand, Data, Either, Redacted, Schema } from "effect"
import { dual } from "effect/Function"
import {
  entriesOf,
  hasLoneSurrogate,
  hasNul,
  type PairsInput,
  quoteExcerpt,
  sortedUnique,
  utf8Length
} from "./internal/bytes.js"

/**
 * A valid environment variable name.
 *
 * @since 0.1.0
 * @category models
 */
export type Name = typeof NameFromString.Type

/**
 * A value. Neither kind appears in argv; a `Redacted` one is also hidden wherever an argv or
 * output is shown (`secretValues`).
 *
 * @since 0.1.0
 * @category models
 */
export type Value = string | Redacted.Redacted<string>

/**
 * A set of environment variables: pairs sorted by name in UTF-8 byte order, each name once.
 *
 * @since 0.1.0
 * @category models
 */
export type EnvVars = ReadonlyArray<readonly [Name, Value]>

/** Why a variable of this name travels in the env file, for messages. */
const whyEnvFile = (name: string): string =>
  isCliReserved(name)
    ? "the docker/podman CLI reads this variable itself, so it travels in an --env-file"
    : "podman reads '*' in --env NAME as a glob, so it travels in an --env-file"

/** Go's `unicode.IsSpace` (which docker strips from the start of an env-file line), plus a byte-order mark. */
const LEADING_SPACE_OR_BOM = /^[\s\u0085\ufeff]/u

const nameDetail = (input: string): string | undefined => {
  // podman strips spaces and tabs from the start of `--env NAME`, docker from env-file lines.
  if (input.startsWith(" ") || input.startsWith("\t"))
    return "podman strips leading spaces and tabs from variable names"
  if (!usesEnvFile(input)) return undefined
  const why = whyEnvFile(input)
  if (input.startsWith("#")) return `${why}, where a line starting with '#' is a comment`
  if (LEADING_SPACE_OR_BOM.test(input)) return `${why}, where docker strips whitespace from the start of a line`
  if (/[ \t]/.test(input)) return `${why}, where docker rejects a name containing a space or a tab`
  if (/[\n\r]/.test(input)) return `${why}, where a name cannot contain a line break`
  return undefined
}

const nameError = (input: string): InvalidEnvVar | undefined => {
  if (input.length === 0) return new InvalidEnvVar({ input, reason: "NameEmpty" })
  if (input.includes("=")) return new InvalidEnvVar({ input, reason: "NameContainsEquals" })
  if (hasNul(input) || hasLoneSurrogate(input)) return new InvalidEnvVar({ input, reason: "NameInvalidCharacter" })
  const detail = nameDetail(input)
  return detail === undefined ? undefined : new InvalidEnvVar({ input, reason: "NameNotRepresentable", detail })
}

const brandName = Brand.nominal<Name>()

/**
 * Validates an environment variable name.
 *
 * @example
 * ```ts
 * import { EnvVar } from "ociman"
 *
 * EnvVar.name("POSTGRES_USER") // Either.right("POSTGRES_USER")
 * EnvVar.name("") // Either.left(InvalidEnvVar { reason: "NameEmpty" })
 * EnvVar.name(" LEADING") // Either.left(InvalidEnvVar { reason: "NameNotRepresentable" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const name = (input: string): Either.Either<Name, InvalidEnvVar> => {
  const error = nameError(input)
  return error === undefined ? Either.right(brandName(input)) : Either.left(error)
}

const reveal = (value: Value): string => (Redacted.isRedacted(value) ? Redacted.value(value) : value)

/** Why `NAME=text` cannot be an env-file line, if it cannot. */
const envFileValueDetail = (entryName: string, text: string): string | undefined => {
  const why = whyEnvFile(entryName)
  if (text.includes("\n")) return `${why}, where a value cannot contain a line break`
  if (text.endsWith("\r")) return `${why}, where a carriage return at the end of a value is dropped`
  const lineLength = utf8Length(entryName) + 1 + utf8Length(text)
  if (lineLength > MAX_ENV_FILE_LINE_LENGTH)
    return `${why}, where a line NAME=value is at most ${MAX_ENV_FILE_LINE_LENGTH} bytes (this one is ${lineLength})`
  return undefined
}

const valueError = (entryName: string, value: Value): InvalidEnvVar | undefined => {
  const text = reveal(value)
  if (hasNul(text) || hasLoneSurrogate(text))
    return new InvalidEnvVar({ input: entryName, reason: "ValueInvalidCharacter" })
  if (utf8Length(text) > MAX_VALUE_LENGTH) return new InvalidEnvVar({ input: entryName, reason: "ValueTooLong" })
  if (!usesEnvFile(entryName)) return undefined
  const detail = envFileValueDetail(entryName, text)
  return detail === undefined
    ? undefined
    : new InvalidEnvVar({ input: entryName, reason: "ValueNotRepresentable", detail })
}

/**
 * The empty set.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { EnvVar } from "ociman"
 *
 * EnvVar.merge(EnvVar.empty, Either.getOrThrow(EnvVar.make({ A: "1" }))) // [["A", "1"]]
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const empty: EnvVars = []

const pairOf = ([n, v]: readonly [string, Value]): Either.Either<readonly [Name, Value], InvalidEnvVar> =>
  Either.flatMap(name(n), (validName) => {
    const error = valueError(n, v)
    return error === undefined ? Either.right([validName, v] as const) : Either.left(error)
  })

/**
 * Validates variables given as a record or as pairs, deduplicating names (the later pair wins)
 * and sorting them by name in UTF-8 byte order. Fails with the first invalid variable, including
 * one that could not be delivered (`…NotRepresentable`), so that the result always reaches the
 * container.
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import { EnvVar } from "ociman"
 *
 * EnvVar.make([["B", "1"], ["A", Redacted.make("pw")], ["B", "2"]])
 * // Either.right([["A", <redacted>], ["B", "2"]])
 * EnvVar.make({ PATH: "/bin\n/usr/bin" }) // Either.left(InvalidEnvVar { reason: "ValueNotRepresentable" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (input: PairsInput<Value>): Either.Either<EnvVars, InvalidEnvVar> =>
  Either.map(Either.all(entriesOf(input).map(pairOf)), sortedUnique)

/**
 * Both sets; on equal names `that` wins.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { EnvVar } from "ociman"
 *
 * const base = Either.getOrThrow(EnvVar.make({ A: "1", B: "1" }))
 * EnvVar.merge(base, Either.getOrThrow(EnvVar.make({ B: "2" }))) // [["A", "1"], ["B", "2"]]
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const merge: {
  (that: EnvVars): (self: EnvVars) => EnvVars
  (self: EnvVars, that: EnvVars): EnvVars
} = dual(2, (self: EnvVars, that: EnvVars): EnvVars => sortedUnique([...self, ...that]))

/**
 * The values of the `Redacted` variables, to hide wherever an argv or output is shown.
 *
 * @example
 * ```ts
 * import { Either, Redacted } from "effect"
 * import { EnvVar } from "ociman"
 *
 * EnvVar.secretValues(Either.getOrThrow(EnvVar.make({ USER: "app", PASSWORD: Redacted.make("pw") }))) // ["pw"]
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const secretValues = (vars: EnvVars): ReadonlyArray<string> =>
  vars.flatMap(([, v]) => (Redacted.isRedacted(v) ? [Redacted.value(v)] : []))

/**
 * Whether the CLI reads a variable of this name itself (`CLI_RESERVED_NAMES`, `CLI_RESERVED_PREFIXES`).
 *
 * @example
 * ```ts
 * import { EnvVar } from "ociman"
 *
 * EnvVar.isCliReserved("DOCKER_HOST") // true
 * EnvVar.isCliReserved("POSTGRES_USER") // false
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const isCliReserved = (name: string): boolean =>
  CLI_RESERVED_NAMES.has(name) || CLI_RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix))

/**
 * Whether a variable of this name travels in the env file rather than in the CLI's environment:
 * the CLI reads it itself (`isCliReserved`), or it contains `*`, which podman expands as a glob.
 *
 * @example
 * ```ts
 * import { EnvVar } from "ociman"
 *
 * EnvVar.usesEnvFile("HOME") // true
 * EnvVar.usesEnvFile("FOO*") // true
 * EnvVar.usesEnvFile("FOO") // false
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const usesEnvFile = (name: string): boolean => isCliReserved(name) || name.includes("*")

/**
 * A string that decodes to an environment variable `Name`, for `Config`, CLI flags and JSON.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { EnvVar } from "ociman"
 *
 * Schema.decodeUnknownSync(EnvVar.NameFromString)("POSTGRES_USER") // "POSTGRES_USER"
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const NameFromString = Schema.String.pipe(
  Schema.filter((input) => nameError(input)?.message),
  Schema.brand("EnvVarName")
)

/**
 * The longest accepted value, in UTF-8 bytes (ociman's `EnvVariableValue`).
 *
 * @example
 * ```ts
 * import { EnvVar } from "ociman"
 *
 * EnvVar.make({ BIG: "x".repeat(EnvVar.MAX_VALUE_LENGTH + 1) }) // Either.left(… reason: "ValueTooLong")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_VALUE_LENGTH = 65_535

/**
 * The longest line `NAME=value` of an env file, in UTF-8 bytes, without its line break: the
 * buffer limit of Go's `bufio.Scanner`, with which both CLIs read the file (verified with docker
 * 20.10 and podman 4.3: 65 535 bytes pass, 65 536 fail with "token too long").
 *
 * @example
 * ```ts
 * import { EnvVar } from "ociman"
 *
 * EnvVar.make({ PATH: "x".repeat(EnvVar.MAX_ENV_FILE_LINE_LENGTH) }) // Either.left(… reason: "ValueNotRepresentable")
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_ENV_FILE_LINE_LENGTH = 65_535

/**
 * Names that the `docker` or `podman` CLI (or the Go runtime and dynamic linker under them) reads
 * from its own environment. A variable of that name travels in the env file, never in the CLI's
 * environment, where it would change which engine, storage, proxy or binaries the CLI uses.
 * Names starting with one of `CLI_RESERVED_PREFIXES` are reserved too.
 *
 * @example
 * ```ts
 * import { EnvVar } from "ociman"
 *
 * EnvVar.CLI_RESERVED_NAMES.has("PATH") // true
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const CLI_RESERVED_NAMES: ReadonlySet<string> = new Set([
  "PATH",
  "HOME",
  "TMPDIR",
  "TZ",
  "NOTIFY_SOCKET",
  "LISTEN_FDS",
  "LISTEN_PID",
  "LISTEN_FDNAMES",
  "DBUS_SESSION_BUS_ADDRESS",
  "SSH_AUTH_SOCK",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "ALL_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "all_proxy",
  "REQUEST_METHOD",
  "GODEBUG",
  "GOGC",
  "GOMAXPROCS",
  "GOMEMLIMIT",
  "GOTRACEBACK",
  "REGISTRY_AUTH_FILE",
  "STORAGE_DRIVER",
  "STORAGE_OPTS"
])

/**
 * Name prefixes of variables the CLIs read (`DOCKER_HOST`, `CONTAINER_HOST`, `CONTAINERS_CONF`,
 * `XDG_RUNTIME_DIR`, `LD_PRELOAD`, …); see `CLI_RESERVED_NAMES`.
 *
 * @example
 * ```ts
 * import { EnvVar } from "ociman"
 *
 * EnvVar.CLI_RESERVED_PREFIXES.includes("DOCKER_") // true
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const CLI_RESERVED_PREFIXES: ReadonlyArray<string> = [
  "DOCKER_",
  "CONTAINER_",
  "CONTAINERS_",
  "_CONTAINERS_",
  "PODMAN_",
  "_PODMAN_",
  "BUILDAH_",
  "XDG_",
  "LD_"
]

/**
 * Why an environment variable is rejected.
 * - `NameEmpty`, `NameContainsEquals` (ociman's rules), `NameInvalidCharacter` (NUL or an
 *   unpaired surrogate), `NameNotRepresentable` (a name the CLIs would change: see the module
 *   documentation);
 * - `ValueInvalidCharacter` (NUL or an unpaired surrogate), `ValueTooLong` (more than 65 535 bytes),
 *   `ValueNotRepresentable` (a value an env file cannot carry, for a variable that travels in one).
 *
 * @since 0.1.0
 * @category errors
 */
export type InvalidEnvVarReason =
  | "NameEmpty"
  | "NameContainsEquals"
  | "NameInvalidCharacter"
  | "NameNotRepresentable"
  | "ValueInvalidCharacter"
  | "ValueTooLong"
  | "ValueNotRepresentable"

/**
 * An invalid environment variable. `input` is always the variable's NAME, and `detail` says what
 * is wrong without quoting the value: a value is never kept in the error, nor shown in its
 * message, since it may be a secret.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { EnvVar } from "ociman"
 *
 * Either.flip(EnvVar.name("A=B")).pipe(Either.map((e) => e.message))
 * // Either.right(`Environment variable name cannot contain '=' (got "A=B")`)
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidEnvVar extends Data.TaggedError("InvalidEnvVar")<{
  readonly input: string
  readonly reason: InvalidEnvVarReason
  /** For the `…NotRepresentable` reasons: which rule the name or value breaks. */
  readonly detail?: string | undefined
}> {
  override get message(): string {
    const name = quoteExcerpt(this.input)
    const detail = this.detail ?? ""
    switch (this.reason) {
      case "NameEmpty":
        return "Environment variable name cannot be empty"
      case "NameContainsEquals":
        return `Environment variable name cannot contain '=' (got ${name})`
      case "NameInvalidCharacter":
        return `Environment variable name cannot contain a NUL character or an unpaired UTF-16 surrogate (got ${name})`
      case "NameNotRepresentable":
        return `Environment variable name ${name} cannot be passed to the container: ${detail}. Use another name`
      case "ValueInvalidCharacter":
        return `Value of environment variable ${name} cannot contain a NUL character or an unpaired UTF-16 surrogate`
      case "ValueTooLong":
        return `Value of environment variable ${name} exceeds maximum length of ${MAX_VALUE_LENGTH} bytes`
      case "ValueNotRepresentable":
        return `Value of environment variable ${name} cannot be passed to the container: ${detail}. Change the value or use another name`
    }
  }
}

/**
 * The env file that carries the variables the CLI must not see in its own environment could not be
 * written (a `run` or `exec` with such a variable: see the module documentation). `operation` says
 * which step failed and `cause` carries the file system's error; `path` is the directory or file
 * concerned (`undefined` when the directory could not be created). The file's content is never
 * kept in it, since it may hold secrets.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Container, ContainerDefinition as Def } from "ociman"
 *
 * Container.start(Def.make("postgres:17").pipe(Def.env({ PGDATA: "/data", HOME: "/srv" }))).pipe(
 *   Effect.catchTag("EnvFileError", (e) => Effect.die(e.message))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class EnvFileError extends Data.TaggedError("EnvFileError")<{
  readonly operation: "makeTempDirectory" | "chmod" | "writeFile"
  /** The directory or file concerned; `undefined` when the directory could not be created. */
  readonly path: string | undefined
  readonly cause: PlatformError
}> {
  override get message(): string {
    const where = this.path === undefined ? "in the temporary directory" : `at ${JSON.stringify(this.path)}`
    const step =
      this.operation === "makeTempDirectory"
        ? "create a private directory"
        : this.operation === "chmod"
          ? "restrict the permissions of"
          : "write"
    const what = this.operation === "makeTempDirectory" ? "for the env file" : "the env file"
    return `Could not ${step} ${what} ${where}: ${this.cause.message}. Check that the temporary directory (TMPDIR) exists and is writable`
  }
}
