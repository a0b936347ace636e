-- Issue 14: a table added to a running CDC mirror, or resynced on its own, is copied from its own
-- snapshot while the mirror keeps streaming its other tables (workers/mirrors/table-sync/*).
-- sync_kind: why it is copied; sync_phase: where that copy is (lib/mirrors/table-sync.ts).
-- Both NULL: the table streams with the others.
ALTER TABLE "mirror_tables" ADD COLUMN "sync_kind" TEXT;
ALTER TABLE "mirror_tables" ADD COLUMN "sync_phase" TEXT;
ALTER TABLE "mirror_tables" ADD CONSTRAINT "mirror_tables_sync_check" CHECK (
  ("sync_kind" IS NULL AND "sync_phase" IS NULL)
  OR ("sync_kind" IN ('add', 'resync') AND "sync_phase" IN ('queued', 'copying', 'catching_up'))
);

-- Rows its last own copy (add or table resync) wrote; NULL when its rows came from the mirror's initial load.
ALTER TABLE "mirror_tables" ADD COLUMN "rows_copied_alone" BIGINT;
