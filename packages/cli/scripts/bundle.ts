/**
 * Bundles the `ociman` command (`src/bin.ts`) into `dist/bundle/`: one minified, tree-shaken ESM
 * entry, `ociman.mjs`, which `bin/ociman.js` loads, and one chunk per command action (loaded when
 * that command runs: see `src/lazy.ts`), with source maps. Nothing is external: starting the
 * command resolves no package from node_modules. Part of `npm run build`, after `tsc -b`.
 *
 * Run from the repository root: `node --import tsx packages/cli/scripts/bundle.ts`.
 */
import * as esbuild from "esbuild"
import { readdir, rm } from "node:fs/promises"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"

const packageDir = fileURLToPath(new URL("..", import.meta.url))
const outdir = fileURLToPath(new URL("../dist/bundle", import.meta.url))

/**
 * @effect/cli parses YAML, TOML and INI files for `Options.fileParse` and config files, which
 * ociman never uses; the three parsers would be a fifth of the entry. They are replaced by a stub
 * that fails the same way a parse error does (@effect/cli catches it into a typed failure).
 */
const unusedFileParsers: esbuild.Plugin = {
  name: "unused-file-parsers",
  setup(build) {
    build.onResolve({ filter: /^(yaml|toml|ini)$/ }, (args) =>
      args.importer.includes("@effect/cli") ? { path: args.path, namespace: "unused-file-parser" } : undefined
    )
    build.onLoad({ filter: /.*/, namespace: "unused-file-parser" }, (args) => ({
      contents: `export const parse = () => { throw new Error("the ociman command does not read ${args.path} files") }`,
      loader: "js"
    }))
  }
}

const result = await esbuild.build({
  absWorkingDir: packageDir,
  entryPoints: { ociman: "src/bin.ts" },
  outdir,
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // the workspace packages from their TypeScript sources, as the type-check sees them
  conditions: ["source"],
  minify: true,
  treeShaking: true,
  sourcemap: "linked",
  sourcesContent: false,
  legalComments: "none",
  // CommonJS dependencies bundled into ESM call `require` for Node's built-in modules
  banner: {
    js: 'import{createRequire as __ocimanRequire}from"node:module";const require=__ocimanRequire(import.meta.url);'
  },
  plugins: [unusedFileParsers],
  metafile: true,
  logLevel: "warning"
})

// Files of an earlier build go only now, so a running `ociman` never misses its entry.
const written = new Set(Object.keys(result.metafile.outputs).map((file) => join(packageDir, file)))
for (const file of await readdir(outdir, { recursive: true, withFileTypes: true })) {
  const path = join(file.parentPath, file.name)
  if (file.isFile() && !written.has(path)) await rm(path)
}

const total = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith(".mjs"))
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`
process.stdout.write(
  `bundled the ociman command: ${relative(packageDir, join(outdir, "ociman.mjs"))} and ${total.length - 1} chunks, ${kib(total.reduce((sum, [, output]) => sum + output.bytes, 0))}\n`
)
