// Lint rules that back the project's standards: no `any`, no type assertions to silence the
// compiler (`as const` stays allowed), no thrown values, no floating promises; and the layout of
// the library (CONTRIBUTING.md, "Module map"): what differs between Docker and Podman lives in
// internal/dialect/ only, and each part imports only what the map allows.
import js from "@eslint/js"
import tseslint from "typescript-eslint"

const noThrow = {
  selector: "ThrowStatement",
  message: "Fail with a typed error (Effect.fail / yield* new XError) instead of throw."
}

const KIND_LITERAL = "Literal[value=/^(docker|podman)$/]"
const KIND_MESSAGE =
  "No branching on the runtime kind outside packages/ociman/src/internal/dialect/: read a field of a per-kind dialect record (`records[kind]`) instead."

/** `kind === "docker"`, `"podman" !== kind` (ternaries included) and `case "docker":`. */
const noKindBranch = [
  { selector: `BinaryExpression[operator=/^[!=]==?$/] > ${KIND_LITERAL}`, message: KIND_MESSAGE },
  { selector: `SwitchCase > ${KIND_LITERAL}.test`, message: KIND_MESSAGE }
]

const WINGS_MESSAGE =
  "A user-facing module talks to the runtime through the seam (ContainerRuntime.ts), never to a wing (internal/cli/, internal/memory/)."

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "docs/api/**", "coverage/**", ".doc-examples/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-assertions": ["error", { assertionStyle: "never" }],
      "@typescript-eslint/no-non-null-assertion": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      // `import { type A }` keeps `import "module"` under verbatimModuleSyntax: the module still
      // loads, and a bundle split by file (the ociman command's) loads all it imports
      "@typescript-eslint/no-import-type-side-effects": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-namespace": "off",
      "no-restricted-syntax": ["error", noThrow]
    }
  },
  {
    // Generator-based Effect code legitimately yields without a value check.
    files: ["**/*.ts"],
    rules: { "require-yield": "off" }
  },
  {
    // The library branches on the runtime kind in one place: internal/dialect/ (tests, the CLI,
    // scripts, benchmarks and examples may compare kinds freely).
    files: ["packages/ociman/src/**/*.ts"],
    ignores: ["packages/ociman/src/internal/dialect/**"],
    rules: { "no-restricted-syntax": ["error", noThrow, ...noKindBranch] }
  },
  {
    // The in-memory wing shares the dialect with the CLI wing, never the CLI wing itself.
    files: ["packages/ociman/src/internal/memory/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["../cli/*", "**/internal/cli/*"],
              message: "internal/memory/ imports internal/dialect/ for what differs per kind, never internal/cli/."
            }
          ]
        }
      ]
    }
  },
  {
    // The user-facing modules see the runtime through the seam only; the seam (ContainerRuntime.ts)
    // and TestRuntime.ts are the two modules that build a wing.
    files: ["packages/ociman/src/*.ts"],
    ignores: ["packages/ociman/src/ContainerRuntime.ts", "packages/ociman/src/TestRuntime.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["./internal/cli/*", "./internal/memory/*"], message: WINGS_MESSAGE }] }
      ]
    }
  },
  {
    // The `ociman` command uses the library's public API only, one public module at a time: its
    // bundle is split by file, and the barrel `ociman` imports every module, the runtime's wings
    // with them, into each command that names it (`ociman hash` would load the whole runtime).
    files: ["packages/cli/src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "ociman",
              message: 'Import the public module itself (`import * as Image from "ociman/Image"`), not the barrel.'
            }
          ],
          patterns: [
            {
              group: ["ociman/internal/*", "**/ociman/src/**", "**/ociman/dist/**", "**/internal/**"],
              message:
                "The CLI imports the public modules (`ociman/<Module>`), never the library's internals or files by path."
            }
          ]
        }
      ]
    }
  },
  {
    // @ociman/postgres is built on ociman's public API only (its own internal/ is its business).
    files: ["packages/postgres/src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["ociman/*", "**/ociman/src/**", "**/ociman/dist/**", "**/packages/ociman/**"],
              message:
                '@ociman/postgres imports the public API (`from "ociman"`), never the library\'s modules by path.'
            }
          ]
        }
      ]
    }
  }
)
