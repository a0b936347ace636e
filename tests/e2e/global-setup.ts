import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { sleep } from "@/lib/sleep";
import { startCluster } from "../support/clusters";

/** The sign-in password of the pgferry that the end-to-end tests run. */
export const E2E_PASSWORD = "e2e-sign-in-password";

/**
 * Starts source and target PostgreSQL servers and pgferry (launcher, web app, one worker) on a
 * fresh data folder; tests read the servers from PGFERRY_E2E_CLUSTERS. Returns the teardown.
 */
export default async function globalSetup() {
  const port = Number(process.env.PGFERRY_E2E_PORT ?? 3107);
  const [source, target] = await Promise.all([startCluster("e2e-source"), startCluster("e2e-target")]);
  const dataDir = await mkdtemp(path.join(tmpdir(), "pgferry-e2e-"));
  const app = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    env: { ...process.env, PGFERRY_DATA_DIR: dataDir, PORT: String(port), PGFERRY_PASSWORD: E2E_PASSWORD, DATABASE_URL: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  app.stdout?.on("data", (chunk) => (output += chunk));
  app.stderr?.on("data", (chunk) => (output += chunk));
  await waitForHttp(`http://127.0.0.1:${port}/login`, 600_000, () => app.exitCode !== null, () => output);

  const info = (c: typeof source) => ({ host: c.host, port: c.port, user: c.user, password: c.password });
  process.env.PGFERRY_E2E_CLUSTERS = JSON.stringify({ source: info(source), target: info(target) });
  process.env.PGFERRY_E2E_PORT = String(port);

  return async () => {
    app.kill("SIGTERM");
    await new Promise((resolve) => (app.exitCode !== null ? resolve(null) : app.once("exit", resolve)));
    await Promise.all([source.stop(), target.stop()]);
    await rm(dataDir, { recursive: true, force: true });
  };
}

async function waitForHttp(url: string, timeoutMs: number, exited: () => boolean, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`pgferry exited before serving:\n${log()}`);
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await sleep(500);
  }
  throw new Error(`pgferry did not serve ${url} within ${timeoutMs} ms:\n${log()}`);
}
