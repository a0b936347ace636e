import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, open, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { ensureSignInPassword } from "@/lib/web/auth/credentials";
import { db } from "@/lib/catalog/db";
import { startEmbeddedServer, type EmbeddedServer } from "@/lib/catalog/embedded";
import { migrateCatalog } from "@/lib/catalog/migrate";
import { reencryptPeerPasswords } from "@/lib/catalog/reencrypt-peer-passwords";
import { dataDir, env } from "@/lib/config/env";
import { createLogger } from "@/lib/log/logger";
import { buildInputsHash, builtFromHash } from "./build-stamp";
import { keepWorkerRunning } from "./worker-restarts";
import { workerProcessEnv } from "@/workers/runtime/process-env";

/**
 * `npm start` / `npm run dev`: one command that runs everything on one machine.
 * Starts the embedded catalog (unless DATABASE_URL is set), migrates it, makes sure a sign-in
 * password exists, then runs the web app and one worker as child processes. Ctrl-C (SIGINT) or
 * SIGTERM stops the children, then the catalog.
 */
export interface LaunchOptions {
  mode: "start" | "dev";
  /** Runs after the catalog is ready and before the web app and worker start (e.g. the demo's peers). */
  beforeServe?: (catalogUrl: string) => Promise<void>;
  /** Stopped after the children on shutdown (e.g. the demo's servers). */
  extraShutdown?: () => Promise<void>;
}

const log = createLogger("pgferry");
const root = process.cwd();

export async function launch(options: LaunchOptions): Promise<void> {
  process.env.NEXT_TELEMETRY_DISABLED = "1";
  const { PORT } = env();
  let catalog: EmbeddedServer | null = null;
  if (!env().DATABASE_URL) {
    const folder = path.join(dataDir(), "catalog");
    log.info(`starting the embedded catalog in ${folder}`);
    catalog = await startEmbeddedServer(folder, { database: "pgferry", preferredPort: 54329 });
    process.env.DATABASE_URL = catalog.url;
  }
  const url = process.env.DATABASE_URL as string;
  let password: Awaited<ReturnType<typeof ensureSignInPassword>>;
  try {
    const applied = await migrateCatalog(url);
    if (applied.length) log.info(`applied catalog migrations: ${applied.join(", ")}`);
    password = await ensureSignInPassword();
    const reencrypted = await reencryptPeerPasswords(db());
    if (reencrypted) log.info(`re-encrypted ${reencrypted} peer password(s) with the current secret key`);
    await options.beforeServe?.(url);
    await db().$disconnect();
    if (options.mode === "start") await buildIfStale();
  } catch (error) {
    // The embedded catalog runs in its own process group: it would outlive us.
    await options.extraShutdown?.().catch(() => {});
    await catalog?.stop().catch(() => {});
    throw error;
  }

  const children = new Set<ChildProcess>();
  let shuttingDown = false;

  const shutdown = async (code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info("stopping…");
    await Promise.all([...children].map((child) => stopChild(child)));
    await options.extraShutdown?.().catch(() => {});
    await catalog?.stop().catch(() => {});
    log.info("stopped");
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  // Loopback unless the operator says otherwise: a migration console is not for the whole network.
  const host = env().HOST;
  const nextArgs = [options.mode === "dev" ? "dev" : "start", "-p", String(PORT), "-H", host];
  const web = startChild("web", process.execPath, [nextBin(), ...nextArgs], children);
  web.on("exit", (code) => {
    if (!shuttingDown) {
      log.error(`the web app exited (code ${code}); stopping pgferry`);
      void shutdown(1);
    }
  });
  const workerArgs = ["--import", "tsx", ...(options.mode === "dev" ? ["--watch"] : []), "workers/main.ts"];
  for (let i = 0; i < env().PGFERRY_WORKERS; i++) {
    keepWorkerRunning(() => startChild("worker", process.execPath, workerArgs, children, workerEnvironment()), () => shuttingDown, log);
  }

  printWelcome(PORT, password);
}

/** Workers never check sign-ins, so they do not get the sign-in password. */
function workerEnvironment(): NodeJS.ProcessEnv {
  const { PGFERRY_PASSWORD: _password, ...rest } = process.env;
  return workerProcessEnv(rest);
}

function startChild(name: string, command: string, args: string[], children: Set<ChildProcess>, childEnv = process.env): ChildProcess {
  const child = spawn(command, args, { stdio: "inherit", env: childEnv, cwd: root });
  children.add(child);
  child.on("exit", () => children.delete(child));
  log.info(`started ${name} (pid ${child.pid})`);
  return child;
}

/** SIGTERM, then SIGKILL after 10 s: a child must not keep the launcher from exiting. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

function nextBin(): string {
  return path.join(root, "node_modules", "next", "dist", "bin", "next");
}

/** Builds the production web app when its sources changed since the last build. */
async function buildIfStale(): Promise<void> {
  const current = await buildInputsHash(root);
  if ((await builtFromHash(root)) === current) return;
  // The bundler's output (dozens of lines, warnings included) goes to a file, so the first thing a
  // user reads after starting is the address and the password; it is printed only if the build fails.
  const logFile = path.join(dataDir(), "build.log");
  log.info(`building the web app (first start or sources changed; a minute or two, output in ${logFile})…`);
  await mkdir(dataDir(), { recursive: true });
  const output = await open(logFile, "w");
  try {
    await new Promise<void>((resolve, reject) => {
      const build = spawn(process.execPath, [nextBin(), "build"], { stdio: ["ignore", output.fd, output.fd], env: process.env, cwd: root });
      build.on("error", reject);
      build.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`next build failed (code ${code})`))));
    });
  } catch (error) {
    process.stderr.write(await readFile(logFile, "utf8").catch(() => ""));
    throw error;
  } finally {
    await output.close();
  }
  await writeFile(path.join(root, ".next", "pgferry-build-stamp"), current);
}

function printWelcome(port: number, password: { generated?: string; fromEnvironment: boolean }): void {
  const shown = ["127.0.0.1", "0.0.0.0", "::", "localhost"].includes(env().HOST) ? "127.0.0.1" : env().HOST;
  const lines = [``, `  pgferry is running at http://${shown.includes(":") ? `[${shown}]` : shown}:${port}`];
  if (password.generated) {
    lines.push(`  Sign in with this generated password (shown only once; set PGFERRY_PASSWORD to choose your own):`);
    lines.push(`      ${password.generated}`);
  } else if (password.fromEnvironment) {
    lines.push(`  Sign in with the password in PGFERRY_PASSWORD.`);
  } else {
    lines.push(`  Sign in with the password printed on first start (or restart with PGFERRY_PASSWORD set).`);
  }
  lines.push(`  API clients: send "Authorization: Bearer <password>". Press Ctrl-C to stop.`, ``);
  process.stdout.write(`${lines.join("\n")}\n`);
}
