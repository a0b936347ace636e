/**
 * A mirror's life:
 *
 *   setup ──► initial_load ──► running (CDC) ◄──► paused
 *                  │                │
 *                  └► completed     └──► failed (also from setup / initial_load)
 *   (initial copy only)
 *   any ──► deleting ──► (gone)
 */
export const MIRROR_STATUSES = ["setup", "initial_load", "running", "paused", "completed", "failed", "deleting"] as const;
export type MirrorStatus = (typeof MIRROR_STATUSES)[number];

export const MIRROR_MODES = ["cdc", "initial_load_only"] as const;
export type MirrorMode = (typeof MIRROR_MODES)[number];

/** Statuses in which a worker must own and drive the mirror. */
export const ACTIVE_STATUSES: MirrorStatus[] = ["setup", "initial_load", "running", "paused", "deleting"];

export const STATUS_LABELS: Record<MirrorStatus, string> = {
  setup: "Setting up",
  initial_load: "Initial load",
  running: "Replicating",
  paused: "Paused",
  completed: "Completed",
  failed: "Failed",
  deleting: "Deleting",
};

export function canPause(status: string): boolean {
  return status === "running";
}

export function canResume(status: string): boolean {
  return status === "paused";
}

/** A resync may start unless the mirror is being set up or deleted. */
export const RESYNCABLE_STATUSES: MirrorStatus[] = ["running", "paused", "failed", "completed", "initial_load"];

export function canResync(status: string): boolean {
  return (RESYNCABLE_STATUSES as string[]).includes(status);
}
