import type pg from "pg";
import { pauseMirror, resumeMirror } from "@/lib/web/mirrors/actions";
import type { Lsn } from "@/lib/pg/lsn";
import { readProgress } from "@/workers/cdc/progress";
import { nativeAppliedLsn, NATIVE_SUBSCRIPTION, setNativeEnabled } from "./native";
import { waitUntil } from "./pg";
import { type Pgferry, waitForStatus } from "./pgferry";

/**
 * One CDC consumer of the source's pgbench_accounts: pgferry's mirror or the native subscription.
 * Each is measured alone (the other switched off), so neither competes with the other for the
 * two cores, and each then catches up what it missed before its own turn.
 */
export interface Consumer {
  name: "pgferry" | "native";
  /** Connection to the consumer's target database. */
  target: pg.Client;
  /** End of the last source commit the target has applied. */
  applied(): Promise<Lsn | null>;
  enable(): Promise<void>;
  /** Returns once the consumer's walsender is gone from the source. */
  disable(): Promise<void>;
  /** The consumer's replication slot on the source (its walsender decodes for it). */
  slot: string;
  /** Target backends that apply the changes (for CPU accounting). */
  applyPids(): Promise<number[]>;
  /** pgferry's worker process; native replication has none outside PostgreSQL. */
  processPid?: number;
  /** pgferry only: the catalog's backends (progress, batches and stats are written there). */
  catalogPids?(): Promise<number[]>;
  /** Throws when the consumer can no longer make progress (pgferry's worker died), so waits fail at once. */
  assertAlive(): void;
}

export function pgferryConsumer(ferry: Pgferry, mirror: string, slot: string, source: pg.Client, target: pg.Client, timeoutMs: number): Consumer {
  return {
    name: "pgferry",
    target,
    slot,
    processPid: ferry.worker.pid,
    assertAlive: () => {
      if (ferry.worker.exitCode !== null || ferry.worker.signalCode !== null) throw new Error("the pgferry worker process exited");
    },
    catalogPids: async () => {
      const rows = await ferry.catalog.$queryRaw<{ pid: number }[]>`SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`;
      return rows.map((r) => r.pid);
    },
    applyPids: async () => {
      const { rows } = await target.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE $1",
        [`pgferry:cdc:${mirror}%`],
      );
      return rows.map((r) => r.pid);
    },
    applied: () => readProgress(target, mirror),
    enable: async () => {
      await resumeMirror(ferry.catalog, mirror);
      await waitForStatus(ferry, mirror, "running", timeoutMs);
    },
    disable: async () => {
      await pauseMirror(ferry.catalog, mirror);
      await waitForSlotIdle(source, slot, timeoutMs);
    },
  };
}

export function nativeConsumer(source: pg.Client, target: pg.Client, timeoutMs: number): Consumer {
  return {
    name: "native",
    target,
    // A subscription's slot is named after it.
    slot: NATIVE_SUBSCRIPTION,
    // The apply worker is PostgreSQL's: the launcher restarts it, and its errors are in the target's log.
    assertAlive: () => {},
    applyPids: async () => {
      const { rows } = await target.query<{ pid: number }>("SELECT pid FROM pg_stat_subscription WHERE subname = $1 AND pid IS NOT NULL", [NATIVE_SUBSCRIPTION]);
      return rows.map((r) => r.pid);
    },
    applied: () => nativeAppliedLsn(target),
    enable: () => setNativeEnabled(target, true),
    disable: async () => {
      await setNativeEnabled(target, false);
      await waitForSlotIdle(source, NATIVE_SUBSCRIPTION, timeoutMs);
    },
  };
}

async function waitForSlotIdle(source: pg.Client, slot: string, timeoutMs: number): Promise<void> {
  await waitUntil(
    `slot ${slot} to be released`,
    async () => {
      const { rows } = await source.query<{ active: boolean }>("SELECT active FROM pg_replication_slots WHERE slot_name = $1", [slot]);
      return rows.length === 1 && !rows[0].active;
    },
    timeoutMs,
    100,
  );
}
