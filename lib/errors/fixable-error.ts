/**
 * Thrown for a condition a person must fix, by a check that already knows the fix, so the
 * classifier need not guess: classifyError passes it through as kind "user". `code` follows SQLSTATE
 * where one fits.
 */
export class FixableError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly fix: string,
    /** Set when the only way forward is a new initial load (e.g. the slot lost WAL). */
    readonly resyncNeeded = false,
  ) {
    super(message);
    this.name = "FixableError";
  }
}
