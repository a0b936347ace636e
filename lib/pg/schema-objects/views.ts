import type { Queryable } from "@/lib/pg/describe-session";
import { quoteQualified } from "@/lib/pg/quote";
import type { RelationName } from "./name-map";
import type { Selection } from "./selection";

/** A view or materialized view over selected tables; it keeps its schema and name. */
export interface ViewObject {
  oid: number;
  source: RelationName;
  /** As PostgreSQL prints it in definitions (quote_ident, qualified). */
  printed: string;
  materialized: boolean;
  /** CREATE [MATERIALIZED] VIEW text (a materialized view WITH NO DATA: it is refreshed last). */
  sql: string;
  skipReason: string | null;
}

/**
 * Views and materialized views that read the selected tables (directly or through other such
 * views), each after the views it reads. One that also reads a relation that is not selected, or a
 * selected table that is renamed on the target (the view's text names the source's table), is
 * listed with a skip reason. Must run inside withCatalogSearchPath.
 */
export async function readViews(client: Queryable, selection: Selection): Promise<ViewObject[]> {
  const { rows } = await client.query<{ oid: number; schema: string; name: string; printed: string; relkind: string; def: string; options: string[] | null; refs: string[] }>(
    `WITH RECURSIVE deps AS (
       SELECT r.ev_class AS view, d.refobjid AS rel
         FROM pg_rewrite r JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid AND d.refclassid = 'pg_class'::regclass
        WHERE d.refobjid <> r.ev_class
     ), reach AS (
       SELECT DISTINCT view FROM deps WHERE rel = ANY($1::oid[])
       UNION SELECT deps.view FROM deps JOIN reach ON deps.rel = reach.view
     )
     SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name, quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS printed,
            c.relkind::text AS relkind, pg_get_viewdef(c.oid) AS def, c.reloptions AS options,
            ARRAY(SELECT DISTINCT deps.rel::text || '@' || deps.rel::regclass::text FROM deps WHERE deps.view = c.oid) AS refs
       FROM reach JOIN pg_class c ON c.oid = reach.view AND c.relkind IN ('v', 'm')
       JOIN pg_namespace n ON n.oid = c.relnamespace
      ORDER BY c.oid`,
    [selection.relations.map((r) => r.oid)],
  );
  const viewOids = new Set(rows.map((r) => r.oid));
  const views = rows.map((row): ViewObject & { refs: { oid: number; name: string }[] } => {
    const source = { schema: row.schema, name: row.name };
    const refs = row.refs.map((r) => ({ oid: Number(r.slice(0, r.indexOf("@"))), name: r.slice(r.indexOf("@") + 1) }));
    const foreign = refs.find((r) => !selection.byOid.has(r.oid) && !viewOids.has(r.oid));
    const moved = refs.map((r) => selection.byOid.get(r.oid)).find((r) => r && selection.names.moves(r.source));
    const skipReason = foreign
      ? `reads ${foreign.name}, which is not selected`
      : moved
        ? `reads ${moved.printed}, which has another name on the target (the view's definition names the source's)`
        : null;
    const options = row.options?.length ? ` WITH (${row.options.join(", ")})` : "";
    const body = row.def.trim().replace(/;$/, "");
    const sql =
      row.relkind === "m"
        ? `CREATE MATERIALIZED VIEW ${quoteQualified(row.schema, row.name)}${options} AS ${body} WITH NO DATA`
        : `CREATE VIEW ${quoteQualified(row.schema, row.name)}${options} AS ${body}`;
    return { oid: row.oid, source, printed: row.printed, materialized: row.relkind === "m", sql, skipReason, refs };
  });
  return orderAndPropagate(views);
}

/** Each view after those it reads; a view reading a skipped view is skipped too. */
function orderAndPropagate(views: (ViewObject & { refs: { oid: number; name: string }[] })[]): ViewObject[] {
  const byOid = new Map(views.map((v) => [v.oid, v]));
  const ordered: ViewObject[] = [];
  const placed = new Set<number>();
  const visit = (view: (typeof views)[number], stack: Set<number>) => {
    if (placed.has(view.oid) || stack.has(view.oid)) return;
    stack.add(view.oid);
    for (const ref of view.refs) {
      const dependency = byOid.get(ref.oid);
      if (!dependency) continue;
      visit(dependency, stack);
      if (dependency.skipReason && !view.skipReason) view.skipReason = `reads view ${dependency.printed}, which is skipped`;
    }
    placed.add(view.oid);
    const { refs, ...rest } = view;
    void refs;
    ordered.push(rest);
  };
  for (const view of views) visit(view, new Set());
  return ordered;
}
