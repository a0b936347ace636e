import { type AlertSettings, alertSettingsSchema } from "@/lib/alerts/settings";
import { alertPayload, deliverAlert } from "@/lib/alerts/webhook";
import { readAlertSettings, writeAlertSettings } from "@/lib/catalog/alert-settings";
import type { PrismaClient } from "@/lib/catalog/generated/client";
import { UserFacingError } from "@/lib/errors/user-facing-error";

/** The alert settings as GET /api/v1/alerts and the Settings page show them. */
export async function getAlertSettings(catalog: PrismaClient): Promise<AlertSettings> {
  return readAlertSettings(catalog);
}

/** PUT /api/v1/alerts: parses (zod errors become 400 with per-field messages) and replaces the settings. */
export async function saveAlertSettings(catalog: PrismaClient, input: unknown): Promise<AlertSettings> {
  const settings = alertSettingsSchema.parse(input);
  await writeAlertSettings(catalog, settings);
  return settings;
}

const testInputSchema = alertSettingsSchema.pick({ webhookUrl: true }).partial();

/**
 * Sends a test alert to `webhookUrl` from the body, or to the saved one: the Settings page's test
 * button. Answers with how it went; a webhook that refuses is the user's to fix (502).
 */
export async function sendTestAlert(catalog: PrismaClient, input: unknown): Promise<{ delivered: true; attempts: number }> {
  const { webhookUrl } = testInputSchema.parse(input ?? {});
  const url = webhookUrl || (await readAlertSettings(catalog)).webhookUrl;
  if (!url) throw new UserFacingError("No webhook is set: enter a webhook URL first.", "no_webhook", { webhookUrl: "Enter a webhook URL" });
  const delivery = await deliverAlert(url, alertPayload("test", null, null, "Alerts from pgferry will arrive here."), [1_000]);
  if (!delivery.ok) {
    throw new UserFacingError(`The test alert was not delivered: ${delivery.reason}. Check the webhook URL.`, "webhook_failed", undefined, 502);
  }
  return { delivered: true, attempts: delivery.attempts };
}
