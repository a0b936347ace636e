/**
 * The initial load's exported snapshot can no longer be used: the load must restart with a new one.
 * A typed error rather than a message prefix, so that whoever decides to restart the load matches on
 * the class and shows `reason` without parsing text back.
 */
export class SnapshotGoneError extends Error {
  /** Why the snapshot is gone, in plain words (e.g. PostgreSQL's "invalid snapshot identifier"). */
  readonly reason: string;
  /** The exported snapshot's name, when known. */
  readonly snapshotName?: string;

  constructor(reason: string, options: { snapshotName?: string; cause?: unknown } = {}) {
    const which = options.snapshotName ? `snapshot ${options.snapshotName}` : "the snapshot";
    super(`${which} is no longer available (${reason}); the initial load must restart with a new snapshot`);
    this.name = "SnapshotGoneError";
    this.reason = reason;
    this.snapshotName = options.snapshotName;
    if (options.cause !== undefined) Object.defineProperty(this, "cause", { value: options.cause, enumerable: false });
  }
}

/** A table was truncated or rewritten after the snapshot; the snapshot cannot read it any more. */
export class TableRewrittenError extends SnapshotGoneError {
  constructor(
    snapshotName: string,
    readonly relation: { schema: string; name: string },
  ) {
    super(`table ${relation.schema}.${relation.name} was truncated or rewritten (TRUNCATE, VACUUM FULL, CLUSTER or ALTER TABLE) after the snapshot`, {
      snapshotName,
    });
    this.name = "TableRewrittenError";
  }
}

/**
 * True for errors that mean "the exported snapshot is gone": the snapshot file was removed
 * because its session ended (22023 invalid snapshot identifier) or its transaction finished
 * (55000 could not import the requested snapshot), or a table was rewritten since it was taken
 * (TableRewrittenError). Looks through `cause` (at most 5 deep).
 */
export function isSnapshotGoneError(error: unknown): boolean {
  for (let e = error as { routine?: string; message?: string; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e instanceof SnapshotGoneError) return true;
    if (e.routine === "ImportSnapshot") return true;
    if (/invalid snapshot identifier|could not import the requested snapshot/.test(e.message ?? "")) return true;
  }
  return false;
}
