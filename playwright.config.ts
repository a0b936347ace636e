import { defineConfig } from "@playwright/test";

/**
 * End-to-end tests in real Chromium (Debian's /usr/bin/chromium; Playwright cannot download
 * browsers here). tests/e2e/global-setup.ts starts source and target PostgreSQL servers and
 * pgferry itself (`npm start`'s launcher on a fresh data folder) before any test runs.
 */
export default defineConfig({
  testDir: "tests/e2e",
  globalSetup: "./tests/e2e/global-setup.ts",
  fullyParallel: false,
  workers: 1,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [["list"]] : [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${process.env.PGFERRY_E2E_PORT ?? 3107}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
});
