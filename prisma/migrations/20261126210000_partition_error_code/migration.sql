-- A failed partition's cause as a code that the load monitor matches on ("snapshot_gone": the load restarts).
ALTER TABLE "partitions" ADD COLUMN "error_code" TEXT;
