import { expect, test } from "@playwright/test";
import { createScenarioMirror, mirrorEvents, mirrorScenario, pollMirrorStatus, sql } from "./mirror-helpers";
import { signIn } from "./support";

/**
 * The Verify tab: start a verification of a copied mirror, watch it pass, find a planted difference
 * with its key, and see the last result on the Overview.
 */
const SOURCE_SQL = `CREATE TABLE public.items (id int PRIMARY KEY, name text NOT NULL, qty int NOT NULL);
    INSERT INTO public.items SELECT g, 'item ' || g, g FROM generate_series(1, 500) g;
    CREATE TABLE public.bag (k int, v text);
    INSERT INTO public.bag SELECT g % 10, 'same' FROM generate_series(1, 50) g;
    ANALYZE;`;
const scenario = mirrorScenario("e2e_verify", SOURCE_SQL);

test("verify a mirror from its Verify tab: passed, then a planted difference named by key", async ({ page }) => {
  test.setTimeout(300_000);
  await createScenarioMirror(scenario, "initial_load_only", ["public.items", "public.bag"]);
  await pollMirrorStatus(scenario, "completed", "the initial copy finishes");

  await signIn(page, `/mirrors/${scenario.mirror}?tab=verify`);
  await expect(page.getByRole("tab", { name: "Verify" })).toHaveAttribute("aria-selected", "true");
  await page.getByTestId("verify-start").click();
  try {
    await expect(page.getByTestId("verification-status")).toHaveText("passed", { timeout: 120_000 });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n\n${await mirrorEvents(scenario.api, scenario.mirror)}`);
  }
  await expect(page.getByTestId("verification-progress")).toContainText("2/2");
  await expect(page.locator('[data-testid="verification-table"][data-table="public.items"]')).toContainText("equal");

  await sql("target", scenario.targetDb, "UPDATE public.items SET name = 'tampered' WHERE id = 42");
  await page.getByTestId("verify-some").check();
  await page.getByRole("checkbox", { name: "public.items" }).check();
  await page.getByTestId("verify-start").click();
  await expect(page.getByTestId("verification-status")).toHaveText("failed", { timeout: 120_000 });
  const items = page.locator('[data-testid="verification-table"][data-table="public.items"]');
  await expect(items).toContainText("different");
  await items.getByText("differing rows").click();
  await expect(items).toContainText("changed id=42");
  await expect(page.getByTestId("verification-history").locator("tbody tr")).toHaveCount(2);

  await page.getByRole("tab", { name: "Overview" }).click();
  await expect(page.getByTestId("last-verification")).toContainText("failed");
});
