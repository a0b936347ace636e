import type pg from "pg";
import { connectPeer } from "@/lib/pg/connect";
import type { PeerConnection } from "@/lib/pg/connection";
import { inTransaction } from "@/lib/pg/transaction";
import type { Statement } from "./sql";

/**
 * Output settings pinned on every verification session, so both servers print each value the same
 * way whatever their configuration: the row hash is a hash of this text.
 */
const PINNED_OUTPUT =
  "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 3; " +
  "SET bytea_output = 'hex'; SET lc_monetary = 'C'; SET xmloption = 'content'";

/** A session for verification on one peer; the caller ends it. */
export async function openVerifySession(peer: PeerConnection, purpose: string): Promise<pg.Client> {
  const client = await connectPeer(peer, purpose);
  try {
    await client.query(PINNED_OUTPUT);
    return client;
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
}

/**
 * Runs `work` in one read-only REPEATABLE READ transaction: everything it reads comes from one
 * snapshot (a chunk's bound, its hash and the source position are consistent with each other).
 */
export function inSnapshot<T>(client: pg.Client, work: () => Promise<T>): Promise<T> {
  return inTransaction(client, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", work);
}

/** Rows as objects. */
export async function queryRows<Row extends pg.QueryResultRow>(client: pg.Client, statement: Statement): Promise<Row[]> {
  return (await client.query<Row>(statement.text, statement.values)).rows;
}

/** Rows as arrays (smaller than objects; a drill-down holds up to a chunk of them). */
export async function queryArrays(client: pg.Client, statement: Statement): Promise<unknown[][]> {
  return (await client.query({ text: statement.text, values: statement.values, rowMode: "array" })).rows as unknown[][];
}
