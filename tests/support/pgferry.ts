import { spawn, type ChildProcess } from "node:child_process";
import type pg from "pg";
import type { PrismaClient } from "@/lib/catalog/generated/client";
import { encryptPeerPassword } from "@/lib/catalog/peers";
import type { MirrorCreateInput } from "@/lib/mirrors/input";
import { createMirror } from "@/lib/web/mirrors/create";
import { createTestCatalog, type TestCatalog } from "./catalog";
import { type ClusterName, clusterInfo, connect, createDatabase } from "./databases";
import { waitFor } from "./wait";
import { workerProcessEnv } from "@/workers/runtime/process-env";

/** The secret key every test process uses, so workers decrypt what the test encrypted. */
export const TEST_SECRET_KEY = "7".repeat(64);
process.env.PGFERRY_SECRET_KEY ??= TEST_SECRET_KEY;

/** Stores a peer for a database on a shared test server, as the API would (password encrypted). */
export async function createPeerRow(catalog: PrismaClient, name: string, cluster: ClusterName, database: string): Promise<void> {
  const info = clusterInfo(cluster);
  const id = crypto.randomUUID();
  await catalog.peer.create({
    data: {
      id,
      name,
      host: info.host,
      port: info.port,
      database,
      user: info.user,
      passwordEncrypted: encryptPeerPassword(id, info.password),
      tlsMode: "disable",
    },
  });
}

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

/** Starts a real worker process (`npm run worker`) against a test catalog. */
export function startWorker(catalogUrl: string, env: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "workers/main.ts"], {
    env: workerProcessEnv({ ...process.env, DATABASE_URL: catalogUrl, PGFERRY_SECRET_KEY: TEST_SECRET_KEY, ...env }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout?.on("data", (chunk) => (log += chunk));
  child.stderr?.on("data", (chunk) => (log += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    output: () => log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
    kill9: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

/** Waits until the mirror reaches `status`; fails early, with the mirror's log, if it failed instead. */
export async function waitForMirrorStatus(catalog: PrismaClient, name: string, status: string, timeoutMs = 120_000): Promise<void> {
  try {
    await waitUntilStatus(catalog, name, status, timeoutMs);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${await describeMirror(catalog, name)}`);
  }
}

/** Status, partitions and log of a mirror, for failure messages. */
export async function describeMirror(catalog: PrismaClient, name: string): Promise<string> {
  const mirror = await catalog.mirror.findUnique({ where: { name }, include: { events: { orderBy: { id: "asc" } } } });
  if (!mirror) return `mirror ${name} does not exist`;
  const partitions = await catalog.partition.groupBy({ by: ["generation", "status"], where: { mirrorId: mirror.id }, _count: { _all: true } });
  return [
    `status=${mirror.status} generation=${mirror.loadGeneration} owner=${mirror.ownerWorkerId} lease=${mirror.leaseExpiresAt?.toISOString()}`,
    `partitions: ${partitions.map((p) => `g${p.generation}:${p.status}=${p._count._all}`).join(" ")}`,
    ...mirror.events.map((e) => `${e.createdAt.toISOString()} ${e.level}: ${e.message}`),
  ].join("\n");
}

async function waitUntilStatus(catalog: PrismaClient, name: string, status: string, timeoutMs: number): Promise<void> {
  await waitFor(
    async () => {
      const mirror = await catalog.mirror.findUnique({ where: { name } });
      if (mirror?.status === "failed" && status !== "failed") {
        const events = await catalog.mirrorEvent.findMany({ where: { mirrorId: mirror.id }, orderBy: { id: "asc" } });
        throw new StopWaiting(`mirror ${name} failed: ${mirror.errorMessage}\n${events.map((e) => `${e.level}: ${e.message}`).join("\n")}`);
      }
      return mirror?.status === status;
    },
    timeoutMs,
    250,
  );
}

/** An error that makes waitFor give up at once (see wait.ts). */
export class StopWaiting extends Error {}

/**
 * A fresh catalog with peers "src" and "dst" on fresh databases of the shared source and target servers.
 * The databases are fresh, the servers are not: a CDC mirror's default slot name (pgferry_<mirror>) is
 * cluster-wide, so each test file gives its CDC mirrors names no other test file uses.
 */
export interface MirrorTestbed {
  catalog: TestCatalog;
  source: pg.Client;
  target: pg.Client;
  sourceDatabase: string;
  /** Starts a worker process on this catalog (see startWorker); close() stops it. */
  startWorker(env?: Record<string, string>): WorkerProcess;
  /** Creates a mirror from "src" to "dst" through lib, as the API does. */
  createMirror(input: Omit<MirrorCreateInput, "source" | "target">): Promise<{ name: string }>;
  /** Stops the workers it started, then closes the clients and the catalog. */
  close(): Promise<void>;
}

/** `sourceSql`, when given, runs on the source database first (tables and rows to mirror). */
export async function createMirrorTestbed(sourceSql?: string): Promise<MirrorTestbed> {
  const catalog = await createTestCatalog();
  const [sourceDatabase, targetDatabase] = await Promise.all([createDatabase("source"), createDatabase("target")]);
  const source = await connect("source", sourceDatabase);
  const target = await connect("target", targetDatabase);
  await createPeerRow(catalog.prisma, "src", "source", sourceDatabase);
  await createPeerRow(catalog.prisma, "dst", "target", targetDatabase);
  if (sourceSql) await source.query(sourceSql);
  const workers: WorkerProcess[] = [];
  return {
    catalog,
    source,
    target,
    sourceDatabase,
    startWorker: (env) => {
      const worker = startWorker(catalog.url, env);
      workers.push(worker);
      return worker;
    },
    createMirror: (input) => createMirror(catalog.prisma, { ...input, source: "src", target: "dst" }),
    close: async () => {
      await Promise.all(workers.map((worker) => worker.stop()));
      await Promise.all([source.end(), target.end()]);
      await catalog.close();
    },
  };
}
