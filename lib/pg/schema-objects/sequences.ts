import type { Queryable } from "@/lib/pg/describe-session";
import { quoteIdent, quoteQualified } from "@/lib/pg/quote";
import type { RelationName } from "./name-map";
import { type Selection, selectedOids } from "./selection";

/** A sequence a selected table uses: owned by one of its columns (serial, identity) or named in a default. */
export interface SequenceObject {
  oid: number;
  source: RelationName;
  target: RelationName;
  /** `'public.orders_id_seq'` as a regclass literal prints in the source's default expressions. */
  printedLiteral: string;
  /** `bigint`: CREATE SEQUENCE's AS (an identity's sequence takes its column's type). */
  type: string;
  /** Options as CREATE SEQUENCE and identity columns take them: `START WITH 1 INCREMENT BY 1 …`. */
  options: string;
  /** The owning column: identity ("i") or serial/OWNED BY ("a"). */
  owner: { tableOid: number; column: string; kind: "identity" | "owned" } | null;
}

/**
 * The sequences of the selected tables. Must run inside withCatalogSearchPath. Identity sequences
 * are listed too: their options are re-applied through the identity column.
 */
export async function readSequences(client: Queryable, selection: Selection): Promise<SequenceObject[]> {
  const { rows } = await client.query<{
    oid: number;
    schema: string;
    name: string;
    literal: string;
    type: string;
    start: string;
    increment: string;
    min: string;
    max: string;
    cache: string;
    cycle: boolean;
    owner_table: number | null;
    owner_column: string | null;
    owner_kind: string | null;
  }>(
    `WITH owned AS (
       SELECT d.objid AS seq, d.refobjid AS tbl, a.attname, d.deptype
         FROM pg_depend d
         JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
          AND d.deptype IN ('a', 'i') AND d.refobjid = ANY($1::oid[])
     ), used AS (
       SELECT d.refobjid AS seq
         FROM pg_attrdef ad
         JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid AND d.refclassid = 'pg_class'::regclass
        WHERE ad.adrelid = ANY($1::oid[])
     ), seqs AS (SELECT seq FROM owned UNION SELECT seq FROM used)
     SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name, quote_literal(c.oid::regclass::text) AS literal,
            format_type(s.seqtypid, NULL) AS type, s.seqstart::text AS start, s.seqincrement::text AS increment,
            s.seqmin::text AS min, s.seqmax::text AS max, s.seqcache::text AS cache, s.seqcycle AS cycle,
            o.tbl::int AS owner_table, o.attname AS owner_column, o.deptype::text AS owner_kind
       FROM seqs
       JOIN pg_class c ON c.oid = seqs.seq AND c.relkind = 'S'
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_sequence s ON s.seqrelid = c.oid
       LEFT JOIN owned o ON o.seq = c.oid
      ORDER BY n.nspname, c.relname`,
    [selectedOids(selection)],
  );
  return rows.map((row) => {
    const source = { schema: row.schema, name: row.name };
    return {
      oid: row.oid,
      source,
      target: selection.names.object(source),
      printedLiteral: row.literal,
      type: row.type,
      options:
        `START WITH ${row.start} INCREMENT BY ${row.increment} MINVALUE ${row.min} MAXVALUE ${row.max} ` +
        `CACHE ${row.cache}${row.cycle ? " CYCLE" : " NO CYCLE"}`,
      owner:
        row.owner_table !== null && row.owner_column !== null
          ? { tableOid: row.owner_table, column: row.owner_column, kind: row.owner_kind === "i" ? "identity" : "owned" }
          : null,
    };
  });
}

/** CREATE SEQUENCE for a sequence that is not an identity's (those come with their column). */
export function createSequenceSql(sequence: SequenceObject): string {
  return `CREATE SEQUENCE IF NOT EXISTS ${quoteQualified(sequence.target.schema, sequence.target.name)} AS ${sequence.type} ${sequence.options}`;
}

/** ALTER SEQUENCE … OWNED BY, so dropping the column drops the sequence, as on the source. */
export function ownedBySql(sequence: SequenceObject, table: RelationName): string | null {
  if (sequence.owner?.kind !== "owned") return null;
  return `ALTER SEQUENCE ${quoteQualified(sequence.target.schema, sequence.target.name)} OWNED BY ${quoteQualified(table.schema, table.name)}.${quoteIdent(sequence.owner.column)}`;
}

/** The identity clause for ALTER TABLE … ALTER COLUMN … ADD, with the source sequence's name and options. */
export function identitySql(sequence: SequenceObject, kind: "always" | "by default"): string {
  const name = `SEQUENCE NAME ${quoteQualified(sequence.target.schema, sequence.target.name)}`;
  return `ADD GENERATED ${kind === "always" ? "ALWAYS" : "BY DEFAULT"} AS IDENTITY (${name} ${sequence.options})`;
}
