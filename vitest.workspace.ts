import { fileURLToPath } from "node:url"
import { defineWorkspace } from "vitest/config"

// Tests run against the TypeScript sources, not the built `dist/`.
const alias = [
  { find: /^ociman$/, replacement: fileURLToPath(new URL("packages/ociman/src/index.ts", import.meta.url)) },
  { find: /^ociman\/(.*)$/, replacement: fileURLToPath(new URL("packages/ociman/src/$1.ts", import.meta.url)) },
  {
    find: /^@ociman\/postgres$/,
    replacement: fileURLToPath(new URL("packages/postgres/src/index.ts", import.meta.url))
  },
  {
    find: /^@ociman\/postgres\/client$/,
    replacement: fileURLToPath(new URL("packages/postgres/src/client/index.ts", import.meta.url))
  },
  { find: /^@ociman\/vitest$/, replacement: fileURLToPath(new URL("packages/vitest/src/index.ts", import.meta.url)) }
]

export default defineWorkspace([
  {
    resolve: { alias },
    test: {
      name: "unit",
      include: ["packages/*/test/**/*.test.ts"],
      testTimeout: 30_000
    }
  },
  {
    resolve: { alias },
    test: {
      name: "integration",
      include: ["test/**/*.test.ts"],
      // Real containers: generous per-test budgets, and files run one at a time so two
      // files do not fight over the 2 cores and the engine's lock.
      testTimeout: 180_000,
      hookTimeout: 180_000,
      fileParallelism: false
    }
  }
])
