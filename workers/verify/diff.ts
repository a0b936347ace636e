/** Pure comparison steps of a verification: no I/O, so they are unit-tested beside this file. */
import type { DifferenceExample, DifferenceKind } from "./types";

/** A chunk's or bucket's summary: row count and hash sum, as the server printed them. */
export interface Summary {
  n: string;
  s: string;
}

export function sameSummary(a: Summary | undefined, b: Summary | undefined): boolean {
  return (a?.n ?? "0") === (b?.n ?? "0") && (a?.s ?? "0") === (b?.s ?? "0");
}

/** Drill-down rows by key: `JSON.stringify(key text values)` -> row hash. */
export type KeyedRows = Map<string, string>;

/** Array-mode rows `[k1, …, kn, hash]` into KeyedRows. */
export function keyedRows(rows: unknown[][], keyColumns: number): KeyedRows {
  const map: KeyedRows = new Map();
  for (const row of rows) map.set(JSON.stringify(row.slice(0, keyColumns)), row[keyColumns] as string);
  return map;
}

/** Keys that differ and how: on the source only (missing), the target only (extra), or both with other values. */
export function diffKeyed(source: KeyedRows, target: KeyedRows): Map<string, DifferenceKind> {
  const out = new Map<string, DifferenceKind>();
  for (const [key, hash] of source) {
    const other = target.get(key);
    if (other === undefined) out.set(key, "missing");
    else if (other !== hash) out.set(key, "changed");
  }
  for (const key of target.keys()) if (!source.has(key)) out.set(key, "extra");
  return out;
}

/**
 * Keeps what differed in every read: on a live mirror a row written between two reads differs
 * once and then agrees, while a real divergence differs each time. The latest kind wins.
 */
export function stillDifferent<V>(previous: Map<string, V> | null, latest: Map<string, V>): Map<string, V> {
  if (!previous) return latest;
  const out = new Map<string, V>();
  for (const [key, value] of latest) if (previous.has(key)) out.set(key, value);
  return out;
}

/** Row hash -> count, from array-mode rows `[hash, count]`. */
export function hashCounts(rows: unknown[][]): Map<string, number> {
  return new Map(rows.map((row) => [row[0] as string, Number(row[1])]));
}

/** Per row hash, source count minus target count, for hashes whose counts differ. */
export function diffMultiset(source: Map<string, number>, target: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [hash, n] of source) {
    const delta = n - (target.get(hash) ?? 0);
    if (delta !== 0) out.set(hash, delta);
  }
  for (const [hash, n] of target) if (!source.has(hash)) out.set(hash, -n);
  return out;
}

/** Buckets whose summaries differ, on either side. */
export function differingBuckets(source: Map<string, Summary>, target: Map<string, Summary>): string[] {
  const all = new Set([...source.keys(), ...target.keys()]);
  return [...all].filter((b) => !sameSummary(source.get(b), target.get(b))).sort();
}

/**
 * Hex characters of the hash that name a bucket, so that a bucket holds about `rowsPerBucket` rows:
 * 1 to 4 (at most 65,536 buckets, i.e. two summary rows per bucket in memory on each side).
 */
export function bucketPrefixLength(estimatedRows: number, rowsPerBucket: number): number {
  const buckets = Math.max(1, estimatedRows) / Math.max(1, rowsPerBucket);
  return Math.min(4, Math.max(1, Math.ceil(Math.log(buckets) / Math.log(16))));
}

/** Splits a list into groups of at most `size`. */
export function groups<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += Math.max(1, size)) out.push(items.slice(i, i + Math.max(1, size)));
  return out;
}

/** `{ column: value }` from key column names and a KeyedRows key. */
export function keyObject(columns: string[], key: string): Record<string, string | null> {
  const values = JSON.parse(key) as (string | null)[];
  return Object.fromEntries(columns.map((c, i) => [c, values[i]]));
}

/** Adds examples up to `max`; returns how many differences were seen (all of them, kept or not). */
export function addExamples(examples: DifferenceExample[], found: DifferenceExample[], max: number): number {
  for (const example of found) {
    if (examples.length >= max) break;
    examples.push(example);
  }
  return found.length;
}
