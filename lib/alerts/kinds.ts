/** What an alert is about. `resolved` is sent when an alert that was sent stops holding. */
export const ALERT_KINDS = ["mirror_failed", "lag_high", "wal_retained_high", "slot_inactive"] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export type AlertEvent = AlertKind | "resolved" | "test";

export const ALERT_LABELS: Record<AlertKind, string> = {
  mirror_failed: "mirror failed",
  lag_high: "lag high",
  wal_retained_high: "WAL retained high",
  slot_inactive: "slot inactive",
};

/** At most one alert of a kind per mirror in this window. Default: 15 min. */
export const ALERT_REPEAT_MS = 15 * 60_000;
