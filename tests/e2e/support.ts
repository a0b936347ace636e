import { expect, type Page } from "@playwright/test";
import { E2E_PASSWORD } from "./global-setup";

export interface E2eCluster {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** The source and target servers that global-setup started. */
export function e2eClusters(): { source: E2eCluster; target: E2eCluster } {
  return JSON.parse(process.env.PGFERRY_E2E_CLUSTERS ?? "{}");
}

export async function signIn(page: Page, next = "/mirrors"): Promise<void> {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel("Password").fill(E2E_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(new RegExp(`${next.replace(/[/?]/g, "\\$&")}$`));
}
