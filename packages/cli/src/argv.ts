/**
 * The command line, checked and normalised before @effect/cli parses it, from each command's own
 * declared options (its usage), so that:
 * - everything after `run`'s IMAGE or `exec`'s CONTAINER belongs to the container, dashes
 *   included, as with `docker run` (`ociman run busybox ls -l /www`): a `--` is inserted there;
 * - an option the command does not have is an error naming it (@effect/cli would take `--nope` for
 *   a positional argument and blame the next one), as is an option missing its value, or a value
 *   outside the option's choices (`--backend nerdctl`);
 * - `--verbose` is accepted anywhere before the container's command, by every command.
 */
import type * as Usage from "@effect/cli/Usage"
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import * as Option from "effect/Option"

/** An option this command does not have (before the container's command, where they all are). */
export class UnknownOption extends Data.TaggedError("UnknownOption")<{
  readonly command: string
  readonly option: string
}> {
  override get message(): string {
    return `unknown option ${this.option} for ociman ${this.command} (ociman ${this.command} --help lists its options)`
  }
}

/** An option that takes a value came last. */
export class MissingValue extends Data.TaggedError("MissingValue")<{
  readonly command: string
  readonly option: string
}> {
  override get message(): string {
    return `${this.option} needs a value (ociman ${this.command} --help)`
  }
}

/** A value outside the choices of an option (`--backend`) or of a positional argument (`SHELL`). */
export class InvalidChoice extends Data.TaggedError("InvalidChoice")<{
  readonly option: string
  readonly value: string
  readonly choices: ReadonlyArray<string>
}> {
  override get message(): string {
    const expected = this.choices.length === 2 ? this.choices.join(" or ") : `one of ${this.choices.join(", ")}`
    return `${this.option} expects ${expected}, got ${JSON.stringify(this.value)}`
  }
}

/** A command line ociman rejects before parsing it. */
export type ArgvError = UnknownOption | MissingValue | InvalidChoice

/** What an option accepts: nothing (a flag), any value, or one of a few. */
interface OptionSpec {
  readonly takesValue: boolean
  readonly choices: ReadonlyArray<string> | undefined
}

/** A positional argument: its name (`SHELL`) and the values it accepts, if only a few. */
export interface Positional {
  readonly name: string
  readonly choices: ReadonlyArray<string> | undefined
}

/** A subcommand as the checker sees it. */
export interface CommandSpec {
  readonly name: string
  /** Every option of the command (and of its own subcommands), by each of its names. */
  readonly options: ReadonlyMap<string, OptionSpec>
  /** The values each positional argument accepts, in order (`undefined`: any). */
  readonly positionals: ReadonlyArray<Positional>
  /** After this many positional arguments, the rest is the container's command (`run`, `exec`). */
  readonly passThroughAfter: number | undefined
  /** It has subcommands of its own (`postgres up`): checking its options is left to @effect/cli. */
  readonly nested: boolean
}

/** The command line to parse, whether `--verbose` was given, and whether only help is asked for. */
export interface Prepared {
  readonly args: ReadonlyArray<string>
  readonly verbose: boolean
  /**
   * `--help` / `-h` (or nothing at all): the help of ociman (`subcommand` undefined) or of one of
   * its subcommands. Undefined otherwise, and for a subcommand with subcommands of its own, whose
   * help @effect/cli prints.
   */
  readonly help?: { readonly subcommand: string | undefined } | undefined
}

const FLAG: OptionSpec = { takesValue: false, choices: undefined }
const VALUE: OptionSpec = { takesValue: true, choices: undefined }

/** @effect/cli's built-in options, which every command accepts. */
const BUILT_IN: ReadonlyMap<string, OptionSpec> = new Map([
  ["-h", FLAG],
  ["--help", FLAG],
  ["--version", FLAG],
  ["--wizard", FLAG],
  ["--completions", VALUE],
  ["--log-level", VALUE]
])

const VERBOSE = "--verbose"
const HELP: ReadonlyArray<string> = ["--help", "-h"]

/** @effect/cli shows a choice's accepted values as `a | b`, a free value as `text`, `integer`, …. */
const specOf = (acceptedValues: Option.Option<string>): OptionSpec =>
  Option.match(acceptedValues, {
    onNone: () => FLAG,
    onSome: (values) => ({ takesValue: true, choices: values.includes(" | ") ? values.split(" | ") : undefined })
  })

const collectOptions = (usage: Usage.Usage, into: Map<string, OptionSpec>): void => {
  switch (usage._tag) {
    case "Named":
      if (usage.names.some((name) => name.startsWith("-"))) {
        for (const name of usage.names) into.set(name, specOf(usage.acceptedValues))
      }
      return
    case "Optional":
    case "Repeated":
      return collectOptions(usage.usage, into)
    case "Alternation":
    case "Concat":
      collectOptions(usage.left, into)
      return collectOptions(usage.right, into)
    case "Empty":
    case "Mixed":
      return
  }
}

const collectPositionals = (usage: Usage.Usage, into: Array<Positional>): void => {
  switch (usage._tag) {
    case "Named":
      for (const name of usage.names.filter((name) => name.startsWith("<"))) {
        into.push({ name: name.slice(1, -1), choices: specOf(usage.acceptedValues).choices })
      }
      return
    case "Optional":
    case "Repeated":
      return collectPositionals(usage.usage, into)
    case "Alternation":
    case "Concat":
      collectPositionals(usage.left, into)
      return collectPositionals(usage.right, into)
    case "Empty":
    case "Mixed":
      return
  }
}

/** The positional arguments a command declares, in order, read from its usage. */
export const positionalsOf = (usage: Usage.Usage): ReadonlyArray<Positional> => {
  const positionals: Array<Positional> = []
  collectPositionals(usage, positionals)
  return positionals
}

/** The options a command declares, read from its usage (so they are declared once, in the command). */
export const optionsOf = (usage: Usage.Usage): ReadonlyMap<string, OptionSpec> => {
  const options = new Map<string, OptionSpec>()
  collectOptions(usage, options)
  return options
}

const checkChoice = (option: string, value: string, spec: OptionSpec): Either.Either<void, InvalidChoice> =>
  spec.choices === undefined || spec.choices.includes(value)
    ? Either.void
    : Either.left(new InvalidChoice({ option, value, choices: spec.choices }))

/**
 * Docker's clustered short flags (`-it`): each letter one of the command's flags, as separate
 * tokens (@effect/cli does not split them); `undefined` when the token is not such a cluster.
 */
const clusterOf = (token: string, options: ReadonlyMap<string, OptionSpec>): ReadonlyArray<string> | undefined => {
  if (!/^-[a-zA-Z]{2,}$/.test(token) || options.has(token)) return undefined
  const flags = Array.from(token.slice(1), (letter) => `-${letter}`)
  return flags.every((flag) => options.get(flag)?.takesValue === false) ? flags : undefined
}

/**
 * Checks and normalises `args` (the command line after `ociman`) for the commands in `commands`.
 * A command line that names no known subcommand is left to @effect/cli, which lists them.
 */
export const prepareArgs = (
  args: ReadonlyArray<string>,
  commands: ReadonlyArray<CommandSpec>
): Either.Either<Prepared, ArgvError> => {
  const out: Array<string> = []
  let verbose = false
  let i = 0
  // ociman's own options, before the subcommand
  for (; i < args.length; i++) {
    const token = args[i] ?? ""
    if (token === VERBOSE) verbose = true
    else if (HELP.includes(token)) return Either.right({ args, verbose, help: { subcommand: undefined } })
    else if (token.startsWith("-")) out.push(token)
    else break
  }
  if (args.length === 0 || (i === args.length && out.length === 0)) {
    return Either.right({ args: out, verbose, help: { subcommand: undefined } })
  }
  const command = commands.find((candidate) => candidate.name === args[i])
  if (command === undefined) return Either.right({ args: [...out, ...args.slice(i)], verbose })
  out.push(command.name)
  if (command.nested) {
    // @effect/cli parses a command with subcommands of its own: only --verbose is taken out
    const end = args.indexOf("--", i)
    const before = args.slice(i + 1, end < 0 ? undefined : end)
    const after = end < 0 ? [] : args.slice(end)
    return Either.right({
      args: [...out, ...before.filter((token) => token !== VERBOSE), ...after],
      verbose: verbose || before.includes(VERBOSE)
    })
  }
  let positionals = 0
  for (i += 1; i < args.length; i++) {
    const token = args[i] ?? ""
    if (token === "--") return Either.right({ args: [...out, ...args.slice(i)], verbose })
    if (token === VERBOSE) {
      verbose = true
      continue
    }
    if (token.startsWith("-") && token !== "-") {
      const equals = token.startsWith("--") ? token.indexOf("=") : -1
      const name = equals < 0 ? token : token.slice(0, equals)
      if (HELP.includes(token) && !command.nested) {
        return Either.right({ args, verbose, help: { subcommand: command.name } })
      }
      const cluster = clusterOf(token, command.options)
      if (cluster !== undefined) {
        out.push(...cluster)
        continue
      }
      const spec = command.options.get(name) ?? BUILT_IN.get(name)
      if (spec === undefined) return Either.left(new UnknownOption({ command: command.name, option: name }))
      out.push(token)
      if (!spec.takesValue) continue
      if (equals >= 0) {
        const checked = checkChoice(name, token.slice(equals + 1), spec)
        if (Either.isLeft(checked)) return Either.left(checked.left)
        continue
      }
      const value = args[i + 1]
      if (value === undefined) return Either.left(new MissingValue({ command: command.name, option: name }))
      const checked = checkChoice(name, value, spec)
      if (Either.isLeft(checked)) return Either.left(checked.left)
      out.push(value)
      i += 1
      continue
    }
    const positional = command.positionals[positionals]
    if (positional?.choices !== undefined && !positional.choices.includes(token)) {
      return Either.left(new InvalidChoice({ option: positional.name, value: token, choices: positional.choices }))
    }
    out.push(token)
    positionals += 1
    if (positionals === command.passThroughAfter && i + 1 < args.length) {
      // the rest is the container's, whatever it looks like (an explicit `--` is kept as the only one)
      const rest = args.slice(i + 1)
      return Either.right({ args: [...out, ...(rest[0] === "--" ? rest : ["--", ...rest])], verbose })
    }
  }
  return Either.right({ args: out, verbose })
}
