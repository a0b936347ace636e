-- The cutover assistant (issue 12): a mirror in status `cutover` is being switched over by its runner
-- (workers/mirrors/cutover-phase.ts). One row per cutover attempt and one per step, so a restarted worker
-- continues where the last one stopped and the UI shows each step's duration and output.

ALTER TABLE "mirrors" DROP CONSTRAINT "mirrors_status_check";
ALTER TABLE "mirrors" ADD CONSTRAINT "mirrors_status_check"
  CHECK ("status" IN ('setup', 'initial_load', 'running', 'paused', 'cutover', 'completed', 'failed', 'deleting'));

-- CreateTable
CREATE TABLE "cutovers" (
    "id" UUID NOT NULL,
    "mirror_id" UUID NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "options" JSONB NOT NULL,
    "fence" JSONB,
    "fence_lsn" TEXT,
    "fenced_at" TIMESTAMPTZ(3),
    "switched_at" TIMESTAMPTZ(3),
    "verification_id" UUID,
    "error" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "cutovers_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "cutovers_status_check" CHECK ("status" IN ('running', 'aborting', 'aborted', 'failed', 'done'))
);

-- CreateTable
CREATE TABLE "cutover_steps" (
    "id" UUID NOT NULL,
    "cutover_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "output" TEXT,
    "detail" JSONB,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "cutover_steps_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "cutover_steps_status_check" CHECK ("status" IN ('pending', 'running', 'done', 'failed', 'skipped'))
);

-- CreateIndex
CREATE INDEX "cutovers_mirror_id_started_at_idx" ON "cutovers"("mirror_id", "started_at");

-- CreateIndex
CREATE UNIQUE INDEX "cutover_steps_cutover_id_name_key" ON "cutover_steps"("cutover_id", "name");

-- AddForeignKey
ALTER TABLE "cutovers" ADD CONSTRAINT "cutovers_mirror_id_fkey" FOREIGN KEY ("mirror_id") REFERENCES "mirrors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cutover_steps" ADD CONSTRAINT "cutover_steps_cutover_id_fkey" FOREIGN KEY ("cutover_id") REFERENCES "cutovers"("id") ON DELETE CASCADE ON UPDATE CASCADE;
