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
