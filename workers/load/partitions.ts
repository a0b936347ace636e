import { SETTINGS_DEFAULTS } from "@/lib/mirrors/settings";
import type { QualifiedName } from "@/lib/mirrors/table-mapping";
import type { Queryable } from "@/lib/pg/describe-session";
import { quoteIdent, quoteQualified } from "@/lib/pg/quote";

/**
 * Splitting tables into partitions: ranges of heap blocks (ctid ranges) that are copied
 * independently, each in one target transaction. Plain serialisable data, so partitions can be
 * stored as catalog rows and executed by any worker.
 */
export interface Partition {
  /** The mapped source table (the partitioned root for a partitioned table). */
  sourceTable: QualifiedName;
  /** The relation whose heap is scanned: the table itself or one of its leaf partitions. */
  sourceRelation: QualifiedName;
  /** First heap block, inclusive. */
  startBlock: number;
  /** First block after the range, exclusive; null = to the end of the relation, whatever its size then. */
  endBlock: number | null;
  /** 0-based position among the partitions of `sourceTable`. */
  index: number;
  /** Rows expected in this range, for progress only. */
  estimatedRows: number;
}

/** Default rows per partition: the mirror setting's default (lib/mirrors/settings.ts). */
export const DEFAULT_ROWS_PER_PARTITION = SETTINGS_DEFAULTS.rowsPerPartition;

/** TID Range Scan arrived in PostgreSQL 14; before it a ctid range would scan the whole heap. */
const TID_RANGE_SCAN_VERSION = 140000;

/** Pages sampled to estimate rows per page when the table was never analyzed. */
const SAMPLE_WINDOWS = 4;
const SAMPLE_PAGES_PER_WINDOW = 8;

export interface PlanOptions {
  /** Target rows per partition. Default: DEFAULT_ROWS_PER_PARTITION. */
  rowsPerPartition?: number;
}

interface LeafStats {
  reltuples: number;
  relpages: number;
  pages: number;
  version: number;
}

/**
 * Plans the partitions of one mapped table: every leaf is cut into block ranges holding about
 * `rowsPerPartition` rows each (by the leaf's rows-per-page density); the last range of every leaf
 * is open-ended so blocks added after planning are still covered. Small or empty leaves, and every
 * leaf on servers before PostgreSQL 14, get a single whole-relation partition.
 * Read-only; runs outside the snapshot (block counts and statistics are not MVCC anyway).
 */
export async function planPartitions(
  source: Queryable,
  table: { source: QualifiedName; leaves: QualifiedName[] },
  options: PlanOptions = {},
): Promise<Partition[]> {
  return (await planPartitionsOfTables(source, [{ table, options }]))[0];
}

/** planPartitions of several tables, with one statistics query for all their leaves; in the given order. */
export async function planPartitionsOfTables(
  source: Queryable,
  requests: { table: { source: QualifiedName; leaves: QualifiedName[] }; options?: PlanOptions }[],
): Promise<Partition[][]> {
  const stats = await leafStats(source, requests.flatMap((r) => r.table.leaves));
  const planned: Partition[][] = [];
  for (const { table, options = {} } of requests) {
    planned.push(await planTable(source, table, options, stats));
  }
  return planned;
}

async function planTable(
  source: Queryable,
  table: { source: QualifiedName; leaves: QualifiedName[] },
  options: PlanOptions,
  allStats: Map<string, LeafStats>,
): Promise<Partition[]> {
  const rowsPerPartition = Math.max(1, Math.floor(options.rowsPerPartition ?? DEFAULT_ROWS_PER_PARTITION));
  const partitions: Partition[] = [];
  for (const leaf of table.leaves) {
    const stats = allStats.get(leafKey(leaf));
    if (!stats) throw new Error(`table ${quoteQualified(leaf.schema, leaf.name)} does not exist on the source`);
    const density = await rowsPerPage(source, leaf, stats);
    const estimatedRows = Math.round(density * stats.pages);
    const wanted = Math.ceil(estimatedRows / rowsPerPartition);
    if (wanted <= 1 || stats.pages <= 1 || stats.version < TID_RANGE_SCAN_VERSION) {
      partitions.push({ sourceTable: table.source, sourceRelation: leaf, startBlock: 0, endBlock: null, index: partitions.length, estimatedRows });
      continue;
    }
    const blocksPerPartition = Math.ceil(stats.pages / Math.min(wanted, stats.pages));
    for (let start = 0; start < stats.pages; start += blocksPerPartition) {
      const end = start + blocksPerPartition >= stats.pages ? null : start + blocksPerPartition;
      const blocks = (end ?? stats.pages) - start;
      partitions.push({
        sourceTable: table.source,
        sourceRelation: leaf,
        startBlock: start,
        endBlock: end,
        index: partitions.length,
        estimatedRows: Math.round(density * blocks),
      });
    }
  }
  return partitions;
}

/**
 * The SELECT that reads one partition: `FROM ONLY` the leaf (never inheritance children) and a
 * ctid range that PostgreSQL 14+ executes as a TID Range Scan, reading only those blocks.
 */
export function partitionSelect(partition: Pick<Partition, "sourceRelation" | "startBlock" | "endBlock">, columns: string[]): string {
  const { sourceRelation: r, startBlock, endBlock } = partition;
  const conditions: string[] = [];
  if (startBlock > 0) conditions.push(`ctid >= '(${integer(startBlock)},0)'::tid`);
  if (endBlock !== null) conditions.push(`ctid < '(${integer(endBlock)},0)'::tid`);
  const where = conditions.length > 0 ? ` WHERE ${conditions.join(" AND ")}` : "";
  return `SELECT ${columns.map(quoteIdent).join(", ")} FROM ONLY ${quoteQualified(r.schema, r.name)}${where}`;
}

function integer(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`invalid block number ${n}`);
  return n;
}

function leafKey(leaf: QualifiedName): string {
  return JSON.stringify([leaf.schema, leaf.name]);
}

/** Statistics of every leaf that exists, by leafKey, in one query. */
async function leafStats(source: Queryable, leaves: QualifiedName[]): Promise<Map<string, LeafStats>> {
  const stats = new Map<string, LeafStats>();
  if (leaves.length === 0) return stats;
  const { rows } = await source.query<{ schema: string; name: string; reltuples: number; relpages: number; pages: string; version: string }>(
    `SELECT l.schema, l.name, c.reltuples::float8 AS reltuples, c.relpages::int AS relpages,
            pg_relation_size(c.oid) / current_setting('block_size')::int AS pages,
            current_setting('server_version_num') AS version
       FROM unnest($1::text[], $2::text[]) AS l(schema, name)
       JOIN pg_namespace n ON n.nspname = l.schema
       JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = l.name`,
    [leaves.map((l) => l.schema), leaves.map((l) => l.name)],
  );
  for (const row of rows) {
    stats.set(leafKey(row), { reltuples: row.reltuples, relpages: row.relpages, pages: Number(row.pages), version: Number(row.version) });
  }
  return stats;
}

/**
 * Rows per heap page. reltuples/relpages come from the same VACUUM/ANALYZE, so their ratio is the
 * best density even when the table grew since. Never analyzed: count a few small windows of pages
 * spread over the heap, each read by a TID Range Scan (cheap, no full scan).
 */
async function rowsPerPage(source: Queryable, leaf: QualifiedName, stats: LeafStats): Promise<number> {
  if (stats.reltuples > 0 && stats.relpages > 0) return stats.reltuples / stats.relpages;
  if (stats.pages === 0 || stats.version < TID_RANGE_SCAN_VERSION) return 0;
  let rows = 0;
  let pages = 0;
  const step = Math.max(SAMPLE_PAGES_PER_WINDOW, Math.floor(stats.pages / SAMPLE_WINDOWS));
  for (let start = 0; start < stats.pages && pages < SAMPLE_WINDOWS * SAMPLE_PAGES_PER_WINDOW; start += step) {
    const end = Math.min(start + SAMPLE_PAGES_PER_WINDOW, stats.pages);
    const window = partitionSelect({ sourceRelation: leaf, startBlock: start, endBlock: end }, []);
    const sql = `SELECT count(*)::int AS n FROM (${window}) AS sample`;
    rows += (await source.query<{ n: number }>(sql)).rows[0].n;
    pages += end - start;
  }
  return pages > 0 ? rows / pages : 0;
}
