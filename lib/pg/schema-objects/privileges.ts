import type { Queryable } from "@/lib/pg/describe-session";
import { quoteIdent } from "@/lib/pg/quote";

/** One privilege granted on a source object (or one of its columns), as aclexplode() lists it. */
export interface SourceGrant {
  /** Role name; null for PUBLIC. */
  grantee: string | null;
  /** `SELECT`, `USAGE`, `EXECUTE`, … */
  privilege: string;
  grantable: boolean;
  /** Column name for a column privilege; null for the object itself. */
  column: string | null;
}

/** Owner and explicit privileges of a source object. */
export interface SourcePrivileges {
  catalog: "pg_class" | "pg_proc" | "pg_namespace";
  objectOid: number;
  owner: string;
  /**
   * True when the object has an explicit ACL. Only then can it differ from the defaults the target
   * gave the new object (a function is executable by PUBLIC until someone revokes it).
   */
  explicit: boolean;
  /** Privileges granted to roles other than the owner (the owner's own follow ownership). */
  grants: SourceGrant[];
  /** For a schema: its name (schemas are looked up by name). */
  schema?: string;
}

/**
 * Owners and privileges of the given relations (with their column privileges), functions and
 * schemas (by name). Read-only; any search_path.
 */
export async function readPrivileges(client: Queryable, oids: { relations: number[]; functions: number[]; schemas: string[] }): Promise<SourcePrivileges[]> {
  const objects = await client.query<{ catalog: SourcePrivileges["catalog"]; oid: number; owner: string; explicit: boolean; schema: string | null }>(
    `SELECT 'pg_class' AS catalog, oid::int AS oid, pg_catalog.pg_get_userbyid(relowner) AS owner, relacl IS NOT NULL AS explicit, NULL AS schema
       FROM pg_catalog.pg_class WHERE oid = ANY($1::oid[])
     UNION ALL
     SELECT 'pg_proc', oid::int, pg_catalog.pg_get_userbyid(proowner), proacl IS NOT NULL, NULL FROM pg_catalog.pg_proc WHERE oid = ANY($2::oid[])
     UNION ALL
     SELECT 'pg_namespace', oid::int, pg_catalog.pg_get_userbyid(nspowner), nspacl IS NOT NULL, nspname::text
       FROM pg_catalog.pg_namespace WHERE nspname = ANY($3::text[])`,
    [oids.relations, oids.functions, oids.schemas],
  );
  const grants = await client.query<{ oid: number; grantee: string | null; privilege: string; grantable: boolean; column: string | null }>(
    `WITH acl AS (
       SELECT c.oid, c.relowner AS owner, c.relacl AS acl, NULL::name AS col FROM pg_catalog.pg_class c WHERE c.oid = ANY($1::oid[])
       UNION ALL
       SELECT c.oid, c.relowner, a.attacl, a.attname FROM pg_catalog.pg_class c
         JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL
        WHERE c.oid = ANY($1::oid[])
       UNION ALL
       SELECT oid, proowner, proacl, NULL FROM pg_catalog.pg_proc WHERE oid = ANY($2::oid[])
       UNION ALL
       SELECT oid, nspowner, nspacl, NULL FROM pg_catalog.pg_namespace WHERE nspname = ANY($3::text[]))
     SELECT acl.oid::int AS oid, CASE WHEN x.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(x.grantee) END AS grantee,
            x.privilege_type AS privilege, x.is_grantable AS grantable, acl.col::text AS column
       FROM acl, pg_catalog.aclexplode(acl.acl) x
      WHERE x.grantee <> acl.owner
      ORDER BY 1, 5 NULLS FIRST, 2 NULLS FIRST, 3`,
    [oids.relations, oids.functions, oids.schemas],
  );
  return objects.rows.map((row) => ({
    catalog: row.catalog,
    objectOid: row.oid,
    owner: row.owner,
    explicit: row.explicit,
    grants: grants.rows
      .filter((g) => g.oid === row.oid)
      .map((g) => ({ grantee: g.grantee, privilege: g.privilege, grantable: g.grantable, column: g.column })),
    ...(row.schema === null ? {} : { schema: row.schema }),
  }));
}

/** `ALTER <kind> <name> OWNER TO <role>`; `what` is e.g. `TABLE "app"."orders"` or `ROUTINE app.f(integer)`. */
export function ownerSql(what: string, role: string): string {
  return `ALTER ${what} OWNER TO ${quoteIdent(role)}`;
}

/**
 * `GRANT <privilege> [(<column>)] ON <kind> <name> TO <role>`; `on` is e.g. `TABLE "app"."orders"`,
 * `SEQUENCE …`, `ROUTINE …`, `SCHEMA "app"`.
 */
export function grantSql(on: string, grant: SourceGrant): string {
  const column = grant.column === null ? "" : ` (${quoteIdent(grant.column)})`;
  const to = grant.grantee === null ? "PUBLIC" : quoteIdent(grant.grantee);
  return `GRANT ${grant.privilege}${column} ON ${on} TO ${to}${grant.grantable ? " WITH GRANT OPTION" : ""}`;
}

/** The target's role names. Read-only. */
export async function readRoleNames(client: Queryable): Promise<Set<string>> {
  const { rows } = await client.query<{ name: string }>("SELECT rolname AS name FROM pg_catalog.pg_roles");
  return new Set(rows.map((row) => row.name));
}
