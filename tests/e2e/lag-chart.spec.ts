import { expect, test } from "@playwright/test";
import { expectStatus, mirrorScenario, sql } from "./mirror-helpers";
import { signIn } from "./support";

/** The CDC tab's lag history: a paused mirror with changes waiting shows them as lag, over each range. */
const scenario = mirrorScenario("e2e_lag", `CREATE TABLE public.t (id int PRIMARY KEY, v text); INSERT INTO public.t SELECT g, 'v' FROM generate_series(1, 100) g;`);

test("the lag chart renders the measured history", async ({ page }) => {
  test.setTimeout(180_000);
  const { api, mirror } = scenario;
  const created = await api.post("/api/v1/mirrors", {
    data: { name: mirror, source: scenario.sourcePeer, target: scenario.targetPeer, mode: "cdc", tables: [{ source: "public.t" }] },
  });
  expect(created.status(), await created.text()).toBe(201);
  await expect.poll(async () => (await (await api.get(`/api/v1/mirrors/${mirror}`)).json()).status, { timeout: 60_000 }).toBe("running");
  expect((await api.post(`/api/v1/mirrors/${mirror}/pause`)).status()).toBe(200);
  await sql("source", scenario.sourceDb, "INSERT INTO public.t SELECT g, 'later' FROM generate_series(101, 400) g");
  await expect.poll(async () => (await (await api.get(`/api/v1/mirrors/${mirror}/lag`)).json()).points.some((p: { lagBytes: number }) => p.lagBytes > 0), { timeout: 60_000 }).toBe(true);

  await signIn(page, `/mirrors/${mirror}`);
  await expectStatus(page, api, mirror, "Paused", 30_000);
  await page.getByRole("tab", { name: "CDC" }).click();
  const chart = page.getByTestId("lag-chart");
  await expect(chart.getByRole("img", { name: /^Lag over the last 1h; peak \d/ })).toBeVisible({ timeout: 30_000 });
  await expect(chart.locator("polyline").first()).toHaveAttribute("points", /\d/);
  await chart.getByRole("button", { name: "7d" }).click();
  await expect(chart.getByRole("button", { name: "7d" })).toHaveAttribute("aria-pressed", "true");
  await expect(chart.getByRole("img", { name: /^Lag over the last 7d/ })).toBeVisible();

  // The source peer's slot section charts the same history for the mirror's slot.
  await page.goto(`/peers/${scenario.sourcePeer}`);
  const slotCharts = page.getByTestId("slot-lag-charts");
  await expect(slotCharts.getByRole("link", { name: mirror })).toBeVisible({ timeout: 30_000 });
  await expect(slotCharts.getByRole("img", { name: /^Lag over the last 1h; peak \d/ })).toBeVisible();
});
