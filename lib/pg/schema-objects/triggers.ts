import type { Queryable } from "@/lib/pg/describe-session";
import { quoteIdent } from "@/lib/pg/quote";
import { replaceAfter } from "./name-map";

/** A user trigger on a selected table (or a reproduced view). */
export interface TriggerObject {
  oid: number;
  name: string;
  /** Quoted target table. */
  table: string;
  sql: string | null;
  /** ALTER TABLE … ENABLE ALWAYS / ENABLE REPLICA / DISABLE, when the source's trigger is not in the default state. */
  stateSql: string | null;
  skipReason: string | null;
}

/**
 * User triggers (not internal ones, not a partition's clone of its parent's) of `relations`.
 * `relations` maps each relation's oid to its printed source name and quoted target name.
 * Must run inside withCatalogSearchPath.
 */
export async function readTriggers(client: Queryable, relations: Map<number, { printed: string; target: string }>): Promise<TriggerObject[]> {
  const { rows } = await client.query<{ oid: number; name: string; table_oid: number; def: string; enabled: string }>(
    `SELECT t.oid::int AS oid, t.tgname AS name, t.tgrelid::int AS table_oid, pg_get_triggerdef(t.oid) AS def, t.tgenabled::text AS enabled
       FROM pg_trigger t
      WHERE t.tgrelid = ANY($1::oid[]) AND NOT t.tgisinternal
        AND COALESCE((to_jsonb(t) ->> 'tgparentid')::oid, 0) = 0
      ORDER BY t.tgrelid, t.tgname`,
    [[...relations.keys()]],
  );
  return rows.map((row) => {
    const relation = relations.get(row.table_oid) as { printed: string; target: string };
    const sql = replaceAfter(row.def, " ON ", `${relation.printed} `, `${relation.target} `);
    const state = { D: "DISABLE", A: "ENABLE ALWAYS", R: "ENABLE REPLICA" }[row.enabled];
    return {
      oid: row.oid,
      name: row.name,
      table: relation.target,
      sql,
      stateSql: state ? `ALTER TABLE ${relation.target} ${state} TRIGGER ${quoteIdent(row.name)}` : null,
      skipReason: sql ? null : `its definition could not be adapted to the target's names: ${row.def}`,
    };
  });
}

/** Whether the target table has a trigger of that name. */
export async function triggerExists(target: Queryable, trigger: TriggerObject): Promise<boolean> {
  const { rows } = await target.query<{ found: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = pg_catalog.to_regclass($1) AND tgname = $2) AS found",
    [trigger.table, trigger.name],
  );
  return rows[0].found;
}
