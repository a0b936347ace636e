import { expect, type Page, test } from "@playwright/test";
import { apiContext, createPeer, deletePeerIfAny, freshDatabase } from "./mirror-helpers";
import { signIn } from "./support";

/**
 * A peer page left open must not keep asking a production server for its sessions: the live panels
 * (components/usePolling.ts) stop while the tab is hidden, resume when it is shown, and never have
 * two requests to one URL in flight at once.
 */
const PEER = "e2e_polling";

test.beforeAll(async ({ playwright }) => {
  const api = await apiContext(playwright);
  await deletePeerIfAny(api, PEER);
  await createPeer(api, PEER, "source", await freshDatabase("source", PEER));
  await api.dispose();
});

test.afterAll(async ({ playwright }) => {
  const api = await apiContext(playwright);
  await deletePeerIfAny(api, PEER);
  await api.dispose();
});

/** Chromium reports a page as visible in headless runs; this is what a browser does for a background tab. */
async function setVisibility(page: Page, state: "hidden" | "visible"): Promise<void> {
  await page.evaluate((value) => {
    Object.defineProperty(document, "visibilityState", { value, configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
  }, state);
}

test("live panels pause in a hidden tab, resume when shown, and never overlap requests", async ({ page }) => {
  test.setTimeout(90_000);
  const requests: { url: string; at: number }[] = [];
  const inFlight = new Map<string, number>();
  let mostAtOnce = 0;
  const isApi = (url: string) => new URL(url).pathname.startsWith("/api/v1/");
  page.on("request", (request) => {
    if (!isApi(request.url())) return;
    requests.push({ url: request.url(), at: Date.now() });
    const now = (inFlight.get(request.url()) ?? 0) + 1;
    inFlight.set(request.url(), now);
    mostAtOnce = Math.max(mostAtOnce, now);
  });
  const settle = (request: { url(): string }) => {
    if (isApi(request.url())) inFlight.set(request.url(), (inFlight.get(request.url()) ?? 1) - 1);
  };
  page.on("requestfinished", settle);
  page.on("requestfailed", settle);

  await signIn(page, `/peers/${PEER}`);
  // Running commands refresh every 2 s: a few of them show the page is polling.
  await expect.poll(() => requests.filter((r) => r.url.endsWith("/activity")).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);

  await setVisibility(page, "hidden");
  // A request that was already on its way may still finish; after that, nothing new may start.
  await page.waitForTimeout(500);
  const hiddenSince = Date.now();
  await page.waitForTimeout(7_000);
  expect(requests.filter((r) => r.at >= hiddenSince).map((r) => r.url)).toEqual([]);

  const shownAt = Date.now();
  await setVisibility(page, "visible");
  await expect.poll(() => requests.filter((r) => r.at >= shownAt && r.url.endsWith("/activity")).length, { timeout: 5_000 }).toBeGreaterThanOrEqual(1);
  await expect.poll(() => requests.filter((r) => r.at >= shownAt && r.url.endsWith("/activity")).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
  await expect(page.getByRole("heading", { name: "Running commands" })).toBeVisible();

  expect(mostAtOnce).toBe(1);
});
