// Code-quality lint for the whole tree (import boundaries are dependency-cruiser's job, see
// .dependency-cruiser.cjs). Formatting is Prettier's: eslint-config-prettier turns off the
// stylistic rules that would fight it.
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import svelte from "eslint-plugin-svelte";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["out/**", "dist/**", "node_modules/**", "test-results/**", ".bench/**", "scratch/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  prettier,
  ...svelte.configs.prettier,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Names are checked for control characters on purpose, with regular expressions.
      "no-control-regex": "off",
      // A leading underscore marks a parameter kept for its position in a signature.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
    },
  },
  {
    files: ["renderer/**"],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ["**/*.svelte", "**/*.svelte.ts"],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: [".svelte"] } },
  },
  {
    // The library reports through its events or a logger the caller passes, never the console.
    files: ["main/moq/**"],
    rules: { "no-console": "error" },
  },
);
