import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { consolePages, createReplicatingMirror } from "./console-pages";
import { mirrorScenario } from "./mirror-helpers";
import { signIn } from "./support";

/** axe-core on every console page, in the light and the dark colour scheme: no serious or critical violation. */
const SOURCE_SQL = `CREATE TABLE public.orders (id int PRIMARY KEY, total numeric);
    INSERT INTO public.orders SELECT g, g * 1.5 FROM generate_series(1, 30) g;
    ANALYZE;`;
const scenario = mirrorScenario("e2e_a11y", SOURCE_SQL);

test.beforeAll(async () => {
  test.setTimeout(180_000);
  await createReplicatingMirror(scenario, ["public.orders"]);
});

async function seriousViolations(page: Page, path: string): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  // A page that axe could not read (blank, still loading) would pass without this.
  expect(results.passes.length, `axe checked ${path}`).toBeGreaterThan(10);
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${path}: ${v.id} (${v.impact}) ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => `${n.target.join(" ")} ${n.failureSummary?.replace(/\s+/g, " ") ?? ""}`).join("\n    ")}`);
}

for (const colorScheme of ["light", "dark"] as const) {
  test(`every page has no serious or critical axe violations (${colorScheme})`, async ({ page, browser, baseURL }) => {
    test.setTimeout(240_000);
    await page.emulateMedia({ colorScheme });
    await signIn(page, "/mirrors");
    const failures: string[] = [];
    for (const target of consolePages(scenario)) {
      await page.goto(target.path);
      await target.ready(page);
      failures.push(...(await seriousViolations(page, target.path)));
    }
    const signedOutContext = await browser.newContext({ colorScheme });
    const signedOut = await signedOutContext.newPage();
    await signedOut.goto(`${baseURL}/login`);
    await expect(signedOut.getByRole("button", { name: "Sign in" })).toBeVisible();
    failures.push(...(await seriousViolations(signedOut, "/login")));
    await signedOutContext.close();
    expect(failures.join("\n")).toBe("");
  });
}
