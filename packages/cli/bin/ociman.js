#!/usr/bin/env node
// Committed launcher so npm can link the `ociman` bin at install time, before `npm run build`
// has produced dist/. Run `npm run build` first.
import "../dist/bin.js"
