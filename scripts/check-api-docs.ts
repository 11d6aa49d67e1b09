/**
 * Checks the documentation tags of the library's public API: every export of a public module
 * (`packages/ociman/src/*.ts`, except `index.ts`, which only re-exports the modules) carries a
 * JSDoc comment with `@since` (the version that introduced it) and `@category` (its group in the
 * module: models, constructors, combinators, getters, guards, schemas, errors, layers, tags,
 * utils, …). A missing tag is reported at the line of the export, and the check fails.
 *
 *     node --import tsx scripts/check-api-docs.ts
 */
import { FileSystem, Path } from "@effect/platform"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Console, Data, Effect } from "effect"
import { existsSync, readFileSync } from "node:fs"
import ts from "typescript"

const SOURCE_DIR = "packages/ociman/src"
const REQUIRED_TAGS: ReadonlyArray<string> = ["since", "category"]

/** An export without a required tag. */
interface Finding {
  readonly file: string
  readonly line: number
  readonly name: string
  readonly missing: ReadonlyArray<string>
}

class ApiDocsIncomplete extends Data.TaggedError("ApiDocsIncomplete")<{
  readonly findings: number
  readonly files: ReadonlyArray<string>
}> {
  override get message(): string {
    return `${this.findings} export${this.findings === 1 ? "" : "s"} without @since or @category in ${this.files.join(", ")}`
  }
}

const isExported = (statement: ts.Statement): boolean =>
  ts.canHaveModifiers(statement) &&
  (ts.getModifiers(statement) ?? []).some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword)

/** The names a statement exports (a variable statement may declare several). */
const exportedNames = (statement: ts.Statement): ReadonlyArray<string> => {
  if (ts.isExportDeclaration(statement)) {
    const clause = statement.exportClause
    if (clause === undefined) return ["*"]
    return ts.isNamedExports(clause) ? clause.elements.map((element) => element.name.text) : [clause.name.text]
  }
  if (ts.isExportAssignment(statement)) return ["default"]
  if (!isExported(statement)) return []
  if (ts.isVariableStatement(statement)) {
    return statement.declarationList.declarations.map((declaration) => declaration.name.getText())
  }
  if (
    ts.isFunctionDeclaration(statement) ||
    ts.isClassDeclaration(statement) ||
    ts.isInterfaceDeclaration(statement) ||
    ts.isTypeAliasDeclaration(statement) ||
    ts.isEnumDeclaration(statement) ||
    ts.isModuleDeclaration(statement)
  ) {
    return [statement.name?.getText() ?? "default"]
  }
  return []
}

/** The tags of the JSDoc comment right before the statement (the last `/** … *\/` of its leading comments). */
const tagsOf = (text: string, statement: ts.Statement): ReadonlySet<string> => {
  const comments = (ts.getLeadingCommentRanges(text, statement.getFullStart()) ?? []).filter(
    (range) => range.kind === ts.SyntaxKind.MultiLineCommentTrivia && text.startsWith("/**", range.pos)
  )
  const last = comments.at(-1)
  if (last === undefined) return new Set()
  return new Set([...text.slice(last.pos, last.end).matchAll(/(?:^|\s)@(\w+)/g)].flatMap((match) => match[1] ?? []))
}

/**
 * A type the library defines below the seam and re-exports (`export type { X } from "./internal/…"`)
 * is documented where it is declared: its tags are read there.
 */
const reexportedTags = (
  statement: ts.ExportDeclaration,
  names: ReadonlyArray<string>,
  readModule: (specifier: string) => string | undefined
): ReadonlySet<string> | undefined => {
  const specifier = statement.moduleSpecifier
  if (specifier === undefined || !ts.isStringLiteral(specifier)) return undefined
  const text = readModule(specifier.text)
  if (text === undefined) return undefined
  const source = ts.createSourceFile(specifier.text, text, ts.ScriptTarget.Latest, true)
  const tagSets = names.map((name) => {
    const declaration = source.statements.find((candidate) => exportedNames(candidate).includes(name))
    return declaration === undefined ? new Set<string>() : tagsOf(text, declaration)
  })
  // a tag counts only when every re-exported declaration has it
  return new Set(REQUIRED_TAGS.filter((tag) => tagSets.every((tags) => tags.has(tag))))
}

/** The exports of one module that lack a required tag. */
export const check = (
  file: string,
  text: string,
  readModule: (specifier: string) => string | undefined = () => undefined
): ReadonlyArray<Finding> => {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  return source.statements.flatMap((statement) => {
    const names = exportedNames(statement)
    if (names.length === 0) return []
    const tags =
      (ts.isExportDeclaration(statement) ? reexportedTags(statement, names, readModule) : undefined) ??
      tagsOf(text, statement)
    const missing = REQUIRED_TAGS.filter((tag) => !tags.has(tag))
    if (missing.length === 0) return []
    const line = source.getLineAndCharacterOfPosition(statement.getStart(source)).line + 1
    return [{ file, line, name: names.join(", "), missing }]
  })
}

const program = Effect.gen(function* () {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const root = process.cwd()
  const modules = (yield* fs.readDirectory(path.join(root, SOURCE_DIR)))
    .filter((name) => name.endsWith(".ts") && name !== "index.ts")
    .sort()
  const findings: Array<Finding> = []
  for (const name of modules) {
    const file = `${SOURCE_DIR}/${name}`
    const readModule = (specifier: string) => {
      const target = path.join(root, SOURCE_DIR, specifier.replace(/\.js$/, ".ts"))
      return existsSync(target) ? readFileSync(target, "utf8") : undefined
    }
    findings.push(...check(file, yield* fs.readFileString(path.join(root, file)), readModule))
  }
  for (const finding of findings) {
    yield* Console.error(
      `${finding.file}:${finding.line}: error: export ${finding.name} has no ${finding.missing.map((tag) => `@${tag}`).join(" and no ")}`
    )
  }
  if (findings.length > 0) {
    return yield* new ApiDocsIncomplete({
      findings: findings.length,
      files: [...new Set(findings.map((finding) => finding.file))]
    })
  }
  yield* Console.log(`every export of ${modules.length} public modules has @since and @category`)
})

program.pipe(
  Effect.tapErrorTag("ApiDocsIncomplete", (error) => Console.error(error.message)),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
