import type { Queryable } from "@/lib/pg/describe-session";
import { quoteIdent } from "@/lib/pg/quote";
import { replaceAfter } from "./name-map";
import { retargetIndexDef } from "./indexes";
import type { Selection } from "./selection";

/** A unique, exclusion, check or foreign-key constraint of a selected table. */
export interface ConstraintObject {
  oid: number;
  name: string;
  kind: "unique" | "exclusion" | "check" | "foreign_key";
  tableOid: number;
  /** Quoted target table. */
  table: string;
  tablePartitioned: boolean;
  /** As pg_get_constraintdef prints it, referenced table retargeted. */
  definition: string;
  /** Unique on an ordinary table: the CREATE UNIQUE INDEX to build first (then ADD CONSTRAINT … USING INDEX). */
  indexSql: string | null;
  /** The name of that index (on the source; usually the constraint's). */
  indexName: string | null;
  /** The source already has it NOT VALID: add it so, and do not validate. */
  notValid: boolean;
  skipReason: string | null;
  tableBytes: number;
}

const KINDS: Record<string, ConstraintObject["kind"]> = { u: "unique", x: "exclusion", c: "check", f: "foreign_key" };

/**
 * Constraints defined on the selected tables and their partitions themselves (copies a partition
 * inherits come with the parent's). Must run inside withCatalogSearchPath.
 */
export async function readConstraints(client: Queryable, selection: Selection): Promise<ConstraintObject[]> {
  const { rows } = await client.query<{ oid: number; name: string; contype: string; table_oid: number; def: string; index_def: string | null; index_name: string | null; ref_oid: number | null; ref_name: string | null; validated: boolean; bytes: string }>(
    `SELECT c.oid::int AS oid, c.conname AS name, c.contype::text AS contype, c.conrelid::int AS table_oid,
            pg_get_constraintdef(c.oid) AS def,
            CASE WHEN c.contype = 'u' THEN pg_get_indexdef(c.conindid) END AS index_def,
            CASE WHEN c.contype = 'u' THEN (SELECT relname FROM pg_class WHERE oid = c.conindid) END AS index_name,
            NULLIF(c.confrelid, 0)::int AS ref_oid, NULLIF(c.confrelid, 0)::regclass::text AS ref_name, c.convalidated AS validated,
            pg_total_relation_size(c.conrelid)::text AS bytes
       FROM pg_constraint c
      WHERE c.conrelid = ANY($1::oid[]) AND c.contype IN ('u', 'x', 'c', 'f')
        AND c.conislocal AND (to_jsonb(c) ->> 'conparentid')::oid IS NOT DISTINCT FROM 0
      ORDER BY c.contype = 'f', c.oid`,
    [selection.relations.map((r) => r.oid)],
  );
  return rows.map((row) => {
    const relation = selection.byOid.get(row.table_oid);
    if (!relation) throw new Error(`constraint ${row.name} is on a relation that is not selected`);
    const table = selection.names.quoted(relation.source);
    let definition: string | null = row.def;
    let skipReason: string | null = null;
    if (row.contype === "f") {
      const referenced = row.ref_oid === null ? undefined : selection.byOid.get(row.ref_oid);
      if (!referenced) {
        skipReason = `references table ${row.ref_name}, which is not selected`;
      } else {
        definition = replaceAfter(row.def, "REFERENCES ", `${referenced.printed}(`, `${selection.names.quoted(referenced.source)}(`);
      }
    }
    const indexSql = row.contype === "u" && !relation.partitioned && row.index_def ? retargetIndexDef(row.index_def, relation.printed, table, false) : null;
    if (!skipReason && (definition === null || (row.contype === "u" && !relation.partitioned && !indexSql))) {
      skipReason = `its definition could not be adapted to the target's names: ${row.def}`;
    }
    return {
      oid: row.oid,
      name: row.name,
      kind: KINDS[row.contype],
      tableOid: row.table_oid,
      table,
      tablePartitioned: relation.partitioned,
      definition: definition ?? row.def,
      indexSql,
      indexName: row.index_name,
      notValid: !row.validated,
      skipReason,
      tableBytes: Number(row.bytes),
    };
  });
}

/** Whether the target table already has a constraint of that name. */
export async function constraintExists(target: Queryable, constraint: ConstraintObject): Promise<boolean> {
  const { rows } = await target.query<{ found: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = pg_catalog.to_regclass($1) AND conname = $2) AS found",
    [constraint.table, constraint.name],
  );
  return rows[0].found;
}

/** ADD CONSTRAINT … UNIQUE USING INDEX, keeping DEFERRABLE / INITIALLY DEFERRED. */
export function uniqueUsingIndexSql(constraint: ConstraintObject): string {
  const deferrable = / (DEFERRABLE(?: INITIALLY (?:DEFERRED|IMMEDIATE))?)/.exec(constraint.definition)?.[1];
  const index = quoteIdent(constraint.indexName ?? constraint.name);
  return `ALTER TABLE ${constraint.table} ADD CONSTRAINT ${quoteIdent(constraint.name)} UNIQUE USING INDEX ${index}${deferrable ? ` ${deferrable}` : ""}`;
}

/** ADD CONSTRAINT with the source's definition; foreign keys NOT VALID (validated separately) unless partitioned. */
export function addConstraintSql(constraint: ConstraintObject, { notValid }: { notValid: boolean }): string {
  const suffix = notValid && !constraint.notValid ? " NOT VALID" : "";
  return `ALTER TABLE ${constraint.table} ADD CONSTRAINT ${quoteIdent(constraint.name)} ${constraint.definition}${suffix}`;
}

export function validateConstraintSql(constraint: ConstraintObject): string {
  return `ALTER TABLE ${constraint.table} VALIDATE CONSTRAINT ${quoteIdent(constraint.name)}`;
}
