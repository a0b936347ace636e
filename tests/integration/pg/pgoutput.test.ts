/**
 * The decoder against real pgoutput bytes: pg_logical_slot_peek_binary_changes returns exactly
 * what a walsender would put in XLogData messages.
 */
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatLsn } from "@/lib/pg/lsn";
import { decodePgoutput, type PgoutputMessage, UNCHANGED_TOAST } from "@/lib/pg/pgoutput";
import { connect, createDatabase } from "@/tests/support/databases";

describe("pgoutput decoder", () => {
  let db: pg.Client;
  let slot = 0;

  beforeAll(async () => {
    db = await connect("source", await createDatabase("source", "pgout"));
    // Peeking reads WAL up to the flushed position; the test servers commit asynchronously.
    await db.query("SET synchronous_commit = on");
    await db.query(`
      CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
      CREATE TABLE t (id int PRIMARY KEY, name text, m mood, big text);
      ALTER TABLE t ALTER COLUMN big SET STORAGE EXTERNAL;
      CREATE TABLE f (a int, b text);
      ALTER TABLE f REPLICA IDENTITY FULL;
      CREATE PUBLICATION p FOR TABLE t, f;
    `);
  });

  afterAll(async () => {
    await db?.end();
  });

  /** Runs `sql` and returns the pgoutput messages it produced (on a fresh slot). */
  async function decodeChanges(sql: string): Promise<PgoutputMessage[]> {
    const name = `s${++slot}`;
    await db.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [name]);
    try {
      await db.query(sql);
      const result = await db.query<{ data: Buffer }>(
        "SELECT data FROM pg_logical_slot_peek_binary_changes($1, NULL, NULL, 'proto_version', '1', 'publication_names', 'p', 'messages', 'true')",
        [name],
      );
      return result.rows.map((row) => decodePgoutput(row.data));
    } finally {
      await db.query("SELECT pg_drop_replication_slot($1)", [name]);
    }
  }

  it("decodes a transaction: Begin, Type, Relation, Insert, Commit, with raw text values", async () => {
    const messages = await decodeChanges("INSERT INTO t VALUES (1, 'zoë \"quoted\"', 'happy', NULL)");
    expect(messages.map((m) => m.tag)).toEqual(["begin", "type", "relation", "insert", "commit"]);
    const [begin, type, relation, insert, commit] = messages as [
      Extract<PgoutputMessage, { tag: "begin" }>,
      Extract<PgoutputMessage, { tag: "type" }>,
      Extract<PgoutputMessage, { tag: "relation" }>,
      Extract<PgoutputMessage, { tag: "insert" }>,
      Extract<PgoutputMessage, { tag: "commit" }>,
    ];
    expect(begin.finalLsn).toBe(commit.commitLsn);
    expect(commit.endLsn).toBeGreaterThan(commit.commitLsn);
    expect(Math.abs(begin.commitTime.getTime() - Date.now())).toBeLessThan(60_000);
    expect(type).toMatchObject({ namespace: "public", name: "mood" });
    expect(relation).toMatchObject({ namespace: "public", name: "t", replicaIdentity: "default" });
    expect(relation.columns.map((c) => [c.name, c.isKey, c.typeMod])).toEqual([
      ["id", true, -1],
      ["name", false, -1],
      ["m", false, -1],
      ["big", false, -1],
    ]);
    expect(relation.columns[0].typeOid).toBe(23);
    expect(relation.columns[2].typeOid).toBe(type.typeOid);
    expect(insert).toEqual({ tag: "insert", relationId: relation.relationId, newTuple: ["1", 'zoë "quoted"', "happy", null] });
  });

  it("decodes updates with and without the old key, deletes, and unchanged TOAST", async () => {
    const big = "SELECT string_agg(md5(g::text), '') FROM generate_series(1, 400) g"; // ~12 kB, stored out of line
    await db.query(`INSERT INTO t VALUES (10, 'a', 'ok', (${big})), (11, 'b', NULL, NULL)`);
    const messages = await decodeChanges(`
      UPDATE t SET name = 'a2' WHERE id = 10;
      UPDATE t SET id = 12 WHERE id = 11;
      DELETE FROM t WHERE id = 12;
    `);
    const changes = messages.filter((m) => m.tag === "update" || m.tag === "delete");
    expect(changes).toHaveLength(3);
    const [plain, keyChange, del] = changes as [
      Extract<PgoutputMessage, { tag: "update" }>,
      Extract<PgoutputMessage, { tag: "update" }>,
      Extract<PgoutputMessage, { tag: "delete" }>,
    ];
    expect(plain.oldKind).toBeNull();
    expect(plain.newTuple).toEqual(["10", "a2", "ok", UNCHANGED_TOAST]);
    expect(keyChange.oldKind).toBe("key");
    expect(keyChange.oldTuple).toEqual(["11", null, null, null]);
    expect(keyChange.newTuple).toEqual(["12", "b", null, null]);
    expect(del).toMatchObject({ oldKind: "key", oldTuple: ["12", null, null, null] });
  });

  it("decodes REPLICA IDENTITY FULL old rows, truncate options and logical messages", async () => {
    await db.query("INSERT INTO f VALUES (1, 'x')");
    const messages = await decodeChanges(`
      UPDATE f SET b = 'y';
      DELETE FROM f;
      SELECT pg_logical_emit_message(true, 'pgferry', 'hello');
      TRUNCATE t, f RESTART IDENTITY CASCADE;
    `);
    const update = messages.find((m) => m.tag === "update") as Extract<PgoutputMessage, { tag: "update" }>;
    expect(update).toMatchObject({ oldKind: "old", oldTuple: ["1", "x"], newTuple: ["1", "y"] });
    const del = messages.find((m) => m.tag === "delete") as Extract<PgoutputMessage, { tag: "delete" }>;
    expect(del).toMatchObject({ oldKind: "old", oldTuple: ["1", "y"] });
    const message = messages.find((m) => m.tag === "message") as Extract<PgoutputMessage, { tag: "message" }>;
    expect(message).toMatchObject({ transactional: true, prefix: "pgferry" });
    expect(message.content.toString()).toBe("hello");
    const truncate = messages.find((m) => m.tag === "truncate") as Extract<PgoutputMessage, { tag: "truncate" }>;
    expect(truncate).toMatchObject({ cascade: true, restartIdentity: true });
    expect(truncate.relationIds).toHaveLength(2);
    const relation = messages.find((m) => m.tag === "relation" && m.name === "f") as Extract<PgoutputMessage, { tag: "relation" }>;
    expect(relation.replicaIdentity).toBe("full");
    expect(relation.columns.every((c) => c.isKey)).toBe(true);
  });

  it("decodes the Origin message of a replicated transaction", async () => {
    await db.query("SELECT pg_replication_origin_create('pgferry_test_origin')");
    try {
      const messages = await decodeChanges(`
        SELECT pg_replication_origin_session_setup('pgferry_test_origin');
        BEGIN;
        SELECT pg_replication_origin_xact_setup('0/ABCDEF', now());
        INSERT INTO f VALUES (7, 'from elsewhere');
        COMMIT;
        SELECT pg_replication_origin_session_reset();
      `);
      const origin = messages.find((m) => m.tag === "origin") as Extract<PgoutputMessage, { tag: "origin" }>;
      expect(origin.name).toBe("pgferry_test_origin");
      expect(formatLsn(origin.originLsn)).toBe("0/ABCDEF");
    } finally {
      await db.query("SELECT pg_replication_origin_drop('pgferry_test_origin')");
    }
  });
});
