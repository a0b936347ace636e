-- Verification runs (issue 11): one row per run and one per compared table.

-- CreateTable
CREATE TABLE "verifications" (
    "id" UUID NOT NULL,
    "mirror_id" UUID NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "error" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "verifications_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "verifications_status_check" CHECK ("status" IN ('running', 'passed', 'failed', 'error', 'cancelled'))
);

-- CreateTable
CREATE TABLE "verification_tables" (
    "id" UUID NOT NULL,
    "verification_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "source_schema" TEXT NOT NULL,
    "source_table" TEXT NOT NULL,
    "target_schema" TEXT NOT NULL,
    "target_table" TEXT NOT NULL,
    "exclude_columns" TEXT[],
    "status" TEXT NOT NULL DEFAULT 'pending',
    "rows_estimated" BIGINT NOT NULL DEFAULT 0,
    "source_rows" BIGINT NOT NULL DEFAULT 0,
    "target_rows" BIGINT NOT NULL DEFAULT 0,
    "chunks_done" INTEGER NOT NULL DEFAULT 0,
    "chunks_total" INTEGER NOT NULL DEFAULT 0,
    "differences" BIGINT NOT NULL DEFAULT 0,
    "examples" JSONB NOT NULL DEFAULT '[]',
    "error" TEXT,
    "worker_id" TEXT,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "verification_tables_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "verification_tables_status_check" CHECK ("status" IN ('pending', 'running', 'equal', 'different', 'error', 'cancelled'))
);

-- CreateIndex
CREATE INDEX "verifications_mirror_id_started_at_idx" ON "verifications"("mirror_id", "started_at");
CREATE UNIQUE INDEX "verification_tables_verification_id_position_key" ON "verification_tables"("verification_id", "position");

-- AddForeignKey
ALTER TABLE "verifications" ADD CONSTRAINT "verifications_mirror_id_fkey" FOREIGN KEY ("mirror_id") REFERENCES "mirrors"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "verification_tables" ADD CONSTRAINT "verification_tables_verification_id_fkey" FOREIGN KEY ("verification_id") REFERENCES "verifications"("id") ON DELETE CASCADE ON UPDATE CASCADE;
