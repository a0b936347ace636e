import type pg from "pg";

/** Anything that runs a query: a pg.Client from connectPeer, or a pooled client. */
export type Queryable = Pick<pg.ClientBase, "query">;

/** bigint/numeric columns arrive as text (they may exceed 2^53); sizes and counts here do not. */
export function toNumber(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  return typeof value === "number" ? value : Number(value);
}
