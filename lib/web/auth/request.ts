import { isSignInPassword } from "./credentials";
import { isValidSession, sessionToken } from "./sessions";
import { attemptSucceeded, beginAttempt } from "./throttle";

/** The parts of an HTTP request that authentication looks at. */
export interface AuthInput {
  authorization: string | null;
  cookie: (name: string) => string | undefined;
  /** Who failed attempts are counted against (see clientAddress). */
  client: string;
}

/**
 * How a request is signed in: with `Authorization: Bearer <password>` (API clients), with a valid
 * session cookie (browsers), or not at all; `throttled` carries the seconds to wait when a bearer
 * attempt arrives while its client is over the failure limit (the password is then not checked).
 */
export type Authentication =
  | { via: "bearer" }
  | { via: "session" }
  | { via: "none" }
  | { via: "throttled"; retryAfterSeconds: number };

export async function authenticate(request: AuthInput): Promise<Authentication> {
  const bearer = /^Bearer\s+(.+)$/i.exec(request.authorization ?? "")?.[1];
  if (bearer !== undefined) {
    const wait = beginAttempt(request.client);
    if (wait !== null) return { via: "throttled", retryAfterSeconds: wait };
    if (!(await isSignInPassword(bearer.trim()))) return { via: "none" };
    attemptSucceeded(request.client);
    return { via: "bearer" };
  }
  return (await isValidSession(sessionToken(request.cookie))) ? { via: "session" } : { via: "none" };
}
