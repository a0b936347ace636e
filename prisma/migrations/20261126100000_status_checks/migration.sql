-- The statuses of lib/mirrors/status.ts, and nothing else: a typo or a stale worker writing a status
-- that no longer exists fails at once instead of leaving a mirror no runner step knows.
-- Prisma does not model CHECK constraints; tests/integration/catalog/status-checks.test.ts keeps these
-- lists equal to the TypeScript ones.
ALTER TABLE "mirrors" ADD CONSTRAINT "mirrors_status_check"
  CHECK ("status" IN ('setup', 'initial_load', 'running', 'paused', 'completed', 'failed', 'deleting'));

ALTER TABLE "mirror_tables" ADD CONSTRAINT "mirror_tables_status_check"
  CHECK ("status" IN ('pending', 'copying', 'done', 'failed'));

ALTER TABLE "partitions" ADD CONSTRAINT "partitions_status_check"
  CHECK ("status" IN ('pending', 'copying', 'done', 'failed'));
