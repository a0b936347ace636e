import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listWorkers } from "@/lib/catalog/workers";
import { createTestCatalog, type TestCatalog } from "@/tests/support/catalog";
import { waitFor } from "@/tests/support/wait";
import { workerProcessEnv } from "@/workers/runtime/process-env";

function startWorker(catalogUrl: string): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "workers/main.ts"], {
    env: workerProcessEnv({ ...process.env, DATABASE_URL: catalogUrl }),
    stdio: "ignore",
  });
}

describe("worker process", () => {
  let catalog: TestCatalog;
  beforeAll(async () => {
    catalog = await createTestCatalog();
  });
  afterAll(() => catalog.close());

  it("registers, heartbeats and deregisters on SIGTERM", async () => {
    const worker = startWorker(catalog.url);
    const registered = await waitFor(async () => (await listWorkers(catalog.prisma)).find((w) => w.pid === worker.pid && w.online), 30_000);
    const firstSeen = registered.lastSeenAt.getTime();
    await waitFor(async () => {
      const again = (await listWorkers(catalog.prisma)).find((w) => w.id === registered.id);
      return again && again.lastSeenAt.getTime() > firstSeen;
    }, 15_000);
    const exited = new Promise<number | null>((resolve) => worker.once("exit", resolve));
    worker.kill("SIGTERM");
    expect(await exited).toBe(0);
    const after = (await listWorkers(catalog.prisma)).find((w) => w.id === registered.id);
    expect(after?.online).toBe(false);
  });

  it("is shown offline within 30 s of kill -9, and a new worker comes online", async () => {
    const worker = startWorker(catalog.url);
    const registered = await waitFor(async () => (await listWorkers(catalog.prisma)).find((w) => w.pid === worker.pid && w.online), 30_000);
    worker.kill("SIGKILL");
    const killedAt = Date.now();
    await waitFor(async () => !(await listWorkers(catalog.prisma)).find((w) => w.id === registered.id)?.online, 30_000);
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    const replacement = startWorker(catalog.url);
    try {
      await waitFor(async () => (await listWorkers(catalog.prisma)).filter((w) => w.online).length === 1, 30_000);
    } finally {
      replacement.kill("SIGTERM");
    }
  });
});
