import { quoteQualified } from "@/lib/pg/quote";
import { type Queryable, toNumber } from "./queryable";

/** One user table of a database with how many rows it holds. */
export interface TableRowCount {
  schema: string;
  name: string;
  /**
   * Rows in the table: counted when `exact`, else pg_class.reltuples. null when the table is known
   * to hold rows but how many is unknown (never analysed, too big to count).
   */
  rows: number | null;
  exact: boolean;
}

export interface RowCountOptions {
  /** Tables up to this size (heap bytes, all partitions) are counted exactly. Default: 8 MiB. */
  exactUpToBytes?: number;
  /** At most this many tables are counted exactly, smallest first. Default: 500. */
  maxExact?: number;
}

const USER_SCHEMA = `n.nspname !~ '^pg_' and n.nspname not in ('information_schema', '_pgferry')`;

/** Before PostgreSQL 14 a never-analysed table has reltuples 0 and relpages 0; 14+ says -1. */
const KNOWN_ROWS = (alias: string) =>
  `case when ${alias}.reltuples < 0
          or (${alias}.reltuples = 0 and ${alias}.relpages = 0 and current_setting('server_version_num')::int < 140000)
        then null else ${alias}.reltuples::float8 end`;

const TABLES_SQL = `
  select n.nspname as schema, c.relname as name, has_table_privilege(c.oid, 'SELECT') as can_select,
         case when c.relkind = 'p' then leaves.rows else ${KNOWN_ROWS("c")} end as estimated_rows,
         case when c.relkind = 'p' then leaves.bytes else pg_relation_size(c.oid) end as bytes
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
  left join lateral (
    select coalesce(sum(pg_relation_size(l.oid)), 0) as bytes,
           case when count(*) = 0 then 0 else sum(${KNOWN_ROWS("l")}) end as rows
    from pg_partition_tree(c.oid) t join pg_class l on l.oid = t.relid
    where t.isleaf and c.relkind = 'p'
  ) leaves on true
  where c.relkind in ('r', 'p') and not c.relispartition and ${USER_SCHEMA}
  order by n.nspname, c.relname`;

/** Tables counted per statement: one round trip for many small tables. */
const PER_STATEMENT = 100;

interface TableRow {
  schema: string;
  name: string;
  can_select: boolean;
  estimated_rows: number | null;
  bytes: string | number;
}

/**
 * Every user table (ordinary and partitioned, not partitions) with its row count: exact for small
 * tables, the planner's estimate for big ones, and for a big never-analysed table whether it has
 * rows at all. Read-only, but counting takes ACCESS SHARE locks, so a table being altered makes the
 * call wait: run it under a deadline. Tables pgferry may not read get the estimate.
 */
export async function tableRowCounts(client: Queryable, options: RowCountOptions = {}): Promise<TableRowCount[]> {
  const exactUpTo = options.exactUpToBytes ?? 8 * 1024 * 1024;
  const maxExact = options.maxExact ?? 500;
  const { rows } = await client.query<TableRow>(TABLES_SQL);
  const tables = rows.map((r) => ({ ...r, bytes: toNumber(r.bytes) ?? 0 }));
  const result: TableRowCount[] = tables.map((t) => ({ schema: t.schema, name: t.name, rows: t.estimated_rows === null ? null : Math.round(t.estimated_rows), exact: false }));

  const readable = tables.map((t, index) => ({ ...t, index })).filter((t) => t.can_select);
  const small = readable.filter((t) => t.bytes <= exactUpTo).sort((a, b) => a.bytes - b.bytes).slice(0, maxExact);
  const counted = new Set(small.map((t) => t.index));
  // An unknown estimate on a table not counted: at least say whether it is empty.
  const unknown = readable.filter((t) => !counted.has(t.index) && t.estimated_rows === null);

  await countIn(client, tables, small.map((t) => t.index), "count", result);
  await countIn(client, tables, unknown.map((t) => t.index), "probe", result);
  return result;
}

/**
 * Counts the rows of `indexes`, PER_STATEMENT tables a statement. A "probe" reads at most one row:
 * 0 means empty (exactly), 1 means it has rows (how many stays unknown).
 */
async function countIn(client: Queryable, tables: readonly { schema: string; name: string }[], indexes: number[], how: "count" | "probe", result: TableRowCount[]): Promise<void> {
  for (let at = 0; at < indexes.length; at += PER_STATEMENT) {
    const parts = indexes.slice(at, at + PER_STATEMENT).map((index) => {
      const table = quoteQualified(tables[index].schema, tables[index].name);
      const from = how === "count" ? table : `(select 1 from ${table} limit 1) as one`;
      return `select ${index}::int as index, (select count(*) from ${from})::int8 as rows`;
    });
    const { rows } = await client.query<{ index: number; rows: string }>(parts.join(" union all "));
    for (const row of rows) {
      const found = Number(row.rows);
      result[row.index] = how === "count" || found === 0 ? { ...result[row.index], rows: found, exact: true } : { ...result[row.index], rows: null, exact: false };
    }
  }
}
