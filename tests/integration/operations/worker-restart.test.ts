import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onlineWorkerIds } from "@/lib/catalog/workers";
import { createLogger } from "@/lib/log/logger";
import { keepWorkerRunning } from "@/scripts/worker-restarts";
import { createTestCatalog, type TestCatalog } from "@/tests/support/catalog";
import { TEST_SECRET_KEY } from "@/tests/support/pgferry";
import { waitFor } from "@/tests/support/wait";
import { workerProcessEnv } from "@/workers/runtime/process-env";

/**
 * The launcher's worker supervision (scripts/worker-restarts.ts, as scripts/launcher.ts uses it)
 * with a real worker process: one killed with -9 is replaced by a new one, online within 30 s.
 */
describe("a worker under the launcher", () => {
  let catalog: TestCatalog;
  let stopping = false;
  const started: ChildProcess[] = [];
  const lines: string[] = [];

  beforeAll(async () => {
    catalog = await createTestCatalog();
  });
  afterAll(async () => {
    stopping = true;
    await Promise.all(
      started.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGTERM");
          }),
      ),
    );
    await catalog?.close();
  });

  it("is replaced within 30 s after being killed", async () => {
    const log = { ...createLogger("test"), warn: (message: string) => void lines.push(message) };
    keepWorkerRunning(
      () => {
        const child = spawn(process.execPath, ["--import", "tsx", "workers/main.ts"], {
          env: workerProcessEnv({ ...process.env, DATABASE_URL: catalog.url, PGFERRY_SECRET_KEY: TEST_SECRET_KEY }),
          stdio: "ignore",
        });
        started.push(child);
        return child;
      },
      () => stopping,
      log,
    );
    const [first] = await waitFor(async () => {
      const ids = [...(await onlineWorkerIds(catalog.prisma))];
      return ids.length === 1 ? ids : null;
    }, 60_000);
    const firstRow = await catalog.prisma.worker.findUniqueOrThrow({ where: { id: first } });
    expect(firstRow.pid).toBe(started[0].pid);

    const killedAt = Date.now();
    started[0].kill("SIGKILL");
    const replacement = await waitFor(async () => {
      const ids = [...(await onlineWorkerIds(catalog.prisma))].filter((id) => id !== first);
      return ids[0];
    }, 30_000, 250);
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    expect(started).toHaveLength(2);
    expect((await catalog.prisma.worker.findUniqueOrThrow({ where: { id: replacement } })).pid).toBe(started[1].pid);
    expect(lines.some((l) => l.startsWith("a worker exited (SIGKILL); starting a new one in 1 s"))).toBe(true);
  });
});
