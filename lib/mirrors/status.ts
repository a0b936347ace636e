/**
 * The state machines of the catalog: a mirror's status, and the status of each of its tables and
 * partitions during an initial load. Every allowed change is listed here and nowhere else; the
 * catalog refuses unknown statuses (CHECK constraints, prisma/migrations/*_status_checks), and
 * `transitionMirror` (lib/catalog/transition-mirror.ts) refuses a mirror transition not listed.
 */

/**
 * A mirror's life:
 *
 *   setup ──► initial_load ──► running (CDC) ◄──► paused
 *     ▲            │  │
 *     │            │  └► completed (initial copy only)
 *     └────────────┘ load restarts from a new snapshot; resync from any settled status
 *   setup ──► running (CDC without initial load: settings.initialLoad false)
 *   setup, initial_load, running, paused ──► failed
 *   running ──► cutover ──► completed (switched to the target); cutover ──► running (aborted or stopped before the switch)
 *   any ──► deleting ──► (gone)
 */
export const MIRROR_STATUSES = ["setup", "initial_load", "running", "paused", "cutover", "completed", "failed", "deleting"] as const;
export type MirrorStatus = (typeof MIRROR_STATUSES)[number];

/**
 * Every allowed change of a mirror's status. Who makes it:
 * - web app (lib/web/mirrors/actions.ts, cutover.ts): running → cutover; running ⇄ paused; failed → running (resume); → setup (resync); → deleting.
 * - runner (workers/mirrors): setup → initial_load (snapshot taken, partitions queued); setup → running (no initial load);
 *   initial_load → running | completed (all partitions copied); initial_load → setup (the snapshot
 *   was lost, the load starts over); → failed (a person must act).
 * A mirror is created in `setup`; `deleting` ends with the row deleted.
 */
export const MIRROR_TRANSITIONS: Readonly<Record<MirrorStatus, readonly MirrorStatus[]>> = {
  // setup → running: a CDC mirror without initial load (settings.initialLoad false, e.g. a cutover's reverse mirror).
  setup: ["initial_load", "running", "failed", "deleting"],
  initial_load: ["running", "completed", "setup", "failed", "deleting"],
  running: ["paused", "cutover", "setup", "failed", "deleting"],
  paused: ["running", "setup", "failed", "deleting"],
  // cutover → running: aborted or stopped before the switch, with the fence lifted; no delete while the source may be fenced.
  cutover: ["running", "completed", "failed"],
  completed: ["setup", "deleting"],
  // failed → running: Resume after the user fixed the cause; CDC retries from the position stored on the target.
  failed: ["running", "setup", "deleting"],
  deleting: [],
};

/** The status a new mirror is created in. */
export const INITIAL_MIRROR_STATUS: MirrorStatus = "setup";

export const MIRROR_MODES = ["cdc", "initial_load_only"] as const;
export type MirrorMode = (typeof MIRROR_MODES)[number];

/** Statuses in which a worker must own and drive the mirror. */
export const ACTIVE_STATUSES: MirrorStatus[] = ["setup", "initial_load", "running", "paused", "cutover", "deleting"];

export const STATUS_LABELS: Record<MirrorStatus, string> = {
  setup: "Setting up",
  initial_load: "Initial load",
  running: "Replicating",
  paused: "Paused",
  cutover: "Cutting over",
  completed: "Completed",
  failed: "Failed",
  deleting: "Deleting",
};

export function isMirrorStatus(value: string): value is MirrorStatus {
  return (MIRROR_STATUSES as readonly string[]).includes(value);
}

/** The catalog column is a string; the CHECK constraint makes this a formality that names a bug if it ever fails. */
export function parseMirrorStatus(value: string): MirrorStatus {
  if (!isMirrorStatus(value)) throw new Error(`unknown mirror status ${JSON.stringify(value)}`);
  return value;
}

export function canTransitionMirror(from: MirrorStatus, to: MirrorStatus): boolean {
  return MIRROR_TRANSITIONS[from].includes(to);
}

/** Every status from which a mirror may move to `to`. */
export function mirrorStatusesLeadingTo(to: MirrorStatus): MirrorStatus[] {
  return MIRROR_STATUSES.filter((from) => canTransitionMirror(from, to));
}

/** A transition that the table does not list: a bug in the caller, never a race (races make a transition not apply). */
export class InvalidTransitionError extends Error {
  constructor(
    readonly machine: "mirror" | "table" | "partition",
    readonly from: string,
    readonly to: string,
  ) {
    super(`a ${machine} cannot go from ${from} to ${to}`);
    this.name = "InvalidTransitionError";
  }
}

export function assertMirrorTransition(from: MirrorStatus, to: MirrorStatus): void {
  if (!canTransitionMirror(from, to)) throw new InvalidTransitionError("mirror", from, to);
}

export function canPause(status: string): boolean {
  return status === "running";
}

/** Paused, or failed after its initial load (lib/web/mirrors/resume-failed.ts refuses one that failed while loading). */
export function canResume(status: string): boolean {
  return status === "paused" || status === "failed";
}

/** A resync may start unless the mirror is being set up or deleted: every status that may go back to `setup`. */
export const RESYNCABLE_STATUSES: MirrorStatus[] = mirrorStatusesLeadingTo("setup");

export function canResync(status: string): boolean {
  return (RESYNCABLE_STATUSES as string[]).includes(status);
}

/**
 * A partition's life within one load generation (a new generation replaces the rows):
 *
 *   pending ──► copying ──► done
 *      ▲           │ └────► failed (for good: the load fails, or restarts if the snapshot was lost)
 *      └───────────┘ handed back: the worker stopped, a transient error, or the worker went offline
 */
export const PARTITION_STATUSES = ["pending", "copying", "done", "failed"] as const;
export type PartitionStatus = (typeof PARTITION_STATUSES)[number];

/**
 * copying → copying: a copy job retried after it could not record its outcome claims the partition again.
 * Written by the copy job (workers/jobs/copy-partition.ts) and the load monitor (orphans back to pending).
 */
export const PARTITION_TRANSITIONS: Readonly<Record<PartitionStatus, readonly PartitionStatus[]>> = {
  pending: ["copying"],
  copying: ["copying", "done", "pending", "failed"],
  done: [],
  failed: [],
};

export function canTransitionPartition(from: PartitionStatus, to: PartitionStatus): boolean {
  return PARTITION_TRANSITIONS[from].includes(to);
}

/**
 * A table's load status is rolled up from its partitions by the load monitor (workers/mirrors/load-monitor.ts):
 * failed if any partition failed, done if all are, copying once one started, else pending. A new load
 * generation sets every table back to pending.
 *
 * `removed`: taken out of a CDC mirror by PATCH /api/v1/mirrors/{name} (lib/web/mirrors/edit.ts). The row
 * stays as history (its counters); the runner leaves it out of everything it drives (runner.ts reads only
 * the other tables). An end state: adding the table again is a new table.
 */
export const TABLE_STATUSES = [...PARTITION_STATUSES, "removed"] as const;
export type TableStatus = (typeof TABLE_STATUSES)[number];

export const TABLE_TRANSITIONS: Readonly<Record<TableStatus, readonly TableStatus[]>> = {
  pending: ["copying", "done", "failed", "removed"],
  copying: ["done", "failed", "pending"],
  done: ["pending", "removed"],
  failed: ["pending", "removed"],
  removed: [],
};

/** Table statuses that a table list edit may remove: a copy in progress must finish (or fail) first. */
export const REMOVABLE_TABLE_STATUSES: TableStatus[] = TABLE_STATUSES.filter((status) => TABLE_TRANSITIONS[status].includes("removed"));

export function canTransitionTable(from: TableStatus, to: TableStatus): boolean {
  return TABLE_TRANSITIONS[from].includes(to);
}
