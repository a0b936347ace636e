import { expect, test } from "@playwright/test";
import { SETTINGS_DEFAULTS } from "@/lib/mirrors/settings";
import { formatQualifiedName } from "@/lib/mirrors/table-mapping";
import { expectStatus, mirrorScenario, pgferryLeftovers, sql } from "./mirror-helpers";
import { signIn } from "./support";

/**
 * An initial copy made entirely in the browser: the table picker (search, a whole schema, one
 * table, odd names, a table without primary key, a renamed target, an excluded column), the load
 * watched to 100 %, the target checked with SQL, then the mirror deleted through its dialog.
 */

/** The source tables, made before the tests. */
const SOURCE_SQL = `CREATE SCHEMA sales;
    CREATE TABLE sales.orders (id bigint PRIMARY KEY, customer text NOT NULL, amount numeric(12,2), note text);
    INSERT INTO sales.orders SELECT g, 'customer ' || g, g * 1.5, repeat('n', 200) FROM generate_series(1, 20000) g;
    CREATE TABLE sales.refunds (id int PRIMARY KEY, order_id bigint);
    INSERT INTO sales.refunds SELECT g, g FROM generate_series(1, 500) g;
    CREATE SCHEMA "Odd Schema";
    CREATE TABLE "Odd Schema"."Ünï ""q"".tbl" (id int PRIMARY KEY, "Value ✓" text);
    INSERT INTO "Odd Schema"."Ünï ""q"".tbl" SELECT g, 'välue ' || g FROM generate_series(1, 300) g;
    CREATE TABLE public.no_pk (a int, b text);
    INSERT INTO public.no_pk SELECT g, 'row ' || g FROM generate_series(1, 1000) g;
    ${Array.from({ length: 25 }, (_, i) => `CREATE TABLE public.filler_${String(i).padStart(2, "0")} (id int PRIMARY KEY);`).join("\n")}
    ANALYZE;`;
const scenario = mirrorScenario("e2e_copy", SOURCE_SQL);

const { mirror: MIRROR, sourcePeer: SOURCE_PEER, targetPeer: TARGET_PEER } = scenario;
const ODD = { schema: "Odd Schema", name: 'Ünï "q".tbl' };
const ODD_KEY = formatQualifiedName(ODD); // Odd Schema."Ünï ""q"".tbl"

test("pick tables, copy them once, watch the load reach 100 %, delete the mirror", async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page, "/mirrors");
  await page.getByRole("link", { name: "New mirror" }).first().click();
  await expect(page.getByRole("heading", { name: "New mirror", level: 1 })).toBeVisible();

  // The form checks with the API's schema before sending anything.
  await page.getByRole("button", { name: "Create mirror" }).click();
  await expect(page.getByTestId("form-error")).toContainText("Some fields are not valid.");
  await expect(page.getByText("Choose a source peer.")).toBeVisible();
  await expect(page.getByText("Select at least one table.")).toBeVisible();

  await page.getByLabel("Name", { exact: true }).fill(MIRROR);
  await page.getByLabel("Source peer").selectOption(SOURCE_PEER);
  await page.getByLabel("Target peer").selectOption(TARGET_PEER);
  await page.getByLabel("Continuous replication").uncheck();

  // The picker: schemas with their tables, sizes and keys.
  const picker = page.getByRole("region", { name: "Schema sales" });
  await expect(picker).toBeVisible();
  await expect(page.getByTestId("picker-selected-count")).toHaveText("0 of 29 tables selected");
  const ordersRow = page.locator('tr[data-table="sales.orders"]');
  await expect(ordersRow).toContainText("20,000");
  await expect(ordersRow).toContainText("MB");

  // Search narrows the list; a whole schema is selected, then one of its tables left out.
  await page.getByLabel("Search tables").fill("sales.");
  await expect(page.getByRole("region", { name: "Schema public" })).toHaveCount(0);
  await page.getByLabel("Select all tables in schema sales").check();
  await expect(page.getByLabel("Select sales.refunds")).toBeChecked();
  await page.getByLabel("Select sales.refunds").uncheck();
  await expect(page.getByLabel("Select all tables in schema sales")).not.toBeChecked();

  // An odd name is found by search and labelled by its qualified name.
  await page.getByLabel("Search tables").fill("ünï");
  await page.getByLabel(`Select ${ODD_KEY}`, { exact: true }).check();

  // A table without primary key: fine for a one-off copy, disabled with the reason for CDC.
  await page.getByLabel("Search tables").fill("no_pk");
  await page.getByLabel("Select public.no_pk", { exact: true }).check();
  await page.getByLabel("Continuous replication").check();
  const noPk = page.getByLabel("Select public.no_pk", { exact: true });
  await expect(noPk).toBeDisabled();
  await expect(noPk).not.toBeChecked();
  await expect(page.locator('tr[data-table="public.no_pk"]')).toHaveAttribute("title", /^No primary key and replica identity is not FULL: updates and deletes can't be replicated\. Run ALTER TABLE "public"\."no_pk" REPLICA IDENTITY FULL or choose initial copy only\.$/);
  await expect(page.locator('tr[data-table="public.no_pk"]').getByTestId("unavailable-icon")).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "Deselected public.no_pk" })).toBeVisible();
  await page.getByLabel("Continuous replication").uncheck();
  await noPk.check();

  // Rename the orders table on the target and leave one column out; key columns can't be left out.
  await page.getByLabel("Search tables").fill("orders");
  await page.getByLabel("Target schema for sales.orders").fill("archive");
  await page.getByLabel("Target table for sales.orders").fill("orders_copy");
  await page.getByRole("button", { name: "Columns of sales.orders" }).click();
  await expect(page.getByLabel("Copy column id of sales.orders")).toBeDisabled();
  await page.getByLabel("Copy column note of sales.orders").uncheck();
  await page.getByLabel("Search tables").fill("");
  // Editing the target selected the table too.
  await expect(page.getByTestId("picker-selected-count")).toHaveText("3 of 29 tables selected");

  // Small partitions, so the table is copied in several parallel pieces.
  await page.getByText("Advanced settings").click();
  // The form shows the documented default.
  await expect(page.getByLabel("Rows per partition")).toHaveAttribute("placeholder", SETTINGS_DEFAULTS.rowsPerPartition.toLocaleString("en-US"));
  await expect(page.getByLabel("Replication slot name")).toHaveAttribute("placeholder", `pgferry_${MIRROR}`);
  await page.getByLabel("Rows per partition").fill("5000");

  await page.getByRole("button", { name: "Create mirror" }).click();
  await expect(page).toHaveURL(new RegExp(`/mirrors/${MIRROR}$`), { timeout: 30_000 });
  await expect(page.getByRole("heading", { name: MIRROR, level: 1 })).toBeVisible();

  await page.getByRole("tab", { name: "Initial load" }).click();
  await expect(page).toHaveURL(/\?tab=load$/);
  await expectStatus(page, scenario.api, MIRROR, "Completed", 120_000);
  await expect(page.getByTestId("overall-percent")).toHaveText("100 %");
  await expect(page.getByTestId("overall-rows-copied")).toHaveText("21,300 / 21,300");
  await expect(page.getByTestId("load-table-status")).toHaveText(["Done", "Done", "Done"]);
  const ordersLoad = page.locator('[data-testid="load-table-row"][data-table="sales.orders"]');
  await expect(ordersLoad).toContainText("20,000 / 20,000");
  const partitions = /^partitions (\d+)\/(\d+)$/.exec((await ordersLoad.getByTestId("load-table-partitions").textContent()) ?? "");
  expect(partitions?.[1]).toBe(partitions?.[2]);
  expect(Number(partitions?.[1])).toBeGreaterThan(1);

  // The target has exactly the source rows, under the new name and without the excluded column.
  const [orders] = await sql<{ n: string; total: string }>("target", scenario.targetDb, "SELECT count(*) AS n, sum(amount) AS total FROM archive.orders_copy");
  expect(orders).toEqual({ n: "20000", total: "300015000.00" });
  const columns = await sql<{ column_name: string }>("target", scenario.targetDb, "SELECT column_name FROM information_schema.columns WHERE table_schema = 'archive' AND table_name = 'orders_copy' ORDER BY ordinal_position");
  expect(columns.map((c) => c.column_name)).toEqual(["id", "customer", "amount"]);
  const [odd] = await sql<{ n: string; last: string }>("target", scenario.targetDb, `SELECT count(*) AS n, max("Value ✓") FILTER (WHERE id = 300) AS last FROM "Odd Schema"."Ünï ""q"".tbl"`);
  expect(odd).toEqual({ n: "300", last: "välue 300" });
  const [noPkRows] = await sql<{ n: string }>("target", scenario.targetDb, "SELECT count(*) AS n FROM public.no_pk");
  expect(noPkRows.n).toBe("1000");
  const [refunds] = await sql<{ t: string | null }>("target", scenario.targetDb, "SELECT to_regclass('sales.refunds')::text AS t");
  expect(refunds.t).toBeNull();

  // The overview shows the mapping as chosen.
  await page.getByRole("tab", { name: "Overview" }).click();
  const mapping = page.getByTestId("table-mapping");
  await expect(mapping.getByRole("row").filter({ hasText: "sales.orders" })).toContainText("archive.orders_copy");
  await expect(mapping.getByRole("row").filter({ hasText: "sales.orders" })).toContainText("note");
  await expect(mapping.getByRole("row").filter({ hasText: "Ünï" })).toContainText(ODD_KEY);

  // The list shows it with its rows.
  await page.getByRole("link", { name: "← Mirrors" }).click();
  const row = page.getByTestId(`mirror-row-${MIRROR}`);
  await expect(row).toContainText("Completed");
  await expect(row).toContainText(`${SOURCE_PEER} → ${TARGET_PEER}`);
  await expect(row).toContainText("21,300");

  // Delete through the dialog; the page says so, then returns to the list once it is gone.
  await row.getByRole("link", { name: MIRROR }).click();
  await page.getByRole("button", { name: "Delete" }).click();
  const dialog = page.getByRole("dialog", { name: `Delete mirror ${MIRROR}?` });
  await expect(dialog).toContainText("The tables and rows already copied to the target are kept.");
  await dialog.getByRole("button", { name: "Delete mirror" }).click();
  await expect(page.getByTestId("deleting-banner")).toContainText("Deleting…");
  await expect(page).toHaveURL(/\/mirrors$/, { timeout: 60_000 });
  await expect(page.getByTestId(`mirror-row-${MIRROR}`)).toHaveCount(0);

  expect(await pgferryLeftovers(scenario.sourceDb)).toEqual({ slots: [], publications: [] });
  const [kept] = await sql<{ n: string }>("target", scenario.targetDb, "SELECT count(*) AS n FROM archive.orders_copy");
  expect(kept.n).toBe("20000");
});
