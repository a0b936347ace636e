import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

/**
 * Import boundaries: a folder's name says which process runs its code, so it may import only what
 * that process has (ARCHITECTURE.md, "Code layout"). Each folder is named for both spellings of an
 * import, the "@/" alias and a relative path.
 */
const folderPatterns = (folder) => [`@/${folder}`, `@/${folder}/**`, `**/${folder}/**`];

function boundary(files, forbidden, why, ignores = []) {
  return {
    files,
    ignores,
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: forbidden.map((folder) => ({ group: folderPatterns(folder), message: `${folder}/ is off limits here: ${why}` })) },
      ],
    },
  };
}

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: ["node_modules/**", ".next/**", ".pgferry/**", "lib/catalog/generated/**", "test-results/**", "playwright-report/**", "next-env.d.ts"],
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  boundary(
    ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}", "proxy.ts"],
    ["workers", "tests", "benchmarks", "scripts"],
    "the web app reaches the worker only through the catalog",
  ),
  boundary(
    ["lib/**/*.{ts,tsx}"],
    ["workers", "app", "components", "tests", "benchmarks", "scripts", "lib/web"],
    "lib/ is what both processes share; it depends on nothing outside it, nor on the web-only lib/web/",
    ["lib/web/**"],
  ),
  boundary(
    ["lib/web/**/*.{ts,tsx}"],
    ["workers", "app", "components", "tests", "benchmarks", "scripts"],
    "lib/web/ holds the web app's services; it depends on lib/ only",
  ),
  boundary(
    ["workers/**/*.ts"],
    ["app", "components", "lib/web", "tests", "benchmarks", "scripts"],
    "the worker never loads the web app or its services",
  ),
  boundary(["scripts/**/*.ts", "benchmarks/**/*.ts"], ["tests"], "shared test helpers belong in lib/ (e.g. lib/pg/throwaway-server.ts)"),
];

export default config;
