import type { AlertKind } from "./kinds";
import type { AlertSettings } from "./settings";

/** What the evaluator knows about one mirror: its catalog row's figures, and since when its slot has been idle. */
export interface MirrorHealth {
  name: string;
  status: string;
  mode: string;
  slotName: string;
  errorMessage: string | null;
  lagBytes: number | null;
  lagSeconds: number | null;
  retainedBytes: number | null;
  /** Slot exists and nothing streams from it since this time; null when active, missing or unknown. */
  slotInactiveSince: Date | null;
}

/** The alerts that hold for a mirror now, each with its cause in plain words. Pure. */
export function evaluateAlerts(mirror: MirrorHealth, settings: AlertSettings, now = Date.now()): Map<AlertKind, string> {
  const firing = new Map<AlertKind, string>();
  if (mirror.status === "failed") firing.set("mirror_failed", mirror.errorMessage ?? "The mirror failed; its Logs tab says why.");
  if (mirror.mode !== "cdc" || mirror.status === "deleting") return firing;
  const { lagSeconds, retainedWalBytes, slotInactiveMinutes } = settings;
  if (lagSeconds !== undefined && mirror.lagSeconds !== null && mirror.lagSeconds >= lagSeconds) {
    firing.set("lag_high", `Replication lag is ${Math.round(mirror.lagSeconds)} s (alert at ${lagSeconds} s), ${formatBytes(mirror.lagBytes ?? 0)} of source WAL not applied.`);
  }
  if (retainedWalBytes !== undefined && mirror.retainedBytes !== null && mirror.retainedBytes >= retainedWalBytes) {
    firing.set(
      "wal_retained_high",
      `Slot ${mirror.slotName} makes the source keep ${formatBytes(mirror.retainedBytes)} of WAL (alert at ${formatBytes(retainedWalBytes)}). Resume or delete the mirror so the source can free it.`,
    );
  }
  if (slotInactiveMinutes !== undefined && mirror.slotInactiveSince !== null) {
    const minutes = (now - mirror.slotInactiveSince.getTime()) / 60_000;
    if (minutes >= slotInactiveMinutes) {
      firing.set(
        "slot_inactive",
        `Nothing has read slot ${mirror.slotName} for ${Math.floor(minutes)} min (alert at ${slotInactiveMinutes} min) while the mirror is ${mirror.status}; the source keeps WAL for it.`,
      );
    }
  }
  return firing;
}

export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
