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

/**
 * The integration files that must have the engines to themselves, so they run after every other
 * file has finished, a group at a time (the projects `integration-alone-N`):
 * - the leak matrix, one file per runtime, the two side by side: each runs four programs at a time
 *   on its engine, and a matrix with other files beside it runs twice as long;
 * - `failure-modes` stops and restarts the machine's dockerd;
 * - `sweeper`, `cli-prune` and `vitest-kit` leave a killed program's resources in place and check
 *   that they are still there before sweeping them: any other process's automatic sweep would take
 *   them first;
 * - `deadlines` and `start-deadline` time calls against engines that stop answering, and want the
 *   machine otherwise quiet.
 */
const alone: ReadonlyArray<ReadonlyArray<string>> = [
  ["test/leaks-docker.test.ts", "test/leaks-podman.test.ts"],
  ["test/failure-modes.test.ts"],
  ["test/sweeper.test.ts"],
  ["test/cli-prune.test.ts"],
  ["test/vitest-kit.test.ts"],
  ["test/deadlines.test.ts"],
  ["test/start-deadline.test.ts"]
]

/** Real containers: generous per-test budgets. */
const integration = { testTimeout: 180_000, hookTimeout: 180_000 }

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
      // side by side with the unit files and each other, as many at once as `--maxWorkers` allows
      // (`npm test` runs two: each file's own engine calls leave the 2 cores idle about 40 % of the time)
      name: "integration",
      include: ["test/**/*.test.ts"],
      exclude: alone.flat(),
      ...integration
    }
  },
  // after every other file has finished, a group at a time, each file in a process of its own
  // (deadlines.test.ts points its process's DOCKER_HOST at a spare engine)
  ...alone.map((files, index) => ({
    resolve: { alias },
    test: {
      name: `integration-alone-${index + 1}`,
      include: [...files],
      sequence: { groupOrder: index + 1 },
      ...integration
    }
  }))
])
