import { expect, test } from "@playwright/test";
import { signIn } from "./support";

test("a wrong password is refused with a clear message and no hint", async ({ page }) => {
  await page.goto("/peers");
  await expect(page).toHaveURL(/\/login\?next=%2Fpeers$/);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "password" })).toHaveText("That password is not right. Check it and try again.");
});

test("sign in, see the empty peers and mirrors pages and one worker online, sign out", async ({ page }) => {
  await signIn(page, "/peers");
  await expect(page.getByRole("heading", { name: "Peers", level: 1 })).toBeVisible();
  await page.getByRole("link", { name: "Mirrors" }).first().click();
  await expect(page.getByRole("heading", { name: "Mirrors", level: 1 })).toBeVisible();
  await expect(page.getByText("No mirrors yet")).toBeVisible();
  await expect(page.getByTestId("worker-badge")).toHaveText("1 worker online", { timeout: 30_000 });

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/mirrors");
  await expect(page).toHaveURL(/\/login\?next=%2Fmirrors$/);
});

test("the API answers 401 with a JSON error without the password and 200 with it", async ({ request }) => {
  const anonymous = await request.get("/api/v1/workers");
  expect(anonymous.status()).toBe(401);
  expect((await anonymous.json()).error.code).toBe("unauthorized");
  const wrong = await request.get("/api/v1/workers", { headers: { authorization: "Bearer nope" } });
  expect(wrong.status()).toBe(401);
  const signedIn = await request.get("/api/v1/workers", { headers: { authorization: "Bearer e2e-sign-in-password" } });
  expect(signedIn.status()).toBe(200);
  expect((await signedIn.json()).online).toBeGreaterThanOrEqual(0);
});
