import { z } from "zod";
import { grantStatement } from "@/lib/pg/grants";

/**
 * A cutover's life, and each of its steps' (the catalog columns carry the same lists as CHECK constraints,
 * migration 20261126600000_cutover):
 *
 *   cutover: running ──► done                       (finish step completed: the mirror is `completed`)
 *               │ └────► failed                     (a step failed before the switch; fence lifted, mirror back to `running`)
 *               └──► aborting ──► aborted           (DELETE …/cutover before the switch; the runner lifts the fence)
 *   step:    pending ──► running ──► done | failed | skipped
 *
 * "The switch" is the start of the finish step (`switched_at`): after it CDC stops and the slot goes, so
 * nothing can be aborted; before it everything pgferry did on the source is undone on abort or failure.
 */
export const CUTOVER_STATUSES = ["running", "aborting", "aborted", "failed", "done"] as const;
export type CutoverStatus = (typeof CUTOVER_STATUSES)[number];

export const CUTOVER_TRANSITIONS: Readonly<Record<CutoverStatus, readonly CutoverStatus[]>> = {
  running: ["aborting", "failed", "done"],
  aborting: ["aborted"],
  aborted: [],
  failed: [],
  done: [],
};

export function canTransitionCutover(from: CutoverStatus, to: CutoverStatus): boolean {
  return CUTOVER_TRANSITIONS[from].includes(to);
}

export const CUTOVER_STEP_STATUSES = ["pending", "running", "done", "failed", "skipped"] as const;
export type CutoverStepStatus = (typeof CUTOVER_STEP_STATUSES)[number];

/** The steps, in order. */
export const CUTOVER_STEPS = ["preflight", "fence", "drain", "sequences", "objects", "verify", "finish"] as const;
export type CutoverStepName = (typeof CUTOVER_STEPS)[number];

export const CUTOVER_STEP_LABELS: Record<CutoverStepName, string> = {
  preflight: "Pre-flight checks",
  fence: "Fence writes on the source",
  drain: "Drain: apply every change up to the fence",
  sequences: "Sync sequences",
  objects: "Build target objects",
  verify: "Verify source = target",
  finish: "Finish: stop replication, drop slot and publication",
};

/** Statuses after which a cutover no longer changes. */
export const FINISHED_CUTOVER_STATUSES: CutoverStatus[] = ["aborted", "failed", "done"];

/** Default of the cutover option `maxLagSeconds`: 60 s. */
export const DEFAULT_CUTOVER_MAX_LAG_SECONDS = 60;

/** `POST /api/v1/mirrors/{name}/cutover`: every option has a default, so `{}` is a full request. */
export const cutoverOptionsSchema = z
  .object({
    /** Revoke writes on the mirrored tables from every role but pgferry's own. false: you confirm the application stopped writing. Default: true. */
    fenceWrites: z.boolean().default(true),
    /** Added to every source sequence's value when the target's is set. Default: 0. */
    sequenceMargin: z.number().int({ error: "The sequence margin must be a whole number." }).min(0, { error: "The sequence margin cannot be negative." }).max(1_000_000_000).default(0),
    /** Build the target's indexes, constraints, views… (workers/schema/post-data.ts) before the switch. Default: true. */
    buildObjects: z.boolean().default(true),
    /** Pre-flight refuses the cutover while the mirror lags more than this many seconds. Default: 60. */
    maxLagSeconds: z
      .number({ error: "The lag threshold must be a number of seconds." })
      .positive({ error: "The lag threshold must be more than 0 seconds." })
      .max(86_400, { error: "The lag threshold can be at most 86400 seconds (a day)." })
      .default(DEFAULT_CUTOVER_MAX_LAG_SECONDS),
    /** Run a verification of every table and stop the cutover unless it passes. Default: true. */
    verify: z.boolean().default(true),
    /** Drop the slot and publication on the source at the end. Default: true. */
    dropSource: z.boolean().default(true),
    /**
     * Keep a way back: the finish step creates a publication and a slot on the target before the application
     * moves there, so a reverse mirror (POST …/cutover/reverse) replays into the source exactly the target's
     * changes after the switch. Needs wal_level = logical and the REPLICATION privilege on the target. Default: false.
     */
    reverse: z.boolean().default(false),
  })
  .strict();
export type CutoverOptionsInput = z.input<typeof cutoverOptionsSchema>;
export type CutoverOptions = z.output<typeof cutoverOptionsSchema>;

/** What the fence step revoked on the source: one entry per (table, role, privilege), restored as it was. */
export interface FenceGrant {
  table: { schema: string; name: string };
  /** The role, or null for PUBLIC. */
  grantee: string | null;
  grantor: string;
  privilege: "INSERT" | "UPDATE" | "DELETE" | "TRUNCATE";
  grantable: boolean;
}

export interface FenceRecord {
  revoked: FenceGrant[];
  /** Roles that can still write (superusers, pgferry's own role, roles whose grants could not be revoked). */
  notFenced: { role: string; reason: string }[];
  /** Sessions ended because they held an open transaction as a fenced role. */
  terminated: number;
  /** Set once the fence was lifted again (abort or failure). */
  liftedAt?: string;
  /** Why lifting the fence failed for good (the source stays fenced until POST …/cutover/unfence succeeds). */
  liftError?: string;
}

/** The SQL that lifts a recorded fence by hand, one statement a line. Pure. */
export function fenceUndoSql(record: Pick<FenceRecord, "revoked">): string {
  return record.revoked.map(grantStatement).join("\n");
}

/**
 * The way back prepared by the finish step (option `reverse`), stored in that step's detail: a publication
 * of the target tables and a slot on the target whose first change is the first one after the switch.
 */
export interface ReverseRecord {
  slotName: string;
  publicationName: string;
  /** The slot's consistent point on the target: the reverse mirror's CDC starts there. */
  lsn: string | null;
  /** Why the slot could not be created (the cutover still finished). */
  error?: string;
  /** The reverse mirror, once created. */
  mirror?: string;
}

/** Names of the reverse slot and publication on the target: unique per cutover, valid slot names. */
export function reverseReplicationName(cutoverId: string): string {
  return `pgferry_back_${cutoverId.replace(/-/g, "").slice(0, 16)}`;
}
