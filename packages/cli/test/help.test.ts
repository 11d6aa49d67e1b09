import { describe, expect, it } from "@effect/vitest"
import { HelpDoc } from "@effect/cli"
import { ociman } from "../src/Cli.js"
import { docText, helpPage } from "../src/help.js"

const APP = { name: "ociman", version: "0.1.0" }

describe("ociman's help pages", () => {
  it("the root page lists every command, plain unless for a terminal", () => {
    const plain = helpPage(ociman, { ...APP, colour: false }, undefined) ?? ""
    expect(plain).toMatch(/^ociman\n\nociman 0\.1\.0\n\nUSAGE\n\n\$ ociman \[--verbose\]\n/)
    for (const command of ["info", "hash", "build", "run", "exec", "ps", "doctor", "prune", "completions"]) {
      expect(plain).toContain(`  - ${command} `)
    }
    expect(plain).not.toContain("\u001b")
    expect(plain.endsWith("\n")).toBe(false)
    expect(helpPage(ociman, { ...APP, colour: true }, undefined)).toContain("\u001b[1mUSAGE\u001b[22m")
  })

  it("a command's page has its usage, arguments and options; an unknown command has none", () => {
    const run = helpPage(ociman, { ...APP, colour: false }, "run") ?? ""
    expect(run).toContain("$ run [--name text] (-e, --env text)...")
    expect(run).toContain("<CMD>...\n\n  A user-defined piece of text.")
    expect(run).toContain("--backend docker | podman")
    expect(helpPage(ociman, { ...APP, colour: false }, "nope")).toBeUndefined()
  })

  it("a help document as one line, for error messages", () => {
    expect(docText(HelpDoc.p("Missing argument <IMAGE>\n"))).toBe("Missing argument <IMAGE>")
  })
})
