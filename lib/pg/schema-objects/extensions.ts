import type { Queryable } from "@/lib/pg/describe-session";
import { quoteIdent } from "@/lib/pg/quote";
import { type Selection, selectedOids } from "./selection";

/** An extension whose objects (types, functions, operator classes) the selected objects use. */
export interface ExtensionNeed {
  name: string;
  schema: string;
}

/**
 * Extensions used by the selected tables (column types, defaults, constraints, indexes, triggers),
 * by `functionOids` and by the views `viewOids`. Must run inside withCatalogSearchPath.
 */
export async function readExtensionNeeds(client: Queryable, selection: Selection, functionOids: number[], viewOids: number[]): Promise<ExtensionNeed[]> {
  const { rows } = await client.query<{ name: string; schema: string }>(
    `WITH objs AS (
       SELECT 'pg_class'::regclass AS classid, o AS objid FROM unnest($1::oid[]) o
       UNION ALL SELECT 'pg_class'::regclass, o FROM unnest($3::oid[]) o
       UNION ALL SELECT 'pg_class'::regclass, indexrelid FROM pg_index WHERE indrelid = ANY($1::oid[]) OR indrelid = ANY($3::oid[])
       UNION ALL SELECT 'pg_attrdef'::regclass, oid FROM pg_attrdef WHERE adrelid = ANY($1::oid[])
       UNION ALL SELECT 'pg_constraint'::regclass, oid FROM pg_constraint WHERE conrelid = ANY($1::oid[])
       UNION ALL SELECT 'pg_trigger'::regclass, oid FROM pg_trigger WHERE tgrelid = ANY($1::oid[])
       UNION ALL SELECT 'pg_proc'::regclass, o FROM unnest($2::oid[]) o
       UNION ALL SELECT 'pg_rewrite'::regclass, oid FROM pg_rewrite WHERE ev_class = ANY($3::oid[])
     ), refs AS (
       SELECT d.refclassid, d.refobjid FROM objs JOIN pg_depend d ON d.classid = objs.classid AND d.objid = objs.objid
       UNION
       -- An array column depends on the array type; the extension owns its element type.
       SELECT 'pg_type'::regclass, t.typelem FROM objs
         JOIN pg_depend d ON d.classid = objs.classid AND d.objid = objs.objid AND d.refclassid = 'pg_type'::regclass
         JOIN pg_type t ON t.oid = d.refobjid AND t.typelem <> 0
     )
     SELECT DISTINCT e.extname AS name, n.nspname AS schema
       FROM refs
       JOIN pg_depend ed ON ed.classid = refs.refclassid AND ed.objid = refs.refobjid AND ed.deptype = 'e'
                        AND ed.refclassid = 'pg_extension'::regclass
       JOIN pg_extension e ON e.oid = ed.refobjid
       JOIN pg_namespace n ON n.oid = e.extnamespace
      ORDER BY 1`,
    [selectedOids(selection), functionOids, viewOids],
  );
  return rows;
}

/**
 * Creates each needed extension the target lacks, in the schema it has on the source, when the
 * target's server has it available. Idempotent. Returns a message per extension it could not create.
 * Runs in the caller's transaction; each attempt behind a savepoint so one failure spoils nothing.
 */
export async function ensureExtensions(target: Queryable, needs: ExtensionNeed[]): Promise<string[]> {
  const problems: string[] = [];
  for (const need of needs) {
    const { rows } = await target.query<{ installed: boolean; available: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = $1) AS installed,
              EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = $1) AS available`,
      [need.name],
    );
    if (rows[0].installed) continue;
    if (!rows[0].available) {
      problems.push(`extension ${need.name} is used by the selected tables but is not available on the target server; install its package there, then resync`);
      continue;
    }
    await target.query("SAVEPOINT pgferry_extension");
    try {
      await target.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(need.schema)}`);
      await target.query(`CREATE EXTENSION IF NOT EXISTS ${quoteIdent(need.name)} WITH SCHEMA ${quoteIdent(need.schema)}`);
      await target.query("RELEASE SAVEPOINT pgferry_extension");
    } catch (error) {
      await target.query("ROLLBACK TO SAVEPOINT pgferry_extension");
      problems.push(`extension ${need.name} could not be created on the target (${(error as Error).message}); run CREATE EXTENSION ${quoteIdent(need.name)} there as a user allowed to`);
    }
  }
  return problems;
}
