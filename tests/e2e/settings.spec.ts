import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { signIn } from "./support";

/** Settings → Alerts: save a webhook and thresholds, see them kept, and send a test alert to a local receiver. */
test("the Settings page saves a webhook and sends a test alert", async ({ page }) => {
  const received: Record<string, unknown>[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      received.push(JSON.parse(body));
      response.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const webhook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  try {
    await signIn(page, "/settings");
    await expect(page.getByRole("heading", { name: "Settings" })).toBeVisible();

    await page.getByLabel("Webhook URL").fill("not a url");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByText("Enter an http:// or https:// URL")).toBeVisible();

    await page.getByLabel("Webhook URL").fill(webhook);
    await page.getByLabel("Lag above (seconds)").fill("120");
    await page.getByLabel("Retained WAL above (MB)").fill("512");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("status")).toHaveText("Saved. Alerts go to this webhook.");

    await page.reload();
    await expect(page.getByLabel("Webhook URL")).toHaveValue(webhook);
    await expect(page.getByLabel("Lag above (seconds)")).toHaveValue("120");
    await expect(page.getByLabel("Retained WAL above (MB)")).toHaveValue("512");
    await expect(page.getByLabel("Slot unread for (minutes)")).toHaveValue("");

    await page.getByRole("button", { name: "Send test alert" }).click();
    await expect(page.getByRole("status")).toHaveText("Test alert delivered.");
    expect(received).toEqual([expect.objectContaining({ event: "test", text: expect.stringContaining("pgferry test alert") })]);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
