import type { Queryable } from "./describe-session";

/**
 * Runs `work` in one transaction on `client` (which must be idle), opened with `begin` (e.g.
 * "BEGIN READ ONLY"): commits what it did, or rolls back and rethrows its error. A failed ROLLBACK
 * is ignored, so the caller sees the error that mattered.
 */
export async function inTransaction<T>(client: Queryable, begin: string, work: () => Promise<T>): Promise<T> {
  await client.query(begin);
  try {
    const result = await work();
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}
