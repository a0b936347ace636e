-- CreateTable
CREATE TABLE "peers" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "database" TEXT NOT NULL,
    "user" TEXT NOT NULL,
    "password_encrypted" TEXT NOT NULL,
    "tls_mode" TEXT NOT NULL,
    "ca_cert" TEXT,
    "server_version" TEXT,
    "last_validation" JSONB,
    "validated_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "peers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "mirrors" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "source_peer_id" UUID NOT NULL,
    "target_peer_id" UUID NOT NULL,
    "mode" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "settings" JSONB NOT NULL,
    "publication_name" TEXT NOT NULL,
    "slot_name" TEXT NOT NULL,
    "load_generation" INTEGER NOT NULL DEFAULT 0,
    "snapshot_name" TEXT,
    "consistent_point" TEXT,
    "owner_worker_id" TEXT,
    "lease_expires_at" TIMESTAMPTZ(3),
    "error_message" TEXT,
    "load_started_at" TIMESTAMPTZ(3),
    "load_finished_at" TIMESTAMPTZ(3),
    "last_applied_lsn" TEXT,
    "last_commit_at" TIMESTAMPTZ(3),
    "lag_bytes" BIGINT,
    "lag_seconds" DOUBLE PRECISION,
    "retained_bytes" BIGINT,
    "slot_status" JSONB,
    "stats_updated_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "mirrors_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "mirror_tables" (
    "id" UUID NOT NULL,
    "mirror_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "source_schema" TEXT NOT NULL,
    "source_table" TEXT NOT NULL,
    "target_schema" TEXT NOT NULL,
    "target_table" TEXT NOT NULL,
    "exclude_columns" TEXT[],
    "status" TEXT NOT NULL DEFAULT 'pending',
    "rows_estimated" BIGINT NOT NULL DEFAULT 0,
    "bytes_estimated" BIGINT NOT NULL DEFAULT 0,
    "load_plan" JSONB,
    "load_started_at" TIMESTAMPTZ(3),
    "load_finished_at" TIMESTAMPTZ(3),
    "inserts" BIGINT NOT NULL DEFAULT 0,
    "updates" BIGINT NOT NULL DEFAULT 0,
    "deletes" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "mirror_tables_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "partitions" (
    "id" UUID NOT NULL,
    "mirror_id" UUID NOT NULL,
    "mirror_table_id" UUID NOT NULL,
    "generation" INTEGER NOT NULL,
    "index" INTEGER NOT NULL,
    "relation_schema" TEXT NOT NULL,
    "relation_name" TEXT NOT NULL,
    "start_block" INTEGER NOT NULL,
    "end_block" INTEGER,
    "rows_estimated" BIGINT NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "rows_copied" BIGINT NOT NULL DEFAULT 0,
    "bytes_copied" BIGINT NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "worker_id" TEXT,
    "error" TEXT,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "partitions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cdc_batches" (
    "id" BIGSERIAL NOT NULL,
    "mirror_id" UUID NOT NULL,
    "rows" INTEGER NOT NULL,
    "inserts" INTEGER NOT NULL,
    "updates" INTEGER NOT NULL,
    "deletes" INTEGER NOT NULL,
    "first_lsn" TEXT NOT NULL,
    "last_lsn" TEXT NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    "applied_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cdc_batches_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "mirror_events" (
    "id" BIGSERIAL NOT NULL,
    "mirror_id" UUID NOT NULL,
    "level" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "detail" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "mirror_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "peers_name_key" ON "peers"("name");
CREATE INDEX "mirrors_status_idx" ON "mirrors"("status");
CREATE UNIQUE INDEX "mirrors_name_key" ON "mirrors"("name");
CREATE UNIQUE INDEX "mirror_tables_mirror_id_position_key" ON "mirror_tables"("mirror_id", "position");
CREATE INDEX "partitions_mirror_id_generation_status_idx" ON "partitions"("mirror_id", "generation", "status");
CREATE INDEX "partitions_mirror_table_id_idx" ON "partitions"("mirror_table_id");
CREATE INDEX "cdc_batches_mirror_id_applied_at_idx" ON "cdc_batches"("mirror_id", "applied_at");
CREATE INDEX "mirror_events_mirror_id_created_at_idx" ON "mirror_events"("mirror_id", "created_at");

-- AddForeignKey
ALTER TABLE "mirrors" ADD CONSTRAINT "mirrors_source_peer_id_fkey" FOREIGN KEY ("source_peer_id") REFERENCES "peers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "mirrors" ADD CONSTRAINT "mirrors_target_peer_id_fkey" FOREIGN KEY ("target_peer_id") REFERENCES "peers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "mirror_tables" ADD CONSTRAINT "mirror_tables_mirror_id_fkey" FOREIGN KEY ("mirror_id") REFERENCES "mirrors"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "partitions" ADD CONSTRAINT "partitions_mirror_id_fkey" FOREIGN KEY ("mirror_id") REFERENCES "mirrors"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "partitions" ADD CONSTRAINT "partitions_mirror_table_id_fkey" FOREIGN KEY ("mirror_table_id") REFERENCES "mirror_tables"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "cdc_batches" ADD CONSTRAINT "cdc_batches_mirror_id_fkey" FOREIGN KEY ("mirror_id") REFERENCES "mirrors"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "mirror_events" ADD CONSTRAINT "mirror_events_mirror_id_fkey" FOREIGN KEY ("mirror_id") REFERENCES "mirrors"("id") ON DELETE CASCADE ON UPDATE CASCADE;
