import type pg from "pg";
import type { VerifyTableResult, VerifyTableSpec } from "./types";

/** What the comparison of one table carries from step to step. */
export interface VerifyContext {
  source: pg.Client;
  target: pg.Client;
  table: VerifyTableSpec;
  liveMirror: string | null;
  signal: AbortSignal;
  chunkRows: number;
  maxExamples: number;
  /** Reads per difference before it counts: 1 when not live. */
  attempts: number;
  catchUpTimeoutMs: number;
  result: VerifyTableResult;
  report(): void;
}
