import type { PrismaClient } from "@/lib/catalog/generated/client";
import { pruneLagHistory } from "@/lib/catalog/lag-history";
import { claimMirrorsToSample, type MirrorToSample, recordLagSample, SLOT_HOLDING_STATUSES, waitingSince } from "@/lib/catalog/lag-sampling";
import { loadPeerConnection } from "@/lib/catalog/peers";
import type { Logger } from "@/lib/log/logger";
import { connectPeer } from "@/lib/pg/connect";
import { slotStats } from "@/lib/pg/replication";
import { sleep } from "@/lib/sleep";
import { lagSecondsFrom, measureLag } from "./lag-measure";

/**
 * Measures every mirror that has a slot — running, paused, failed, loading — whoever owns it and
 * whether anybody owns it at all: the source's WAL position against the slot's, the WAL the slot
 * retains, whether anything streams from it. Each worker runs one sampler; the catalog claim
 * (lib/catalog/lag-sampling.ts) gives each mirror to one of them per interval. After each pass,
 * `afterPass` runs with the mirrors this worker claimed (alert evaluation hangs off it).
 */

/** How often each mirror is measured. Default: 5 s (the promise is at least every 10 s). */
export const LAG_SAMPLE_INTERVAL_MS = Number(process.env.PGFERRY_LAG_SAMPLE_INTERVAL_MS ?? 5_000);
/** Mirrors measured at once by one worker (each opens one short connection to its source). Default: 4. */
const PARALLEL_SAMPLES = 4;
/** How long one source may take to answer, so one unreachable source does not stall the others. Default: 5 s. */
const SAMPLE_TIMEOUT_MS = 5_000;
/** How often the lag history is thinned. Default: 10 min. */
const PRUNE_EVERY_MS = 10 * 60_000;

export interface LagSamplerOptions {
  catalog: PrismaClient;
  workerId: string;
  logger: Logger;
  afterPass?: (claimed: MirrorToSample[]) => Promise<void>;
}

export function startLagSampler(options: LagSamplerOptions): { stop(): Promise<void> } {
  const stop = new AbortController();
  const done = (async () => {
    let prunedAt = 0;
    while (!stop.signal.aborted) {
      const started = Date.now();
      try {
        const claimed = await claimMirrorsToSample(options.catalog, options.workerId, LAG_SAMPLE_INTERVAL_MS);
        await inParallel(claimed.filter(holdsSlot), PARALLEL_SAMPLES, (mirror) => sampleOne(options, mirror));
        await options.afterPass?.(claimed);
        if (Date.now() - prunedAt > PRUNE_EVERY_MS) {
          prunedAt = Date.now();
          await pruneLagHistory(options.catalog);
        }
      } catch (error) {
        options.logger.warn("lag sampling pass failed; will retry", { error });
      }
      // Claims come due every interval; polling at half of it keeps each mirror within its interval.
      await sleep(Math.max(250, LAG_SAMPLE_INTERVAL_MS / 2 - (Date.now() - started)), stop.signal);
    }
  })();
  return {
    async stop() {
      stop.abort();
      await done;
    },
  };
}

function holdsSlot(mirror: MirrorToSample): boolean {
  return mirror.mode === "cdc" && (SLOT_HOLDING_STATUSES as readonly string[]).includes(mirror.status);
}

async function sampleOne({ catalog, logger }: LagSamplerOptions, mirror: MirrorToSample): Promise<void> {
  try {
    const source = await loadPeerConnection(catalog, mirror.sourcePeerId);
    const client = await connectPeer(source, `lag:${mirror.name}`, { timeoutMs: SAMPLE_TIMEOUT_MS });
    let sourceLsn: string;
    let slot: Awaited<ReturnType<typeof slotStats>>;
    try {
      client.on("error", () => {});
      await client.query(`SET statement_timeout = ${SAMPLE_TIMEOUT_MS}`);
      const { rows } = await client.query<{ lsn: string }>(
        "SELECT (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END)::text AS lsn",
      );
      sourceLsn = rows[0].lsn;
      slot = await slotStats(client, mirror.slotName);
    } finally {
      await client.end().catch(() => {});
    }
    const lag = slot ? measureLag({ sourceLsn, confirmedFlushLsn: slot.confirmedFlushLsn, lastAppliedLsn: mirror.lastAppliedLsn }) : null;
    // While a CDC stream runs it measures lag itself from what it applied, more precisely than the catalog can.
    const streaming = mirror.status === "running" && slot?.active === true;
    // No earlier sample past the applied position: the wait starts now, as far as anyone can tell.
    let lagSeconds: number | null = null;
    if (lag && !streaming) lagSeconds = lag.appliedLsn ? lagSecondsFrom(lag.lagBytes, await waitingSince(catalog, mirror.id, lag.appliedLsn)) : 0;
    await recordLagSample(catalog, mirror.id, {
      sourceLsn,
      lagBytes: lag?.lagBytes ?? 0n,
      lagSeconds,
      retainedBytes: slot?.restartLagBytes == null ? null : BigInt(Math.max(0, slot.restartLagBytes)),
      slotActive: slot?.active ?? null,
      slotStatus: slot ? { ...slot } : { missing: true },
      writeLag: lag !== null && !streaming,
    });
  } catch (error) {
    logger.debug("could not measure a mirror's lag", { mirror: mirror.name, error });
  }
}

async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  }));
}
