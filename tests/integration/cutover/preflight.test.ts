import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCutover } from "@/lib/web/mirrors/cutover";
import { getMirror } from "@/lib/web/mirrors/views";
import type { TestCatalog } from "@/tests/support/catalog";
import { createMirrorTestbed, type MirrorTestbed, waitForMirrorStatus } from "@/tests/support/pgferry";
import { waitFor } from "@/tests/support/wait";
import { appRoleName, dropAppRoleAndClose } from "./app-role";

/**
 * The target already uses the name a source index will get, for an index of another table: pre-flight
 * names it, the cutover stops before anything is fenced, and the mirror keeps replicating.
 */
describe("cutover pre-flight with a name taken on the target", () => {
  let bed: MirrorTestbed;
  let catalog: TestCatalog;
  let source: pg.Client;
  const role = appRoleName();

  beforeAll(async () => {
    bed = await createMirrorTestbed(`
      CREATE TABLE public.customers (id int PRIMARY KEY);
      CREATE TABLE public.orders (id bigserial PRIMARY KEY, note text, customer_id int CONSTRAINT orders_customer_fk REFERENCES public.customers);
      CREATE INDEX orders_note_idx ON public.orders (note);
      INSERT INTO public.orders (note) SELECT 'seed' FROM generate_series(1, 100);
      CREATE ROLE ${role};
      GRANT USAGE ON SCHEMA public TO ${role};
      GRANT INSERT ON public.orders TO ${role};
      GRANT USAGE ON SEQUENCE public.orders_id_seq TO ${role};
    `);
    ({ catalog, source } = bed);
    bed.startWorker();
    await bed.createMirror({ name: "pf", mode: "cdc", tables: [{ source: "public.orders" }], settings: {} });
    await waitForMirrorStatus(catalog.prisma, "pf", "running");
    await bed.target.query("CREATE TABLE public.other (note text); CREATE INDEX orders_note_idx ON public.other (note)");
  }, 180_000);

  afterAll(() => dropAppRoleAndClose(bed, source, role));

  it("fails pre-flight naming the blocker, fences nothing, and the mirror keeps running", async () => {
    await startCutover(catalog.prisma, "pf", { verify: false });
    await waitFor(async () => (await getMirror(catalog.prisma, "pf")).cutover?.status === "failed", 60_000, 50);
    await waitForMirrorStatus(catalog.prisma, "pf", "running", 60_000);

    const cutover = (await getMirror(catalog.prisma, "pf")).cutover!;
    const preflight = cutover.steps.find((s) => s.name === "preflight")!;
    expect(preflight.status).toBe("failed");
    expect(preflight.output).toContain(`- index "public"."orders_note_idx": the name "public"."orders_note_idx" is taken on the target by an index on "public"."other"`);
    expect(cutover.steps.find((s) => s.name === "fence")!.status).toBe("skipped");
    expect(cutover.fencedAt).toBeNull();
    expect(cutover.fence).toBeNull();

    // The application can still write.
    await source.query(`SET ROLE ${role}`);
    try {
      await source.query("INSERT INTO public.orders (note) VALUES ('after')");
    } finally {
      await source.query("RESET ROLE");
    }
    // The target's own index is left alone.
    const { rows } = await bed.target.query("SELECT indrelid::regclass::text AS t FROM pg_index WHERE indexrelid = 'public.orders_note_idx'::regclass");
    expect(rows).toEqual([{ t: "other" }]);
  }, 180_000);

  it("lists what the build will skip without blocking once the name is free", async () => {
    await bed.target.query("DROP TABLE public.other");
    await startCutover(catalog.prisma, "pf", { verify: false });
    await waitFor(async () => (await getMirror(catalog.prisma, "pf")).cutover?.steps.find((s) => s.name === "preflight")?.status === "done", 60_000, 50);
    const preflight = (await getMirror(catalog.prisma, "pf")).cutover!.steps.find((s) => s.name === "preflight")!;
    expect(preflight.output).toContain(`constraint "orders_customer_fk" on "public"."orders" (references table public.customers, which is not selected)`);
    expect(preflight.output).toContain(`grants on table "public"."orders" to "${role}" (role "${role}" does not exist on the target)`);
    await waitForMirrorStatus(catalog.prisma, "pf", "completed", 120_000);
  }, 180_000);
});
