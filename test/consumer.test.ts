/**
 * Acceptance: what `npm install` gives a user. Every workspace package (the root package.json's
 * `workspaces`) is built and packed as it would be published, the tarballs are installed into a
 * fresh project outside the repository, offline, and that project type-checks README examples,
 * loads every package, and runs the installed `ociman` command and a README program on each
 * runtime. It catches a file missing from a tarball, a wrong `main` / `types` / `exports` / `bin`
 * entry, and a dev dependency a package needs at run time (the project has only what the packages
 * declare).
 *
 * Offline: `npm ci --offline` from the npm cache that the repository's `npm ci` filled, with a
 * lockfile cut from the repository's (`scripts/consumer-lockfile.ts`), and every request sent to a
 * proxy that does not exist, so any attempt to reach the network fails the install.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import { spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { consumerLockfile, Lockfile, type Packed } from "../scripts/consumer-lockfile.js"
import { isCompleteExample, readmeBlocks } from "../scripts/readme-examples.js"
import { describeEachRuntime, TEST_IMAGE } from "./support/backends.js"

const root = fileURLToPath(new URL("..", import.meta.url))
const tsc = join(root, "node_modules", "typescript", "bin", "tsc")
/** Nothing listens there: a request that leaves the cache fails at once. */
const DEAD_PROXY = "http://127.0.0.1:9"

interface Outcome {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs a command asynchronously (a worker blocked in `spawnSync` cannot answer vitest). */
const run = (command: string, args: ReadonlyArray<string>, cwd: string, env: NodeJS.ProcessEnv = {}) =>
  new Promise<Outcome>((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env } })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.on("error", (error) => resolve({ status: null, stdout, stderr: `${stderr}${error.message}` }))
    child.on("close", (status) => resolve({ status, stdout, stderr }))
  })

const succeeded = (what: string, outcome: Outcome): Outcome => {
  expect(outcome.status, `${what}:\n${outcome.stdout}\n${outcome.stderr}`).toBe(0)
  return outcome
}

const Manifest = Schema.parseJson(
  Schema.Struct({
    name: Schema.String,
    main: Schema.optional(Schema.String),
    types: Schema.optional(Schema.String),
    bin: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
    exports: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
    dependencies: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
    optionalDependencies: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
    peerDependencies: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.String }), {
      default: () => ({})
    }),
    peerDependenciesMeta: Schema.optionalWith(
      Schema.Record({ key: Schema.String, value: Schema.Struct({ optional: Schema.optional(Schema.Boolean) }) }),
      { default: () => ({}) }
    ),
    devDependencies: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.String }), {
      default: () => ({})
    }),
    workspaces: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] })
  })
)
type Manifest = typeof Manifest.Type
const readManifest = (dir: string): Manifest =>
  Schema.decodeUnknownSync(Manifest)(readFileSync(join(root, dir, "package.json"), "utf8"))

/** What `npm pack --json` says about each tarball. */
const PackResults = Schema.Array(
  Schema.Struct({
    name: Schema.String,
    filename: Schema.String,
    integrity: Schema.String,
    files: Schema.Array(Schema.Struct({ path: Schema.String }))
  })
)

/** Every file path an `exports` value points to (conditions and nesting flattened; `null` excluded). */
const exportTargets = (value: unknown): ReadonlyArray<string> =>
  typeof value === "string"
    ? [value]
    : typeof value === "object" && value !== null
      ? Object.values(value).flatMap(exportTargets)
      : []

const normalizePath = (target: string): string => target.replace(/^\.\//, "")

/** The complete example under a heading of a README. */
const example = (file: string, heading: string): string => {
  const found = readmeBlocks(file, readFileSync(join(root, file), "utf8")).filter(
    (block) => block.heading === heading && isCompleteExample(block)
  )
  expect(found, `one complete example under "${heading}" in ${file}`).toHaveLength(1)
  return found[0]?.code ?? ""
}

const rootManifest = readManifest(".")
const workspaces = rootManifest.workspaces
const manifests = workspaces.map((workspace) => ({ workspace, manifest: readManifest(workspace) }))

/** The project's own dependencies besides the packages: the required peers, the Node platform and types. */
const extraDependencies = (): Record<string, string> => {
  // Node's types, as the repository uses them: a TypeScript user of Node has them.
  const wanted: Record<string, string> = { "@types/node": rootManifest.devDependencies["@types/node"] ?? "*" }
  for (const { manifest } of manifests) {
    for (const [name, range] of Object.entries(manifest.peerDependencies)) {
      const isWorkspace = manifests.some((other) => other.manifest.name === name)
      if (!isWorkspace && manifest.peerDependenciesMeta[name]?.optional !== true) wanted[name] = range
    }
  }
  return wanted
}

let project = ""
/** The project's compilation (NodeNext, emitting `out/`), run once for the tests that need it. */
let compiled: Promise<Outcome> | undefined
const compile = (): Promise<Outcome> => (compiled ??= run(process.execPath, [tsc, "-p", "tsconfig.json"], project))
let packResults: typeof PackResults.Type = []

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), "ociman-consumer-"))
  const tarballs = join(project, "tarballs")
  mkdirSync(tarballs)

  // 1. Build once, then pack every workspace package (its prepack prunes stale outputs and checks
  //    README and LICENSE; OCIMAN_PREPACK_BUILT spares it three more builds).
  succeeded("npm run build", await run("npm", ["run", "build"], root))
  const packed = succeeded(
    "npm pack --workspaces",
    await run("npm", ["pack", "--workspaces", "--json", "--pack-destination", tarballs], root, {
      OCIMAN_PREPACK_BUILT: "1"
    })
  )
  packResults = Schema.decodeUnknownSync(Schema.parseJson(PackResults))(packed.stdout.slice(packed.stdout.indexOf("[")))

  // 2. A fresh project: the tarballs, the peers, a lockfile cut from the repository's.
  const packedPackages: ReadonlyArray<Packed> = packResults.map((result) => {
    const { workspace, manifest } = manifests.find((m) => m.manifest.name === result.name) ?? expect.fail(result.name)
    return {
      name: result.name,
      workspace,
      tarball: `tarballs/${result.filename}`,
      integrity: result.integrity,
      manifest
    }
  })
  const dependencies = {
    ...Object.fromEntries(packedPackages.map((p) => [p.name, `file:${p.tarball}`])),
    ...extraDependencies()
  }
  const repositoryLock = Schema.decodeUnknownSync(Lockfile)(readFileSync(join(root, "package-lock.json"), "utf8"))
  const { lockfile, unresolved } = consumerLockfile(repositoryLock, packedPackages, { name: "consumer", dependencies })
  expect(unresolved, "dependencies missing from the repository's lockfile").toEqual([])
  const write = (file: string, text: string) => {
    mkdirSync(join(project, file, ".."), { recursive: true })
    writeFileSync(join(project, file), text)
  }
  write("package.json", JSON.stringify({ name: "consumer", private: true, type: "module", dependencies }, null, 2))
  write("package-lock.json", JSON.stringify(lockfile, null, 2))

  // 3. Installed offline.
  succeeded(
    "npm ci --offline",
    await run(
      "npm",
      ["ci", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", "--fetch-retries", "0"],
      project,
      { npm_config_proxy: DEAD_PROXY, npm_config_https_proxy: DEAD_PROXY, npm_config_noproxy: "" }
    )
  )

  // 4. The user's code: README examples, every package imported, a vitest file for the kit.
  write("src/readme.ts", example("packages/ociman/README.md", "A complete program"))
  write("src/choosing.ts", example("README.md", "Choosing the runtime"))
  const names = manifests.map(({ manifest }) => manifest.name)
  write(
    "src/imports.ts",
    names.map((name, index) => `export type * as Package${index} from "${name}"`).join("\n") + "\n"
  )
  write(
    "src/kit.test.ts",
    [
      `import { expect, test } from "vitest"`,
      `test("@ociman/vitest loads", async () => {`,
      `  expect(Object.keys(await import("@ociman/vitest")).length).toBeGreaterThan(0)`,
      `})`,
      ""
    ].join("\n")
  )
  const compilerOptions = {
    target: "ES2022",
    lib: ["ES2022"],
    types: ["node"],
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: true
  }
  write(
    "tsconfig.json",
    JSON.stringify({
      compilerOptions: {
        ...compilerOptions,
        module: "NodeNext",
        moduleResolution: "NodeNext",
        outDir: "out",
        rootDir: "src"
      },
      include: ["src"]
    })
  )
  // Older resolution reads the top-level `types`, not `exports`.
  write(
    "tsconfig.node10.json",
    JSON.stringify({
      compilerOptions: { ...compilerOptions, module: "ES2022", moduleResolution: "node10", noEmit: true },
      files: ["src/imports.ts"]
    })
  )
}, 600_000)

afterAll(() => {
  if (project !== "") rmSync(project, { recursive: true, force: true })
})

describe("the packed packages", () => {
  it("every workspace package is packed, with README.md, LICENSE, and no build info", () => {
    expect(packResults.map((result) => result.name).sort()).toEqual(manifests.map((m) => m.manifest.name).sort())
    const license = readFileSync(join(root, "LICENSE"), "utf8")
    for (const result of packResults) {
      const files = result.files.map((file) => file.path)
      expect(files, result.name).toContain("README.md")
      expect(files, result.name).toContain("LICENSE")
      expect(
        files.filter((file) => file.includes("tsbuildinfo")),
        result.name
      ).toEqual([])
      const workspace = manifests.find((m) => m.manifest.name === result.name)?.workspace ?? ""
      expect(readFileSync(join(root, workspace, "LICENSE"), "utf8"), result.name).toBe(license)
    }
  })

  it("every file a manifest points to (main, types, bin, exports) is in its tarball", () => {
    for (const result of packResults) {
      const { manifest } = manifests.find((m) => m.manifest.name === result.name) ?? expect.fail(result.name)
      const files = new Set(result.files.map((file) => file.path))
      const targets = [
        ...(manifest.main === undefined ? [] : [manifest.main]),
        ...(manifest.types === undefined ? [] : [manifest.types]),
        ...Object.values(manifest.bin ?? {}),
        ...exportTargets(manifest.exports ?? {})
      ].map(normalizePath)
      for (const target of targets) {
        if (target.includes("*")) {
          const [prefix = "", suffix = ""] = target.split("*")
          const matches = [...files].filter((file) => file.startsWith(prefix) && file.endsWith(suffix))
          expect(matches.length, `${result.name}: ${target}`).toBeGreaterThan(0)
        } else {
          expect(files.has(target), `${result.name}: ${target}`).toBe(true)
        }
      }
    }
  })
})

describe("a fresh project with the tarballs installed offline", () => {
  it("type-checks the README examples and every package's types (NodeNext), and emits them", async () => {
    succeeded("tsc (NodeNext)", await compile())
  })

  it("finds every package's types with the older node10 resolution (top-level types)", async () => {
    succeeded("tsc (node10)", await run(process.execPath, [tsc, "-p", "tsconfig.node10.json"], project))
  })

  it("loads every package at run time", async () => {
    const runnable = manifests.map(({ manifest }) => manifest.name).filter((name) => name !== "@ociman/vitest")
    const script = runnable.map((name) => `await import(${JSON.stringify(name)})`).join("; ")
    succeeded("node import", await run(process.execPath, ["--input-type=module", "-e", script], project))
    // The vitest kit imports vitest, which loads only inside a vitest run: run one in the project.
    succeeded("tsc (NodeNext)", await compile())
    const { stdout } = succeeded(
      "vitest run",
      await run(process.execPath, [join("node_modules", "vitest", "vitest.mjs"), "run", "out/kit.test.js"], project)
    )
    expect(stdout).toMatch(/1 passed/)
  })
})

describeEachRuntime("the installed packages", (kind) => {
  it("the installed `ociman info` reports the runtime", async () => {
    const { stdout } = succeeded(
      "ociman info",
      await run(join(project, "node_modules", ".bin", "ociman"), ["info"], project, { OCIMAN_BACKEND: kind })
    )
    expect(stdout).toMatch(new RegExp(`^kind: +${kind}$`, "m"))
  })

  it("the package README's program runs", async () => {
    succeeded("tsc (NodeNext)", await compile())
    const { stderr, stdout } = succeeded(
      "node out/readme.js",
      await run(process.execPath, ["out/readme.js"], project, { OCIMAN_BACKEND: kind, IMAGE: TEST_IMAGE })
    )
    expect(stderr).toBe("")
    // the automatic sweep may log what it removed first (other processes' leftovers)
    expect(stdout).toMatch(/^\S+: hello from a container$/m)
  })

  it("the README's runtime choice runs", async () => {
    succeeded("tsc (NodeNext)", await compile())
    const { stdout } = succeeded(
      "node out/choosing.js",
      await run(process.execPath, ["out/choosing.js"], project, { OCIMAN_BACKEND: kind })
    )
    expect(stdout).toMatch(new RegExp(`^${kind} \\S+ \\(rootless: (true|false)\\)$`, "m"))
  })
})
