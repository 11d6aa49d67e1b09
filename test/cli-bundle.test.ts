/**
 * Acceptance: the built `ociman` command loads per command (`npm run build` first). A start costs
 * mostly compiling the JavaScript it loads, so `--help` must load none of the library and `hash`
 * none of the container runtime. What a chunk holds is read from its source map; what a command
 * loads is its action chunk and every chunk reached from it by static imports.
 */
import { describe, expect, it } from "@effect/vitest"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const bundleDir = fileURLToPath(new URL("../packages/cli/dist/bundle", import.meta.url))

/** The chunks a module imports statically (`import … from"./x.mjs"`, `import"./x.mjs"`), never `import("./x.mjs")`. */
const STATIC_IMPORT = /(?:^|[;}\n])\s*import\s*(?:[^"';()]*?from\s*)?"(\.{1,2}\/[^"]+\.mjs)"/g

/** A file and every file it imports statically, transitively. */
const staticGraph = (file: string, seen: Set<string> = new Set()): Set<string> => {
  if (seen.has(file)) return seen
  seen.add(file)
  for (const match of readFileSync(file, "utf8").matchAll(STATIC_IMPORT)) {
    staticGraph(join(dirname(file), match[1] ?? ""), seen)
  }
  return seen
}

/** The source files bundled into these files, as their source maps name them. */
const sourcesOf = (files: Iterable<string>): ReadonlyArray<string> =>
  [...files].flatMap((file) => {
    const map: unknown = JSON.parse(readFileSync(`${file}.map`, "utf8"))
    return typeof map === "object" && map !== null && "sources" in map && Array.isArray(map.sources)
      ? map.sources.filter((source): source is string => typeof source === "string")
      : []
  })

/** What running one command loads: the entry's graph and its action chunk's. */
const loadedBy = (command: string): ReadonlyArray<string> => {
  const action = readdirSync(join(bundleDir, "chunks")).find(
    (name) => name.startsWith(`${command}-`) && name.endsWith(".mjs")
  )
  expect(action, `the bundle has no chunk for the ${command} action: run npm run build`).toBeDefined()
  return sourcesOf(staticGraph(join(bundleDir, "chunks", action ?? ""), staticGraph(join(bundleDir, "ociman.mjs"))))
}

const library = (sources: ReadonlyArray<string>) => sources.filter((source) => source.includes("ociman/src/"))

describe("the ociman command's bundle", () => {
  it("is built", () => {
    expect(existsSync(join(bundleDir, "ociman.mjs")), "run npm run build first").toBe(true)
  })

  it("--help and argument parsing load none of the library", () => {
    const entry = sourcesOf(staticGraph(join(bundleDir, "ociman.mjs")))
    expect(entry.some((source) => source.endsWith("src/Cli.ts"))).toBe(true)
    expect(library(entry)).toEqual([])
  })

  it("hash loads the hashing and the definition's checks, none of the container runtime", () => {
    const hash = library(loadedBy("hash"))
    expect(hash.some((source) => source.endsWith("ociman/src/ContentHash.ts"))).toBe(true)
    expect(hash.some((source) => source.endsWith("ociman/src/Image.ts"))).toBe(true)
    expect(
      hash.filter((source) => /ociman\/src\/(ContainerRuntime\.ts|internal\/(cli|api|memory)\/)/.test(source))
    ).toEqual([])
  })

  it("info loads the runtime (the check above can see it)", () => {
    const info = library(loadedBy("info"))
    expect(info.some((source) => source.endsWith("ociman/src/ContainerRuntime.ts"))).toBe(true)
    expect(info.some((source) => source.includes("ociman/src/internal/cli/"))).toBe(true)
  })
})
