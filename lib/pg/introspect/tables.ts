import { type Queryable, toNumber } from "@/lib/pg/introspect/queryable";

export type ReplicaIdentity = "default" | "full" | "nothing" | "index";

export interface PeerColumn {
  name: string;
  /** attnum: 1-based position among the table's columns (dropped columns leave gaps). */
  position: number;
  /** format_type(): the full type as PostgreSQL prints it, e.g. "numeric(12,2)", "character varying(40)[]". */
  type: string;
  nullable: boolean;
  /** A GENERATED ALWAYS AS (…) column (stored, or virtual on PostgreSQL 18+): nothing can write into it. */
  generated: boolean;
  /** GENERATED … AS IDENTITY. */
  identity: "always" | "by default" | null;
}

export interface PeerTable {
  schema: string;
  name: string;
  /** "partitioned" tables are listed once, as their parent; their partitions are not listed. */
  kind: "table" | "partitioned";
  /** For a partitioned table, how many leaf partitions it has; otherwise null. */
  partitions: number | null;
  /**
   * pg_class.reltuples; null when never analysed. For a partitioned table, the sum over its
   * analysed leaves (null when none is analysed, 0 when it has no partitions).
   */
  estimatedRows: number | null;
  /** Table, indexes and TOAST, in bytes (summed over leaves for a partitioned table). */
  totalBytes: number;
  /** Primary key columns in key order; empty when there is none. */
  primaryKey: string[];
  replicaIdentity: ReplicaIdentity;
  /** The index used when replicaIdentity is "index". */
  replicaIdentityIndex: string | null;
  /** Unlogged tables cannot be published for logical replication. */
  unlogged: boolean;
  /** Whether the peer's user may SELECT from it (needed to copy it). */
  canSelect: boolean;
  columns: PeerColumn[];
}

export interface TableListing {
  /** Every user schema, including ones without tables (e.g. as targets). */
  schemas: string[];
  tables: PeerTable[];
}

/**
 * Relations worth offering: ordinary and partitioned tables that are not themselves partitions,
 * outside system schemas (pg_* covers pg_catalog, pg_toast and other sessions' pg_temp_N; such
 * names are reserved, so no user schema is hidden) and outside pgferry's own bookkeeping schema.
 */
const USER_SCHEMA = `n.nspname !~ '^pg_' and n.nspname not in ('information_schema', '_pgferry')`;
const LISTED_RELATIONS = `
  select c.oid
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p') and not c.relispartition and ${USER_SCHEMA}`;

/**
 * Before PostgreSQL 14 a never-analysed table has reltuples 0 and relpages 0 (14+ uses -1):
 * both mean "unknown". The price is that a truly empty pre-14 table also shows as unknown.
 */
const KNOWN_ROWS = (alias: string) =>
  `case when ${alias}.reltuples < 0
          or (${alias}.reltuples = 0 and ${alias}.relpages = 0 and current_setting('server_version_num')::int < 140000)
        then null else ${alias}.reltuples::float8 end`;

const TABLES_SQL = `
  select c.oid, n.nspname as schema, c.relname as name, c.relkind = 'p' as partitioned,
         c.relpersistence = 'u' as unlogged,
         case c.relreplident when 'd' then 'default' when 'f' then 'full' when 'n' then 'nothing' else 'index' end
           as replica_identity,
         ri.relname as replica_identity_index,
         has_table_privilege(c.oid, 'SELECT') as can_select,
         case when c.relkind = 'p' then leaves.rows else ${KNOWN_ROWS("c")} end as estimated_rows,
         case when c.relkind = 'p' then leaves.bytes else pg_total_relation_size(c.oid) end as total_bytes,
         leaves.count as partitions,
         coalesce(pk.columns, '{}') as primary_key
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
  -- A partitioned table holds no rows itself: add up its leaves. With no leaves it is empty;
  -- with leaves that were never analysed its row count is unknown.
  left join lateral (
    select count(*)::int as count,
           coalesce(sum(pg_total_relation_size(l.oid)), 0) as bytes,
           case when count(*) = 0 then 0 else sum(${KNOWN_ROWS("l")}) end as rows
    from pg_partition_tree(c.oid) t join pg_class l on l.oid = t.relid
    where t.isleaf and c.relkind = 'p'
  ) leaves on true
  left join lateral (
    select array_agg(a.attname::text order by k.ord) as columns
    from pg_index i
    cross join lateral unnest(i.indkey::int2[]) with ordinality k(attnum, ord)
    join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
    where i.indrelid = c.oid and i.indisprimary
  ) pk on true
  left join pg_index rii on rii.indrelid = c.oid and rii.indisreplident and c.relreplident = 'i'
  left join pg_class ri on ri.oid = rii.indexrelid
  where c.oid in (${LISTED_RELATIONS})
  order by n.nspname, c.relname`;

const COLUMNS_SQL = `
  select a.attrelid as relid, a.attnum as position, a.attname as name,
         format_type(a.atttypid, a.atttypmod) as type, not a.attnotnull as nullable,
         a.attgenerated <> '' as generated,
         case a.attidentity when 'a' then 'always' when 'd' then 'by default' end as identity
  from pg_attribute a
  where a.attrelid in (${LISTED_RELATIONS}) and a.attnum > 0 and not a.attisdropped
  order by a.attrelid, a.attnum`;

const SCHEMAS_SQL = `select n.nspname as name from pg_namespace n where ${USER_SCHEMA} order by 1`;

interface TableRow {
  oid: number;
  schema: string;
  name: string;
  partitioned: boolean;
  unlogged: boolean;
  replica_identity: ReplicaIdentity;
  replica_identity_index: string | null;
  can_select: boolean;
  estimated_rows: number | null;
  total_bytes: string | number;
  partitions: number | null;
  primary_key: string[];
}

interface ColumnRow {
  relid: number;
  position: number;
  name: string;
  type: string;
  nullable: boolean;
  generated: boolean;
  identity: "always" | "by default" | null;
}

/**
 * Schemas and tables of the peer's database for the table picker, in three set-based queries
 * whatever the number of tables (no per-table round trips). Read-only; PostgreSQL 12+.
 * A table created or dropped between the queries may appear without columns: the listing is a
 * snapshot for humans, not for the copy (which describes tables again inside its own snapshot).
 */
export async function listTables(client: Queryable): Promise<TableListing> {
  const schemas = await client.query<{ name: string }>(SCHEMAS_SQL);
  const tables = await client.query<TableRow>(TABLES_SQL);
  const columns = await client.query<ColumnRow>(COLUMNS_SQL);

  const columnsByTable = new Map<number, PeerColumn[]>();
  for (const c of columns.rows) {
    const list = columnsByTable.get(c.relid) ?? [];
    list.push({
      name: c.name,
      position: c.position,
      type: c.type,
      nullable: c.nullable,
      generated: c.generated,
      identity: c.identity,
    });
    columnsByTable.set(c.relid, list);
  }

  return {
    schemas: schemas.rows.map((r) => r.name),
    tables: tables.rows.map((t) => ({
      schema: t.schema,
      name: t.name,
      kind: t.partitioned ? "partitioned" : "table",
      partitions: t.partitioned ? t.partitions : null,
      estimatedRows: t.estimated_rows === null ? null : Math.round(t.estimated_rows),
      totalBytes: toNumber(t.total_bytes) ?? 0,
      primaryKey: t.primary_key,
      replicaIdentity: t.replica_identity,
      replicaIdentityIndex: t.replica_identity_index,
      unlogged: t.unlogged,
      canSelect: t.can_select,
      columns: columnsByTable.get(t.oid) ?? [],
    })),
  };
}
