import type { QualifiedName } from "@/lib/mirrors/table-mapping";
import { type Queryable, withCatalogSearchPath } from "./describe-session";
import { type ColumnTypeInfo, describeUserTypes, type UserType } from "./describe-types";

/**
 * Describing source tables: what the table picker shows and what target DDL, partition planning
 * and the copy need. Read-only; safe to call any number of times.
 */

export interface ColumnDescription {
  name: string;
  attnum: number;
  /** Exact type text from format_type(), user types schema-qualified: `numeric(12,2)`, `public.mood[]`. */
  type: string;
  typeOid: number;
  /** Qualified collation (e.g. `pg_catalog."C"`) when it differs from the type's default; else null. */
  collation: string | null;
  notNull: boolean;
  /** Set for GENERATED ALWAYS AS (…) columns; these are computed on the target, never copied. */
  generated: { kind: "stored" | "virtual"; expression: string } | null;
  /** Identity columns are copied as plain values; sequences are synced at cutover. */
  identity: "always" | "by default" | null;
  /** Column DEFAULT expression (not recreated on the target; informative). */
  defaultExpression: string | null;
  isArray: boolean;
  /** The enum/domain/composite/range/extension type the column uses (directly or as array element). */
  userType: ColumnTypeInfo["userType"];
}

/** A table whose rows live in its heap: the table itself, or a leaf partition of a partitioned table. */
export interface LeafDescription {
  name: QualifiedName;
  oid: number;
  /** Estimated rows; from reltuples, else from the statistics collector when never analyzed. */
  estimatedRows: number;
  /** True when the estimate did not come from ANALYZE/VACUUM (reltuples was -1). */
  rowsFromFallback: boolean;
  /** Current heap size in blocks (pg_relation_size / block_size). */
  pages: number;
  /** Heap + indexes + TOAST, bytes. */
  sizeBytes: number;
}

export type ReplicaIdentity = "default" | "full" | "nothing" | "index";

export interface TableDescription {
  name: QualifiedName;
  oid: number;
  kind: "table" | "partitioned";
  /** For partitioned tables: range, list or hash. */
  partitionStrategy: "range" | "list" | "hash" | null;
  /** The table itself for an ordinary table; every leaf partition (recursively) for a partitioned one. */
  leaves: LeafDescription[];
  columns: ColumnDescription[];
  /** Primary key column names in key order; empty when there is none. */
  primaryKey: string[];
  replicaIdentity: ReplicaIdentity;
  /** Columns of the replica identity index when replicaIdentity is "index". */
  replicaIdentityColumns: string[];
  /** Sum over leaves. */
  estimatedRows: number;
  /** Sum over leaves. */
  sizeBytes: number;
}

export interface SourceDescription {
  tables: TableDescription[];
  /** User types the tables' columns depend on, each after the types it depends on. */
  types: UserType[];
  /** Schemas of the tables and of the user types, sorted. */
  schemas: string[];
}

const REPLICA_IDENTITY: Record<string, ReplicaIdentity> = { d: "default", f: "full", n: "nothing", i: "index" };
const STRATEGY: Record<string, "range" | "list" | "hash"> = { r: "range", l: "list", h: "hash" };

/**
 * Describes the given tables. Throws an Error naming the table when it does not exist or is not
 * an ordinary or partitioned table (views, foreign tables, … cannot be copied by ctid ranges).
 * The client must be idle; the describe runs in its own read-only transaction.
 *
 * A fixed number of catalog queries for any number of tables (relations, leaves, columns, key
 * columns, then the user types): one round trip per table and query cost ~1 s for 50 tables on a
 * busy server, where these take a few milliseconds.
 */
export async function describeTables(client: Queryable, names: QualifiedName[]): Promise<SourceDescription> {
  return withCatalogSearchPath(client, async () => {
    const tables = await describeAll(client, names);
    const typeOids = tables.flatMap((t) => t.columns.map((c) => c.typeOid));
    const { types, classify } = await describeUserTypes(client, typeOids);
    for (const table of tables) {
      for (const column of table.columns) Object.assign(column, classify(column.typeOid));
    }
    const schemas = [...new Set([...tables.map((t) => t.name.schema), ...types.map((t) => t.schema)])].sort();
    return { tables, types, schemas };
  });
}

/** Describes one table; convenience wrapper around describeTables. */
export async function describeTable(client: Queryable, name: QualifiedName): Promise<TableDescription> {
  return (await describeTables(client, [name])).tables[0];
}

interface RelationRow {
  ord: number;
  oid: number | null;
  relkind: string | null;
  relreplident: string | null;
  partstrat: string | null;
}

/** Every table in `names` order; the first one at fault (missing, not a table, a foreign partition) throws. */
async function describeAll(client: Queryable, names: QualifiedName[]): Promise<TableDescription[]> {
  if (names.length === 0) return [];
  const { rows: relations } = await client.query<RelationRow>(
    `SELECT r.ord::int AS ord, c.oid::int AS oid, c.relkind::text AS relkind, c.relreplident::text AS relreplident,
            pt.partstrat::text AS partstrat
       FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS r(schema, name, ord)
       LEFT JOIN pg_namespace n ON n.nspname = r.schema
       LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = r.name
       LEFT JOIN pg_partitioned_table pt ON pt.partrelid = c.oid
      ORDER BY r.ord`,
    [names.map((n) => n.schema), names.map((n) => n.name)],
  );
  // Only tables are read further; the loop below throws for the first that is not one.
  const oids = [...new Set(relations.filter((r) => r.oid !== null && (r.relkind === "r" || r.relkind === "p")).map((r) => r.oid as number))];
  const partitioned = relations.filter((r) => r.relkind === "p").map((r) => r.oid as number);
  const leaves = await leavesByRoot(client, oids, partitioned);
  const columns = await columnsByTable(client, oids);
  const keys = await keyColumnsByTable(client, oids);

  return names.map((name, index) => {
    const label = `${name.schema}.${name.name}`;
    const rel = relations[index];
    if (rel.oid === null) throw new Error(`table ${label} does not exist on the source`);
    if (rel.relkind !== "r" && rel.relkind !== "p") {
      throw new Error(`${label} is not a table (relkind ${rel.relkind}); only ordinary and partitioned tables can be copied`);
    }
    const tableLeaves = (leaves.get(rel.oid) ?? []).map((row) => toLeaf(row, label));
    const replicaIdentity = REPLICA_IDENTITY[rel.relreplident ?? "d"] ?? "default";
    const key = keys.get(rel.oid);
    return {
      name: { schema: name.schema, name: name.name },
      oid: rel.oid,
      kind: rel.relkind === "p" ? "partitioned" : "table",
      partitionStrategy: rel.partstrat ? STRATEGY[rel.partstrat] ?? null : null,
      leaves: tableLeaves,
      // Copies: the user types are merged into each column afterwards, and a table named twice gets its own objects.
      columns: (columns.get(rel.oid) ?? []).map((c) => ({ ...c })),
      primaryKey: [...(key?.primary ?? [])],
      replicaIdentity,
      replicaIdentityColumns: replicaIdentity === "index" ? [...(key?.replident ?? [])] : [],
      estimatedRows: tableLeaves.reduce((sum, l) => sum + l.estimatedRows, 0),
      sizeBytes: tableLeaves.reduce((sum, l) => sum + l.sizeBytes, 0),
    };
  });
}

interface LeafRow {
  root: number;
  oid: number;
  schema: string;
  name: string;
  relkind: string;
  reltuples: number;
  n_live_tup: string | null;
  pages: string;
  size_bytes: string;
}

async function leavesByRoot(client: Queryable, oids: number[], partitioned: number[]): Promise<Map<number, LeafRow[]>> {
  // pg_partition_tree (PostgreSQL 12+) lists sub-partitions recursively; an ordinary table is its own leaf.
  const { rows } = await client.query<LeafRow>(
    `SELECT l.root::int AS root, c.oid::int AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind,
            c.reltuples::float8 AS reltuples, s.n_live_tup,
            pg_relation_size(c.oid) / current_setting('block_size')::int AS pages,
            pg_total_relation_size(c.oid) AS size_bytes
       FROM (SELECT t.oid AS root, t.oid AS relid FROM unnest($1::oid[]) AS t(oid) WHERE t.oid <> ALL($2::oid[])
             UNION ALL
             SELECT p.oid, tree.relid FROM unnest($2::oid[]) AS p(oid), pg_partition_tree(p.oid) AS tree WHERE tree.isleaf) l
       JOIN pg_class c ON c.oid = l.relid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid
      ORDER BY l.root, n.nspname, c.relname`,
    [oids, partitioned],
  );
  return groupBy(rows, (row) => row.root);
}

function toLeaf(row: LeafRow, label: string): LeafDescription {
  if (row.relkind !== "r") {
    throw new Error(`partition ${row.schema}.${row.name} of ${label} is not an ordinary table (relkind ${row.relkind})`);
  }
  const pages = Number(row.pages);
  // reltuples is -1 until the first VACUUM/ANALYZE (PostgreSQL 14+; 0 before, with relpages 0).
  const neverAnalyzed = row.reltuples < 0 || (row.reltuples === 0 && pages > 0);
  return {
    name: { schema: row.schema, name: row.name },
    oid: row.oid,
    estimatedRows: neverAnalyzed ? Number(row.n_live_tup ?? 0) : Math.round(row.reltuples),
    rowsFromFallback: neverAnalyzed,
    pages,
    sizeBytes: Number(row.size_bytes),
  };
}

async function columnsByTable(client: Queryable, oids: number[]): Promise<Map<number, ColumnDescription[]>> {
  const { rows } = await client.query<{
    attrelid: number;
    attnum: number;
    name: string;
    type: string;
    type_oid: number;
    attnotnull: boolean;
    attgenerated: string;
    attidentity: string;
    expr: string | null;
    collation: string | null;
  }>(
    `SELECT a.attrelid::int AS attrelid, a.attnum::int AS attnum, a.attname AS name,
            format_type(a.atttypid, a.atttypmod) AS type,
            a.atttypid::int AS type_oid, a.attnotnull, a.attgenerated::text AS attgenerated,
            a.attidentity::text AS attidentity, pg_get_expr(d.adbin, d.adrelid) AS expr,
            CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
                 THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END AS collation
       FROM pg_attribute a
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_collation co ON co.oid = a.attcollation
       LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attrelid, a.attnum`,
    [oids],
  );
  const columns = new Map<number, ColumnDescription[]>();
  for (const row of rows) {
    const generatedKind = row.attgenerated === "s" ? "stored" : row.attgenerated === "v" ? "virtual" : null;
    const list = columns.get(row.attrelid) ?? [];
    columns.set(row.attrelid, list);
    list.push({
      name: row.name,
      attnum: row.attnum,
      type: row.type,
      typeOid: row.type_oid,
      collation: row.collation,
      notNull: row.attnotnull,
      generated: generatedKind ? { kind: generatedKind, expression: row.expr ?? "" } : null,
      identity: row.attidentity === "a" ? "always" : row.attidentity === "d" ? "by default" : null,
      defaultExpression: generatedKind ? null : row.expr,
      isArray: false,
      userType: null,
    });
  }
  return columns;
}

/** Primary key and replica identity index columns of each table, in key order. */
async function keyColumnsByTable(client: Queryable, oids: number[]): Promise<Map<number, { primary: string[]; replident: string[] }>> {
  const { rows } = await client.query<{ relid: number; name: string; primary: boolean; replident: boolean }>(
    `SELECT i.indrelid::int AS relid, a.attname AS name, i.indisprimary AS primary, i.indisreplident AS replident
       FROM pg_index i
       CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = ANY($1::oid[]) AND (i.indisprimary OR i.indisreplident)
      ORDER BY i.indrelid, i.indexrelid, k.ord`,
    [oids],
  );
  const keys = new Map<number, { primary: string[]; replident: string[] }>();
  for (const row of rows) {
    const key = keys.get(row.relid) ?? { primary: [], replident: [] };
    keys.set(row.relid, key);
    if (row.primary) key.primary.push(row.name);
    if (row.replident) key.replident.push(row.name);
  }
  return keys;
}

function groupBy<T>(rows: T[], key: (row: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const row of rows) {
    const list = groups.get(key(row)) ?? [];
    groups.set(key(row), list);
    list.push(row);
  }
  return groups;
}

/** Columns the initial load copies: not generated (COPY cannot write those) and not excluded. */
export function copiedColumns(table: TableDescription, excludeColumns: string[] = []): ColumnDescription[] {
  const excluded = new Set(excludeColumns);
  return table.columns.filter((c) => !c.generated && !excluded.has(c.name));
}
