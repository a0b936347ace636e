import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { createReplicatingMirror, pageOverflow } from "./console-pages";
import { expectStatus, mirrorEvents, mirrorScenario, sql } from "./mirror-helpers";
import { signIn } from "./support";

/**
 * Changing a running CDC mirror from the browser (issue 14): the Edit dialog with the current tables
 * ticked, a table added in the picker and watched while it loads beside the stream, a per-table
 * resync of a tampered target table, and a setting changed, all while the mirror keeps replicating.
 */
const SOURCE_SQL = `CREATE TABLE public.items (id int PRIMARY KEY, name text NOT NULL);
    INSERT INTO public.items SELECT g, 'item ' || g FROM generate_series(1, 200) g;
    CREATE TABLE public.orders (id int PRIMARY KEY, amount numeric(12,2) NOT NULL, note text);
    INSERT INTO public.orders SELECT g, g * 1.25, repeat('x', 50) FROM generate_series(1, 50000) g;
    ANALYZE;`;
const scenario = mirrorScenario("e2e_edit", SOURCE_SQL);
const MIRROR = scenario.mirror;

const TOTALS_SQL = `SELECT (SELECT count(*) FROM public.items) AS items, (SELECT string_agg(id || name, ',' ORDER BY id) FROM public.items) AS names,
  (SELECT count(*) FROM public.orders) AS orders, (SELECT sum(amount) FROM public.orders) AS amount`;
const totals = async (side: "source" | "target") => {
  const database = side === "source" ? scenario.sourceDb : scenario.targetDb;
  // Before the added table exists on the target, it counts as missing rather than failing the query.
  const exists = await sql<{ t: string | null }>(side, database, "SELECT to_regclass('public.orders')::text AS t");
  if (!exists[0].t) return "orders missing";
  return JSON.stringify(await sql(side, database, TOTALS_SQL));
};

test.beforeAll(async () => {
  test.setTimeout(180_000);
  await createReplicatingMirror(scenario, ["public.items"]);
});

async function fits(page: Page, width: number): Promise<string | null> {
  await page.setViewportSize({ width, height: 900 });
  const fit = await pageOverflow(page);
  return fit.scrollWidth > fit.innerWidth ? `${width} px: ${fit.scrollWidth} px wide; widest ${fit.widest}` : null;
}

async function dialogViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).include('[data-testid="edit-mirror-dialog"]').withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

test("edit a running mirror: add a table, watch it load, resync it, change a setting", async ({ page }) => {
  test.setTimeout(300_000);
  await signIn(page, `/mirrors/${MIRROR}?tab=load`);
  await expectStatus(page, scenario.api, MIRROR, "Replicating", 30_000);

  // Escape closes the dialog and gives focus back to the button that opened it.
  const edit = page.getByRole("button", { name: "Edit", exact: true });
  await edit.click();
  const dialog = page.getByRole("dialog", { name: `Edit mirror ${MIRROR}` });
  await expect(dialog).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  await expect(edit).toBeFocused();
  await edit.click();
  await expect(dialog.getByLabel("Select public.items", { exact: true })).toBeChecked();
  const orders = dialog.getByLabel("Select public.orders", { exact: true });
  await expect(orders).not.toBeChecked();
  // The mirror's own target table is its work, not a conflict to flag.
  await expect(dialog.locator('tr[data-table="public.items"]').getByTestId("target-state")).toContainText("written by this mirror");
  await expect(dialog.getByLabel("CDC batch size")).toHaveValue("10000");

  // The dialog fits a phone and a desktop window, and axe finds nothing serious in it, light or dark.
  expect([await fits(page, 375), await fits(page, 1280)].filter(Boolean)).toEqual([]);
  expect(await dialogViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: "dark" });
  expect(await dialogViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: "light" });

  // A value the settings schema refuses is said at its field, and nothing is sent.
  await dialog.getByLabel("CDC batch size").fill("0");
  await dialog.getByRole("button", { name: "Save changes" }).click();
  await expect(dialog.getByRole("alert").first()).toHaveText("Some settings are not valid.");
  await expect(dialog.locator("#edit-setting-cdcBatchSize-error")).toBeVisible();
  await expect(dialog.getByLabel("CDC batch size")).toHaveAttribute("aria-invalid", "true");

  await dialog.getByLabel("CDC batch size").fill("500");
  await orders.check();
  await expect(dialog.getByTestId("edit-summary")).toHaveText("This adds 1 table.");
  const patched = page.waitForResponse((r) => r.request().method() === "PATCH" && r.url().endsWith(`/api/v1/mirrors/${MIRROR}`));
  await dialog.getByRole("button", { name: "Save changes" }).click();
  const answer = await patched;
  expect(answer.status(), await answer.text()).toBe(202);
  // The answer is the mirror as it is now: the new table queued for its own copy.
  const added = ((await answer.json()) as { tables: { source: string; sync?: { kind: string } | null }[] }).tables.find((t) => t.source === "public.orders");
  expect(added?.sync?.kind).toBe("add");
  await expect(dialog).toHaveCount(0);

  // The stream of the existing table goes on while the new one is copied; writes to the new one during its copy count too.
  await sql("source", scenario.sourceDb, "INSERT INTO public.items SELECT g, 'during add ' || g FROM generate_series(201, 210) g; UPDATE public.orders SET amount = amount + 1 WHERE id <= 100; INSERT INTO public.orders VALUES (50001, 1, 'late')");
  const row = page.locator('[data-testid="load-table-row"][data-table="public.orders"]');
  await expect(row).toBeVisible();
  try {
    await expect(row.getByTestId("table-sync")).toHaveCount(0, { timeout: 120_000 });
    await expect(row.getByTestId("load-table-status")).toHaveText("Done");
    await expect.poll(() => totals("target"), { timeout: 30_000 }).toBe(await totals("source"));
  } catch (error) {
    throw new Error(`${(error as Error).message}\n\nEvents of ${MIRROR}:\n${await mirrorEvents(scenario.api, MIRROR)}`);
  }
  await expect(page.getByTestId("mirror-status")).toHaveText("Replicating");

  // Per-table resync of a tampered target table: equal again, and the other table keeps streaming.
  await sql("target", scenario.targetDb, "DELETE FROM public.orders WHERE id % 3 = 0");
  expect(await totals("target")).not.toBe(await totals("source"));
  await row.getByRole("button", { name: "Resync public.orders" }).click();
  const confirm = page.getByRole("dialog", { name: "Resync public.orders?" });
  const resynced = page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith(`/api/v1/mirrors/${MIRROR}/resync`));
  await confirm.getByRole("button", { name: "Resync table" }).click();
  const resyncAnswer = await resynced;
  expect(resyncAnswer.ok(), await resyncAnswer.text()).toBe(true);
  const queued = ((await resyncAnswer.json()) as { tables: { source: string; sync?: { kind: string } | null }[] }).tables.find((t) => t.source === "public.orders");
  expect(queued?.sync?.kind).toBe("resync");
  await expect(confirm).toHaveCount(0);
  await sql("source", scenario.sourceDb, "INSERT INTO public.items SELECT g, 'during resync ' || g FROM generate_series(211, 215) g");
  try {
    await expect.poll(() => totals("target"), { timeout: 120_000 }).toBe(await totals("source"));
    await expect(row.getByTestId("table-sync")).toHaveCount(0, { timeout: 60_000 });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n\nEvents of ${MIRROR}:\n${await mirrorEvents(scenario.api, MIRROR)}`);
  }
  await expect(page.getByTestId("mirror-status")).toHaveText("Replicating");

  // The setting took, and the log says so; the added table is counted on the CDC tab.
  const settings = ((await (await scenario.api.get(`/api/v1/mirrors/${MIRROR}`)).json()) as { settings: { cdcBatchSize: number } }).settings;
  expect(settings.cdcBatchSize).toBe(500);
  await page.getByRole("tab", { name: "CDC" }).click();
  await expect(page.locator('[data-testid="cdc-table-row"][data-table="public.orders"]')).toBeVisible();
  await page.getByRole("tab", { name: "Logs" }).click();
  await expect(page.getByTestId("events")).toContainText("cdcBatchSize 10000 → 500");
});
