import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { signIn } from "./support";

test("every page and API answer carries the security headers", async ({ page, request }) => {
  for (const path of ["/login", "/api/v1/workers"]) {
    const response = await request.get(path);
    const headers = response.headers();
    expect(headers["content-security-policy"], path).toContain("frame-ancestors 'none'");
    expect(headers["x-content-type-options"], path).toBe("nosniff");
    expect(headers["referrer-policy"], path).toBe("same-origin");
  }
  await signIn(page, "/peers");
  const peers = await page.request.get("/peers");
  expect(peers.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
});

test("the sign-in cookie is HttpOnly and SameSite=Strict, and a cross-origin write with it is refused", async ({ page, baseURL }) => {
  await signIn(page, "/peers");
  const cookie = (await page.context().cookies()).find((c) => c.name.endsWith("pgferry_session"));
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict" });
  const refused = await page.request.post("/api/v1/mirrors/none/pause", {
    headers: { origin: "http://127.0.0.1:1", "content-type": "application/json" },
    data: {},
  });
  expect(refused.status()).toBe(403);
  const own = await page.request.post("/api/v1/mirrors/none/pause", { headers: { origin: baseURL!, "content-type": "application/json" }, data: {} });
  expect(own.status()).toBe(404);
});

test("the sign-in exclusions are exact: /loginx is not public", async ({ request }) => {
  const response = await request.get("/loginx", { maxRedirects: 0 });
  expect(response.status()).toBe(307);
  expect(response.headers().location).toContain("/login?next=%2Floginx");
  expect((await request.get("/api/auth/loginx")).status()).toBe(401);
});

test("npm start listens on loopback only", async ({ baseURL }) => {
  const port = Number(new URL(baseURL!).port);
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  // Sockets in LISTEN state (0A) on our port, from the kernel's tables: local address must be loopback.
  const listening = ["/proc/net/tcp", "/proc/net/tcp6"]
    .flatMap((file) => readFileSync(file, "utf8").split("\n").slice(1))
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[1]?.endsWith(`:${hex}`) && fields[3] === "0A")
    .map((fields) => fields[1].split(":")[0]);
  expect(listening.length).toBeGreaterThan(0);
  // 0100007F is 127.0.0.1; the IPv6 loopback is ::1.
  for (const address of listening) expect(["0100007F", "00000000000000000000000001000000"]).toContain(address);
});
