import { expect, test } from "@playwright/test";
import { apiContext, cluster, createPeer, deletePeerIfAny, freshDatabase } from "./mirror-helpers";
import { signIn } from "./support";

/** A new peer for a database another peer already uses: a warning under Database, and Save still works. */
test("the peer form warns when another peer already points at the database", async ({ page, playwright }) => {
  const api = await apiContext(playwright);
  const database = await freshDatabase("source", "e2e_dup");
  try {
    await createPeer(api, "e2e_dup_first", "source", database);
    const { host, port, user, password } = cluster("source");
    await signIn(page, "/peers/new");
    await page.getByLabel("Name").fill("e2e_dup_second");
    await page.getByLabel("Host").fill(host);
    await page.getByLabel("Port").fill(String(port));
    await page.getByLabel("Database").fill(database);
    await page.getByLabel("User").fill(user);
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByLabel("TLS mode").selectOption("disable");
    await page.getByRole("button", { name: "Validate" }).click();

    const warning = page.getByTestId("peer_same_database");
    await expect(warning).toContainText(`Warning: Peer "e2e_dup_first" already points at database "${database}" on ${host}:${port}.`);
    await expect(page.getByTestId("check-credentials")).toHaveAttribute("data-status", "pass");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page).toHaveURL(/\/peers\/e2e_dup_second$/);
  } finally {
    await deletePeerIfAny(api, "e2e_dup_second");
    await deletePeerIfAny(api, "e2e_dup_first");
    await api.dispose();
  }
});
