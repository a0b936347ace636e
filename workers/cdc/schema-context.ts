import type pg from "pg";
import type { Applier } from "@/workers/cdc/applier";

/** What schema-change handling needs from a CDC session. */
export interface SchemaContext {
  mirror: string;
  /** Source connection for catalog lookups; its search_path is empty, so format_type() qualifies user types. */
  source: pg.Client;
  /** The apply connection (inside the batch transaction when one is open). */
  apply: pg.Client;
  applier: Applier;
  /** A separate autocommit connection to the target, for DDL that must commit on its own. */
  side(): Promise<pg.Client>;
  /** Reports a warning once per key for the whole run (restarts included). */
  warnOnce(key: string, message: string, detail?: Record<string, unknown>): void;
  info(message: string, detail?: Record<string, unknown>): void;
}

/**
 * Thrown for conditions a person must fix; carries the fix so the classifier need not guess.
 * `code` follows SQLSTATE where one fits.
 */
export class CdcSetupError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly fix: string,
    readonly resyncNeeded = false,
  ) {
    super(message);
    this.name = "CdcSetupError";
  }
}
