import type { QualifiedName } from "@/lib/mirrors/table-mapping";
import type { Queryable } from "./describe-session";
import { quoteIdent, quoteQualified } from "./quote";

/**
 * Creates publication `name` for exactly `tables` on the source, or, when it already exists (an
 * earlier attempt), sets its table list to `tables`. Idempotent. Partitioned tables are published
 * under their root's name (publish_via_partition_root, PostgreSQL 13+), so CDC sees one table
 * just like the initial load does.
 * Throws PostgreSQL's error when a table does not exist or the user may not create publications.
 */
export async function ensurePublication(client: Queryable, name: string, tables: QualifiedName[]): Promise<void> {
  if (tables.length === 0) throw new Error(`publication ${name} needs at least one table`);
  const version = Number((await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0].v);
  const list = tables.map((t) => quoteQualified(t.schema, t.name)).join(", ");
  const viaRoot = version >= 130000;
  const { rows } = await client.query("SELECT 1 FROM pg_publication WHERE pubname = $1", [name]);
  if (rows.length === 0) {
    const options = viaRoot ? " WITH (publish_via_partition_root = true)" : "";
    try {
      await client.query(`CREATE PUBLICATION ${quoteIdent(name)} FOR TABLE ${list}${options}`);
      return;
    } catch (error) {
      // Another attempt created it in the meantime: fall through and align it.
      if ((error as { code?: string }).code !== "42710") throw error;
    }
  }
  await client.query(`ALTER PUBLICATION ${quoteIdent(name)} SET TABLE ${list}`);
  if (viaRoot) await client.query(`ALTER PUBLICATION ${quoteIdent(name)} SET (publish_via_partition_root = true)`);
}
