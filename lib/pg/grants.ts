import type { Queryable } from "./describe-session";
import { quoteIdent, quoteQualified } from "./quote";

/** One privilege on one table held by one role (null: PUBLIC). */
export interface TableGrant {
  table: { schema: string; name: string };
  grantee: string | null;
  privilege: string;
  grantable: boolean;
}

/** The GRANT statement for `g`. Pure. */
export function grantStatement(g: TableGrant): string {
  const grantee = g.grantee === null ? "PUBLIC" : quoteIdent(g.grantee);
  return `GRANT ${g.privilege} ON TABLE ${quoteQualified(g.table.schema, g.table.name)} TO ${grantee}${g.grantable ? " WITH GRANT OPTION" : ""};`;
}

/**
 * Grants each of `grants`, one statement at a time. Idempotent (granting what is held does nothing); tables
 * dropped meanwhile are skipped. Throws PostgreSQL's error, e.g. 42704 when a grantee role no longer exists,
 * 42501 when the connected user may not grant; the grants before it stay given.
 */
export async function grantTablePrivileges(client: Queryable, grants: TableGrant[]): Promise<void> {
  for (const g of grants) {
    const { rows } = await client.query<{ exists: boolean }>("SELECT to_regclass($1) IS NOT NULL AS exists", [quoteQualified(g.table.schema, g.table.name)]);
    if (!rows[0].exists) continue;
    await client.query(grantStatement(g));
  }
}
