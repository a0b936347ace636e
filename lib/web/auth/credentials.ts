import { createHash, timingSafeEqual } from "node:crypto";
import { db } from "@/lib/catalog/db";
import { env } from "@/lib/config/env";
import { generatePassword, hashPassword, verifyPassword } from "./password";
import { withHashSlot } from "./throttle";

/** Settings key of the stored sign-in password hash. */
export const PASSWORD_HASH_KEY = "auth.password_hash";

/**
 * Makes sure a sign-in password exists. With PGFERRY_PASSWORD set, that is the password.
 * Otherwise, on first start, generates one, stores only its hash, and returns it so the
 * launcher prints it once; later starts return undefined.
 */
export async function ensureSignInPassword(): Promise<{ generated?: string; fromEnvironment: boolean }> {
  const fromEnvironment = env().PGFERRY_PASSWORD;
  if (fromEnvironment) {
    await endSessionsIfEnvironmentPasswordChanged(fromEnvironment);
    return { fromEnvironment: true };
  }
  const existing = await db().setting.findUnique({ where: { key: PASSWORD_HASH_KEY } });
  if (existing) return { fromEnvironment: false };
  const password = generatePassword();
  // createMany + skipDuplicates: two launchers racing on one catalog keep the first password.
  const { count } = await db().setting.createMany({
    data: [{ key: PASSWORD_HASH_KEY, value: await hashPassword(password) }],
    skipDuplicates: true,
  });
  return { generated: count === 1 ? password : undefined, fromEnvironment: false };
}

/**
 * Replaces the stored sign-in password with a new generated one and ends every session (for
 * `npm run reset-password`); returns the password, which is stored only as its hash. Refuses when
 * PGFERRY_PASSWORD sets the password: that is changed where it is set.
 */
export async function resetSignInPassword(): Promise<string> {
  if (env().PGFERRY_PASSWORD) throw new Error("PGFERRY_PASSWORD is set, so the sign-in password comes from the environment: change it there and restart pgferry");
  const password = generatePassword();
  const value = await hashPassword(password);
  await db().$transaction([
    db().setting.upsert({ where: { key: PASSWORD_HASH_KEY }, create: { key: PASSWORD_HASH_KEY, value }, update: { value } }),
    db().session.deleteMany({}),
  ]);
  return password;
}

/**
 * Successful checks are remembered for a minute, by a SHA-256 of the candidate together with the
 * stored hash it matched, so API clients that send the password on every request do not pay for
 * scrypt each time, and a reset password stops working at once.
 */
const recentlyVerified = new Map<string, number>();
const VERIFIED_TTL_MS = 60_000;

/** True when the candidate is the sign-in password. */
export async function isSignInPassword(candidate: string): Promise<boolean> {
  const fromEnv = env().PGFERRY_PASSWORD;
  if (fromEnv !== undefined) return constantTimeEqual(candidate, fromEnv);
  const stored = await db().setting.findUnique({ where: { key: PASSWORD_HASH_KEY } });
  if (!stored) return false;
  const digest = sha256(`${candidate}\u0000${stored.value}`).toString("hex");
  const until = recentlyVerified.get(digest);
  if (until && until > Date.now()) return true;
  if (!(await withHashSlot(() => verifyPassword(candidate, stored.value)))) return false;
  recentlyVerified.set(digest, Date.now() + VERIFIED_TTL_MS);
  return true;
}

/** Settings key of a hash of the PGFERRY_PASSWORD the sessions were signed in with. */
const ENVIRONMENT_PASSWORD_KEY = "auth.environment_password_hash";

/**
 * A new PGFERRY_PASSWORD must sign out everyone who signed in with the old one (the operator
 * changed it for a reason). The launcher calls this at every start; only a hash is stored.
 */
async function endSessionsIfEnvironmentPasswordChanged(password: string): Promise<void> {
  const stored = await db().setting.findUnique({ where: { key: ENVIRONMENT_PASSWORD_KEY } });
  if (stored && (await verifyPassword(password, stored.value))) return;
  const value = await hashPassword(password);
  await db().$transaction([
    db().setting.upsert({ where: { key: ENVIRONMENT_PASSWORD_KEY }, create: { key: ENVIRONMENT_PASSWORD_KEY, value }, update: { value } }),
    // The first start under PGFERRY_PASSWORD also ends sessions of a previously generated password.
    db().session.deleteMany({}),
  ]);
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}
