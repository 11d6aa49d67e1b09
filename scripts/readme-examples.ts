/**
 * The code blocks of the READMEs (the repository's and each package's), for the checks that keep
 * them true: `check-doc-examples.ts` type-checks the complete TypeScript ones and compares install
 * lines with the packages' ranges; `test/readme-examples.test.ts` and `test/consumer.test.ts` run
 * some of them.
 *
 * A TypeScript block is complete when it has its imports (a line starting with `import `); the
 * others are fragments that show one call in context and are not checked.
 */
import { FileSystem, Path } from "@effect/platform"
import { Effect, Schema } from "effect"

/** One fenced code block of a README. */
export interface ReadmeBlock {
  /** The README, relative to the repository root. */
  readonly file: string
  /** The 1-based line of the block's first code line. */
  readonly line: number
  /** The fence's language (`ts`, `sh`, …; empty when none). */
  readonly lang: string
  /** The code, without the indentation of the fence (blocks in list items are indented). */
  readonly code: string
  /** The closest `#` heading above the block, without the `#`s. */
  readonly heading: string | undefined
  /** The test file that holds this exact code, when the README says so after the block. */
  readonly testedBy: string | undefined
}

const FENCE = /^(\s*)```(\w*)\s*$/
const HEADING = /^#+\s+(.*)$/
/** What the README writes after a block that a test of the repository holds verbatim. */
const TESTED_BY = /^This exact code is a test of this repository \(`([^`]+)`\)/

const TS_LANGUAGES: ReadonlySet<string> = new Set(["ts", "typescript"])

/** Every fenced block of a Markdown text. */
export const readmeBlocks = (file: string, text: string): ReadonlyArray<ReadmeBlock> => {
  const lines = text.split("\n")
  const blocks: Array<ReadmeBlock> = []
  let heading: string | undefined
  for (let index = 0; index < lines.length; index++) {
    const current = lines[index] ?? ""
    const headingMatch = HEADING.exec(current)
    if (headingMatch !== null) {
      heading = headingMatch[1]
      continue
    }
    const open = FENCE.exec(current)
    if (open === null) continue
    const indent = open[1] ?? ""
    const code: Array<string> = []
    let end = index + 1
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end] ?? "")) {
      const codeLine = lines[end] ?? ""
      code.push(codeLine.startsWith(indent) ? codeLine.slice(indent.length) : codeLine)
      end++
    }
    const after = lines.slice(end + 1).find((candidate) => candidate.trim() !== "")
    blocks.push({
      file,
      line: index + 2,
      lang: open[2] ?? "",
      code: code.join("\n"),
      heading,
      testedBy: after === undefined ? undefined : TESTED_BY.exec(after)?.[1]
    })
    index = end
  }
  return blocks
}

/** A TypeScript block with its imports: a module of its own that must compile. */
export const isCompleteExample = (block: ReadmeBlock): boolean =>
  TS_LANGUAGES.has(block.lang) && /^import\s/m.test(block.code)

/** One `name@range` of an `npm install` line in a README. */
export interface InstallSpec {
  readonly file: string
  readonly line: number
  readonly name: string
  readonly range: string
}

/** The `name@range` arguments of the `npm install` commands in shell blocks. */
export const installSpecs = (blocks: ReadonlyArray<ReadmeBlock>): ReadonlyArray<InstallSpec> =>
  blocks
    .filter((block) => block.lang === "sh" || block.lang === "bash")
    .flatMap((block) =>
      block.code.split("\n").flatMap((text, offset) => {
        const command = /\bnpm (?:install|i|add)\s+(.*)$/.exec(text.replace(/#.*$/, ""))
        if (command === null) return []
        return (command[1] ?? "").split(/\s+/).flatMap((arg) => {
          // `@scope/name@range` or `name@range`: the range is after the last '@' that is not the first character
          const at = arg.lastIndexOf("@")
          if (arg.startsWith("-") || at <= 0) return []
          return [{ file: block.file, line: block.line + offset, name: arg.slice(0, at), range: arg.slice(at + 1) }]
        })
      })
    )

/** The READMEs whose examples are checked: the repository's and each workspace package's. */
export const readmeFiles = (root: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const files = ["README.md"]
    for (const workspace of yield* workspaces(root)) {
      const readme = path.join(workspace, "README.md")
      if (yield* fs.exists(path.join(root, readme))) files.push(readme)
    }
    return files
  })

const Ranges = Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.String }), {
  default: () => ({})
})

/** The parts of a package.json the checks read. */
export const Manifest = Schema.Struct({
  name: Schema.optional(Schema.String),
  workspaces: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
  dependencies: Ranges,
  peerDependencies: Ranges,
  devDependencies: Ranges
})

/** Reads and decodes a package.json. */
export const readManifest = (file: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) =>
    fs.readFileString(file).pipe(Effect.flatMap(Schema.decodeUnknown(Schema.parseJson(Manifest))))
  )

/** The workspace directories of the root package.json, relative to the root (`packages/ociman`, …). */
export const workspaces = (root: string) =>
  Effect.flatMap(Path.Path, (path) =>
    Effect.map(readManifest(path.join(root, "package.json")), (manifest) => manifest.workspaces)
  )
