import { isSignInPassword } from "./credentials";
import { isValidSession, SESSION_COOKIE } from "./sessions";

/** The parts of an HTTP request that authentication looks at. */
export interface AuthInput {
  authorization: string | null;
  cookie: (name: string) => string | undefined;
}

/** A request is signed in with a valid session cookie (browser) or `Authorization: Bearer <password>` (API). */
export async function isAuthenticated(request: AuthInput): Promise<boolean> {
  const bearer = /^Bearer\s+(.+)$/i.exec(request.authorization ?? "")?.[1];
  if (bearer !== undefined) return isSignInPassword(bearer.trim());
  return isValidSession(request.cookie(SESSION_COOKIE));
}
