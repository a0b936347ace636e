import { createHash, randomBytes } from "node:crypto";
import { db } from "@/lib/catalog/db";

/**
 * Names of the HTTP-only session cookie. Over TLS it carries the `__Host-` prefix, which makes the
 * browser keep it to this exact host, path `/` and HTTPS only; browsers refuse that prefix without
 * `Secure`, so a plain-HTTP deployment (loopback by default) uses the plain name.
 */
export const SESSION_COOKIE_TLS = "__Host-pgferry_session";
export const SESSION_COOKIE_PLAIN = "pgferry_session";

export function sessionCookieName(tls: boolean): string {
  return tls ? SESSION_COOKIE_TLS : SESSION_COOKIE_PLAIN;
}

/** The session token a request carries under either name. */
export function sessionToken(cookie: (name: string) => string | undefined): string | undefined {
  return cookie(SESSION_COOKIE_TLS) ?? cookie(SESSION_COOKIE_PLAIN);
}

/** How long a sign-in lasts. Default: 7 days. */
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** Starts a session; returns the token for the cookie. Only its hash is stored. */
export async function createSession(): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await db().session.create({ data: { tokenHash: hashToken(token), expiresAt } });
  // Expired sessions are of no use to anyone; sweeping at sign-in keeps the table small.
  await db().session.deleteMany({ where: { expiresAt: { lt: new Date() } } });
  return { token, expiresAt };
}

export async function isValidSession(token: string | undefined): Promise<boolean> {
  if (!token) return false;
  const session = await db().session.findUnique({ where: { tokenHash: hashToken(token) } });
  return session !== null && session.expiresAt > new Date();
}

export async function endSession(token: string | undefined): Promise<void> {
  if (!token) return;
  await db().session.deleteMany({ where: { tokenHash: hashToken(token) } });
}

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
