/**
 * Orders a load's partitions into copy lanes. A lane is a graphile-worker queue: its jobs run one
 * at a time, so `lanes` bounds how many partitions of a mirror are copied at once, across every
 * worker. Tables are taken `tablesInParallel` at a time: their partitions are interleaved, and the
 * next table starts when one of them runs out — so many tables progress together, but not all.
 */
export function assignLanes<T>(partitionsByTable: T[][], lanes: number, tablesInParallel: number): T[][] {
  const sequence: T[] = [];
  const waiting = partitionsByTable.filter((p) => p.length > 0).map((p) => [...p]);
  const active: T[][] = [];
  while (waiting.length > 0 || active.length > 0) {
    while (active.length < tablesInParallel && waiting.length > 0) active.push(waiting.shift() as T[]);
    for (let i = 0; i < active.length; i++) {
      sequence.push(active[i].shift() as T);
      if (active[i].length === 0) active.splice(i--, 1);
    }
  }
  const result: T[][] = Array.from({ length: Math.max(1, lanes) }, () => []);
  sequence.forEach((item, index) => result[index % result.length].push(item));
  return result.filter((lane) => lane.length > 0);
}

/**
 * Tables by estimated rows, largest first (stable for equal sizes). Started first, the largest
 * table's copy runs beside the many small ones instead of alone at the end, and its index builds
 * can begin while they copy — longest job first, as pg_restore -j and pgcopydb order theirs.
 */
export function largestFirst<T extends { estimatedRows: number }>(partitionsByTable: T[][]): T[][] {
  const rows = (partitions: T[]) => partitions.reduce((sum, p) => sum + p.estimatedRows, 0);
  return partitionsByTable
    .map((partitions, position) => ({ partitions, position, rows: rows(partitions) }))
    .sort((a, b) => b.rows - a.rows || a.position - b.position)
    .map((t) => t.partitions);
}

/** A partition at most this large (estimated rows) shares its copy job with its small neighbours. */
export const SMALL_PARTITION_ROWS = 20_000;
/** Partitions per shared copy job, and their rows together at most. */
export const BUNDLE_MAX_PARTITIONS = 25;
export const BUNDLE_MAX_ROWS = 100_000;

/**
 * Groups a lane's consecutive small partitions into bundles, one copy job each, keeping the lane's
 * order; a larger partition stays a job of its own. A job costs a queue round trip and bookkeeping
 * in the catalog, which for a table of a few rows is most of its copy time (300 tiny tables: 55 ms
 * copying and ~90 ms around each job), so a schema of many small tables loads several times faster.
 */
export function bundleSmallPartitions<T extends { estimatedRows: number }>(lane: T[]): T[][] {
  const bundles: T[][] = [];
  let open: T[] | null = null;
  let openRows = 0;
  for (const partition of lane) {
    if (partition.estimatedRows > SMALL_PARTITION_ROWS) {
      bundles.push([partition]);
      open = null;
      continue;
    }
    if (!open || open.length >= BUNDLE_MAX_PARTITIONS || openRows + partition.estimatedRows > BUNDLE_MAX_ROWS) {
      open = [];
      openRows = 0;
      bundles.push(open);
    }
    open.push(partition);
    openRows += partition.estimatedRows;
  }
  return bundles;
}

/**
 * Rows per partition for one table: the setting, shrunk so that a table split at all is split into a
 * multiple of the copy lanes. 5 partitions on 4 lanes would leave the fifth running alone at the end;
 * 8 smaller ones keep every lane busy until the table is done.
 */
export function rowsPerPartitionFor(estimatedRows: number, settings: { rowsPerPartition: number; parallelCopyWorkers: number }): number {
  const partitions = Math.ceil(estimatedRows / settings.rowsPerPartition);
  if (partitions <= 1) return settings.rowsPerPartition;
  const lanes = settings.parallelCopyWorkers;
  return Math.ceil(estimatedRows / (Math.ceil(partitions / lanes) * lanes));
}
