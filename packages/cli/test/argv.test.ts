import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { prepareArgs } from "../src/argv.js"
import { commandSpecs } from "../src/Cli.js"

const prepared = (...args: ReadonlyArray<string>) => prepareArgs(args, commandSpecs)
const message = (...args: ReadonlyArray<string>) =>
  Either.match(prepared(...args), { onLeft: (error) => error.message, onRight: () => "accepted" })

describe("the command line before @effect/cli parses it", () => {
  it("everything after run's IMAGE and exec's CONTAINER is the container's, dashes included", () => {
    expect(prepared("run", "-e", "A=1", "busybox", "ls", "-l", "/www")).toEqual(
      Either.right({ args: ["run", "-e", "A=1", "busybox", "--", "ls", "-l", "/www"], verbose: false })
    )
    expect(prepared("run", "busybox", "wget", "--help")).toEqual(
      Either.right({ args: ["run", "busybox", "--", "wget", "--help"], verbose: false })
    )
    expect(prepared("exec", "-u", "0", "web", "id", "-u")).toEqual(
      Either.right({ args: ["exec", "-u", "0", "web", "--", "id", "-u"], verbose: false })
    )
    // an explicit -- stays the only one, before IMAGE or after it
    expect(prepared("run", "busybox", "--", "echo", "--")).toEqual(
      Either.right({ args: ["run", "busybox", "--", "echo", "--"], verbose: false })
    )
    expect(prepared("run", "--", "busybox", "-p")).toEqual(
      Either.right({ args: ["run", "--", "busybox", "-p"], verbose: false })
    )
    // a value that looks like an option is the option's value
    expect(prepared("run", "--name", "-x", "busybox")).toEqual(
      Either.right({ args: ["run", "--name", "-x", "busybox"], verbose: false })
    )
  })

  it("clustered short flags (exec -it) are split, letters that are not flags of the command are not", () => {
    expect(prepared("exec", "-it", "web", "sh")).toEqual(
      Either.right({ args: ["exec", "-i", "-t", "web", "--", "sh"], verbose: false })
    )
    // -u takes a value: not a cluster of flags
    expect(message("exec", "-iu", "web", "sh")).toBe(
      "unknown option -iu for ociman exec (ociman exec --help lists its options)"
    )
    // after CONTAINER it is the command's
    expect(prepared("exec", "web", "ls", "-la")).toEqual(
      Either.right({ args: ["exec", "web", "--", "ls", "-la"], verbose: false })
    )
  })

  it("--verbose is taken from anywhere before the container's command", () => {
    expect(prepared("--verbose", "hash", "--json", "--verbose", "dir")).toEqual(
      Either.right({ args: ["hash", "--json", "dir"], verbose: true })
    )
    expect(prepared("run", "busybox", "echo", "--verbose")).toEqual(
      Either.right({ args: ["run", "busybox", "--", "echo", "--verbose"], verbose: false })
    )
  })

  it("an option the command does not have is an error that names it", () => {
    expect(message("hash", "--nope", "dir")).toBe(
      "unknown option --nope for ociman hash (ociman hash --help lists its options)"
    )
    expect(message("run", "-itz", "busybox", "sh")).toBe(
      "unknown option -itz for ociman run (ociman run --help lists its options)"
    )
    // -i and -t are run's own (a terminal handed to the container), before IMAGE
    expect(prepared("run", "-it", "busybox", "sh")).toEqual(
      Either.right({ args: ["run", "-i", "-t", "busybox", "--", "sh"], verbose: false })
    )
    expect(message("run", "-zz", "busybox")).toContain("unknown option -zz")
    // options of other commands are unknown too
    expect(message("ps", "--include-detached")).toContain("unknown option --include-detached for ociman ps")
  })

  it("a missing value or a value outside the choices names the option", () => {
    expect(message("hash", "--instructions")).toBe("--instructions needs a value (ociman hash --help)")
    expect(message("info", "--backend", "nerdctl")).toBe('--backend expects docker or podman, got "nerdctl"')
    expect(message("info", "--backend=nerdctl")).toBe('--backend expects docker or podman, got "nerdctl"')
    expect(message("completions", "tcsh")).toBe('SHELL expects one of bash, zsh, fish, got "tcsh"')
    expect(message("completions", "zsh")).toBe("accepted")
    expect(message("completions", "--help")).toBe("accepted")
    expect(message("info", "--backend=podman", "--json")).toBe("accepted")
  })

  it("--help (or nothing) asks for a help page, unless it belongs to the container's command", () => {
    expect(prepared()).toMatchObject(Either.right({ help: { subcommand: undefined } }))
    expect(prepared("--help")).toMatchObject(Either.right({ help: { subcommand: undefined } }))
    expect(prepared("run", "-h")).toMatchObject(Either.right({ help: { subcommand: "run" } }))
    expect(prepared("hash", "--json", "--help")).toMatchObject(Either.right({ help: { subcommand: "hash" } }))
    expect(prepared("run", "busybox", "wget", "--help")).toEqual(
      Either.right({ args: ["run", "busybox", "--", "wget", "--help"], verbose: false })
    )
    // a command with subcommands of its own gets @effect/cli's help
    expect(prepared("postgres", "--help")).toEqual(Either.right({ args: ["postgres", "--help"], verbose: false }))
  })

  it("leaves an unknown subcommand to @effect/cli, which lists the known ones", () => {
    expect(prepared("nope", "--x")).toEqual(Either.right({ args: ["nope", "--x"], verbose: false }))
  })
})
