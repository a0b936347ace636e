import { z } from "zod";

/**
 * Alert settings, one set for the whole installation (PUT /api/v1/alerts, the Settings page).
 * A threshold left out turns that alert off; mirror_failed is always on while a webhook is set.
 */
const positive = (what: string) => z.number({ error: `${what} must be a number` }).positive(`${what} must be more than 0`);

export const alertSettingsSchema = z.object({
  /** Where alerts are POSTed as JSON (Slack incoming webhooks work as they are). Empty: alerts are off. */
  webhookUrl: z
    .string()
    .trim()
    .max(2000, "The webhook URL is too long")
    .refine((value) => value === "" || isHttpUrl(value), "Enter an http:// or https:// URL"),
  /** lag_high when a mirror's lag reaches this many seconds. Default: off. */
  lagSeconds: positive("Lag seconds").optional(),
  /** wal_retained_high when a slot makes its source keep this many bytes of WAL. Default: off. */
  retainedWalBytes: positive("Retained WAL bytes").int("Retained WAL bytes must be a whole number").optional(),
  /** slot_inactive when nothing has consumed a mirror's slot for this many minutes. Default: off. */
  slotInactiveMinutes: positive("Slot inactive minutes").optional(),
});

export type AlertSettings = z.infer<typeof alertSettingsSchema>;

export const NO_ALERTS: AlertSettings = { webhookUrl: "" };

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}
