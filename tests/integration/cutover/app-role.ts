import { randomBytes } from "node:crypto";
import type pg from "pg";
import type { MirrorTestbed } from "@/tests/support/pgferry";

/**
 * The cutover tests write through an application's own login role (not pgferry's); afterwards the
 * role and what it owns go, then the testbed.
 */
export async function dropAppRoleAndClose(bed: MirrorTestbed | undefined, source: pg.Client | undefined, role: string): Promise<void> {
  await source?.query(`DROP OWNED BY ${role}; DROP ROLE IF EXISTS ${role}`).catch(() => {});
  await bed?.close();
}

/** A fresh name for the application's role: tests share one source server. */
export function appRoleName(): string {
  return `app_${randomBytes(4).toString("hex")}`;
}
