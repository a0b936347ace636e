import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestCatalog, type TestCatalog } from "@/tests/support/catalog";

describe("sign-in credentials and sessions", () => {
  let catalog: TestCatalog;
  beforeAll(async () => {
    catalog = await createTestCatalog();
    process.env.DATABASE_URL = catalog.url;
    delete process.env.PGFERRY_PASSWORD;
  });
  afterAll(() => catalog.close());

  it("generates a password once, stores only its hash, and accepts only it", async () => {
    const { ensureSignInPassword, isSignInPassword, PASSWORD_HASH_KEY } = await import("@/lib/web/auth/credentials");
    const first = await ensureSignInPassword();
    expect(first.generated).toMatch(/^[\w-]{24}$/);
    const stored = await catalog.prisma.setting.findUniqueOrThrow({ where: { key: PASSWORD_HASH_KEY } });
    expect(stored.value).not.toContain(first.generated);
    expect((await ensureSignInPassword()).generated).toBeUndefined();
    expect(await isSignInPassword(first.generated as string)).toBe(true);
    expect(await isSignInPassword("wrong")).toBe(false);
  });

  it("uses PGFERRY_PASSWORD when it is set", async () => {
    const { isSignInPassword } = await import("@/lib/web/auth/credentials");
    process.env.PGFERRY_PASSWORD = "from-the-environment";
    try {
      expect(await isSignInPassword("from-the-environment")).toBe(true);
      expect(await isSignInPassword("from-the-environment ")).toBe(false);
    } finally {
      delete process.env.PGFERRY_PASSWORD;
    }
  });

  it("keeps sessions by token hash and ends them on sign-out", async () => {
    const { createSession, isValidSession, endSession } = await import("@/lib/web/auth/sessions");
    const { token } = await createSession();
    const rows = await catalog.prisma.session.findMany();
    expect(rows.some((r) => r.tokenHash === token)).toBe(false);
    expect(await isValidSession(token)).toBe(true);
    expect(await isValidSession(`${token}x`)).toBe(false);
    await endSession(token);
    expect(await isValidSession(token)).toBe(false);
  });

  it("resets the password: the old one stops working at once, the new one works, every session ends", async () => {
    const { ensureSignInPassword, isSignInPassword, resetSignInPassword } = await import("@/lib/web/auth/credentials");
    const { createSession, isValidSession } = await import("@/lib/web/auth/sessions");
    await ensureSignInPassword();
    const before = await resetSignInPassword();
    expect(await isSignInPassword(before)).toBe(true); // remembered for a minute...
    const { token } = await createSession();
    const after = await resetSignInPassword();
    expect(after).not.toBe(before);
    expect(await isSignInPassword(before)).toBe(false); // ...but only while it is the password
    expect(await isSignInPassword(after)).toBe(true);
    expect(await isValidSession(token)).toBe(false);
  });

  it("npm run reset-password prints a new password that signs in, and refuses under PGFERRY_PASSWORD", async () => {
    const { isSignInPassword } = await import("@/lib/web/auth/credentials");
    const run = (extra: Record<string, string>) =>
      promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/reset-password.ts"], { env: { ...process.env, DATABASE_URL: catalog.url, ...extra } });
    const { stdout } = await run({});
    const password = /New sign-in password: (\S+)/.exec(stdout)?.[1];
    expect(password).toMatch(/^[\w-]{24}$/);
    expect(await isSignInPassword(password as string)).toBe(true);
    const refused = await run({ PGFERRY_PASSWORD: "set-elsewhere-entirely" }).catch((error: { code: number; stderr: string }) => error);
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining("PGFERRY_PASSWORD is set") });
    expect(await isSignInPassword(password as string)).toBe(true);
  });
});
