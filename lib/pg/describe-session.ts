import type pg from "pg";
import { inTransaction } from "./transaction";

/** Any connected node-postgres client (Client or PoolClient). */
export type Queryable = Pick<pg.ClientBase, "query">;

/**
 * Runs catalog queries with `search_path = pg_catalog` in a read-only transaction.
 *
 * Why: format_type() and pg_get_expr() qualify a name only when it is not visible on the
 * search_path. With nothing but pg_catalog visible, every user type and function comes back
 * schema-qualified and quoted (`public.mood[]`, `"My Schema"."My Type"`), so the text can be
 * replayed on another server regardless of that server's search_path, and compared across servers.
 * The client must be idle (not inside a transaction).
 */
export async function withCatalogSearchPath<T>(client: Queryable, fn: () => Promise<T>): Promise<T> {
  return inTransaction(client, "BEGIN READ ONLY", async () => {
    await client.query("SET LOCAL search_path = pg_catalog");
    return fn();
  });
}

/** server_version_num as a number, e.g. 180001. */
export async function serverVersionNum(client: Queryable): Promise<number> {
  const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
  return Number(rows[0].v);
}
