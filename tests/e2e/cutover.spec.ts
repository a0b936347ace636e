import { expect, test } from "@playwright/test";
import { deleteMirrorIfAny, expectStatus, mirrorEvents, mirrorScenario, pgferryLeftovers, sql } from "./mirror-helpers";
import { signIn } from "./support";

/**
 * The Cutover tab: a replicating mirror is cut over from the browser; the checklist fills in step by
 * step and the mirror ends `completed`, with nothing of pgferry left on the source and the sequence
 * brought forward on the target; then the way back: a reverse mirror replays a write made on the target.
 */
const SOURCE_SQL = `CREATE TABLE public.orders (id bigserial PRIMARY KEY, note text NOT NULL);
    INSERT INTO public.orders (note) SELECT 'order ' || g FROM generate_series(1, 300) g;
    ANALYZE;`;
const scenario = mirrorScenario("e2e_cutover", SOURCE_SQL);

test("cut a replicating mirror over from its Cutover tab", async ({ page }) => {
  test.setTimeout(300_000);
  const created = await scenario.api.post("/api/v1/mirrors", {
    data: { name: scenario.mirror, source: scenario.sourcePeer, target: scenario.targetPeer, mode: "cdc", tables: [{ source: "public.orders" }] },
  });
  expect(created.status(), await created.text()).toBe(201);
  await signIn(page, `/mirrors/${scenario.mirror}?tab=cutover`);
  await expect(page.getByRole("tab", { name: "Cutover" })).toHaveAttribute("aria-selected", "true");
  await expectStatus(page, scenario.api, scenario.mirror, "Replicating", 120_000);
  // The target gets a sequence of the same name if its schema step did not create one.
  await sql("target", scenario.targetDb, "CREATE SEQUENCE IF NOT EXISTS public.orders_id_seq");
  await sql("source", scenario.sourceDb, "INSERT INTO public.orders (note) SELECT 'late ' || g FROM generate_series(1, 20) g");

  await page.getByTestId("cutover-margin").fill("100");
  await page.getByTestId("cutover-reverse").check();
  await page.getByTestId("cutover-start").click();
  try {
    await expect(page.getByTestId("cutover-run")).toHaveAttribute("data-status", "done", { timeout: 180_000 });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n\n${await mirrorEvents(scenario.api, scenario.mirror)}`);
  }
  for (const step of ["preflight", "fence", "drain", "sequences", "objects", "verify", "finish"]) {
    await expect(page.getByTestId(`cutover-step-${step}`)).toHaveAttribute("data-status", "done");
  }
  await expect(page.getByTestId("cutover-step-verify")).toContainText("Verification passed");
  await expectStatus(page, scenario.api, scenario.mirror, "Completed", 30_000);

  expect(await pgferryLeftovers(scenario.sourceDb)).toEqual({ slots: [], publications: [] });
  const [target] = await sql<{ v: string }>("target", scenario.targetDb, "SELECT last_value::text AS v FROM public.orders_id_seq");
  expect(Number(target.v)).toBeGreaterThanOrEqual(320 + 100);
  const detail = (await (await scenario.api.get(`/api/v1/mirrors/${scenario.mirror}`)).json()) as { status: string; cutover: { status: string; fencedAt: string; finishedAt: string; verificationId: string } };
  expect(detail.status).toBe("completed");
  expect(detail.cutover).toMatchObject({ status: "done" });
  expect(detail.cutover.fencedAt && detail.cutover.finishedAt && detail.cutover.verificationId).toBeTruthy();

  // The way back: the reverse mirror brings a write made on the target to the source.
  const reverse = `${scenario.mirror}_back`;
  try {
    await page.getByTestId("cutover-reverse-create").click();
    await expect(page.getByTestId("reverse-mirror-link")).toHaveText(reverse);
    await expect
      .poll(async () => ((await (await scenario.api.get(`/api/v1/mirrors/${reverse}`)).json()) as { status: string }).status, { timeout: 60_000 })
      .toBe("running");
    await sql("target", scenario.targetDb, "INSERT INTO public.orders (note) VALUES ('written on the target')");
    await expect
      .poll(async () => (await sql("source", scenario.sourceDb, "SELECT count(*)::int AS n FROM public.orders WHERE note = 'written on the target'"))[0].n, { timeout: 60_000 })
      .toBe(1);
  } finally {
    // The peers can only go once no mirror uses them.
    await deleteMirrorIfAny(scenario.api, reverse);
  }
});
