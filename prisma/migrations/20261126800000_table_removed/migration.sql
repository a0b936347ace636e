-- Issue 14: a table taken out of a running CDC mirror keeps its row as history, with status "removed"
-- (lib/mirrors/status.ts). tests/integration/catalog/status-checks.test.ts keeps this list equal to
-- TABLE_STATUSES.
ALTER TABLE "mirror_tables" DROP CONSTRAINT "mirror_tables_status_check";
ALTER TABLE "mirror_tables" ADD CONSTRAINT "mirror_tables_status_check"
  CHECK ("status" IN ('pending', 'copying', 'done', 'failed', 'removed'));

-- When it was removed, and whether its target table is still to be dropped (the worker that owns the
-- mirror drops it once replication no longer writes to it, then clears the flag).
ALTER TABLE "mirror_tables" ADD COLUMN "removed_at" TIMESTAMPTZ(3);
ALTER TABLE "mirror_tables" ADD COLUMN "drop_target" BOOLEAN NOT NULL DEFAULT false;
