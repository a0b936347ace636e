import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@/lib/catalog/db";
import type { PrismaClient } from "@/lib/catalog/generated/client";
import { migrateCatalog } from "@/lib/catalog/migrate";
import { sleep } from "@/lib/sleep";
import { encryptPeerPassword } from "@/lib/catalog/peers";
import type { Cleanup } from "./cleanup";
import type { BenchServer } from "./pg";
import { workerProcessEnv } from "@/workers/runtime/process-env";

/**
 * pgferry as a user runs it: a migrated catalog, peers stored with encrypted passwords, and one
 * real worker process (`node --import tsx workers/main.ts`). A fresh random key per run encrypts
 * the peer passwords; the worker gets the same key.
 */
export interface Pgferry {
  catalog: PrismaClient;
  worker: ChildProcess;
  /** The last lines the worker wrote, for failure messages. */
  workerLogTail(): Promise<string>;
}

export async function startPgferry(cleanup: Cleanup, catalogUrl: string, root: string): Promise<Pgferry> {
  const secretKey = randomBytes(32).toString("hex");
  // This process encrypts the peer passwords (encryptPeerPassword reads the key on first use).
  process.env.PGFERRY_SECRET_KEY = secretKey;
  await migrateCatalog(catalogUrl);
  const catalog = createClient(catalogUrl);
  cleanup.add("close catalog client", () => catalog.$disconnect());

  const logFile = path.join(root, "worker.log");
  const log = createWriteStream(logFile);
  // BENCH_PROFILE=1: the worker writes a V8 CPU profile into .bench/ when it stops (open it in Chrome's DevTools).
  const profile = process.env.BENCH_PROFILE === "1" ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(".bench")}`] : [];
  const worker = spawn(process.execPath, [...profile, "--import", "tsx", "workers/main.ts"], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    env: workerProcessEnv({ ...process.env, DATABASE_URL: catalogUrl, PGFERRY_SECRET_KEY: secretKey }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  worker.stdout!.pipe(log, { end: false });
  worker.stderr!.pipe(log, { end: false });
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  cleanup.add("stop worker", async () => {
    if (worker.exitCode === null && worker.signalCode === null) {
      worker.kill("SIGTERM");
      // A worker that does not stop within 20 s (a copy in flight) is killed.
      const timer = setTimeout(() => worker.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    }
    log.end();
  });
  // Timed runs start once the worker is up (registered, job queue and wake-ups listening): a user's
  // worker is already running when they create a mirror, and node + tsx take seconds to start here.
  await workerStarted(worker, exited, 120_000).catch(async (error: Error) => {
    throw new Error(`${error.message}\nworker log:\n${(await readFile(logFile, "utf8").catch(() => "")).slice(-3000)}`);
  });
  return {
    catalog,
    worker,
    workerLogTail: async () => (await readFile(logFile, "utf8").catch(() => "")).split("\n").slice(-30).join("\n"),
  };
}

/** Resolves when the worker logs "worker started"; rejects if it exits first or takes longer than timeoutMs. */
function workerStarted(worker: ChildProcess, exited: Promise<void>, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`the pgferry worker did not start within ${timeoutMs / 1000} s`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen = (seen + chunk.toString()).slice(-4096);
      if (!seen.includes("worker started")) return;
      worker.stdout!.off("data", onData);
      clearTimeout(timer);
      resolve();
    };
    worker.stdout!.on("data", onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error("the pgferry worker exited at start"));
    });
  });
}

/** Stores a peer as the API would (password encrypted for this peer row). */
export async function addPeer(catalog: PrismaClient, name: string, server: BenchServer, database: string): Promise<void> {
  const id = randomUUID();
  await catalog.peer.create({
    data: {
      id,
      name,
      host: server.host,
      port: server.port,
      database,
      user: server.user,
      passwordEncrypted: encryptPeerPassword(id, server.password),
      tlsMode: "disable",
    },
  });
}

/**
 * Polls the mirror's status every 100 ms until it is `status`. Fails at once, with the mirror's
 * events, if it failed; fails when the worker process died.
 */
export async function waitForStatus(ferry: Pgferry, name: string, status: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // A killed process has a signalCode and no exitCode.
  const workerGone = () => ferry.worker.exitCode !== null || ferry.worker.signalCode !== null;
  for (;;) {
    const mirror = await ferry.catalog.mirror.findUnique({ where: { name }, select: { id: true, status: true, errorMessage: true } });
    if (mirror?.status === status) return;
    if (mirror?.status === "failed" || workerGone() || Date.now() > deadline) {
      const events = mirror ? await ferry.catalog.mirrorEvent.findMany({ where: { mirrorId: mirror.id }, orderBy: { id: "asc" } }) : [];
      const why = mirror?.status === "failed" ? `failed: ${mirror.errorMessage}` : workerGone() ? "the worker process exited" : `timed out (status ${mirror?.status})`;
      throw new Error(
        `mirror ${name} did not reach ${status}: ${why}\n${events.map((e) => `  ${e.level}: ${e.message}`).join("\n")}\nworker log:\n${await ferry.workerLogTail()}`,
      );
    }
    await sleep(100);
  }
}
