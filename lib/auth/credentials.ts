import { createHash, timingSafeEqual } from "node:crypto";
import { db } from "@/lib/catalog/db";
import { env } from "@/lib/config/env";
import { generatePassword, hashPassword, verifyPassword } from "./password";

/** Settings key of the stored sign-in password hash. */
export const PASSWORD_HASH_KEY = "auth.password_hash";

/**
 * Makes sure a sign-in password exists. With PGFERRY_PASSWORD set, that is the password.
 * Otherwise, on first start, generates one, stores only its hash, and returns it so the
 * launcher prints it once; later starts return undefined.
 */
export async function ensureSignInPassword(): Promise<{ generated?: string; fromEnvironment: boolean }> {
  if (env().PGFERRY_PASSWORD) return { fromEnvironment: true };
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
 * Successful checks are remembered by a SHA-256 of the candidate for a minute, so API clients
 * that send the password on every request do not pay for scrypt each time.
 */
const recentlyVerified = new Map<string, number>();
const VERIFIED_TTL_MS = 60_000;

/** True when the candidate is the sign-in password. */
export async function isSignInPassword(candidate: string): Promise<boolean> {
  const fromEnv = env().PGFERRY_PASSWORD;
  if (fromEnv !== undefined) return constantTimeEqual(candidate, fromEnv);
  const digest = sha256(candidate).toString("hex");
  const until = recentlyVerified.get(digest);
  if (until && until > Date.now()) return true;
  const stored = await db().setting.findUnique({ where: { key: PASSWORD_HASH_KEY } });
  if (!stored || !(await verifyPassword(candidate, stored.value))) return false;
  recentlyVerified.set(digest, Date.now() + VERIFIED_TTL_MS);
  return true;
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}
