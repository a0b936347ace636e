import type { ClassifiedError } from "@/lib/errors/classify";
import { UserFacingError } from "@/lib/errors/user-facing-error";

/** HTTP status for "the details are well-formed, but the server they describe can't be used". */
const STATUS = 422;

/** Where a connection attempt failed; validatePeer turns this into the check that failed. */
export type ConnectStage = "reachable" | "credentials" | "database";

const STAGES: Record<string, ConnectStage> = {
  peer_not_allowed: "credentials",
  peer_auth_failed: "credentials",
  peer_password_required: "credentials",
  peer_cleartext_refused: "credentials",
  peer_too_many_connections: "credentials",
  peer_database_not_found: "database",
};

/**
 * A connection to a peer could not be opened (connectPeer). Safe to show: its message is the
 * classification's message followed by its fix, `fields` repeat it for each form field at fault,
 * and it never holds the password. `classified` is what classifyError answers for it.
 */
export class PeerConnectError extends UserFacingError {
  readonly stage: ConnectStage;

  constructor(readonly classified: ClassifiedError) {
    const text = classified.fix ? `${classified.message} ${classified.fix}` : classified.message;
    const fields = classified.fields ? Object.fromEntries(classified.fields.map((field) => [field, text])) : undefined;
    super(text, classified.code, fields, STATUS);
    this.name = "PeerConnectError";
    this.stage = STAGES[classified.code] ?? "reachable";
  }
}
