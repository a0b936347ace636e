-- Operations (issue 13): lag measured for every mirror with a slot, its history, and alert state.

-- CreateTable
CREATE TABLE "mirror_monitors" (
    "mirror_id" UUID NOT NULL,
    "next_sample_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sampled_by" TEXT,
    "sampled_at" TIMESTAMPTZ(3),

    CONSTRAINT "mirror_monitors_pkey" PRIMARY KEY ("mirror_id")
);

-- CreateTable
CREATE TABLE "mirror_lag_samples" (
    "id" BIGSERIAL NOT NULL,
    "mirror_id" UUID NOT NULL,
    "sampled_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "source_lsn" TEXT NOT NULL,
    "lag_bytes" BIGINT NOT NULL,
    "lag_seconds" DOUBLE PRECISION,
    "retained_bytes" BIGINT,
    "slot_active" BOOLEAN,

    CONSTRAINT "mirror_lag_samples_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_states" (
    "mirror_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "firing" BOOLEAN NOT NULL DEFAULT false,
    "cause" TEXT,
    "last_sent_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_states_pkey" PRIMARY KEY ("mirror_id","kind")
);

-- CreateIndex
CREATE INDEX "mirror_monitors_next_sample_at_idx" ON "mirror_monitors"("next_sample_at");
CREATE INDEX "mirror_lag_samples_mirror_id_sampled_at_idx" ON "mirror_lag_samples"("mirror_id", "sampled_at");
CREATE INDEX "mirror_lag_samples_sampled_at_idx" ON "mirror_lag_samples"("sampled_at");

-- AddForeignKey: a deleted mirror takes its monitoring rows with it.
ALTER TABLE "mirror_monitors" ADD CONSTRAINT "mirror_monitors_mirror_id_fkey" FOREIGN KEY ("mirror_id") REFERENCES "mirrors"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "mirror_lag_samples" ADD CONSTRAINT "mirror_lag_samples_mirror_id_fkey" FOREIGN KEY ("mirror_id") REFERENCES "mirrors"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "alert_states" ADD CONSTRAINT "alert_states_mirror_id_fkey" FOREIGN KEY ("mirror_id") REFERENCES "mirrors"("id") ON DELETE CASCADE ON UPDATE CASCADE;
