import type pg from "pg";
import type { QualifiedName } from "@/lib/mirrors/table-mapping";
import { ensureLogicalSlot, ensurePublication } from "@/lib/pg/replication";

/**
 * The way back (cutover option `reverse`): the target becomes the source of a reverse mirror that replays
 * the application's writes on the target into the old source.
 */

/**
 * Why the target cannot feed a reverse mirror, or the source cannot take its writes as pgferry's role
 * (the fence leaves that role's privileges alone, so it needs them itself). Read-only.
 */
export async function reverseBlockers(source: pg.Client, target: pg.Client, targetTables: QualifiedName[], sourceTables: QualifiedName[]): Promise<string[]> {
  const blockers: string[] = [];
  const { rows } = await target.query<{ wal_level: string; allowed: boolean }>(
    `SELECT current_setting('wal_level') AS wal_level,
            (SELECT rolsuper OR rolreplication FROM pg_roles WHERE rolname = current_user) AS allowed`,
  );
  if (rows[0].wal_level !== "logical") {
    blockers.push(`Way back: the target's wal_level is ${rows[0].wal_level}; a reverse mirror needs wal_level = logical (ALTER SYSTEM SET wal_level = logical, then restart the target).`);
  }
  if (!rows[0].allowed) blockers.push("Way back: the target's user needs the REPLICATION privilege (ALTER ROLE … REPLICATION) to create the reverse slot.");
  const { rows: unpublishable } = await target.query<{ name: string }>(
    `SELECT format('%I.%I', w.s, w.t) AS name FROM unnest($1::text[], $2::text[]) AS w(s, t)
     JOIN pg_class c ON c.oid = to_regclass(format('%I.%I', w.s, w.t))
     WHERE c.relreplident = 'n' OR (c.relreplident = 'd' AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary))`,
    [targetTables.map((t) => t.schema), targetTables.map((t) => t.name)],
  );
  if (unpublishable.length) {
    blockers.push(`Way back: ${unpublishable.map((r) => r.name).join(", ")} on the target have no primary key or replica identity, so their updates and deletes cannot flow back.`);
  }
  // has_table_privilege with a list is true when any one is held: each is checked.
  const { rows: partial } = await source.query<{ name: string }>(
    `SELECT format('%I.%I', w.s, w.t) AS name FROM unnest($1::text[], $2::text[]) AS w(s, t)
     WHERE to_regclass(format('%I.%I', w.s, w.t)) IS NOT NULL
       AND NOT (has_table_privilege(to_regclass(format('%I.%I', w.s, w.t)), 'INSERT')
            AND has_table_privilege(to_regclass(format('%I.%I', w.s, w.t)), 'UPDATE')
            AND has_table_privilege(to_regclass(format('%I.%I', w.s, w.t)), 'DELETE'))`,
    [sourceTables.map((t) => t.schema), sourceTables.map((t) => t.name)],
  );
  const { rows: bookkeeping } = await source.query<{ ok: boolean }>(
    `SELECT coalesce(has_schema_privilege(to_regnamespace('_pgferry'), 'USAGE, CREATE'), has_database_privilege(current_database(), 'CREATE')) AS ok`,
  );
  if (!bookkeeping[0].ok) {
    blockers.push("Way back: pgferry's source user may not create its bookkeeping schema _pgferry on the source (GRANT CREATE ON DATABASE … TO that user).");
  }
  const names = partial.map((r) => r.name);
  if (names.length) {
    blockers.push(`Way back: pgferry's source user may not insert, update and delete in ${names.join(", ")}, which the reverse mirror would do (GRANT INSERT, UPDATE, DELETE … TO that user).`);
  }
  return blockers;
}

/**
 * Prepares the way back on the target: a publication of the tables, then a slot, whose consistent point
 * is where the reverse mirror starts. Called at the switch, after CDC stopped and before the application
 * moves: every change the slot sees is then one the application made on the target, and nothing pgferry
 * applied before (which the source already has) is in it. The publication comes first because a slot
 * decodes a change with the catalog as of that change. Idempotent: a retry finds both, and the slot's
 * consistent point unchanged while nothing consumed it.
 */
export async function prepareWayBack(target: pg.Client, name: string, tables: QualifiedName[]): Promise<{ lsn: string }> {
  await ensurePublication(target, name, tables);
  const slot = await ensureLogicalSlot(target, name);
  return { lsn: slot.consistentPoint };
}
