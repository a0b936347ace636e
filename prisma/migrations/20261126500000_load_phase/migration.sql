-- What a mirror is doing beyond copying rows (issue 12): building the target's indexes, constraints and
-- other schema objects, syncing sequences, analyzing. Written by the mirror's runner, shown by the UI.
ALTER TABLE "mirrors" ADD COLUMN "phase" TEXT;
ALTER TABLE "mirrors" ADD COLUMN "phase_detail" TEXT;
