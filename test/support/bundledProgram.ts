/**
 * A fixture program bundled into one JavaScript file, for tests that start it many times (the leak
 * matrix: about 130 processes per `npm test`). Under `node --import tsx` each start compiles the
 * library's TypeScript again: 2.2 s and 2.7 s of CPU for a program that acquires nothing, against
 * 0.6 s and 0.5 s bundled, on 2 cores shared with the engines. The bundle is the same code: the
 * workspace packages from their sources (the `source` condition), as under tsx.
 */
import * as esbuild from "esbuild"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, join } from "node:path"

const bundles = new Map<string, Promise<string>>()
let directory: string | undefined

/** Where this process's bundles go: one temporary directory, removed when the process exits. */
const bundleDirectory = (): string => {
  if (directory !== undefined) return directory
  const made = mkdtempSync(join(tmpdir(), "ociman-test-programs-"))
  process.once("exit", () => rmSync(made, { recursive: true, force: true }))
  directory = made
  return made
}

/**
 * The path of `entry` (a TypeScript program) bundled as one ESM file, built once per process. Run
 * it with `node <path>`; its source map lies beside it (`node --enable-source-maps` would name the
 * TypeScript sources in stack traces, for 0.4 s more per start).
 */
export const bundledProgram = (entry: string): Promise<string> => {
  const known = bundles.get(entry)
  if (known !== undefined) return known
  const outfile = join(bundleDirectory(), `${basename(entry, ".ts")}.mjs`)
  const built = esbuild
    .build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node20",
      conditions: ["source"],
      sourcemap: "linked",
      // CommonJS dependencies bundled into ESM call `require` for Node's built-in modules
      banner: {
        js: 'import{createRequire as __ocimanRequire}from"node:module";const require=__ocimanRequire(import.meta.url);'
      },
      logLevel: "warning"
    })
    .then(() => outfile)
  bundles.set(entry, built)
  return built
}
