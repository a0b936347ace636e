import type { ClassifiedError } from "@/lib/errors/classify";
import { connectPeer } from "@/lib/pg/connect";
import type { PeerConnection } from "@/lib/pg/connection";
import { quoteIdent, quoteQualified } from "@/lib/pg/quote";

/**
 * For a unique violation on the target, looks up what violated: a primary key means the target
 * diverged (resync the table); a unique constraint or index gets the exact SQL to drop it now and
 * to re-create it at cutover. Best effort: returns the classification unchanged when the lookup fails.
 */
export async function explainUniqueViolation(classified: ClassifiedError, error: unknown, target: PeerConnection, purpose: string): Promise<ClassifiedError> {
  const err = error as { constraint?: string; table?: string; schema?: string };
  if (classified.code !== "23505" || !err.constraint || !err.table || !err.schema) return classified;
  const table = quoteQualified(err.schema, err.table);
  const client = await connectPeer(target, purpose).catch(() => null);
  if (!client) return classified;
  try {
    const result = await client.query<{ kind: string | null; definition: string | null; index_definition: string | null }>(
      `SELECT c.contype::text AS kind, pg_catalog.pg_get_constraintdef(c.oid) AS definition,
              pg_catalog.pg_get_indexdef(i.oid) AS index_definition
         FROM pg_catalog.pg_class i
         LEFT JOIN pg_catalog.pg_constraint c ON c.conindid = i.oid AND c.conrelid = to_regclass($2)
        WHERE i.oid = to_regclass($1)`,
      [`${quoteIdent(err.schema)}.${quoteIdent(err.constraint)}`, table],
    );
    const row = result.rows[0];
    if (!row) return classified;
    const name = quoteIdent(err.constraint);
    if (row.kind === "p") {
      return {
        ...classified,
        fix: `The row already exists on the target under its primary key ${name}: the target has rows the source does not (written outside pgferry, or left from an earlier load). Resync table ${table}.`,
        resyncNeeded: true,
      };
    }
    if (row.kind) {
      return {
        ...classified,
        fix: `Drop the constraint now: ALTER TABLE ${table} DROP CONSTRAINT ${name}; and re-add it at cutover: ALTER TABLE ${table} ADD CONSTRAINT ${name} ${row.definition};`,
      };
    }
    return {
      ...classified,
      fix: `Drop the unique index now: DROP INDEX ${quoteIdent(err.schema)}.${name}; and re-create it at cutover: ${row.index_definition};`,
    };
  } catch {
    return classified;
  } finally {
    await client.end().catch(() => {});
  }
}
