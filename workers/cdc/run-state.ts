/**
 * What outlives a CDC session: events (warnings reported once per run), ordered batch reports,
 * and the figures lag() reads.
 */
import type pg from "pg";
import { formatLsn, type Lsn, lsnDistance, parseLsn } from "@/lib/pg/lsn";
import { connectForCdc } from "@/workers/cdc/connect";
import { type AppliedBatch, type CdcEvent, type CdcLag, type CdcOptions, DEFAULT_MAX_BATCH_LATENCY_MS, DEFAULT_MAX_BATCH_ROWS } from "@/workers/cdc/types";

/** What outlives a session (a connection attempt): reporting, lag figures, retry bookkeeping. */
export class RunState {
  private readonly warned = new Set<string>();
  receivedLsn: Lsn | null = null;
  appliedLsn: Lsn | null = null;
  lastAppliedCommitTime: Date | null = null;
  /** Commit time of the oldest source transaction received but not yet committed on the target. */
  oldestPending: () => Date | null = () => null;
  source: pg.Client | null = null;
  progressed = false;

  /** Batch limits, read by every decision of the running session (CdcRun.setLimits changes them). */
  readonly limits: { maxBatchRows: number; maxBatchLatencyMs: number };

  constructor(private readonly options: CdcOptions) {
    this.limits = {
      maxBatchRows: options.maxBatchRows ?? DEFAULT_MAX_BATCH_ROWS,
      maxBatchLatencyMs: options.maxBatchLatencyMs ?? DEFAULT_MAX_BATCH_LATENCY_MS,
    };
  }

  event(event: CdcEvent): void {
    try {
      void Promise.resolve(this.options.onEvent?.(event)).catch(() => {});
    } catch {
      // A reporting callback must never stop replication.
    }
  }

  warnOnce(key: string, message: string, detail?: Record<string, unknown>): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.event({ level: "warn", message, detail });
  }

  batch(batch: AppliedBatch): void {
    this.appliedLsn = parseLsn(batch.lastLsn);
    if (batch.commitTime) this.lastAppliedCommitTime = batch.commitTime;
    this.progressed = true;
    if (batch.missingRows > 0) {
      this.event({
        level: "warn",
        message: `${batch.missingRows} updated or deleted row(s) were not found on the target: it has diverged from the source. Resync the affected tables.`,
        detail: { tables: batch.tables.map((table) => table.table), lsn: batch.lastLsn },
      });
    }
    // One report at a time, in commit order: a caller writing them to a catalog never sees them
    // overtake each other, and replication never waits for it.
    const onBatch = this.options.onBatch;
    if (!onBatch) return;
    this.reports = this.reports
      .then(() => onBatch(batch))
      .catch((error: unknown) => this.event({ level: "warn", message: `onBatch failed: ${String((error as Error)?.message ?? error)}` }));
  }

  private reports: Promise<void> = Promise.resolve();

  /** Every report queued so far has settled (its errors were turned into events). */
  reported(): Promise<void> {
    return this.reports;
  }

  async lag(): Promise<CdcLag> {
    let client = this.source;
    let temporary: pg.Client | null = null;
    if (!client) {
      temporary = await connectForCdc(this.options.source, `cdc:${this.options.mirror}:lag`);
      client = temporary;
    }
    try {
      const result = await client.query<{ lsn: string }>("SELECT pg_catalog.pg_current_wal_lsn()::text AS lsn");
      const sourceLsn = parseLsn(result.rows[0].lsn);
      const since = this.oldestPending();
      return {
        sourceLsn: formatLsn(sourceLsn),
        receivedLsn: this.receivedLsn === null ? null : formatLsn(this.receivedLsn),
        appliedLsn: this.appliedLsn === null ? null : formatLsn(this.appliedLsn),
        lagBytes: this.appliedLsn === null ? 0 : Number(lsnDistance(sourceLsn, this.appliedLsn)),
        lagSeconds: since ? Math.max(0, (Date.now() - since.getTime()) / 1000) : 0,
        lastAppliedCommitTime: this.lastAppliedCommitTime,
      };
    } finally {
      await temporary?.end().catch(() => {});
    }
  }
}

