import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as alertsRoute from "@/app/api/v1/alerts/route";
import * as testRoute from "@/app/api/v1/alerts/test/route";
import { apiCatalogFixture } from "./api-catalog";
import { startWebhookReceiver, type WebhookReceiver } from "./webhook-receiver";

const PASSWORD = "alerts-api-test-password";

/** GET, PUT /api/v1/alerts and the test alert, as Next.js calls the handlers. */
describe("alerts API", () => {
  apiCatalogFixture(PASSWORD);
  let hook: WebhookReceiver;

  beforeAll(async () => {
    hook = await startWebhookReceiver();
  });
  afterAll(async () => {
    await hook?.close();
  });

  const call = async (handler: (request: Request, context: never) => Promise<Response>, method: string, body?: unknown, auth = true) => {
    const headers: Record<string, string> = auth ? { authorization: `Bearer ${PASSWORD}` } : {};
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await handler(new Request("http://pgferry.test/api/v1/alerts", { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }), undefined as never);
    return { status: response.status, json: await response.json() };
  };

  it("starts with alerts off, saves valid settings and refuses invalid ones field by field", async () => {
    expect(await call(alertsRoute.GET, "GET")).toEqual({ status: 200, json: { webhookUrl: "" } });
    const settings = { webhookUrl: hook.url, lagSeconds: 60, retainedWalBytes: 1_000_000, slotInactiveMinutes: 5 };
    expect(await call(alertsRoute.PUT, "PUT", settings)).toEqual({ status: 200, json: settings });
    expect((await call(alertsRoute.GET, "GET")).json).toEqual(settings);

    const bad = await call(alertsRoute.PUT, "PUT", { webhookUrl: "ftp://x", lagSeconds: -1, retainedWalBytes: 1.5 });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.json.error.fields).sort()).toEqual(["lagSeconds", "retainedWalBytes", "webhookUrl"]);
    expect((await call(alertsRoute.GET, "GET")).json).toEqual(settings);
    expect((await call(alertsRoute.GET, "GET", undefined, false)).status).toBe(401);
  });

  it("sends a test alert to the saved webhook, retrying a failed attempt", async () => {
    hook.failNext = 1;
    const sent = await call(testRoute.POST, "POST");
    expect(sent).toEqual({ status: 200, json: { delivered: true, attempts: 2 } });
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]).toMatchObject({ event: "test", text: expect.stringContaining("test alert") });
  });

  it("says so when the webhook cannot be reached, without echoing its URL", async () => {
    const refused = await call(testRoute.POST, "POST", { webhookUrl: "http://127.0.0.1:1/secret-token-path" });
    expect(refused.status).toBe(502);
    expect(refused.json.error.code).toBe("webhook_failed");
    expect(JSON.stringify(refused.json)).not.toContain("secret-token-path");
  });
});
