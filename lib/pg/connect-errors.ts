import { classifyError } from "@/lib/errors/classify";
import { errorCode, type ErrorLike } from "@/lib/errors/classify-connect";
import { PeerConnectError } from "@/lib/errors/peer-connect-error";
import { scrubSecret } from "@/lib/errors/scrub-secret";
import type { PeerConnection } from "@/lib/pg/connection";

/**
 * Turns whatever went wrong while opening a connection to `peer` into a PeerConnectError, as
 * classifyError classifies it. The password never appears in it: every text is scrubbed, and the
 * original error is kept (scrubbed, as `cause`) for logs only.
 */
export function toPeerConnectError(error: unknown, peer: PeerConnection): PeerConnectError {
  const classified = classifyError(error, { connecting: peer });
  const safe = new PeerConnectError({
    ...classified,
    message: scrubSecret(classified.message, peer.password),
    ...(classified.fix ? { fix: scrubSecret(classified.fix, peer.password) } : {}),
  });
  const original = (error ?? {}) as ErrorLike;
  const cause = Object.assign(new Error(scrubSecret(original.message ?? String(error), peer.password)), { code: errorCode(original) });
  Object.defineProperty(safe, "cause", { value: cause, enumerable: false });
  return safe;
}
