#!/usr/bin/env node
// Committed launcher so npm can link the `ociman` bin at install time; `npm run build` produces the
// bundle it loads (dist/bundle/, see scripts/bundle.ts). Under --verbose, which prints the stack
// of a failure, stack traces point into the TypeScript sources through the bundle's source maps;
// reading those maps costs more than the rest of the start, so only then.
import process from "node:process"

if (process.argv.includes("--verbose")) process.setSourceMapsEnabled(true)
await import("../dist/bundle/ociman.mjs")
