import { expect, test } from "@playwright/test";
import { consolePages, createReplicatingMirror, pageOverflow } from "./console-pages";
import { mirrorScenario } from "./mirror-helpers";
import { e2eClusters, signIn } from "./support";

/**
 * The console as a whole: every page fits the window from phone to desktop width, missing things
 * are named with the way back, and the mirror tabs work from the keyboard.
 */
const SOURCE_SQL = `CREATE TABLE public.customer_order_line_items_archive_2024 (id int PRIMARY KEY, note text);
    INSERT INTO public.customer_order_line_items_archive_2024 SELECT g, 'n' || g FROM generate_series(1, 30) g;
    CREATE TABLE public.items (id int PRIMARY KEY, name text);
    INSERT INTO public.items SELECT g, 'item ' || g FROM generate_series(1, 30) g;
    ANALYZE;`;
const scenario = mirrorScenario("e2e_console_mirror_with_a_rather_long_name", SOURCE_SQL);

test.beforeAll(async () => {
  test.setTimeout(180_000);
  await createReplicatingMirror(scenario, ["public.customer_order_line_items_archive_2024", "public.items"]);
});

for (const width of [1280, 375]) {
  test(`every page fits a ${width} px window without sideways scrolling`, async ({ page, browser, baseURL }) => {
    test.setTimeout(240_000);
    await page.setViewportSize({ width, height: 900 });
    await signIn(page, "/mirrors");
    const failures: string[] = [];
    for (const target of consolePages(scenario)) {
      await page.goto(target.path);
      await target.ready(page);
      const fit = await pageOverflow(page);
      if (fit.scrollWidth > fit.innerWidth) failures.push(`${target.path}: ${fit.scrollWidth} px > ${fit.innerWidth} px; widest ${fit.widest}`);
    }
    const signedOutContext = await browser.newContext({ viewport: { width, height: 900 } });
    const signedOut = await signedOutContext.newPage();
    await signedOut.goto(`${baseURL}/login`);
    await expect(signedOut.getByRole("button", { name: "Sign in" })).toBeVisible();
    const login = await pageOverflow(signedOut);
    if (login.scrollWidth > login.innerWidth) failures.push(`/login: ${login.scrollWidth} px; widest ${login.widest}`);
    await signedOutContext.close();
    expect(failures).toEqual([]);
  });
}

test("a missing mirror or peer is named, with a link back to its list", async ({ page }) => {
  await signIn(page, "/mirrors/does-not-exist");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("No mirror named does-not-exist");
  await page.getByRole("link", { name: "Back to mirrors" }).click();
  await expect(page).toHaveURL(/\/mirrors$/);

  await page.goto("/peers/nobody_here");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("No peer named nobody_here");
  await expect(page.getByRole("link", { name: "Back to peers" })).toHaveAttribute("href", "/peers");

  await page.goto("/no/such/page");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("There is no page at this address");
});

test("the mirror tabs move with the arrow keys, and the navigation marks the current section", async ({ page }) => {
  await signIn(page, `/mirrors/${scenario.mirror}`);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Mirrors" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Peers" })).not.toHaveAttribute("aria-current", "page");

  const overview = page.getByRole("tab", { name: "Overview" });
  await expect(overview).toHaveAttribute("tabindex", "0");
  await expect(page.getByRole("tab", { name: "Logs" })).toHaveAttribute("tabindex", "-1");
  await overview.focus();
  await page.keyboard.press("ArrowRight");
  const load = page.getByRole("tab", { name: "Initial load" });
  await expect(load).toBeFocused();
  await expect(load).toHaveAttribute("aria-selected", "true");
  await expect(page.getByRole("tabpanel")).toHaveAttribute("aria-labelledby", "tab-load");
  await expect(page).toHaveURL(/\?tab=load$/);
  await page.keyboard.press("End");
  await expect(page.getByRole("tab", { name: "Logs" })).toBeFocused();
  await page.keyboard.press("ArrowRight");
  await expect(overview).toBeFocused();
  await expect(overview).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("ArrowLeft");
  await expect(page.getByRole("tab", { name: "Logs" })).toHaveAttribute("aria-selected", "true");
  // Tab leaves the tab list for the panel instead of walking through every tab.
  await page.keyboard.press("Tab");
  await expect(page.getByRole("tabpanel")).toBeFocused();
});

test("the log filters by level and text, and the throughput chart has a scale and time ranges", async ({ page }) => {
  await signIn(page, `/mirrors/${scenario.mirror}?tab=logs`);
  await expect(page.getByTestId("events")).toBeVisible();
  await expect(page.getByTestId("log-range")).toContainText(/^1–\d+ of \d+ events$/);
  await page.getByTestId("log-search").fill("no event says this");
  await expect(page.getByTestId("log-empty")).toHaveText("No event matches these filters.");
  await page.getByTestId("log-search").fill("");
  await expect(page.getByTestId("events")).toBeVisible();
  await page.getByTestId("log-level").selectOption("info");
  await expect(page.getByTestId("events").getByText("warn", { exact: true })).toHaveCount(0);
  await expect(page.getByTestId("log-range")).toContainText("matching events");

  await page.getByRole("tab", { name: "CDC" }).click();
  const chart = page.getByTestId("rate-chart");
  await expect(chart.getByTestId("rate-axis")).toBeVisible();
  await chart.getByRole("button", { name: "24h" }).click();
  await expect(chart.getByRole("button", { name: "24h" })).toHaveAttribute("aria-pressed", "true");
  await expect(chart.getByRole("img")).toHaveAttribute("aria-label", /over the last 24h/);
});

test("fields are checked as they are typed, and a wrong port is said once, at its field", async ({ page }) => {
  const { source } = e2eClusters();
  await signIn(page, "/peers/new");
  await page.getByLabel("Port").fill("70000");
  // No Save or Validate: the schema's message appears after a short pause in typing.
  await expect(page.locator("#port-error")).toHaveText("Port must be between 1 and 65535.");
  await page.getByLabel("Port").fill("1");
  await expect(page.locator("#port-error")).toHaveCount(0);

  await page.getByLabel("Name").fill("e2e_wrong_port");
  await page.getByLabel("Host").fill(source.host);
  await page.getByLabel("Database").fill("postgres");
  await page.getByLabel("User").fill(source.user);
  await page.getByLabel("Password", { exact: true }).fill(source.password);
  await page.getByRole("button", { name: "Validate" }).click();
  await expect(page.getByTestId("check-reachable")).toHaveAttribute("data-status", "fail");
  const message = (await page.locator("#host-error").textContent()) ?? "";
  expect(message).toContain(`${source.host}:1`);
  await expect(page.getByLabel("Port")).toHaveAttribute("aria-invalid", "true");
  const firstSentence = message.split(". ")[0];
  const count = async () => page.evaluate((text) => document.body.innerText.split(text).length - 1, firstSentence);
  expect(await count()).toBe(1);
  await expect(page.getByTestId("check-reachable")).toContainText("See the Host field.");

  // Saving is refused for the same reason, still said once.
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("#host-error")).toContainText(`${source.host}:1`);
  await expect(page).toHaveURL(/\/peers\/new$/);
  expect(await count()).toBe(1);
});
