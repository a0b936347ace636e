import { randomBytes } from "node:crypto";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { abortCutover, startCutover, unfenceCutover } from "@/lib/web/mirrors/cutover";
import { getMirror, mirrorEvents } from "@/lib/web/mirrors/views";
import type { TestCatalog } from "@/tests/support/catalog";
import { connect } from "@/tests/support/databases";
import { createMirrorTestbed, type MirrorTestbed, waitForMirrorStatus } from "@/tests/support/pgferry";
import { waitFor } from "@/tests/support/wait";

/**
 * A fence that cannot be lifted (its role was dropped while the cutover ran): the cutover still stops and
 * replication continues, the mirror says the source is still fenced with the SQL to undo it, and
 * POST …/cutover/unfence lifts it once the cause is fixed.
 */
describe("a fence that cannot be lifted", () => {
  let bed: MirrorTestbed;
  let catalog: TestCatalog;
  let source: pg.Client;
  const role = `app_${randomBytes(4).toString("hex")}`;

  beforeAll(async () => {
    bed = await createMirrorTestbed();
    ({ catalog, source } = bed);
    await source.query(`
      CREATE TABLE public.orders (id bigserial PRIMARY KEY, note text);
      INSERT INTO public.orders (note) SELECT 'seed' FROM generate_series(1, 100);
      CREATE ROLE ${role} LOGIN;
      GRANT INSERT, UPDATE ON public.orders TO ${role};
    `);
    bed.startWorker();
    await bed.createMirror({ name: "uf", mode: "cdc", tables: [{ source: "public.orders" }], settings: {} });
    await waitForMirrorStatus(catalog.prisma, "uf", "running");
  }, 180_000);

  afterAll(async () => {
    await source?.query(`DROP OWNED BY ${role}; DROP ROLE IF EXISTS ${role}`).catch(() => {});
    await bed?.close();
  });

  it("keeps the source fenced visibly and lifts it on request", async () => {
    const holder = await connect("target", (await catalog.prisma.peer.findUniqueOrThrow({ where: { name: "dst" } })).database);
    const step = async (name: string) => (await getMirror(catalog.prisma, "uf")).cutover?.steps.find((s) => s.name === name)?.status;
    try {
      await startCutover(catalog.prisma, "uf", { verify: false, buildObjects: false });
      // Holds the drain (CDC cannot store its position on the target) so the cutover stays before the switch.
      await waitFor(async () => (await step("preflight")) !== "pending", 60_000, 10);
      await holder.query("BEGIN; LOCK TABLE _pgferry.cdc_progress IN EXCLUSIVE MODE");
      await waitFor(async () => (await step("fence")) === "done", 60_000, 50);
      // The revoked grants can no longer be given back: their role is gone.
      await source.query(`DROP ROLE ${role}`);
      await abortCutover(catalog.prisma, "uf");
    } finally {
      await holder.query("COMMIT");
      await holder.end();
    }
    await waitForMirrorStatus(catalog.prisma, "uf", "running", 60_000);
    const stopped = (await getMirror(catalog.prisma, "uf")).cutover!;
    expect(stopped.status).toBe("aborted");
    expect(stopped.fence!.liftedAt).toBeUndefined();
    expect(stopped.fence!.liftError).toMatch(/does not exist/);
    const events = await mirrorEvents(catalog.prisma, "uf");
    const warning = events.find((e) => e.level === "error" && e.message.startsWith("The source is still fenced"));
    expect(warning?.message).toContain(`GRANT INSERT ON TABLE "public"."orders" TO "${role}";`);

    await expect(unfenceCutover(catalog.prisma, "uf")).rejects.toMatchObject({ code: "unfence_failed", status: 409 });

    await source.query(`CREATE ROLE ${role} LOGIN`);
    const lifted = await unfenceCutover(catalog.prisma, "uf");
    expect(lifted.fence!.liftedAt).toBeTruthy();
    expect(lifted.fence!.liftError).toBeUndefined();
    const { rows } = await source.query("SELECT has_table_privilege($1, 'public.orders', 'INSERT') AS ins, has_table_privilege($1, 'public.orders', 'UPDATE') AS upd", [role]);
    expect(rows[0]).toEqual({ ins: true, upd: true });
    await expect(unfenceCutover(catalog.prisma, "uf")).rejects.toMatchObject({ code: "not_fenced" });
  }, 180_000);
});
