/**
 * Throws when a unit test (vitest.config.ts, project "unit") reaches for a PostgreSQL server: the
 * unit tier must stay fast and server-free, so such a test belongs in tests/integration/.
 */
export function requireIntegrationTier(what: string): void {
  if (process.env.PGFERRY_TEST_TIER !== "unit") return;
  throw new Error(
    `${what} needs a PostgreSQL server, which the unit tier does not start: move this test to tests/integration/ (npm run test:integration)`,
  );
}
