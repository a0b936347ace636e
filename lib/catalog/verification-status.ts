/**
 * A verification run's life, and each of its tables':
 *
 *   run:    running ──► passed | failed | error     (settled when no table is pending or running)
 *              └──────► cancelled                    (by the user)
 *   table:  pending ──► running ──► equal | different | error
 *              └───────────┴──────► cancelled        (its run was cancelled)
 *
 * The catalog columns carry the same lists as CHECK constraints (migration 20261126200000).
 */
export const VERIFICATION_STATUSES = ["running", "passed", "failed", "error", "cancelled"] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];

export const VERIFICATION_TABLE_STATUSES = ["pending", "running", "equal", "different", "error", "cancelled"] as const;
export type VerificationTableStatus = (typeof VERIFICATION_TABLE_STATUSES)[number];

/** Table statuses after which nothing more happens to the table. */
export const FINISHED_TABLE_STATUSES: VerificationTableStatus[] = ["equal", "different", "error", "cancelled"];

/** Mirror statuses a verification may start in: not while the initial load is still copying. */
export const VERIFIABLE_MIRROR_STATUSES = ["running", "paused", "completed"];

/** The run's outcome once every table has finished: an error beats a difference beats equality. */
export function settledStatus(tables: VerificationTableStatus[]): VerificationStatus {
  if (tables.includes("error")) return "error";
  if (tables.includes("different")) return "failed";
  if (tables.includes("cancelled")) return "cancelled";
  return "passed";
}
