/**
 * Failures: what a person must fix rejects runCdc with a CdcFatalError that names the cause and
 * the fix; what fixes itself (a slot still held by a previous session) is retried.
 */
import { afterEach, describe, expect, it } from "vitest";
import { parseLsn } from "@/lib/pg/lsn";
import { readProgress } from "@/workers/cdc/progress";
import { CdcFatalError } from "@/workers/cdc/types";
import { waitFor } from "@/tests/support/wait";
import { createHarness, type Harness, startRun, waitForCatchUp } from "./harness";

async function rejection(done: Promise<void>): Promise<CdcFatalError> {
  const error = await done.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CdcFatalError);
  return error as CdcFatalError;
}

describe("CDC errors", () => {
  let h: Harness | undefined;

  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("stops on a target-only unique constraint and gives the SQL to drop and re-add it", async () => {
    h = await createHarness(
      "CREATE TABLE users (id int PRIMARY KEY, email text, nick text)",
      ["public.users"],
      `CREATE TABLE users (id int PRIMARY KEY, email text, nick text, CONSTRAINT users_email_key UNIQUE (email));
       CREATE UNIQUE INDEX users_nick_idx ON users (nick);`,
    );
    const run = startRun(h, { startLsn: h.slotLsn });
    await h.source.query("INSERT INTO users VALUES (1, 'a@example.com', 'x'), (2, 'a@example.com', 'y')");
    const error = await rejection(run.done);
    expect(error.classified).toMatchObject({ kind: "user", code: "23505" });
    expect(error.classified.message).toContain('"users_email_key"');
    expect(error.classified.fix).toContain('ALTER TABLE "public"."users" DROP CONSTRAINT "users_email_key";');
    expect(error.classified.fix).toContain('ALTER TABLE "public"."users" ADD CONSTRAINT "users_email_key" UNIQUE (email);');
    expect(run.events.some((e) => e.level === "error" && e.message.includes("users_email_key"))).toBe(true);
    // Nothing of the failed batch reached the target, and the slot was not confirmed past it.
    expect((await h.target.query("SELECT count(*)::int AS n FROM users")).rows[0].n).toBe(0);
    const slot = await h.source.query("SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1", [h.slotName]);
    const stored = await readProgress(h.target, h.mirror);
    expect(parseLsn(slot.rows[0].lsn)).toBeLessThanOrEqual(stored!);

    // A unique index rather than a constraint: DROP INDEX, and its definition for cutover.
    await h.target.query("ALTER TABLE users DROP CONSTRAINT users_email_key");
    await h.source.query("UPDATE users SET nick = 'x'");
    const second = startRun(h, { startLsn: h.slotLsn });
    const indexError = await rejection(second.done);
    expect(indexError.classified.fix).toContain('DROP INDEX "public"."users_nick_idx";');
    expect(indexError.classified.fix).toContain("CREATE UNIQUE INDEX users_nick_idx ON public.users USING btree (nick);");
  });

  it("says a missing slot or target table needs a resync or a table", async () => {
    h = await createHarness("CREATE TABLE a (id int PRIMARY KEY)", ["public.a"], "SELECT 1");
    const noTable = startRun(h, { startLsn: h.slotLsn });
    await h.source.query("INSERT INTO a VALUES (1)");
    const tableError = await rejection(noTable.done);
    expect(tableError.classified).toMatchObject({ code: "42P01" });
    expect(tableError.message).toMatch(/Target table public.a .* does not exist/);
    expect(tableError.classified.fix).toMatch(/Create the table on the target/);

    const noSlot = startRun(h, { slotName: "pgferry_no_such_slot" });
    const slotError = await rejection(noSlot.done);
    expect(slotError.classified).toMatchObject({ kind: "user", resyncNeeded: true });
    expect(slotError.message).toMatch(/pgferry_no_such_slot does not exist/);
  });

  it("retries while the slot is still held by another session, then streams", async () => {
    h = await createHarness("CREATE TABLE a (id int PRIMARY KEY)", ["public.a"]);
    const first = startRun(h, { startLsn: h.slotLsn });
    await h.source.query("INSERT INTO a VALUES (1)");
    await waitForCatchUp(h, first);
    const second = startRun(h, { startLsn: h.slotLsn, retryInitialDelayMs: 50, retryMaxDelayMs: 200 });
    const retry = await waitFor(() => second.events.find((e) => /retrying/.test(e.message)), 30_000, 50);
    expect(retry.message).toMatch(/is active for PID/);
    await first.stop();
    await h.source.query("INSERT INTO a VALUES (2)");
    await waitForCatchUp(h, second);
    expect((await h.target.query("SELECT array_agg(id ORDER BY id) AS ids FROM a")).rows[0].ids).toEqual([1, 2]);
    await second.stop();
  });
});
