/**
 * The statements verification sends; pure string building, every identifier quoted. Values (key
 * bounds, hashes) always travel as parameters in their text form, typed by the column they are
 * compared with, so a key round-trips exactly (no JS number or Date in between).
 *
 * Row hash: md5 of the row's text form, `ROW(c1, c2, …)::text`. With the output settings pinned
 * (session.ts) every type prints the same on PostgreSQL 15 to 18: NaN, ±Infinity, arrays, TOASTed
 * values (detoasted on output), json as written, jsonb normalised. A chunk's summary is the row
 * count and the sum of the hashes' first 60 bits: order-free (no sort on the server) and exact
 * for practical purposes (a change goes unnoticed only if 60-bit sums collide).
 */
import type { QualifiedName } from "@/lib/mirrors/table-mapping";
import { quoteIdent, quoteQualified } from "@/lib/pg/quote";

/** An inclusive upper / exclusive lower key bound, as the key columns' text forms. */
export type KeyBound = string[];

/** A key range (lo, hi]; null ends are open. */
export interface KeyRange {
  lo: KeyBound | null;
  hi: KeyBound | null;
}

export interface Statement {
  text: string;
  values: unknown[];
}

export function rowHash(columns: string[]): string {
  return `md5(ROW(${columns.map(quoteIdent).join(", ")})::text)`;
}

/** count and sum of the 60-bit hash prefixes, both as text (bigint/numeric do not fit a JS number). */
const SUMMARY = `count(*)::text AS n, coalesce(sum(('x' || substr(h, 1, 15))::bit(60)::bigint), 0)::text AS s`;

function keyList(key: string[]): string {
  return key.map(quoteIdent).join(", ");
}

/** `(k1, k2) > ($1, $2) AND (k1, k2) <= ($3, $4)`, parameters numbered from `first`. */
export function rangePredicate(key: string[], range: KeyRange, first = 1): Statement {
  const parts: string[] = [];
  const values: unknown[] = [];
  const columns = `(${keyList(key)})`;
  for (const [bound, op] of [
    [range.lo, ">"],
    [range.hi, "<="],
  ] as const) {
    if (!bound) continue;
    if (bound.length !== key.length) throw new Error(`a key bound needs ${key.length} values, got ${bound.length}`);
    const placeholders = bound.map((_, i) => `$${first + values.length + i}`);
    parts.push(`${columns} ${op} (${placeholders.join(", ")})`);
    values.push(...bound);
  }
  return { text: parts.length ? parts.join(" AND ") : "true", values };
}

/**
 * The key `offset` rows into a range in key order (null when the range ends first): a chunk's upper
 * bound (range open above) or the point that splits a range in two.
 */
export function keyAtOffsetSql(table: QualifiedName, key: string[], range: KeyRange, offset: number): Statement {
  const where = rangePredicate(key, range);
  return {
    text:
      `SELECT ${key.map((k) => `${quoteIdent(k)}::text`).join(", ")} FROM ${quoteQualified(table.schema, table.name)} ` +
      `WHERE ${where.text} ORDER BY ${keyList(key)} OFFSET ${Math.max(0, Math.floor(offset))} LIMIT 1`,
    values: where.values,
  };
}

/** One row `{ n, s }`: count and hash sum of a range. */
export function rangeSummarySql(table: QualifiedName, columns: string[], key: string[], range: KeyRange): Statement {
  const where = rangePredicate(key, range);
  return {
    text: `SELECT ${SUMMARY} FROM (SELECT ${rowHash(columns)} AS h FROM ${quoteQualified(table.schema, table.name)} WHERE ${where.text}) AS t`,
    values: where.values,
  };
}

/** Rows `[k1, k2, …, hash]` of a range (array row mode), for the drill-down. */
export function rangeRowsSql(table: QualifiedName, columns: string[], key: string[], range: KeyRange): Statement {
  const where = rangePredicate(key, range);
  return {
    text:
      `SELECT ${key.map((k) => `${quoteIdent(k)}::text`).join(", ")}, ${rowHash(columns)} ` +
      `FROM ${quoteQualified(table.schema, table.name)} WHERE ${where.text}`,
    values: where.values,
  };
}

/** Rows `{ b, n, s }`: count and hash sum per bucket (hash characters 16 … 15+prefix), for a table without a key. */
export function bucketSummarySql(table: QualifiedName, columns: string[], prefix: number): Statement {
  return {
    text:
      `SELECT substr(h, 16, ${prefix}) AS b, ${SUMMARY} ` +
      `FROM (SELECT ${rowHash(columns)} AS h FROM ${quoteQualified(table.schema, table.name)}) AS t GROUP BY 1`,
    values: [],
  };
}

/** Rows `[hash, count]` of the given buckets (array row mode). */
export function bucketRowsSql(table: QualifiedName, columns: string[], prefix: number, buckets: string[]): Statement {
  return {
    text:
      `SELECT h, count(*)::text FROM (SELECT ${rowHash(columns)} AS h FROM ${quoteQualified(table.schema, table.name)}) AS t ` +
      `WHERE substr(h, 16, ${prefix}) = ANY ($1::text[]) GROUP BY h`,
    values: [buckets],
  };
}

/** One row per given hash: `[hash, c1, c2, …]` as text (array row mode), to show a keyless row. */
export function rowsByHashSql(table: QualifiedName, columns: string[], hashes: string[]): Statement {
  const list = columns.map((c) => `${quoteIdent(c)}::text`).join(", ");
  return {
    text:
      `SELECT DISTINCT ON (h) h, ${list} FROM (SELECT ${rowHash(columns)} AS h, ${columns.map(quoteIdent).join(", ")} ` +
      `FROM ${quoteQualified(table.schema, table.name)}) AS t WHERE h = ANY ($1::text[])`,
    values: [hashes],
  };
}

/**
 * The source position after everything a snapshot sees: the insert position, not pg_current_wal_lsn()
 * (the write position), which with synchronous_commit = off can trail commits already visible.
 */
export const SOURCE_POSITION_SQL =
  "SELECT (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_insert_lsn() END)::text AS lsn";
