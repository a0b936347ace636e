import { expect, test } from "@playwright/test";
import { expectStatus, mirrorScenario, pgferryLeftovers, sql } from "./mirror-helpers";
import { signIn } from "./support";

/**
 * Continuous replication driven from the browser: create (with a server-side refusal shown at its
 * field), wait for Replicating, write on the source and see the changes counted, pause (with the
 * WAL warning) and resume, then delete and find nothing of pgferry left on the source.
 */

/** The source tables, made before the tests. */
const SOURCE_SQL = `CREATE TABLE public.items (id int PRIMARY KEY, name text NOT NULL, qty int NOT NULL);
    INSERT INTO public.items SELECT g, 'item ' || g, g FROM generate_series(1, 200) g;
    CREATE SCHEMA "Mixed Case";
    CREATE TABLE "Mixed Case"."Événements" (id int PRIMARY KEY, payload jsonb);
    INSERT INTO "Mixed Case"."Événements" SELECT g, jsonb_build_object('n', g) FROM generate_series(1, 50) g;
    CREATE TABLE public.log_full (k int, v text);
    ALTER TABLE public.log_full REPLICA IDENTITY FULL;
    INSERT INTO public.log_full SELECT g, 'v' || g FROM generate_series(1, 20) g;
    CREATE TABLE public.log_plain (k int, v text);
    INSERT INTO public.log_plain SELECT g, 'v' || g FROM generate_series(1, 20) g;
    ANALYZE;`;
const scenario = mirrorScenario("e2e_cdc", SOURCE_SQL);

const { mirror: MIRROR, sourcePeer: SOURCE_PEER, targetPeer: TARGET_PEER } = scenario;

const sourceTotals = () => sql<{ items: string; qty: string; events: string; full: string }>("source", scenario.sourceDb, TOTALS_SQL);
const targetTotals = () => sql<{ items: string; qty: string; events: string; full: string }>("target", scenario.targetDb, TOTALS_SQL);
const TOTALS_SQL = `SELECT (SELECT count(*) FROM public.items) AS items, (SELECT sum(qty) FROM public.items) AS qty,
  (SELECT string_agg(id || ':' || payload::text, ',' ORDER BY id) FROM "Mixed Case"."Événements") AS events,
  (SELECT string_agg(k || ':' || v, ',' ORDER BY k, v) FROM public.log_full) AS full`;

test("replicate changes continuously, pause and resume, resync, delete without leaving a slot", async ({ page }) => {
  test.setTimeout(300_000);
  await signIn(page, "/mirrors/new");
  await page.getByLabel("Name", { exact: true }).fill(MIRROR);
  await page.getByLabel("Source peer").selectOption(SOURCE_PEER);
  await page.getByLabel("Target peer").selectOption(TARGET_PEER);
  await expect(page.getByLabel("Continuous replication")).toBeChecked();

  // A table without primary key and with the default replica identity can't publish updates.
  const plain = page.getByLabel("Select public.log_plain", { exact: true });
  await expect(plain).toBeDisabled();
  await expect(page.locator('tr[data-table="public.log_plain"]')).toHaveAttribute("title", /No primary key and replica identity is not FULL/);
  await expect(page.getByLabel("Select public.log_full", { exact: true })).toBeEnabled();
  await page.getByLabel("Select all tables", { exact: true }).check();
  await expect(page.getByTestId("picker-selected-count")).toHaveText("3 of 4 tables selected");
  await expect(plain).not.toBeChecked();

  // The server's refusal is shown with its message and at the field it concerns.
  const takenSlot = `e2e_taken_${Date.now()}`;
  await sql("source", scenario.sourceDb, "SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [takenSlot]);
  try {
    await page.getByText("Advanced settings").click();
    await page.getByLabel("Replication slot name").fill(takenSlot);
    await page.getByRole("button", { name: "Create mirror" }).click();
    await expect(page.getByTestId("form-error")).toContainText(`A replication slot named ${takenSlot} already exists on the source.`);
    await expect(page.locator("#setting-slotName ~ p[role=alert]")).toContainText("Drop it");
    await expect(page).toHaveURL(/\/mirrors\/new$/);
  } finally {
    await sql("source", scenario.sourceDb, "SELECT pg_drop_replication_slot($1)", [takenSlot]);
  }
  await page.getByLabel("Replication slot name").fill("");
  await page.getByRole("button", { name: "Create mirror" }).click();
  await expect(page).toHaveURL(new RegExp(`/mirrors/${MIRROR}$`), { timeout: 30_000 });
  await expectStatus(page, scenario.api, MIRROR, "Replicating", 120_000);

  // Inserts, updates and deletes on three tables, counted row by row.
  await sql(
    "source",
    scenario.sourceDb,
    `INSERT INTO public.items SELECT g, 'item ' || g, g FROM generate_series(201, 230) g;
     UPDATE public.items SET qty = qty + 1000 WHERE id <= 10;
     DELETE FROM public.items WHERE id BETWEEN 191 AND 195;
     INSERT INTO "Mixed Case"."Événements" VALUES (51, '{"n": 51}'), (52, '{"n": 52}');
     UPDATE "Mixed Case"."Événements" SET payload = '{"changed": true}' WHERE id = 1;
     INSERT INTO public.log_full VALUES (21, 'v21'), (22, 'v22');
     UPDATE public.log_full SET v = 'changed' WHERE k = 1;
     DELETE FROM public.log_full WHERE k = 2;`,
  );
  await page.getByRole("tab", { name: "CDC" }).click();
  await expect(page.getByTestId("cdc-inserts")).toHaveText("34", { timeout: 30_000 });
  await expect(page.getByTestId("cdc-updates")).toHaveText("12");
  await expect(page.getByTestId("cdc-deletes")).toHaveText("6");
  const items = page.locator('[data-testid="cdc-table-row"][data-table="public.items"]').getByRole("cell");
  // The last cell: the table's Resync and Remove controls (issue 14).
  await expect(items).toHaveText(["public.items", "30", "10", "5", "ResyncRemove"]);
  await expect(page.getByTestId("rate-chart")).toBeVisible();
  await expect(page.getByTestId("batches").getByRole("row")).not.toHaveCount(1);
  await expect(page.getByTestId("slot-active")).toHaveText(/^yes/);
  expect(await targetTotals()).toEqual(await sourceTotals());

  // Paused: changes wait on the source, which keeps WAL for the slot, and the page says how much.
  await page.getByRole("button", { name: "Pause" }).click();
  await expectStatus(page, scenario.api, MIRROR, "Paused", 30_000);
  const warning = page.getByTestId("paused-warning");
  await expect(warning).toContainText("Paused: the source is retaining WAL for this mirror's slot (");
  await expect(warning).toContainText(/slot \((< 0\.1|\d[\d,]*\.\d) MB\)/, { timeout: 20_000 });
  // Pausing is asynchronous: the owning worker stops streaming within seconds, and the slot the
  // page shows turns inactive. Changes written after that wait on the source.
  await expect(page.getByTestId("slot-active")).toHaveText("no", { timeout: 20_000 });
  await sql("source", scenario.sourceDb, "INSERT INTO public.items SELECT g, 'paused ' || g, 1 FROM generate_series(301, 305) g");
  await page.waitForTimeout(3_000);
  expect((await targetTotals())[0].items).toBe("225");

  await page.getByRole("button", { name: "Resume" }).click();
  await expectStatus(page, scenario.api, MIRROR, "Replicating", 30_000);
  await expect(warning).toHaveCount(0);
  await expect(page.getByTestId("cdc-inserts")).toHaveText("39", { timeout: 30_000 });
  expect(await targetTotals()).toEqual(await sourceTotals());

  // The log tells the story.
  await page.getByRole("tab", { name: "Logs" }).click();
  await expect(page.getByTestId("events")).toContainText("Paused");
  await expect(page.getByTestId("events")).toContainText("Resumed");

  // Resync: a target that diverged is emptied and copied again; replication goes on afterwards.
  await sql("target", scenario.targetDb, "DELETE FROM public.items WHERE id % 2 = 0");
  expect(await targetTotals()).not.toEqual(await sourceTotals());
  await page.getByRole("button", { name: "Resync" }).click();
  await page.getByRole("dialog", { name: `Resync mirror ${MIRROR}?` }).getByRole("button", { name: "Resync" }).click();
  await expect(page.getByTestId("events")).toContainText("Resync requested");
  await expectStatus(page, scenario.api, MIRROR, "Replicating", 60_000);
  await expect.poll(async () => JSON.stringify(await targetTotals()), { timeout: 30_000 }).toEqual(JSON.stringify(await sourceTotals()));

  // Delete: slot and publication go away with the mirror.
  expect((await pgferryLeftovers(scenario.sourceDb)).slots).toEqual([`pgferry_${MIRROR}`]);
  await page.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("dialog", { name: `Delete mirror ${MIRROR}?` }).getByRole("button", { name: "Delete mirror" }).click();
  await expect(page.getByTestId("deleting-banner")).toBeVisible();
  await expect(page).toHaveURL(/\/mirrors$/, { timeout: 60_000 });
  await expect(page.getByTestId(`mirror-row-${MIRROR}`)).toHaveCount(0);
  expect(await pgferryLeftovers(scenario.sourceDb)).toEqual({ slots: [], publications: [] });
});
