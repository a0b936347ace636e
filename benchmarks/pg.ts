import pg from "pg";
import type { PeerConnection } from "@/lib/pg/connection";
import { clientConfig } from "@/lib/pg/connection";
import { quoteIdent } from "@/lib/pg/quote";
import { sleep } from "@/lib/sleep";
import type { ThrowawayServer } from "@/lib/pg/throwaway-server";

/** A throwaway server of the benchmark (PostgreSQL 15 from the system binaries, see lib/pg/throwaway-server.ts). */
export type BenchServer = ThrowawayServer;

export function peerOf(server: BenchServer, database: string): PeerConnection {
  return { host: server.host, port: server.port, database, user: server.user, password: server.password, tlsMode: "disable" };
}

/** A connection whose application_name ("pgferry:bench:…") says it is the benchmark's own. */
export async function connect(server: BenchServer, database: string, purpose: string): Promise<pg.Client> {
  const client = new pg.Client({ ...clientConfig(peerOf(server, database), `bench:${purpose}`), statement_timeout: 0 });
  client.on("error", () => {});
  await client.connect();
  return client;
}

export async function withClient<T>(server: BenchServer, database: string, purpose: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect(server, database, purpose);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function createDatabase(server: BenchServer, database: string): Promise<void> {
  await withClient(server, "postgres", "admin", async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${quoteIdent(database)}`);
  });
}

export async function dropDatabase(server: BenchServer, database: string): Promise<void> {
  await withClient(server, "postgres", "admin", (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`));
}

export interface TableChecksum {
  rows: number;
  /** Order-independent: the sum of a 64-bit hash of every row's text. */
  hash: string;
}

/**
 * Count and content checksum of pgbench_accounts, comparable between two servers of the same
 * major version (the row's text form covers every column, in order).
 */
export async function accountsChecksum(client: pg.Client): Promise<TableChecksum> {
  const { rows } = await client.query<{ n: string; h: string | null }>(
    "SELECT count(*) AS n, sum(hashtextextended(t::text, 0)::numeric)::text AS h FROM pgbench_accounts t",
  );
  return { rows: Number(rows[0].n), hash: rows[0].h ?? "0" };
}

export async function hasPrimaryKey(client: pg.Client, table = "pgbench_accounts"): Promise<boolean> {
  const { rows } = await client.query(
    "SELECT 1 FROM pg_index WHERE indrelid = to_regclass($1) AND indisprimary AND indisvalid",
    [table],
  );
  return rows.length === 1;
}


/** Polls `check` until it returns true; throws after `timeoutMs` saying what it waited for, or at once when `check` throws. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Seconds between two Date.now() readings (catalog timestamps are wall-clock too). */
export const seconds = (fromMs: number, toMs = Date.now()) => (toMs - fromMs) / 1000;
