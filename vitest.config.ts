import path from "node:path";
import { defineConfig } from "vitest/config";

/**
 * Two tiers, chosen by where a test file sits (`vitest run --project unit|integration`):
 * - unit: `*.test.ts` beside the code, pure (fakes allowed). No global setup, so no PostgreSQL:
 *   a unit test that reaches for the shared servers fails at once (tests/support/tier.ts).
 * - integration: tests/integration/, against the real servers tests/support/global-setup.ts starts.
 * `vitest run <file>` picks the tier from the file's place, so a unit file never starts servers.
 */
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    // Test files share the machine's two cores (and, for integration, three PostgreSQL servers).
    fileParallelism: true,
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["{lib,workers,scripts,components,app}/**/*.test.{ts,tsx}"],
          env: { PGFERRY_TEST_TIER: "unit" },
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          globalSetup: ["tests/support/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
