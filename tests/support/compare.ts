import type pg from "pg";
import type { QualifiedName } from "@/lib/mirrors/table-mapping";
import { quoteIdent, quoteQualified } from "@/lib/pg/quote";

export interface TableChecksum {
  count: number;
  /** md5 of all rows' text, sorted; null for an empty table. */
  md5: string | null;
}

/**
 * Row count and checksum of `columns` of a table: md5 over every row's text form, rows sorted
 * bytewise (COLLATE "C"), so two tables with the same rows give the same checksum in any
 * physical order, on any server. Sorting by the row text (not by the columns) works for types
 * without ordering (json, xml, point). Output settings are pinned for the transaction so both
 * servers print values the same way. The client must be idle.
 */
export async function tableChecksum(client: pg.ClientBase, table: QualifiedName, columns: string[]): Promise<TableChecksum> {
  await client.query("BEGIN READ ONLY");
  try {
    await client.query(
      `SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, MDY'; SET LOCAL IntervalStyle = 'postgres';
       SET LOCAL extra_float_digits = 3; SET LOCAL bytea_output = 'hex'; SET LOCAL lc_monetary = 'C'`,
    );
    const row = `ROW(${columns.map(quoteIdent).join(", ")})::text`;
    const { rows } = await client.query<{ count: number; md5: string | null }>(
      `SELECT count(*)::int AS count, md5(string_agg(r, E'\\n' ORDER BY r COLLATE "C")) AS md5
         FROM (SELECT ${row} AS r FROM ${quoteQualified(table.schema, table.name)}) AS t`,
    );
    return rows[0];
  } finally {
    await client.query("ROLLBACK");
  }
}

/** True when `table` has the same rows (of `columns`) on both servers; false also when the target lacks it. */
export async function sameRows(source: pg.ClientBase, target: pg.ClientBase, table: QualifiedName, columns: string[]): Promise<boolean> {
  const [s, t] = await Promise.all([tableChecksum(source, table, columns), tableChecksum(target, table, columns).catch(() => null)]);
  return JSON.stringify(s) === JSON.stringify(t);
}
