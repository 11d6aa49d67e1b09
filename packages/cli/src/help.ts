/**
 * `ociman --help` and `ociman <command> --help`, rendered here from @effect/cli's own help
 * documents (the same sections and words), as plain text with bold headings on a terminal.
 * @effect/cli's renderer lays the page out with a pretty-printer that costs more than the rest of
 * the command's start, and colours it whatever the output is.
 */
import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import * as CommandDescriptor from "@effect/cli/CommandDescriptor"
import type * as HelpDoc from "@effect/cli/HelpDoc"
import type * as Span from "@effect/cli/HelpDoc/Span"
import * as Usage from "@effect/cli/Usage"
import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"

const bold = (text: string, colour: boolean): string => (colour ? `\u001b[1m${text}\u001b[22m` : text)

/** A span's text; strong spans bold on a terminal. */
export const spanText = (span: Span.Span, colour: boolean): string => {
  switch (span._tag) {
    case "Text":
    case "URI":
      return span.value
    case "Strong":
      return bold(spanText(span.value, false), colour)
    case "Highlight":
    case "Weak":
      return spanText(span.value, colour)
    case "Sequence":
      return spanText(span.left, colour) + spanText(span.right, colour)
  }
}

/** A help document as lines: each heading and paragraph followed by a blank line, definitions indented. */
export const docLines = (doc: HelpDoc.HelpDoc, colour: boolean): ReadonlyArray<string> => {
  switch (doc._tag) {
    case "Empty":
      return []
    case "Header":
      return [bold(spanText(doc.value, false), colour), ""]
    case "Paragraph":
      return [...spanText(doc.value, colour).split("\n"), ""]
    case "DescriptionList":
      return doc.definitions.flatMap(([term, definition]) => [
        bold(spanText(term, false), colour),
        "",
        ...docLines(definition, colour).map((line) => (line === "" ? "" : `  ${line}`))
      ])
    case "Enumeration":
      return doc.elements.flatMap((element) =>
        docLines(element, colour).map((line) => (line === "" ? "" : `  - ${line}`))
      )
    case "Sequence":
      return [...docLines(doc.left, colour), ...docLines(doc.right, colour)]
  }
}

/** A one-line text of a help document (a usage error's, say). */
export const docText = (doc: HelpDoc.HelpDoc): string =>
  docLines(doc, false)
    .filter((line) => line !== "")
    .join(" ")

/** The page @effect/cli prints for `--help`: name and version, usage, then the command's help. */
const page = (name: string, version: string, usage: Usage.Usage, help: HelpDoc.HelpDoc, colour: boolean): string => {
  const lines = [
    bold(name, colour),
    "",
    `${name} ${version}`,
    "",
    bold("USAGE", colour),
    "",
    ...Usage.enumerate(usage, CliConfig.defaultConfig).flatMap((span) => [`$ ${spanText(span, false)}`, ""]),
    ...docLines(help, colour)
  ]
  return lines.join("\n").trimEnd()
}

/**
 * The help page of `root` (`subcommand` undefined) or of one of its subcommands; `undefined` for a
 * subcommand it does not have.
 */
export const helpPage = <Name extends string, R, E, A>(
  root: Command.Command<Name, R, E, A>,
  options: { readonly name: string; readonly version: string; readonly colour: boolean },
  subcommand: string | undefined
): string | undefined => {
  if (subcommand === undefined) {
    return page(
      options.name,
      options.version,
      Command.getUsage(root),
      Command.getHelp(root, CliConfig.defaultConfig),
      options.colour
    )
  }
  return Option.match(HashMap.get(Command.getSubcommands(root), subcommand), {
    onNone: () => undefined,
    onSome: (descriptor) =>
      page(
        options.name,
        options.version,
        CommandDescriptor.getUsage(descriptor),
        CommandDescriptor.getHelp(descriptor, CliConfig.defaultConfig),
        options.colour
      )
  })
}
