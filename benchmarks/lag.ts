import type pg from "pg";
import type { Lsn } from "@/lib/pg/lsn";
import { parseLsn } from "@/lib/pg/lsn";
import { sleep } from "@/lib/sleep";

/** One lag sample of one consumer. */
export interface LagSample {
  /** Seconds since the sampler started. */
  at: number;
  /** How long ago the source was at the position the target has applied (100 ms resolution). */
  seconds: number;
  /** Source WAL position minus the applied position. */
  bytes: number;
}

export interface LagSampler {
  /** Takes one sample now (e.g. the moment the load ends). */
  sampleNow(): Promise<LagSample>;
  stop(): Promise<LagSample[]>;
}

/** Source positions are read this often, so lag in seconds has this resolution. */
const POSITION_INTERVAL_MS = 100;
/** Lag is sampled every second, as issue 5 asks. */
const SAMPLE_EVERY = 10;

/**
 * Samples a consumer's replication lag every second: bytes (source WAL position - applied
 * position) and seconds (now - when the source's WAL position first reached the applied
 * position; positions are recorded every 100 ms). `applied` must return the end of the last
 * source commit the target has applied.
 */
export function startLagSampler(source: pg.Client, applied: () => Promise<Lsn | null>): LagSampler {
  const started = Date.now();
  const positions: { t: number; lsn: Lsn }[] = [];
  const samples: LagSample[] = [];
  let running = true;

  const readPosition = async () => {
    const { rows } = await source.query<{ lsn: string }>("SELECT pg_current_wal_lsn()::text AS lsn");
    const position = { t: Date.now(), lsn: parseLsn(rows[0].lsn) };
    positions.push(position);
    return position;
  };
  const sampleNow = async (): Promise<LagSample> => {
    const now = await readPosition();
    const done = (await applied()) ?? 0n;
    // Applied before the oldest position recorded: lag is at least the time since then.
    const reached = done >= now.lsn ? now : (positions.find((p) => p.lsn >= done) ?? positions[0]);
    const sample = {
      at: (now.t - started) / 1000,
      seconds: Math.max(0, (now.t - reached.t) / 1000),
      bytes: Number(now.lsn > done ? now.lsn - done : 0n),
    };
    samples.push(sample);
    return sample;
  };
  let failure: unknown = null;
  const loop = (async () => {
    for (let tick = 1; running; tick++) {
      const t = Date.now();
      try {
        if (tick % SAMPLE_EVERY === 0) await sampleNow();
        else await readPosition();
      } catch (error) {
        // Kept for stop(): a loop that rejects while nobody awaits it would end the process.
        failure = error;
        return;
      }
      await sleep(Math.max(0, POSITION_INTERVAL_MS - (Date.now() - t)));
    }
  })();
  return {
    sampleNow,
    stop: async () => {
      running = false;
      await loop;
      if (failure) throw failure;
      return samples;
    },
  };
}

export interface LagSummary {
  samples: number;
  maxSeconds: number;
  avgSeconds: number;
  maxBytes: number;
  avgBytes: number;
}

export function summarizeLag(samples: LagSample[]): LagSummary {
  const n = Math.max(1, samples.length);
  return {
    samples: samples.length,
    maxSeconds: Math.max(0, ...samples.map((s) => s.seconds)),
    avgSeconds: samples.reduce((a, s) => a + s.seconds, 0) / n,
    maxBytes: Math.max(0, ...samples.map((s) => s.bytes)),
    avgBytes: samples.reduce((a, s) => a + s.bytes, 0) / n,
  };
}
