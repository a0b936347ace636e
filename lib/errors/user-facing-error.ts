/**
 * An error whose message is safe to show to the user as it is: it says what went wrong and,
 * where possible, what to do, and never contains a secret. Anything that is not a
 * UserFacingError is logged with its context and shown as a generic failure.
 */
export class UserFacingError extends Error {
  constructor(
    message: string,
    /** A stable machine-readable code, e.g. "peer_not_found". */
    readonly code: string,
    /** Messages per input field, for forms. */
    readonly fields?: Record<string, string>,
    /** HTTP status to answer with. Default: 400 */
    readonly status: number = 400,
  ) {
    super(message);
    this.name = "UserFacingError";
  }
}
