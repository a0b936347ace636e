import { expect, test } from "@playwright/test";
import pg from "pg";
import { e2eClusters, signIn } from "./support";

/**
 * A peer's whole life in the browser: create (with the browser-side field checks and the server's
 * validation), list, watch its running commands live, edit, delete.
 */
test("create, validate, list, watch, edit and delete a peer", async ({ page }) => {
  const { source } = e2eClusters();
  await signIn(page, "/peers");
  await expect(page.getByRole("heading", { name: "Peers", level: 1 })).toBeVisible();
  await page.getByRole("link", { name: "New peer" }).first().click();
  await expect(page.getByRole("heading", { name: "New peer", level: 1 })).toBeVisible();

  // The browser checks fields with the server's schema before sending anything.
  await page.getByLabel("Name").fill("Orders DB");
  await page.getByLabel("Port").fill("70000");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("#name-error")).toContainText("Use only lowercase letters");
  await expect(page.locator("#port-error")).toHaveText("Port must be between 1 and 65535.");
  await expect(page.locator("#database-error")).toHaveText("Database is required.");

  // verify-full asks for a CA certificate, pasted or loaded from a file.
  await page.getByLabel("TLS mode").selectOption("verify-full");
  const pem = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
  await page.getByLabel("Load the CA certificate from a file").setInputFiles({ name: "ca.pem", mimeType: "text/plain", buffer: Buffer.from(pem) });
  await expect(page.getByLabel("CA certificate (PEM)")).toHaveValue(pem);
  await page.getByLabel("TLS mode").selectOption("prefer");
  await expect(page.getByLabel("CA certificate (PEM)")).toBeHidden();

  await page.getByLabel("Name").fill("e2e_source");
  await page.getByLabel("Host").fill(source.host);
  await page.getByLabel("Port").fill(String(source.port));
  await page.getByLabel("Database").fill("postgres");
  await page.getByLabel("User").fill(source.user);
  await page.getByLabel("Password", { exact: true }).fill("wrong-password");

  // A wrong password: the sign-in check fails and the message sits at the password field.
  await page.getByRole("button", { name: "Validate" }).click();
  await expect(page.getByTestId("check-credentials")).toHaveAttribute("data-status", "fail");
  const refused = `Authentication failed for user "${source.user}". Check the password, the user, and pg_hba.conf's method for this host.`;
  await expect(page.locator("#password-error")).toHaveText(refused);
  await page.getByRole("button", { name: "Save" }).click();
  // Said once, at the password field: no banner and no other field repeats it.
  await expect(page.getByRole("alert").filter({ hasText: "Authentication failed" })).toHaveText(refused);
  await expect(page.getByText("Authentication failed")).toHaveCount(1);
  await expect(page).toHaveURL(/\/peers\/new$/);

  await page.getByLabel("Password", { exact: true }).fill(source.password);
  await page.getByRole("button", { name: "Validate" }).click();
  const checks = page.getByRole("list", { name: "Validation checks" }).getByRole("listitem");
  await expect(checks).toHaveCount(8);
  for (const id of ["reachable", "credentials", "database", "version", "wal_level", "replication_privilege", "replication_slots", "wal_senders"]) {
    await expect(page.getByTestId(`check-${id}`)).toHaveAttribute("data-status", "pass");
  }
  await expect(page.getByText("Ready: usable as a source of continuous replication")).toBeVisible();

  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(/\/peers\/e2e_source$/);
  await expect(page.getByRole("heading", { name: "e2e_source", level: 1 })).toBeVisible();
  await expect(page.getByText("CDC source or target")).toBeVisible();

  // Running commands: the page's own probe, and a pgferry-named session busy with a query.
  const busy = new pg.Client({ ...source, database: "postgres", application_name: "pgferry:copy:e2e.orders#1" });
  await busy.connect();
  try {
    void busy.query("select pg_sleep(30) /* e2e copy of orders */").catch(() => {});
    const commands = page.getByRole("region", { name: "Running commands" });
    await expect(commands.getByRole("row").filter({ hasText: "pgferry:ui:activity" })).toContainText("this view");
    const copy = commands.getByRole("row").filter({ hasText: "pgferry:copy:e2e.orders#1" });
    await expect(copy).toContainText("e2e copy of orders");
    await expect(copy).toContainText("active");
    await expect(copy).toContainText("Timeout: PgSleep");
    // Refreshed live: the duration grows past a few seconds while the page stays open.
    await expect(copy.getByRole("cell").nth(3)).toHaveText(/^([3-9]|[1-9]\d) s$/, { timeout: 15_000 });
  } finally {
    await busy.end().catch(() => {});
  }
  await expect(page.getByRole("region", { name: "Server" })).toContainText("logical");
  await expect(page.getByRole("region", { name: "Replication slots" })).toBeVisible();

  // The list shows it with where it points and its version.
  await page.getByRole("link", { name: "← Peers" }).click();
  const row = page.getByRole("row").filter({ hasText: "e2e_source" });
  await expect(row).toContainText(`${source.host}:${source.port}/postgres`);
  await expect(row.getByRole("cell").nth(2)).toHaveText(/^18\.\d+$/);
  await expect(row).toContainText("no mirrors");

  // Edit: the password starts empty and stays as stored when left so.
  await row.getByRole("link", { name: "e2e_source" }).click();
  await page.getByRole("link", { name: "Edit" }).click();
  await expect(page.getByLabel("Name")).toHaveValue("e2e_source");
  await expect(page.getByLabel("Password", { exact: true })).toHaveValue("");
  await page.getByLabel("TLS mode").selectOption("disable");
  await page.getByRole("button", { name: "Validate" }).click();
  await expect(page.getByTestId("check-reachable")).toHaveAttribute("data-status", "pass");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page).toHaveURL(/\/peers\/e2e_source$/);
  await expect(page.getByText("TLS disable")).toBeVisible();

  // Delete, after confirming.
  await page.getByRole("button", { name: "Delete" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete peer e2e_source?" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Delete peer" }).click();
  await expect(page).toHaveURL(/\/peers$/);
  await expect(page.getByRole("link", { name: "e2e_source" })).toHaveCount(0);
});
