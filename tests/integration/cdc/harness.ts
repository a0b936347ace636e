/**
 * A source database with a publication and slot, a target database, and a runCdc between them,
 * for CDC tests. Tables are created with the same SQL on both sides (the initial-load helper owns
 * the automatic DDL); the slot is created directly with pg_create_logical_replication_slot.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { expect } from "vitest";
import type { QualifiedName, TableMapping } from "@/lib/mirrors/table-mapping";
import { parseQualifiedName } from "@/lib/mirrors/table-mapping";
import type { PeerConnection } from "@/lib/pg/connection";
import { type Lsn, parseLsn } from "@/lib/pg/lsn";
import { quoteIdent } from "@/lib/pg/quote";
import { sleep } from "@/lib/sleep";
import { readProgress } from "@/workers/cdc/progress";
import { type CdcRun, startCdc } from "@/workers/cdc/stream";
import type { AppliedBatch, CdcEvent, CdcOptions } from "@/workers/cdc/types";
import type { TestCluster } from "@/tests/support/clusters";
import { tableChecksum } from "@/tests/support/compare";
import { adminQuery, connect, createDatabase, peerConnection } from "@/tests/support/databases";

export interface Harness {
  mirror: string;
  sourceDb: string;
  targetDb: string;
  source: pg.Client;
  target: pg.Client;
  sourcePeer: PeerConnection;
  targetPeer: PeerConnection;
  slotName: string;
  publicationName: string;
  tables: TableMapping[];
  /** LSN the slot was created at (its consistent point). */
  slotLsn: string;
  close(): Promise<void>;
}

/**
 * Creates both databases, runs `ddl` on both, publishes `tables` ("schema.table") and creates the
 * slot. `targetDdl` overrides the target's DDL when the sides must differ.
 */
export async function createHarness(ddl: string, tables: string[], targetDdl = ddl, options: { source?: TestCluster } = {}): Promise<Harness> {
  let sourceDb: string;
  let source: pg.Client;
  let sourcePeer: PeerConnection;
  if (options.source) {
    // A server of its own (e.g. another PostgreSQL version) instead of the shared source.
    const cluster = options.source;
    sourceDb = `cdc_${randomBytes(6).toString("hex")}`;
    const admin = new pg.Client({ connectionString: cluster.url() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${quoteIdent(sourceDb)}`);
    await admin.end();
    source = new pg.Client({ connectionString: cluster.url(sourceDb) });
    await source.connect();
    sourcePeer = { host: cluster.host, port: cluster.port, database: sourceDb, user: cluster.user, password: cluster.password, tlsMode: "disable" };
  } else {
    sourceDb = await createDatabase("source", "cdc");
    source = await connect("source", sourceDb);
    sourcePeer = peerConnection("source", sourceDb);
  }
  const targetDb = await createDatabase("target", "cdc");
  const target = await connect("target", targetDb);
  await source.query(ddl);
  if (targetDdl) await target.query(targetDdl);
  const suffix = randomBytes(4).toString("hex");
  const slotName = `cdc_test_${suffix}`;
  const publicationName = `cdc_pub_${suffix}`;
  const mappings = tables.map((text) => {
    const name = parseQualifiedName(text);
    return { source: name, target: name, excludeColumns: [] as string[] };
  });
  const list = mappings.map((m) => `${quoteIdent(m.source.schema)}.${quoteIdent(m.source.name)}`).join(", ");
  await source.query(`CREATE PUBLICATION ${quoteIdent(publicationName)} FOR TABLE ${list}`);
  const slot = await source.query<{ lsn: string }>("SELECT lsn::text FROM pg_create_logical_replication_slot($1, 'pgoutput')", [slotName]);
  return {
    mirror: `m_${suffix}`,
    sourceDb,
    targetDb,
    source,
    target,
    sourcePeer,
    targetPeer: peerConnection("target", targetDb),
    slotName,
    publicationName,
    tables: mappings,
    slotLsn: slot.rows[0].lsn,
    close: async () => {
      await source.end().catch(() => {});
      await target.end().catch(() => {});
      if (!options.source) {
        await adminQuery("source", "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active", [slotName]).catch(() => {});
      }
    },
  };
}

export interface TestRun extends CdcRun {
  controller: AbortController;
  events: CdcEvent[];
  batches: AppliedBatch[];
  stop(): Promise<void>;
}

/** Starts runCdc for the harness with test-friendly intervals. */
export function startRun(h: Harness, overrides: Partial<CdcOptions> = {}): TestRun {
  const controller = new AbortController();
  const events: CdcEvent[] = [];
  const batches: AppliedBatch[] = [];
  const run = startCdc({
    mirror: h.mirror,
    source: h.sourcePeer,
    target: h.targetPeer,
    slotName: h.slotName,
    publicationName: h.publicationName,
    tables: h.tables,
    signal: controller.signal,
    idleAckIntervalMs: 200,
    statusIntervalMs: 1_000,
    retryInitialDelayMs: 100,
    onBatch: (batch) => void batches.push(batch),
    onEvent: (event) => void events.push(event),
    ...overrides,
  });
  // Surface a failure in the test that awaits it, not as an unhandled rejection.
  run.done.catch(() => {});
  return {
    ...run,
    controller,
    events,
    batches,
    stop: async () => {
      controller.abort();
      await run.done;
    },
  };
}

/**
 * The source's current WAL insert position, flushed: the test servers commit asynchronously
 * (pg_current_wal_lsn() can be behind a commit that already returned), and a walsender only
 * reads flushed WAL. A synchronous commit of a transaction with an xid flushes everything before it.
 */
export async function sourceLsn(h: Harness): Promise<Lsn> {
  const result = await h.source.query<{ lsn: string }>("SELECT pg_current_wal_insert_lsn()::text AS lsn");
  await h.source.query("BEGIN; SET LOCAL synchronous_commit = on; SELECT pg_current_xact_id(); COMMIT");
  return parseLsn(result.rows[0].lsn);
}

/** Waits until the target has stored a position at or past the source's current position. */
export async function waitForCatchUp(h: Harness, run?: TestRun, timeoutMs = 30_000): Promise<void> {
  const goal = await sourceLsn(h);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stored = await readProgress(h.target, h.mirror);
    if (stored !== null && stored >= goal) return;
    if (Date.now() > deadline) {
      const errors = run?.events.filter((e) => e.level !== "info").map((e) => e.message) ?? [];
      throw new Error(`target did not catch up to ${goal} (stored ${stored}); events: ${errors.join(" | ")}`);
    }
    await sleep(50);
  }
}

/** Column names of a table, in order. */
async function columnsOf(client: pg.Client, table: QualifiedName): Promise<string[]> {
  const result = await client.query<{ name: string }>(
    "SELECT attname AS name FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
    [`${quoteIdent(table.schema)}.${quoteIdent(table.name)}`],
  );
  return result.rows.map((row) => row.name);
}

/**
 * Asserts that each mirrored table has the same rows (count and checksum) on source and target,
 * over the source's columns minus the excluded ones.
 */
export async function expectSameData(h: Harness, tables: QualifiedName[] = h.tables.map((t) => t.source)): Promise<void> {
  for (const table of tables) {
    const mapping = h.tables.find((t) => t.source.schema === table.schema && t.source.name === table.name);
    const columns = (await columnsOf(h.source, table)).filter((c) => !mapping?.excludeColumns.includes(c));
    const [source, target] = await Promise.all([tableChecksum(h.source, table, columns), tableChecksum(h.target, table, columns)]);
    expect({ table: table.name, ...target }).toEqual({ table: table.name, ...source });
  }
}
