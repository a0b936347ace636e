import type { Queryable } from "@/lib/pg/describe-session";
import { quoteLiteral } from "@/lib/pg/quote";
import { type Selection, selectedOids } from "./selection";

/** A function, procedure or aggregate to recreate; it keeps its schema and name (its body cannot follow a rename). */
export interface FunctionObject {
  oid: number;
  kind: "function" | "procedure" | "aggregate";
  /** `public.total(integer)`: how COMMENT ON and the skip list name it. */
  signature: string;
  /** Unquoted schema name. */
  schema: string;
  /** CREATE OR REPLACE FUNCTION/PROCEDURE or CREATE AGGREGATE text; null when pgferry cannot recreate it. */
  sql: string | null;
  /** Why it is not recreated (an aggregate kind pgferry does not rebuild, a relation not selected). */
  skipReason: string | null;
}

/**
 * The functions, procedures and aggregates that belong with the selected tables: those in the
 * selected tables' schemas (not installed by an extension), and those the tables' defaults,
 * constraints, indexes and triggers call, wherever they live. Ordered by creation (oid), aggregates
 * last. Must run inside withCatalogSearchPath.
 */
export async function readFunctions(client: Queryable, selection: Selection): Promise<FunctionObject[]> {
  const schemas = [...new Set(selection.relations.filter((r) => r.parentOid === null).map((r) => r.source.schema))];
  const { rows } = await client.query<{
    oid: number;
    prokind: string;
    schema: string;
    signature: string;
    def: string | null;
    aggkind: string | null;
    sfunc: string | null;
    stype: string | null;
    finalfunc: string | null;
    combinefunc: string | null;
    initval: string | null;
    args: string;
    relations: string[];
  }>(
    `WITH used AS (
       SELECT d.refobjid AS oid FROM pg_depend d
        WHERE d.refclassid = 'pg_proc'::regclass AND (
              (d.classid = 'pg_attrdef'::regclass AND d.objid IN (SELECT oid FROM pg_attrdef WHERE adrelid = ANY($1::oid[])))
           OR (d.classid = 'pg_constraint'::regclass AND d.objid IN (SELECT oid FROM pg_constraint WHERE conrelid = ANY($1::oid[])))
           OR (d.classid = 'pg_class'::regclass AND d.objid IN (SELECT indexrelid FROM pg_index WHERE indrelid = ANY($1::oid[])))
           OR (d.classid = 'pg_trigger'::regclass AND d.objid IN (SELECT oid FROM pg_trigger WHERE tgrelid = ANY($1::oid[]) AND NOT tgisinternal)))
     ), candidates AS (
       SELECT p.oid FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ANY($2::text[])
       UNION SELECT oid FROM used
     )
     SELECT p.oid::int AS oid, p.prokind::text AS prokind, n.nspname AS schema,
            p.oid::regprocedure::text AS signature,
            CASE WHEN p.prokind IN ('f', 'p') THEN pg_get_functiondef(p.oid) END AS def,
            a.aggkind::text AS aggkind, a.aggtransfn::regproc::text AS sfunc, format_type(a.aggtranstype, NULL) AS stype,
            NULLIF(a.aggfinalfn::oid, 0)::regproc::text AS finalfunc, NULLIF(a.aggcombinefn::oid, 0)::regproc::text AS combinefunc,
            a.agginitval AS initval, pg_get_function_arguments(p.oid) AS args,
            ARRAY(SELECT DISTINCT dc.relname::text || '@' || dc.oid::text
                    FROM pg_depend d
                    LEFT JOIN pg_type dt ON d.refclassid = 'pg_type'::regclass AND dt.oid = d.refobjid
                    JOIN pg_class dc ON dc.oid = CASE WHEN d.refclassid = 'pg_class'::regclass THEN d.refobjid ELSE dt.typrelid END
                   WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND dc.relkind IN ('r', 'p', 'v', 'm', 'f')) AS relations
       FROM candidates
       JOIN pg_proc p ON p.oid = candidates.oid
       JOIN pg_namespace n ON n.oid = p.pronamespace
       LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype = 'e')
      ORDER BY p.prokind = 'a', p.oid`,
    [selectedOids(selection), schemas],
  );
  return rows.map((row) => {
    const kind = row.prokind === "a" ? "aggregate" : row.prokind === "p" ? "procedure" : "function";
    const base = { oid: row.oid, kind, signature: row.signature } as const;
    const foreign = row.relations.map((r) => ({ name: r.slice(0, r.lastIndexOf("@")), oid: Number(r.slice(r.lastIndexOf("@") + 1)) })).find((r) => !selection.byOid.has(r.oid));
    const schema = row.schema;
    if (foreign) return { ...base, schema, sql: null, skipReason: `uses relation ${foreign.name}, which is not selected` };
    if (row.prokind === "w") return { ...base, schema, sql: null, skipReason: "window functions are not recreated" };
    if (row.prokind !== "a") return { ...base, schema, sql: row.def, skipReason: null };
    if (row.aggkind !== "n") return { ...base, schema, sql: null, skipReason: "ordered-set and hypothetical-set aggregates are not recreated" };
    const name = row.signature.slice(0, row.signature.indexOf("("));
    const options = [`SFUNC = ${row.sfunc}`, `STYPE = ${row.stype}`];
    if (row.finalfunc) options.push(`FINALFUNC = ${row.finalfunc}`);
    if (row.combinefunc) options.push(`COMBINEFUNC = ${row.combinefunc}`);
    if (row.initval !== null) options.push(`INITCOND = ${quoteLiteral(row.initval)}`);
    return { ...base, schema, sql: `CREATE AGGREGATE ${name}(${row.args}) (${options.join(", ")})`, skipReason: null };
  });
}

/** Whether the target already has the function (by its signature). */
export async function functionExists(target: Queryable, fn: FunctionObject): Promise<boolean> {
  const { rows } = await target.query<{ found: boolean }>("SELECT pg_catalog.to_regprocedure($1) IS NOT NULL AS found", [fn.signature]);
  return rows[0].found;
}
