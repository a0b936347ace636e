import type pg from "pg";
import type { TableMapping } from "@/lib/mirrors/table-mapping";
import { quoteIdent, quoteQualified } from "@/lib/pg/quote";
import type { RelationName } from "@/lib/pg/schema-objects/name-map";
import { readRoleNames } from "@/lib/pg/schema-objects/privileges";
import { applicablePrivileges, privilegePlans } from "@/workers/schema/privilege-plans";
import { type PostDataObjects, readPostData } from "@/workers/schema/read-post-data";

/** One finding of the object pre-flight: which object, and why. */
export interface ObjectFinding {
  object: string;
  reason: string;
}

export interface ObjectPreflight {
  /** What would make the objects step fail or build the wrong thing: the cutover must not start. */
  blockers: ObjectFinding[];
  /** Objects the build will skip (it reports them too): listed, not blocking. */
  warnings: ObjectFinding[];
  /** Extensions the build will create on the target. */
  extensionsToCreate: string[];
}

/** A relation-level name the build creates: an index, a constraint's index, a view. */
interface PlannedName {
  object: string;
  name: RelationName;
  /** For an index: the target table it belongs to (an index of that name on it is the same object, built before). */
  table: RelationName | null;
  /** For a view: the relkind an existing relation of that name must have to count as built. */
  relkind: "v" | "m" | null;
}

/**
 * What the objects step would run into on the target, read without building anything: missing
 * extensions, names the target already uses for something else, and (with `reproduceGrants`) roles
 * that do not exist there. The build treats an existing name as "already built", so a name taken by a
 * different object would silently leave the object out; here it blocks instead. Read-only on both sides;
 * the clients must be idle.
 */
export async function checkObjects(source: pg.Client, target: pg.Client, mapping: TableMapping[], options: { reproduceGrants: boolean }): Promise<ObjectPreflight> {
  const objects = await readPostData(source, mapping);
  const blockers: ObjectFinding[] = [];
  const warnings = skippedObjects(objects);
  const extensionsToCreate: string[] = [];

  for (const need of objects.extensions) {
    const { rows } = await target.query<{ installed: boolean; available: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = $1) AS installed,
              EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = $1) AS available`,
      [need.name],
    );
    if (rows[0].installed) continue;
    if (rows[0].available) extensionsToCreate.push(need.name);
    else blockers.push({ object: `extension ${quoteIdent(need.name)}`, reason: "needed by the mirrored objects but not available on the target server; install its package there" });
  }

  const planned = plannedNames(objects);
  blockers.push(...duplicates(planned));
  blockers.push(...(await takenNames(target, planned)));
  blockers.push(...(await takenConstraintNames(target, objects)));

  if (options.reproduceGrants) {
    const roles = await readRoleNames(target);
    for (const plan of privilegePlans(objects)) {
      for (const { what, role } of applicablePrivileges(plan, roles).missing) warnings.push({ object: what, reason: `role ${quoteIdent(role)} does not exist on the target` });
    }
  }
  return { blockers, warnings, extensionsToCreate };
}

/** What the build skips by itself: objects depending on something not selected, definitions it cannot retarget. */
function skippedObjects(objects: PostDataObjects): ObjectFinding[] {
  const found: ObjectFinding[] = [];
  for (const fn of objects.functions) if (fn.skipReason) found.push({ object: `${fn.kind} ${fn.signature}`, reason: fn.skipReason });
  for (const view of objects.views) if (view.skipReason) found.push({ object: `${view.materialized ? "materialized view" : "view"} ${view.printed}`, reason: view.skipReason });
  for (const index of objects.indexes) if (!index.sql) found.push({ object: `index ${quoteQualified(index.target.schema, index.name)}`, reason: "its definition could not be adapted to the target's names" });
  for (const c of objects.constraints) if (c.skipReason) found.push({ object: `constraint ${quoteIdent(c.name)} on ${c.table}`, reason: c.skipReason });
  return found;
}

function plannedNames(objects: PostDataObjects): PlannedName[] {
  const { selection, views, indexes, constraints } = objects;
  const tables = new Map<number, RelationName>(selection.relations.map((r) => [r.oid, selection.names.object(r.source)]));
  for (const view of views) tables.set(view.oid, view.source);
  const planned: PlannedName[] = [];
  for (const view of views.filter((v) => !v.skipReason)) {
    planned.push({ object: `${view.materialized ? "materialized view" : "view"} ${view.printed}`, name: view.source, table: null, relkind: view.materialized ? "m" : "v" });
  }
  for (const index of indexes.filter((i) => i.sql)) {
    planned.push({ object: `index ${quoteQualified(index.target.schema, index.name)}`, name: index.target, table: tables.get(index.tableOid) ?? null, relkind: null });
  }
  for (const c of constraints.filter((c) => !c.skipReason && (c.kind === "unique" || c.kind === "exclusion"))) {
    const table = tables.get(c.tableOid) ?? null;
    if (!table) continue;
    planned.push({ object: `constraint ${quoteIdent(c.name)} on ${c.table}`, name: { schema: table.schema, name: c.indexName ?? c.name }, table, relkind: null });
  }
  return planned;
}

/** Two source objects that land on one target name (source schemas merged into one target schema). */
function duplicates(planned: PlannedName[]): ObjectFinding[] {
  const seen = new Map<string, PlannedName>();
  const found: ObjectFinding[] = [];
  for (const p of planned) {
    const key = quoteQualified(p.name.schema, p.name.name);
    const first = seen.get(key);
    if (first) found.push({ object: p.object, reason: `would be named ${key} on the target, like ${first.object}` });
    else seen.set(key, p);
  }
  return found;
}

/** Planned names the target already uses for a different relation (a table, or an index of another table). */
async function takenNames(target: pg.Client, planned: PlannedName[]): Promise<ObjectFinding[]> {
  if (planned.length === 0) return [];
  const { rows } = await target.query<{ i: string; relkind: string; table_schema: string | null; table_name: string | null }>(
    `SELECT w.i::text AS i, c.relkind::text AS relkind, tn.nspname AS table_schema, t.relname AS table_name
       FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS w(s, n, i)
       JOIN pg_catalog.pg_namespace n ON n.nspname = w.s
       JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = w.n
       LEFT JOIN pg_catalog.pg_index x ON x.indexrelid = c.oid
       LEFT JOIN pg_catalog.pg_class t ON t.oid = x.indrelid
       LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace`,
    [planned.map((p) => p.name.schema), planned.map((p) => p.name.name)],
  );
  const found: ObjectFinding[] = [];
  for (const row of rows) {
    const p = planned[Number(row.i) - 1];
    const name = quoteQualified(p.name.schema, p.name.name);
    if (p.relkind) {
      if (row.relkind !== p.relkind) found.push({ object: p.object, reason: `the name ${name} is taken on the target by a ${RELKINDS[row.relkind] ?? "relation"}` });
      continue;
    }
    const isIndex = row.relkind === "i" || row.relkind === "I";
    const sameTable = isIndex && p.table !== null && row.table_schema === p.table.schema && row.table_name === p.table.name;
    if (sameTable) continue; // built before (post-data after the load, or an earlier cutover)
    const owner = isIndex && row.table_schema !== null && row.table_name !== null ? ` on ${quoteQualified(row.table_schema, row.table_name)}` : "";
    found.push({ object: p.object, reason: `the name ${name} is taken on the target by ${isIndex ? `an index${owner}` : `a ${RELKINDS[row.relkind] ?? "relation"}`}` });
  }
  return found;
}

const RELKINDS: Record<string, string> = { r: "table", p: "partitioned table", v: "view", m: "materialized view", S: "sequence", f: "foreign table", i: "index", I: "index", c: "type" };
const CONTYPES: Record<string, string> = { c: "check", f: "foreign key", p: "primary key", u: "unique", x: "exclusion", t: "trigger" };
const KIND_TYPE = { unique: "u", exclusion: "x", check: "c", foreign_key: "f" } as const;

/** Constraints whose name the target table already gives to a constraint of another kind. */
async function takenConstraintNames(target: pg.Client, objects: PostDataObjects): Promise<ObjectFinding[]> {
  const wanted = objects.constraints.filter((c) => !c.skipReason);
  if (wanted.length === 0) return [];
  const { rows } = await target.query<{ i: string; contype: string }>(
    `SELECT w.i::text AS i, c.contype::text AS contype
       FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS w(t, n, i)
       JOIN pg_catalog.pg_constraint c ON c.conrelid = pg_catalog.to_regclass(w.t) AND c.conname = w.n`,
    [wanted.map((c) => c.table), wanted.map((c) => c.name)],
  );
  const found: ObjectFinding[] = [];
  for (const row of rows) {
    const c = wanted[Number(row.i) - 1];
    if (row.contype !== KIND_TYPE[c.kind]) found.push({ object: `constraint ${quoteIdent(c.name)} on ${c.table}`, reason: `the table already has a ${CONTYPES[row.contype] ?? "different"} constraint of that name` });
  }
  return found;
}
