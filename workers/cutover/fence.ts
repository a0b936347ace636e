import type pg from "pg";
import type { FenceGrant, FenceRecord } from "@/lib/catalog/cutover-status";
import { grantTablePrivileges } from "@/lib/pg/grants";
import type { QualifiedName } from "@/lib/mirrors/table-mapping";
import { quoteIdent, quoteQualified } from "@/lib/pg/quote";
import { sleep } from "@/lib/sleep";

/**
 * The write fence: the mirrored tables (and their partitions) become read-only for every role but the
 * one pgferry connects as, by revoking INSERT/UPDATE/DELETE/TRUNCATE from whoever holds them (PUBLIC
 * included), then ending the sessions that are in the middle of writing to them. Revoking privileges
 * (rather than `default_transaction_read_only`) touches only these tables, takes effect for the next
 * statement of every open session, and is undone exactly by granting back what was recorded.
 * Superusers ignore privileges: they are reported, never fenced.
 */

const WRITE_PRIVILEGES = ["INSERT", "UPDATE", "DELETE", "TRUNCATE"] as const;

/** How long ended sessions get to go away before the fence position is read. Default: 10 s. */
const TERMINATE_WAIT_MS = 10_000;

/**
 * What revoking would take away: every write privilege on the tables held by a role other than the
 * connected one (superusers left out: they are not fenced). Read-only.
 */
export async function planFence(source: pg.Client, tables: QualifiedName[]): Promise<FenceGrant[]> {
  const { rows } = await source.query<{ schema: string; name: string; grantee: string | null; grantor: string; privilege: FenceGrant["privilege"]; grantable: boolean }>(
    `WITH wanted AS (
       SELECT c.oid FROM unnest($1::text[], $2::text[]) AS w(schema_name, table_name)
       JOIN pg_namespace n ON n.nspname = w.schema_name
       JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = w.table_name
     ), rels AS (
       SELECT oid FROM wanted
       UNION
       SELECT t.relid FROM wanted, LATERAL pg_partition_tree(wanted.oid) t WHERE t.relid IS NOT NULL
     )
     SELECT n.nspname AS schema, c.relname AS name,
            CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee) END AS grantee,
            pg_get_userbyid(a.grantor) AS grantor, a.privilege_type AS privilege, a.is_grantable AS grantable
     FROM rels JOIN pg_class c ON c.oid = rels.oid JOIN pg_namespace n ON n.oid = c.relnamespace
     CROSS JOIN LATERAL aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
     LEFT JOIN pg_roles r ON r.oid = a.grantee
     WHERE c.relkind IN ('r', 'p') AND a.privilege_type = ANY($3::text[])
       AND a.grantee <> (SELECT oid FROM pg_roles WHERE rolname = current_user)
       AND NOT coalesce(r.rolsuper, false)
     ORDER BY 1, 2, 3 NULLS FIRST, 5`,
    [tables.map((t) => t.schema), tables.map((t) => t.name), [...WRITE_PRIVILEGES]],
  );
  return rows.map((r) => ({ table: { schema: r.schema, name: r.name }, grantee: r.grantee, grantor: r.grantor, privilege: r.privilege, grantable: r.grantable }));
}

/**
 * Revokes `grants` in one transaction, ends the sessions of fenced roles that hold a write lock on the
 * tables (their statements passed the privilege check before the revoke), and lists who can still write.
 * Idempotent: revoking what is already gone does nothing.
 */
export async function applyFence(source: pg.Client, grants: FenceGrant[], tables: QualifiedName[]): Promise<Omit<FenceRecord, "revoked">> {
  await source.query("BEGIN");
  try {
    for (const g of grants) {
      await source.query(`REVOKE ${g.privilege} ON TABLE ${quoteQualified(g.table.schema, g.table.name)} FROM ${grantee(g)} CASCADE`);
    }
    await source.query("COMMIT");
  } catch (error) {
    await source.query("ROLLBACK").catch(() => {});
    throw error;
  }
  const terminated = await endWriters(source, tables);
  return { notFenced: await rolesStillWriting(source, tables), terminated };
}

/** Grants back what the fence revoked. Idempotent; tables dropped meanwhile are skipped. */
export async function liftFence(source: pg.Client, grants: FenceGrant[]): Promise<void> {
  await grantTablePrivileges(source, grants);
}

/** The source's WAL insert position: past every commit so far, even with synchronous_commit = off. */
export async function currentInsertLsn(source: pg.Client): Promise<string> {
  const { rows } = await source.query<{ lsn: string }>("SELECT pg_current_wal_insert_lsn()::text AS lsn");
  return rows[0].lsn;
}

function grantee(g: FenceGrant): string {
  return g.grantee === null ? "PUBLIC" : quoteIdent(g.grantee);
}

/** Ends sessions (not superusers', not this role's) holding a write lock on the tables, and waits until they are gone. */
async function endWriters(source: pg.Client, tables: QualifiedName[]): Promise<number> {
  const { rows } = await source.query<{ pid: number }>(
    `SELECT DISTINCT l.pid, pg_terminate_backend(l.pid) AS ended
     FROM pg_locks l
     JOIN pg_stat_activity a ON a.pid = l.pid
     JOIN pg_roles r ON r.oid = a.usesysid
     WHERE l.locktype = 'relation' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND l.mode IN ('RowExclusiveLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')
       AND l.pid <> pg_backend_pid() AND NOT r.rolsuper AND r.rolname <> current_user
       AND l.relation IN (
         SELECT c.oid FROM unnest($1::text[], $2::text[]) AS w(schema_name, table_name)
         JOIN pg_namespace n ON n.nspname = w.schema_name
         JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = w.table_name
         UNION
         SELECT i.inhrelid FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace
         WHERE (pn.nspname, p.relname) IN (SELECT * FROM unnest($1::text[], $2::text[])))`,
    [tables.map((t) => t.schema), tables.map((t) => t.name)],
  );
  const pids = rows.map((r) => r.pid);
  const deadline = Date.now() + TERMINATE_WAIT_MS;
  while (pids.length && Date.now() < deadline) {
    const { rows: alive } = await source.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ANY($1::int[])", [pids]);
    if (alive[0].n === 0) break;
    await sleep(100);
  }
  return pids.length;
}

/** Login roles that may still write to one of the tables after the revoke, and why. */
async function rolesStillWriting(source: pg.Client, tables: QualifiedName[]): Promise<FenceRecord["notFenced"]> {
  const { rows } = await source.query<{ role: string; superuser: boolean; own: boolean }>(
    `SELECT r.rolname AS role, r.rolsuper AS superuser, r.rolname = current_user AS own
     FROM pg_roles r
     WHERE r.rolcanlogin AND (r.rolsuper OR r.rolname = current_user OR EXISTS (
       SELECT 1 FROM unnest($1::text[], $2::text[]) AS w(schema_name, table_name)
       WHERE to_regclass(format('%I.%I', w.schema_name, w.table_name)) IS NOT NULL
         AND (has_table_privilege(r.oid, to_regclass(format('%I.%I', w.schema_name, w.table_name)), 'INSERT, UPDATE, DELETE, TRUNCATE'))))
     ORDER BY 1`,
    [tables.map((t) => t.schema), tables.map((t) => t.name)],
  );
  return rows.map((r) => ({
    role: r.role,
    reason: r.own
      ? "pgferry's own role: not fenced (make sure the application does not connect as it)"
      : r.superuser
        ? "superuser: privileges do not apply to it"
        : "still holds write privileges (granted by another role, or owns the table); stop its writers yourself",
  }));
}
