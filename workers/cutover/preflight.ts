import type pg from "pg";
import type { TableMapping } from "@/lib/mirrors/table-mapping";

/** Index build rate assumed for the estimate: 50 MB/s of finished index per build. */
const INDEX_BYTES_PER_SECOND = 50 * 1024 * 1024;

export interface PeerPreflight {
  /** Problems that stop the cutover. */
  blockers: string[];
  notes: string[];
  /** Seconds the target's indexes should take to build, from the size of the source's. */
  indexBuildSeconds: number;
}

/**
 * The checks that need the peers: every mapped table exists on both sides, and the size of the source's
 * indexes (what building the target's objects costs). Read-only.
 */
export async function checkPeers(source: pg.Client, target: pg.Client, mapping: TableMapping[], options: { parallel: number }): Promise<PeerPreflight> {
  const blockers: string[] = [];
  const notes: string[] = [];
  const missing = async (client: pg.Client, names: { schema: string; name: string }[]) => {
    const { rows } = await client.query<{ name: string }>(
      `SELECT format('%s.%s', w.s, w.t) AS name FROM unnest($1::text[], $2::text[]) AS w(s, t)
       WHERE to_regclass(format('%I.%I', w.s, w.t)) IS NULL`,
      [names.map((n) => n.schema), names.map((n) => n.name)],
    );
    return rows.map((r) => r.name);
  };
  const sourceMissing = await missing(source, mapping.map((m) => m.source));
  if (sourceMissing.length) blockers.push(`Missing on the source: ${sourceMissing.join(", ")}.`);
  const targetMissing = await missing(target, mapping.map((m) => m.target));
  if (targetMissing.length) blockers.push(`Missing on the target: ${targetMissing.join(", ")}.`);
  const { rows } = await source.query<{ indexes: number; bytes: string }>(
    `SELECT count(*)::int AS indexes, coalesce(sum(pg_relation_size(i.indexrelid)), 0)::text AS bytes
     FROM unnest($1::text[], $2::text[]) AS w(s, t)
     JOIN pg_index i ON i.indrelid = to_regclass(format('%I.%I', w.s, w.t))`,
    [mapping.map((m) => m.source.schema), mapping.map((m) => m.source.name)],
  );
  const bytes = Number(rows[0].bytes);
  const indexBuildSeconds = Math.ceil(bytes / INDEX_BYTES_PER_SECOND / Math.max(1, options.parallel));
  notes.push(`${rows[0].indexes} source indexes (${(bytes / 1024 / 1024).toFixed(1)} MiB): about ${indexBuildSeconds} s to build on the target.`);
  return { blockers, notes, indexBuildSeconds };
}
