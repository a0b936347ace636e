import { quoteIdent, quoteQualified } from "@/lib/pg/quote";
import { grantSql, ownerSql, type SourceGrant, type SourcePrivileges } from "@/lib/pg/schema-objects/privileges";
import type { PostDataObjects } from "./read-post-data";

/** Owner and grants of one target object, as statements, with the roles each needs. */
export interface PrivilegePlan {
  /** `table "app"."orders"`, for the mirror's log. */
  label: string;
  /** How to find the object on the target: a relation (to_regclass), a routine (to_regprocedure) or a schema. */
  lookup: { kind: "relation" | "routine" | "schema"; name: string };
  /** ALTER … OWNER TO; null when ownership is not reproduced for this object. */
  owner: { role: string; sql: string } | null;
  /** Run first when the source's ACL is explicit: the target's defaults may grant more (EXECUTE to PUBLIC). */
  revokePublic: string | null;
  grants: { role: string | null; sql: string }[];
}

/**
 * What reproducing the source's owners and grants takes, object by object: the selected tables and
 * their partitions, views, sequences, functions (by the names they have on the target) and schemas
 * that keep their name. Pure.
 *
 * A schema keeps its target owner (it may hold more than the mirror's objects, or be the target's
 * own `public`); its grants are added. A sequence owned by a column keeps following its table's
 * owner, as PostgreSQL requires.
 */
export function privilegePlans(objects: PostDataObjects): PrivilegePlan[] {
  const { selection, views, sequences, functions, privileges } = objects;
  const { names } = selection;
  const byOid = new Map(privileges.filter((p) => p.catalog !== "pg_namespace").map((p) => [`${p.catalog}:${p.objectOid}`, p]));
  const plans: PrivilegePlan[] = [];
  const add = (privilege: SourcePrivileges | undefined, label: string, lookup: PrivilegePlan["lookup"], alter: string | null, on: string, revoke: boolean) => {
    if (!privilege) return;
    plans.push({
      label,
      lookup,
      owner: alter ? { role: privilege.owner, sql: ownerSql(alter, privilege.owner) } : null,
      revokePublic: revoke && privilege.explicit ? `REVOKE ALL ON ${on} FROM PUBLIC` : null,
      grants: privilege.grants.map((grant: SourceGrant) => ({ role: grant.grantee, sql: grantSql(on, grant) })),
    });
  };
  for (const relation of selection.relations) {
    const name = names.quoted(relation.source);
    add(byOid.get(`pg_class:${relation.oid}`), `table ${name}`, { kind: "relation", name }, `TABLE ${name}`, `TABLE ${name}`, true);
  }
  for (const view of views.filter((v) => !v.skipReason)) {
    const name = quoteQualified(view.source.schema, view.source.name);
    const kind = view.materialized ? "MATERIALIZED VIEW" : "VIEW";
    add(byOid.get(`pg_class:${view.oid}`), `${kind.toLowerCase()} ${name}`, { kind: "relation", name }, `${kind} ${name}`, `TABLE ${name}`, true);
  }
  for (const sequence of sequences) {
    const name = quoteQualified(sequence.target.schema, sequence.target.name);
    add(byOid.get(`pg_class:${sequence.oid}`), `sequence ${name}`, { kind: "relation", name }, sequence.owner ? null : `SEQUENCE ${name}`, `SEQUENCE ${name}`, true);
  }
  for (const fn of functions.filter((f) => f.sql)) {
    add(byOid.get(`pg_proc:${fn.oid}`), `${fn.kind} ${fn.signature}`, { kind: "routine", name: fn.signature }, `ROUTINE ${fn.signature}`, `ROUTINE ${fn.signature}`, true);
  }
  for (const schema of privileges.filter((p) => p.catalog === "pg_namespace" && p.schema !== undefined)) {
    const source = schema.schema as string;
    if (names.schema(source) !== source || schema.grants.length === 0) continue;
    const on = `SCHEMA ${quoteIdent(source)}`;
    add(schema, `schema ${quoteIdent(source)}`, { kind: "schema", name: source }, null, on, false);
  }
  return plans;
}

/**
 * The statements of a plan that the target's roles allow, and a reason for each role it lacks
 * (`owner` or the grants to that role). Pure.
 */
export function applicablePrivileges(plan: PrivilegePlan, roles: Set<string>): { statements: string[]; missing: { what: string; role: string }[] } {
  const statements: string[] = [];
  const missing: { what: string; role: string }[] = [];
  if (plan.owner) {
    if (roles.has(plan.owner.role)) statements.push(plan.owner.sql);
    else missing.push({ what: `owner of ${plan.label}`, role: plan.owner.role });
  }
  if (plan.revokePublic) statements.push(plan.revokePublic);
  const lacking = new Set<string>();
  for (const grant of plan.grants) {
    if (grant.role === null || roles.has(grant.role)) statements.push(grant.sql);
    else lacking.add(grant.role);
  }
  for (const role of lacking) missing.push({ what: `grants on ${plan.label} to ${quoteIdent(role)}`, role });
  return { statements, missing };
}
