import { NextRequest } from "next/server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { POST as signIn } from "@/app/api/auth/login/route";
import { POST as pause } from "@/app/api/v1/mirrors/[name]/pause/route";
import { proxy } from "@/proxy";
import { env } from "@/lib/config/env";
import { ensureSignInPassword } from "@/lib/web/auth/credentials";
import { createSession, isValidSession, SESSION_COOKIE_PLAIN } from "@/lib/web/auth/sessions";
import { resetThrottle } from "@/lib/web/auth/throttle";
import { createTestCatalog, type TestCatalog } from "@/tests/support/catalog";

/**
 * The web app's defences, tried as an attacker would: guessing, cross-site writes, huge bodies.
 * proxy.ts and the route handlers are called as Next.js calls them.
 */

const PASSWORD = "security-test-password-42";
let catalog: TestCatalog;

beforeAll(async () => {
  catalog = await createTestCatalog();
  process.env.DATABASE_URL = catalog.url;
  process.env.PGFERRY_PASSWORD = PASSWORD;
});
afterAll(async () => {
  delete process.env.PGFERRY_PASSWORD;
  await catalog.close();
});
afterEach(() => resetThrottle());

const BASE = "http://127.0.0.1:3000";

function request(path: string, init: { method?: string; headers?: Record<string, string>; body?: BodyInit } = {}): NextRequest {
  const options = { method: init.method ?? "GET", headers: { host: "127.0.0.1:3000", ...init.headers }, body: init.body, duplex: "half" };
  return new NextRequest(`${BASE}${path}`, options as ConstructorParameters<typeof NextRequest>[1]);
}

describe("password guessing", () => {
  it("answers most of 50 rapid wrong bearer guesses with 429 and Retry-After, before checking them", async () => {
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => proxy(request("/api/v1/mirrors", { headers: { authorization: "Bearer not-the-password-at-all" } }))),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(40);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    expect(Number(responses.find((r) => r.status === 429)!.headers.get("retry-after"))).toBeGreaterThan(0);
    // The right password is refused too while the client is over the limit: the limit comes first.
    expect((await proxy(request("/api/v1/mirrors", { headers: { authorization: `Bearer ${PASSWORD}` } }))).status).toBe(429);
  });

  it("counts sign-in and bearer failures together", async () => {
    for (let i = 0; i < 10; i++) await proxy(request("/api/v1/mirrors", { headers: { authorization: "Bearer wrong-guess-number-xx" } }));
    const response = await signIn(request("/api/auth/login", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ password: PASSWORD }) }), undefined as never);
    expect(response.status).toBe(429);
  });

  it("answers most of 50 rapid wrong sign-ins with 429", async () => {
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        signIn(request("/api/auth/login", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ password: "guess" }) }), undefined as never),
      ),
    );
    expect(responses.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(40);
  });

  it("refuses a PGFERRY_PASSWORD shorter than 16 characters with a clear message", () => {
    process.env.PGFERRY_PASSWORD = "short";
    try {
      expect(() => env()).toThrow(/PGFERRY_PASSWORD must have at least 16 characters/);
    } finally {
      process.env.PGFERRY_PASSWORD = PASSWORD;
    }
  });
});

describe("cross-site requests", () => {
  it("refuses a cookie-authenticated write from another origin or without JSON, at the gate and at the route", async () => {
    const { token } = await createSession();
    const cookie = `${SESSION_COOKIE_PLAIN}=${token}`;
    const evil = { cookie, origin: "http://127.0.0.1:8080", "content-type": "application/json" };
    expect((await proxy(request("/api/v1/mirrors/m/pause", { method: "POST", headers: evil }))).status).toBe(403);
    const form = { cookie, origin: BASE, "content-type": "application/x-www-form-urlencoded" };
    expect((await proxy(request("/api/v1/mirrors/m/pause", { method: "POST", headers: form }))).status).toBe(403);
    const atRoute = await pause(request("/api/v1/mirrors/m/pause", { method: "POST", headers: evil }), { params: Promise.resolve({ name: "m" }) });
    expect(atRoute.status).toBe(403);
    // The same write from pgferry's own page passes the gate (and reaches the route: no such mirror).
    const own = { cookie, origin: BASE, "content-type": "application/json" };
    expect((await proxy(request("/api/v1/mirrors/m/pause", { method: "POST", headers: own }))).status).toBe(200);
    expect((await pause(request("/api/v1/mirrors/m/pause", { method: "POST", headers: own }), { params: Promise.resolve({ name: "m" }) })).status).toBe(404);
  });

  it("lets bearer clients write without Origin", async () => {
    const response = await proxy(request("/api/v1/mirrors/m/pause", { method: "POST", headers: { authorization: `Bearer ${PASSWORD}` } }));
    expect(response.status).toBe(200);
  });

  it("signs in with a SameSite=Strict cookie, __Host- and Secure behind a trusted TLS proxy", async () => {
    const body = JSON.stringify({ password: PASSWORD });
    const plain = await signIn(request("/api/auth/login", { method: "POST", headers: { "content-type": "application/json" }, body }), undefined as never);
    expect(plain.headers.get("set-cookie")).toMatch(/^pgferry_session=.*SameSite=strict/i);
    expect(plain.headers.get("set-cookie")).not.toMatch(/Secure/i);
    process.env.PGFERRY_TRUST_PROXY = "1";
    try {
      const proxied = await signIn(
        request("/api/auth/login", { method: "POST", headers: { "content-type": "application/json", "x-forwarded-proto": "https" }, body }),
        undefined as never,
      );
      expect(proxied.headers.get("set-cookie")).toMatch(/^__Host-pgferry_session=.*Path=\/.*Secure.*SameSite=strict/i);
    } finally {
      delete process.env.PGFERRY_TRUST_PROXY;
    }
  });
});

describe("unauthenticated denial of service", () => {
  it("refuses a 20 MB sign-in body with 413 without reading it", async () => {
    let pulled = 0;
    const chunk = new Uint8Array(64 * 1024).fill(32);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength;
        if (pulled > 20 * 1024 * 1024) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const started = Date.now();
    const response = await signIn(request("/api/auth/login", { method: "POST", headers: { "content-type": "application/json" }, body }), undefined as never);
    expect(response.status).toBe(413);
    expect(pulled).toBeLessThan(1024 * 1024);
    expect(Date.now() - started).toBeLessThan(1000);
    const declared = await signIn(
      request("/api/auth/login", { method: "POST", headers: { "content-type": "application/json", "content-length": String(20 * 1024 * 1024) }, body: "{}" }),
      undefined as never,
    );
    expect(declared.status).toBe(413);
  });
});

describe("a changed PGFERRY_PASSWORD", () => {
  it("ends the sessions signed in with the old one, and only then", async () => {
    await ensureSignInPassword();
    const { token } = await createSession();
    await ensureSignInPassword();
    expect(await isValidSession(token)).toBe(true);
    process.env.PGFERRY_PASSWORD = "a-completely-new-password";
    try {
      await ensureSignInPassword();
      expect(await isValidSession(token)).toBe(false);
    } finally {
      process.env.PGFERRY_PASSWORD = PASSWORD;
    }
  });
});
