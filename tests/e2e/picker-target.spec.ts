import { expect, test } from "@playwright/test";
import { deleteMirrorIfAny, mirrorScenario, sql } from "./mirror-helpers";
import { signIn } from "./support";

/**
 * The picker knows the target: a table whose target already has rows and one that another mirror
 * writes are marked at their rows with their reason and counted in the summary; Create is refused
 * with each reason shown once, at its row.
 */

const SOURCE_SQL = `CREATE TABLE public.full_one (id int PRIMARY KEY, v text);
    INSERT INTO public.full_one SELECT g, 'v' || g FROM generate_series(1, 10) g;
    CREATE TABLE public.owned (id int PRIMARY KEY);
    CREATE TABLE public.fresh (id int PRIMARY KEY);
    INSERT INTO public.fresh SELECT generate_series(1, 5);
    ANALYZE;`;
const OWNER = "e2e_pick_owner";

// Registered before the scenario's cleanup so that the owner is gone before its peers are deleted.
test.afterAll(async () => {
  await deleteMirrorIfAny(scenario.api, OWNER);
});
const scenario = mirrorScenario("e2e_pick", SOURCE_SQL);

test.beforeAll(async () => {
  await sql("target", scenario.targetDb, "CREATE TABLE public.full_one (id int PRIMARY KEY, v text); INSERT INTO public.full_one VALUES (1, 'a'), (2, 'b'), (3, 'c')");
  // Another mirror into the same target peer that writes public.owned (its source is empty, so it stays empty).
  const created = await scenario.api.post("/api/v1/mirrors", {
    data: { name: OWNER, source: scenario.sourcePeer, target: scenario.targetPeer, mode: "cdc", tables: [{ source: "public.owned" }] },
  });
  expect(created.status(), await created.text()).toBe(201);
});

test("rows with a non-empty target or another mirror's target are marked, counted, and refused at the row", async ({ page }) => {
  await signIn(page, "/mirrors/new");
  await page.getByLabel("Name", { exact: true }).fill(scenario.mirror);
  await page.getByLabel("Source peer").selectOption(scenario.sourcePeer);
  await page.getByLabel("Target peer").selectOption(scenario.targetPeer);
  await page.getByLabel("Continuous replication").uncheck();
  await page.getByLabel("Select all tables in schema public").check();

  const full = page.locator('tr[data-table="public.full_one"]');
  const owned = page.locator('tr[data-table="public.owned"]');
  const fresh = page.locator('tr[data-table="public.fresh"]');
  await expect(full.getByTestId("target-problem")).toHaveText("⚠ Target table already has 3 rows: truncate it or map to another table.");
  await expect(owned.getByTestId("target-problem")).toHaveText(`⚠ Mirror ${OWNER} already writes this target table: map to another table.`);
  await expect(fresh.getByTestId("target-state")).toHaveText("new table");
  await expect(fresh.getByTestId("target-problem")).toHaveCount(0);
  await expect(page.getByTestId("picker-attention")).toHaveText("⚠ 2 tables need attention");

  // A renamed target is looked up under its new name.
  await page.getByLabel("Target table for public.full_one").fill("full_copy");
  await expect(full.getByTestId("target-state")).toHaveText("new table");
  await expect(page.getByTestId("picker-attention")).toHaveText("⚠ 1 table needs attention");
  await page.getByLabel("Target table for public.full_one").fill("full_one");
  await expect(page.getByTestId("picker-attention")).toHaveText("⚠ 2 tables need attention");

  await page.getByRole("button", { name: "Create mirror" }).click();
  await expect(page.getByTestId("form-error")).toContainText("2 target tables are not ready for this mirror (public.full_one, public.owned); each reason is shown at its table.");
  await expect(full.getByRole("alert")).toHaveText(/^Target table public\.full_one already contains rows; the initial load needs an empty table/);
  await expect(owned.getByRole("alert")).toHaveText(`Mirror ${OWNER} already writes public.owned on this target peer.`);
  // Said once: at the row, not again in the banner or in the picker's own mark.
  await expect(page.getByText(/already contains rows/)).toHaveCount(1);
  await expect(page.getByText(/already writes/)).toHaveCount(1);
  await expect(page.getByTestId("target-problem")).toHaveCount(0);
  expect((await scenario.api.get(`/api/v1/mirrors/${scenario.mirror}`)).status()).toBe(404);
});
