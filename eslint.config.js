// Lint rules that back the project's standards: no `any`, no type assertions to silence the
// compiler (`as const` stays allowed), no thrown values, no floating promises.
import js from "@eslint/js"
import tseslint from "typescript-eslint"

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
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-namespace": "off",
      "no-restricted-syntax": [
        "error",
        {
          selector: "ThrowStatement",
          message: "Fail with a typed error (Effect.fail / yield* new XError) instead of throw."
        }
      ]
    }
  },
  {
    // Generator-based Effect code legitimately yields without a value check.
    files: ["**/*.ts"],
    rules: { "require-yield": "off" }
  }
)
