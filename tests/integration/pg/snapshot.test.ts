import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PeerConnection } from "@/lib/pg/connection";
import { sleep } from "@/lib/sleep";
import { connect, createDatabase, peerConnection } from "@/tests/support/databases";
import { pg15BinDir } from "@/lib/pg/throwaway-server";
import { isSnapshotGoneError, SnapshotGoneError } from "@/lib/errors/snapshot-gone";
import { dropPublication, dropSlot, ensurePublication } from "@/lib/pg/replication";
import { beginInSnapshot, createSlotSnapshot, exportSnapshot } from "@/lib/pg/snapshot";

let db: string;
let peer: PeerConnection;
let admin: pg.Client;
let reader: pg.Client;

beforeAll(async () => {
  db = await createDatabase("source", "snapshot");
  peer = peerConnection("source", db);
  admin = await connect("source", db);
  reader = await connect("source", db);
  await admin.query(`
    CREATE TABLE items (id int PRIMARY KEY);
    INSERT INTO items SELECT generate_series(1, 10);
    CREATE TABLE parts (id int NOT NULL, k int NOT NULL) PARTITION BY LIST (k);
    CREATE TABLE parts_1 PARTITION OF parts FOR VALUES IN (1);
  `);
});

afterAll(async () => {
  const slots = await admin.query("SELECT slot_name FROM pg_replication_slots WHERE database = current_database()");
  for (const { slot_name } of slots.rows) await dropSlot(admin, slot_name);
  await Promise.all([admin.end(), reader.end()]);
});

async function countInSnapshot(snapshotName: string): Promise<number> {
  await beginInSnapshot(reader, snapshotName);
  try {
    return (await reader.query<{ n: number }>("SELECT count(*)::int AS n FROM items")).rows[0].n;
  } finally {
    await reader.query("COMMIT");
  }
}

describe("createSlotSnapshot", () => {
  it("creates a logical slot and exports a snapshot that stays valid while the connection is idle", async () => {
    const snapshot = await createSlotSnapshot(peer, "snap_slot_1");
    try {
      expect(snapshot.consistentPoint).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
      const slot = await admin.query("SELECT plugin, slot_type, database FROM pg_replication_slots WHERE slot_name = 'snap_slot_1'");
      expect(slot.rows).toEqual([{ plugin: "pgoutput", slot_type: "logical", database: db }]);
      await admin.query("INSERT INTO items SELECT generate_series(11, 15)");
      // Two imports at different times see the same rows: the snapshot is frozen.
      expect(await countInSnapshot(snapshot.snapshotName)).toBe(10);
      await sleep(200);
      expect(await countInSnapshot(snapshot.snapshotName)).toBe(10);
      const app = await admin.query("SELECT application_name FROM pg_stat_replication WHERE application_name LIKE 'pgferry:%'");
      expect(app.rows.map((r) => r.application_name)).toContain("pgferry:snapshot:snap_slot_1");
    } finally {
      await snapshot.close();
      await admin.query("DELETE FROM items WHERE id > 10");
    }
    // After close the snapshot is gone; the slot stays for CDC.
    const error = await beginInSnapshot(reader, snapshot.snapshotName).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SnapshotGoneError);
    expect(isSnapshotGoneError(error)).toBe(true);
    expect((await admin.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = 'snap_slot_1'")).rowCount).toBe(1);
  });

  it("holds shared locks on lockTables from before the snapshot until close", async () => {
    const snapshot = await createSlotSnapshot(peer, "snap_slot_locks", { lockTables: [{ schema: "public", name: "items" }] });
    try {
      await admin.query("SET lock_timeout = 200");
      await expect(admin.query("TRUNCATE items")).rejects.toMatchObject({ code: "55P03" });
      expect(await countInSnapshot(snapshot.snapshotName)).toBe(10);
    } finally {
      await snapshot.close();
      await admin.query("RESET lock_timeout");
    }
    // The server releases the locks when the closed session's backend exits.
    await expect
      .poll(async () => (await admin.query("SELECT count(*)::int AS n FROM pg_locks WHERE relation = 'items'::regclass")).rows[0].n)
      .toBe(0);
    await dropSlot(admin, "snap_slot_locks");
  });

  it("refuses an existing slot and invalid names", async () => {
    await expect(createSlotSnapshot(peer, "snap_slot_1")).rejects.toMatchObject({ code: "42710" });
    await expect(createSlotSnapshot(peer, "Bad-Name")).rejects.toThrow(/invalid replication slot name/);
  });
});

describe("exportSnapshot", () => {
  it("holds a REPEATABLE READ snapshot until closed", async () => {
    const snapshot = await exportSnapshot(peer);
    await admin.query("INSERT INTO items VALUES (100)");
    try {
      expect(await countInSnapshot(snapshot.snapshotName)).toBe(10);
    } finally {
      await snapshot.close();
      await snapshot.close(); // idempotent
      await admin.query("DELETE FROM items WHERE id = 100");
    }
    await expect(countInSnapshot(snapshot.snapshotName)).rejects.toSatisfy(isSnapshotGoneError);
  });
});

describe("isSnapshotGoneError", () => {
  it("recognises PostgreSQL's own errors and ignores others", async () => {
    await reader.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
    const raw = await reader.query("SET TRANSACTION SNAPSHOT '00000003-0000001B-1'").catch((e: unknown) => e);
    await reader.query("ROLLBACK");
    expect(isSnapshotGoneError(raw)).toBe(true);
    expect(isSnapshotGoneError(new Error("duplicate key value"))).toBe(false);
    expect(isSnapshotGoneError(undefined)).toBe(false);
  });
});

describe("ensurePublication", () => {
  const tables = async (name: string) =>
    (await admin.query("SELECT tablename FROM pg_publication_tables WHERE pubname = $1 ORDER BY 1", [name])).rows.map((r) => r.tablename);

  it("creates, realigns and drops a publication idempotently; partitions publish via the root", async () => {
    await ensurePublication(admin, "pub_a", [{ schema: "public", name: "items" }]);
    expect(await tables("pub_a")).toEqual(["items"]);
    await ensurePublication(admin, "pub_a", [{ schema: "public", name: "parts" }]);
    expect(await tables("pub_a")).toEqual(["parts"]);
    const viaRoot = await admin.query("SELECT pubviaroot FROM pg_publication WHERE pubname = 'pub_a'");
    expect(viaRoot.rows[0].pubviaroot).toBe(true);
    await dropPublication(admin, "pub_a");
    await dropPublication(admin, "pub_a");
    expect(await tables("pub_a")).toEqual([]);
  });
});

describe("dropSlot", () => {
  it("does nothing when the slot does not exist", async () => {
    await expect(dropSlot(admin, "no_such_slot")).resolves.toEqual({ dropped: false });
  });

  it("terminates a stuck session that holds the slot, then drops it", async () => {
    const snapshot = await createSlotSnapshot(peer, "snap_slot_2");
    await snapshot.close();
    await ensurePublication(admin, "pub_b", [{ schema: "public", name: "items" }]);
    // pg_recvlogical streams from the slot; stopping it (SIGSTOP) leaves its walsender holding the
    // slot for wal_sender_timeout, like a client that died without closing its socket.
    const receiver = startReceiver("snap_slot_2", "pub_b");
    try {
      await expect
        .poll(async () => (await admin.query("SELECT active FROM pg_replication_slots WHERE slot_name = 'snap_slot_2'")).rows[0]?.active, { timeout: 10_000 })
        .toBe(true);
      receiver.kill("SIGSTOP");
      expect(await dropSlot(admin, "snap_slot_2")).toEqual({ dropped: true });
      expect((await admin.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = 'snap_slot_2'")).rowCount).toBe(0);
    } finally {
      receiver.kill("SIGKILL");
      await dropPublication(admin, "pub_b");
    }
  });
});

function startReceiver(slot: string, publication: string): ChildProcess {
  const args = [
    `--dbname=postgresql://${peer.user}:${encodeURIComponent(peer.password)}@${peer.host}:${peer.port}/${db}`,
    `--slot=${slot}`,
    "--start",
    "-o",
    "proto_version=1",
    "-o",
    `publication_names=${publication}`,
    "--file=/dev/null",
  ];
  const child = spawn(path.join(pg15BinDir(), "pg_recvlogical"), args, { stdio: "ignore" });
  child.on("error", () => {});
  return child;
}
