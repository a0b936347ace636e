import type { Queryable } from "@/lib/pg/introspect/queryable";
import { quoteQualified } from "@/lib/pg/quote";
import type { QualifiedName, TableMapping } from "@/lib/mirrors/table-mapping";
import { NameMap } from "@/lib/pg/schema-objects/name-map";

/**
 * Sequences of a set of tables, and bringing a target's sequences up to a source's. Values travel as
 * text: a bigint sequence may pass 2^53.
 */

/** A source sequence that a mirrored table's column owns (serial, identity) or calls in its default (nextval). */
export interface TableSequence {
  sequence: QualifiedName;
  table: QualifiedName;
  column: string;
  /** owned: the column owns it (serial/identity); default: only its default calls nextval on it. */
  kind: "owned" | "default";
}

export interface SequenceValue {
  lastValue: string;
  isCalled: boolean;
}

/** What happened to one sequence. */
export interface SequenceSyncResult {
  /** The source sequence, "schema.name". */
  source: string;
  /** The target sequence, or null when the target has none for it. */
  target: string | null;
  /** The source's last_value (null when it could not be read). */
  sourceValue: string | null;
  /** The target's last_value after the sync (null when there is no target sequence). */
  targetValue: string | null;
  /** set: moved to the source's value + margin; ahead: the target was already there or further (never moved back); missing; error. */
  status: "set" | "ahead" | "missing" | "error";
  message?: string;
}

/**
 * Lists the sequences of `tables` on `client` (the source): owned by one of their columns, or used by
 * one of their column defaults (or their partitions', listed under the table). A sequence both owned and
 * used in defaults is listed once, as owned. Tables that do not exist are left out. Read-only.
 */
export async function listTableSequences(client: Queryable, tables: QualifiedName[]): Promise<TableSequence[]> {
  if (!tables.length) return [];
  const { rows } = await client.query<{ seq_schema: string; seq_name: string; table_schema: string; table_name: string; column_name: string; kind: "owned" | "default" }>(
    `WITH roots AS (
       SELECT c.oid AS relid, n.nspname AS table_schema, c.relname AS table_name
       FROM unnest($1::text[], $2::text[]) AS w(schema_name, table_name)
       JOIN pg_namespace n ON n.nspname = w.schema_name
       JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = w.table_name
     ), t AS (
       -- A partitioned table's partitions have defaults of their own: their sequences count as the root's.
       SELECT relid, table_schema, table_name FROM roots
       UNION
       SELECT p.relid, roots.table_schema, roots.table_name FROM roots, LATERAL pg_partition_tree(roots.relid) p WHERE p.relid <> roots.relid
     ), uses AS (
       SELECT t.table_schema, t.table_name, a.attname AS column_name, d.objid AS seqid, 'owned' AS kind
       FROM t
       JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = t.relid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
       JOIN pg_attribute a ON a.attrelid = t.relid AND a.attnum = d.refobjsubid
       UNION ALL
       SELECT t.table_schema, t.table_name, a.attname, d.refobjid, 'default'
       FROM t
       JOIN pg_attrdef ad ON ad.adrelid = t.relid
       JOIN pg_attribute a ON a.attrelid = t.relid AND a.attnum = ad.adnum
       JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid AND d.refclassid = 'pg_class'::regclass
     )
     SELECT DISTINCT ON (u.seqid) sn.nspname AS seq_schema, s.relname AS seq_name, u.table_schema, u.table_name, u.column_name, u.kind
     FROM uses u
     JOIN pg_class s ON s.oid = u.seqid AND s.relkind = 'S'
     JOIN pg_namespace sn ON sn.oid = s.relnamespace
     ORDER BY u.seqid, u.kind DESC, u.table_schema, u.table_name, u.column_name`,
    [tables.map((t) => t.schema), tables.map((t) => t.name)],
  );
  return rows
    .map((r) => ({
      sequence: { schema: r.seq_schema, name: r.seq_name },
      table: { schema: r.table_schema, name: r.table_name },
      column: r.column_name,
      kind: r.kind,
    }))
    .sort((a, b) => label(a.sequence).localeCompare(label(b.sequence)));
}

/** A sequence's last_value and is_called. Needs SELECT on it. */
export async function readSequence(client: Queryable, sequence: QualifiedName): Promise<SequenceValue> {
  const { rows } = await client.query<{ last_value: string; is_called: boolean }>(
    `SELECT last_value::text AS last_value, is_called FROM ${quoteQualified(sequence.schema, sequence.name)}`,
  );
  return { lastValue: rows[0].last_value, isCalled: rows[0].is_called };
}

/**
 * Where a source sequence lives on the target: for an owned one, the sequence the target column owns
 * (its name may differ, e.g. an identity created anew); else, or when the column owns none, where the
 * target's schema step put it (NameMap: the same name, in the schema its source schema's tables moved to).
 * Null when absent.
 */
export async function findTargetSequence(target: Queryable, use: TableSequence, mapping: SequenceMapping, names: NameMap): Promise<QualifiedName | null> {
  if (use.kind === "owned") {
    const { rows } = await target.query<{ schema: string; name: string }>(
      `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.oid = (SELECT pg_get_serial_sequence(to_regclass($1)::text, $2)::regclass)`,
      [quoteQualified(mapping.target.schema, mapping.target.name), use.column],
    ).catch(() => ({ rows: [] as { schema: string; name: string }[] }));
    if (rows.length) return rows[0];
  }
  const { schema } = names.object(use.sequence);
  const { rows } = await target.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind = 'S') AS found`,
    [schema, use.sequence.name],
  );
  return rows[0].found ? { schema, name: use.sequence.name } : null;
}

/** What the sync needs of a mirror's table mapping. */
export type SequenceMapping = Pick<TableMapping, "source" | "target">;

export interface SequenceSyncOptions {
  /** Added to each source value. Default: 0. */
  margin?: bigint;
  /** Throw the first sequence's error instead of reporting it and going on (the end of a load). Default: false. */
  throwOnError?: boolean;
}

/**
 * Sets every target sequence of `mapping`'s tables to its source sequence's last_value + `margin`
 * (with the source's is_called), never moving one back: a target sequence already at or past that
 * position is left as it is ("ahead"). One result per source sequence; a sequence that fails is reported
 * (status error) and the others still run, unless `throwOnError`. Idempotent. The one sequence sync of
 * pgferry: the end of a copy-only load, the cutover, and `POST …/sequences/sync`.
 */
export async function syncSequences(source: Queryable, target: Queryable, mapping: SequenceMapping[], options: SequenceSyncOptions = {}): Promise<SequenceSyncResult[]> {
  const margin = options.margin ?? 0n;
  const names = new NameMap(mapping);
  const uses = await listTableSequences(source, mapping.map((m) => m.source));
  const results: SequenceSyncResult[] = [];
  for (const use of uses) {
    const table = mapping.find((m) => m.source.schema === use.table.schema && m.source.name === use.table.name)!;
    const result: SequenceSyncResult = { source: label(use.sequence), target: null, sourceValue: null, targetValue: null, status: "error" };
    results.push(result);
    try {
      const from = await readSequence(source, use.sequence).catch((error: { code?: string }) => {
        // Not pgferry's to read: reported, never fatal, even at the end of a load.
        if (error.code !== "42501") throw error;
        return null;
      });
      if (!from) {
        result.message = `pgferry's source user may not read ${label(use.sequence)} (GRANT SELECT ON SEQUENCE ${quoteQualified(use.sequence.schema, use.sequence.name)} TO that user).`;
        continue;
      }
      result.sourceValue = from.lastValue;
      const onTarget = await findTargetSequence(target, use, table, names);
      if (!onTarget) {
        result.status = "missing";
        result.message = `The target has no sequence for ${label(use.table)}.${use.column}; create it (or build the target's objects) and sync again.`;
        continue;
      }
      result.target = label(onTarget);
      const { rows } = await target.query<{ last_value: string; moved: boolean }>(
        `WITH s AS (
           SELECT last_value, is_called, (SELECT seqincrement FROM pg_sequence WHERE seqrelid = $1::regclass) AS inc
           FROM ${quoteQualified(onTarget.schema, onTarget.name)}
         ), wanted AS (SELECT $2::bigint AS value, $3::boolean AS called)
         SELECT CASE WHEN behind THEN setval($1::regclass, wanted.value, wanted.called) ELSE s.last_value END::text AS last_value, behind AS moved
         FROM s, wanted, LATERAL (SELECT
           -- Compare the next values each would hand out; numeric, since last_value + increment may pass the bigint range.
           sign(s.inc) * ((CASE WHEN s.is_called THEN s.last_value::numeric + s.inc ELSE s.last_value END)
                          - (CASE WHEN wanted.called THEN wanted.value::numeric + s.inc ELSE wanted.value END)) < 0 AS behind) b`,
        [quoteQualified(onTarget.schema, onTarget.name), (BigInt(from.lastValue) + margin).toString(), from.isCalled],
      );
      result.targetValue = rows[0].last_value;
      result.status = rows[0].moved ? "set" : "ahead";
    } catch (error) {
      if (options.throwOnError) throw error;
      result.status = "error";
      result.message = (error as Error).message;
    }
  }
  return results;
}

function label(name: QualifiedName): string {
  return `${name.schema}.${name.name}`;
}
