import type pg from "pg";
import { FixableError } from "@/lib/errors/fixable-error";
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

/** A condition found while setting up or running CDC that a person must fix (see FixableError). */
export class CdcSetupError extends FixableError {
  override name = "CdcSetupError";
}
