import { type AlertSettings, alertSettingsSchema, NO_ALERTS } from "@/lib/alerts/settings";
import type { PrismaClient } from "./generated/client";

/** Settings key of the alert settings (JSON). */
export const ALERT_SETTINGS_KEY = "alerts";

/** The saved alert settings; alerts off when none were saved (or what was saved no longer parses). */
export async function readAlertSettings(catalog: PrismaClient): Promise<AlertSettings> {
  const row = await catalog.setting.findUnique({ where: { key: ALERT_SETTINGS_KEY } });
  if (!row) return NO_ALERTS;
  const parsed = alertSettingsSchema.safeParse(JSON.parse(row.value));
  return parsed.success ? parsed.data : NO_ALERTS;
}

/** Replaces the alert settings (already parsed). */
export async function writeAlertSettings(catalog: PrismaClient, settings: AlertSettings): Promise<void> {
  const value = JSON.stringify(settings);
  await catalog.setting.upsert({ where: { key: ALERT_SETTINGS_KEY }, create: { key: ALERT_SETTINGS_KEY, value }, update: { value } });
}
