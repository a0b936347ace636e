-- A partitioned source table the user chose to "flatten into one table" (issue 12): the target gets one
-- ordinary table instead of a partitioned one.
ALTER TABLE "mirror_tables" ADD COLUMN "flatten" BOOLEAN NOT NULL DEFAULT false;
