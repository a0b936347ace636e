import type pg from "pg";
import type { Consumer } from "./consumers";
import { processCpuSeconds } from "./process-cpu";

export interface CpuUse {
  /** The source's walsender for this consumer's slot: decoding the WAL, pgoutput. */
  walsender: number | null;
  /** Target backends applying the changes. */
  apply: number | null;
  /** pgferry's worker process (one JS thread); null for native. */
  worker: number | null;
  /** pgferry's catalog server backends (batch records, progress, stats); a lower bound (connections opened meanwhile are not counted); null for native. */
  catalog: number | null;
}

/**
 * CPU seconds the consumer's processes use from now until used() (from /proc): tells whether the
 * source's decoding, the target's apply or pgferry's worker is the bottleneck. Started before the
 * large UPDATE, the walsender's figure includes decoding while the UPDATE runs (changes wait in its
 * reorder buffer until the commit); the apply and the worker start at the commit.
 */
export async function cpuMeter(source: pg.Client, consumer: Consumer): Promise<{ used(): Promise<CpuUse> }> {
  const { rows } = await source.query<{ pid: number | null }>("SELECT active_pid AS pid FROM pg_replication_slots WHERE slot_name = $1", [consumer.slot]);
  const pids = {
    walsender: rows[0]?.pid ? [rows[0].pid] : [],
    apply: await consumer.applyPids(),
    worker: consumer.processPid ? [consumer.processPid] : [],
    catalog: (await consumer.catalogPids?.()) ?? [],
  };
  // Per process: a backend that exits meanwhile (a pool closing an idle connection) is left out.
  const read = (list: number[]) => new Map(list.map((pid) => [pid, processCpuSeconds(pid)] as const).filter((e): e is readonly [number, number] => e[1] !== null));
  const before = { walsender: read(pids.walsender), apply: read(pids.apply), worker: read(pids.worker), catalog: read(pids.catalog) };
  const delta = (then: Map<number, number>) => {
    if (then.size === 0) return null;
    let sum = 0;
    for (const [pid, cpu] of then) sum += (processCpuSeconds(pid) ?? cpu) - cpu;
    return sum;
  };
  return {
    used: async () => {
      // An apply connection opened meanwhile (pgferry's second one, for a transaction streamed
      // while it runs) used all its CPU inside the window.
      let apply = delta(before.apply);
      for (const pid of await consumer.applyPids()) {
        if (before.apply.has(pid)) continue;
        const cpu = processCpuSeconds(pid);
        if (cpu !== null) apply = (apply ?? 0) + cpu;
      }
      return { walsender: delta(before.walsender), apply, worker: delta(before.worker), catalog: delta(before.catalog) };
    },
  };
}
