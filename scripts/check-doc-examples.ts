/**
 * Type-checks the code examples of the library's documentation, so a broken example fails the
 * build: every ```ts block of a JSDoc `@example` in `packages/ociman/src/**\/*.ts` (not
 * `internal/`), and every complete ```ts block (one with its imports) of the READMEs (the
 * repository's and each workspace package's), is written to `.doc-examples/` as a module of its
 * own, and compiled against the packages' sources with the project's compiler options (strict,
 * exactOptionalPropertyTypes, noUncheckedIndexedAccess, …; only unused locals are allowed, since
 * examples show values without using them). Errors are reported at the line of the documentation
 * they come from.
 *
 * The READMEs are checked for two more things: each `name@range` of an `npm install` line is the
 * range the packages declare for it (peer dependencies and dependencies, else the repository's
 * dev dependencies), and a block the README says is "a test of this repository" appears verbatim
 * in that test file.
 *
 * An `@example` must contain at least one ```ts block, and an example is a complete module: it
 * imports what it uses (from "ociman", "effect", …) and declares what it assumes
 * (`declare const stdout: string`). The generated directory is removed after a successful check
 * and kept after a failed one.
 *
 *     node --import tsx scripts/check-doc-examples.ts
 */
import { FileSystem, Path } from "@effect/platform"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Console, Data, Effect } from "effect"
import ts from "typescript"
import {
  installSpecs,
  isCompleteExample,
  readManifest,
  readmeBlocks,
  readmeFiles,
  workspaces
} from "./readme-examples.js"

/** One ```ts block of an `@example`, and where it is. */
interface Example {
  /** The source file, relative to the repository root. */
  readonly file: string
  /** The 1-based line of the block's first code line in that file. */
  readonly line: number
  readonly code: string
}

/** A problem found in the documentation itself (not in an example's code). */
interface Finding {
  readonly file: string
  readonly line: number
  readonly message: string
}

class DocExamplesFailed extends Data.TaggedError("DocExamplesFailed")<{ readonly errors: number }> {
  override get message(): string {
    return `${this.errors} problem${this.errors === 1 ? "" : "s"} in documentation examples (see above)`
  }
}

const SOURCE_DIR = "packages/ociman/src"
const OUT_DIR = ".doc-examples"

const COMMENT = /\/\*\*[\s\S]*?\*\//g
const FENCE = /^```(\w*)\s*$/
const TAG = /^@(\w+)/

/** The lines of a JSDoc comment without its decoration (the opening, the leading stars, the closing). */
const commentLines = (comment: string): ReadonlyArray<string> =>
  comment.split("\n").map((text) => text.replace(/^\s*\/\*\*\s?|^\s*\*\/|\s*\*\/$|^\s*\* ?/g, ""))

const CODE_LANGUAGES: ReadonlySet<string> = new Set(["ts", "typescript"])

/** The `@example` code blocks of one file, and `@example`s without one. */
export const extract = (
  file: string,
  text: string
): { readonly examples: ReadonlyArray<Example>; readonly findings: ReadonlyArray<Finding> } => {
  const examples: Array<Example> = []
  const findings: Array<Finding> = []
  for (const match of text.matchAll(COMMENT)) {
    const firstLine = text.slice(0, match.index).split("\n").length
    // the line of the current `@example` tag and how many code blocks it has so far
    let example: { readonly line: number; blocks: number } | undefined = undefined
    let fence: { readonly lang: string; readonly line: number; readonly code: Array<string> } | undefined = undefined
    const endExample = (current: { readonly line: number; readonly blocks: number } | undefined) => {
      if (current !== undefined && current.blocks === 0) {
        findings.push({ file, line: current.line, message: "@example without a ```ts code block" })
      }
    }
    for (const [index, content] of commentLines(match[0]).entries()) {
      const at = firstLine + index
      const fenceMatch = FENCE.exec(content.trim())
      if (fence !== undefined) {
        if (fenceMatch === null || fenceMatch[1] !== "") {
          fence.code.push(content)
          continue
        }
        if (example !== undefined && CODE_LANGUAGES.has(fence.lang)) {
          example.blocks += 1
          examples.push({ file, line: fence.line, code: fence.code.join("\n") })
        }
        fence = undefined
        continue
      }
      if (fenceMatch !== null) {
        fence = { lang: fenceMatch[1] ?? "", line: at + 1, code: [] }
        continue
      }
      const tag = TAG.exec(content.trim())?.[1]
      if (tag === undefined) continue
      endExample(example)
      example = tag === "example" ? { line: at, blocks: 0 } : undefined
    }
    if (fence !== undefined) findings.push({ file, line: fence.line - 1, message: "unclosed ``` code block" })
    endExample(example)
  }
  return { examples, findings }
}

/** `Port.ts` line 120 → `Port.120.ts`, `packages/cli/README.md` → `packages_cli_README.12.ts`: unique, and says where it comes from. */
const moduleName = (example: Example): string =>
  `${(example.file.startsWith(`${SOURCE_DIR}/`) ? example.file.slice(SOURCE_DIR.length + 1) : example.file)
    .replace(/\.(ts|md)$/, "")
    .replaceAll("/", "_")}.${example.line}.ts`

/** The README checks: complete examples to compile, and findings about install lines and tested blocks. */
const readmeChecks = (root: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const manifests = yield* Effect.forEach(yield* workspaces(root), (workspace) =>
      readManifest(path.join(root, workspace, "package.json"))
    )
    const rootManifest = yield* readManifest(path.join(root, "package.json"))
    /** The ranges the packages declare for a name (dev dependencies of the root when none does). */
    const declared = (name: string): ReadonlySet<string> => {
      const ranges = new Set<string>()
      for (const manifest of manifests) {
        for (const record of [manifest.peerDependencies, manifest.dependencies]) {
          const range = record[name]
          if (range !== undefined) ranges.add(range)
        }
      }
      const dev = rootManifest.devDependencies[name]
      if (ranges.size === 0 && dev !== undefined) ranges.add(dev)
      return ranges
    }
    const examples: Array<Example> = []
    const findings: Array<Finding> = []
    let fragments = 0
    for (const file of yield* readmeFiles(root)) {
      const blocks = readmeBlocks(file, yield* fs.readFileString(path.join(root, file)))
      for (const block of blocks) {
        if (isCompleteExample(block)) examples.push({ file, line: block.line, code: block.code })
        else if (block.lang === "ts" || block.lang === "typescript") fragments++
        if (block.testedBy === undefined) continue
        const test = path.join(root, block.testedBy)
        const held = (yield* fs.exists(test)) && (yield* fs.readFileString(test)).includes(block.code)
        if (!held) {
          findings.push({
            file,
            line: block.line,
            message: `the README says this block is ${block.testedBy}, but that file does not hold it verbatim`
          })
        }
      }
      for (const spec of installSpecs(blocks)) {
        const ranges = declared(spec.name)
        if (ranges.size > 0 && !ranges.has(spec.range)) {
          findings.push({
            file,
            line: spec.line,
            message: `npm install ${spec.name}@${spec.range}: the packages declare ${[...ranges].join(" or ")}`
          })
        }
      }
    }
    return { examples, findings, fragments }
  })

const HEADER_LINES = 1

const moduleText = (example: Example): string =>
  // `export {}` makes every example a module of its own, whatever it imports.
  `// ${example.file}:${example.line}\n${example.code}\nexport {}\n`

const TSCONFIG = {
  "//": "Generated by scripts/check-doc-examples.ts: the documentation examples, type-checked.",
  extends: "../tsconfig.json",
  compilerOptions: { noEmit: true, customConditions: ["source"], noUnusedLocals: false, noUnusedParameters: false },
  include: ["*.ts"]
}

const line = (file: string, at: number, message: string): string => `${file}:${at}: ${message}`

/** Compiles the written examples and maps each error back to its documentation line. */
const typeCheck = (root: string, written: ReadonlyMap<string, Example>): ReadonlyArray<string> => {
  const configPath = `${root}/${OUT_DIR}/tsconfig.json`
  const reported: Array<string> = []
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) =>
      void reported.push(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"))
  })
  if (parsed === undefined) return reported
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options })
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")
    const source = diagnostic.file
    const example = source === undefined ? undefined : written.get(source.fileName)
    if (source === undefined || diagnostic.start === undefined) {
      reported.push(`error TS${diagnostic.code}: ${text}`)
    } else if (example === undefined) {
      const { line: at } = source.getLineAndCharacterOfPosition(diagnostic.start)
      reported.push(line(source.fileName, at + 1, `error TS${diagnostic.code}: ${text}`))
    } else {
      const { line: at, character } = source.getLineAndCharacterOfPosition(diagnostic.start)
      const codeLine = example.line + at - HEADER_LINES
      reported.push(`${example.file}:${codeLine}:${character + 1}: error TS${diagnostic.code}: ${text}`)
    }
  }
  return reported
}

const program = Effect.gen(function* () {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const root = path.resolve(path.dirname(yield* path.fromFileUrl(new URL(import.meta.url))), "..")
  const sources = (yield* fs.readDirectory(path.join(root, SOURCE_DIR), { recursive: true }))
    .filter((file) => file.endsWith(".ts") && !file.startsWith("internal/"))
    .sort()
  const examples: Array<Example> = []
  const findings: Array<Finding> = []
  for (const source of sources) {
    const file = `${SOURCE_DIR}/${source}`
    const found = extract(file, yield* fs.readFileString(path.join(root, file)))
    examples.push(...found.examples)
    findings.push(...found.findings)
  }

  const readmes = yield* readmeChecks(root)
  const jsdocExamples = examples.length
  examples.push(...readmes.examples)
  findings.push(...readmes.findings)

  const out = path.join(root, OUT_DIR)
  yield* fs.remove(out, { recursive: true, force: true })
  yield* fs.makeDirectory(out, { recursive: true })
  yield* fs.writeFileString(path.join(out, "tsconfig.json"), `${JSON.stringify(TSCONFIG, null, 2)}\n`)
  const written = new Map<string, Example>()
  for (const example of examples) {
    const target = path.join(out, moduleName(example))
    yield* fs.writeFileString(target, moduleText(example))
    written.set(target, example)
  }

  const errors = [
    ...findings.map((finding) => line(finding.file, finding.line, `error: ${finding.message}`)),
    ...typeCheck(root, written)
  ]
  for (const error of errors) yield* Console.error(error)
  // Kept on failure, to look at what was compiled; removed otherwise.
  if (errors.length > 0) return yield* new DocExamplesFailed({ errors: errors.length })
  yield* fs.remove(out, { recursive: true })
  yield* Console.log(
    `${jsdocExamples} documentation examples from ${new Set(examples.slice(0, jsdocExamples).map((e) => e.file)).size} modules and ${readmes.examples.length} README examples type-check (${readmes.fragments} README fragments without imports not checked)`
  )
})

program.pipe(
  Effect.tapErrorTag("DocExamplesFailed", (error) => Console.error(error.message)),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
