import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import type { Cleanup } from "./cleanup";
import type { BenchServer } from "./pg";
import { pg15BinDir } from "@/lib/pg/throwaway-server";

/** Connection arguments for PostgreSQL's own tools; the password goes through the environment, never argv. */
function connectionArgs(tool: string, server: BenchServer, database: string): string[] {
  const args = ["-h", server.host, "-p", String(server.port), "-U", server.user];
  // pgbench takes the database as its last argument (its -d means --debug).
  return tool === "pgbench" ? [...args, database] : [...args, "-d", database];
}

function toolEnv(server: BenchServer): NodeJS.ProcessEnv {
  return { ...process.env, PGPASSWORD: server.password, PGAPPNAME: "pgferry:bench:tool" };
}

/** Spawns a PostgreSQL 15 tool; the cleanup kills it if the run stops while it is running. */
export function spawnTool(cleanup: Cleanup, tool: string, server: BenchServer, database: string, args: string[], stdin: "ignore" | "pipe" = "ignore"): ChildProcess {
  const child = spawn(path.join(pg15BinDir(), tool), [...args, ...connectionArgs(tool, server, database)], {
    env: toolEnv(server),
    stdio: [stdin, "pipe", "pipe"],
  });
  const forget = cleanup.add(`kill ${tool}`, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  child.once("exit", () => void forget());
  return child;
}

/** Waits for a tool to exit; rejects with its stderr when it fails. Returns stdout + stderr. */
export function finished(child: ChildProcess, tool: string, collectStdout = true): Promise<string> {
  let output = "";
  let errors = "";
  // A piped stdout (pg_dump's) is hundreds of MB: never collect it.
  if (collectStdout) child.stdout?.on("data", (chunk: Buffer) => (output += chunk));
  child.stderr?.on("data", (chunk: Buffer) => (errors += chunk));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (code === 0) resolve(output + errors);
      else reject(new Error(`${tool} failed (${signal ?? `exit code ${code}`}): ${errors.trim().slice(-2000)}`));
    });
  });
}

export async function runTool(cleanup: Cleanup, tool: string, server: BenchServer, database: string, args: string[]): Promise<string> {
  return finished(spawnTool(cleanup, tool, server, database, args), tool);
}

/**
 * `pg_dump <args> source | psql target`, as a shell pipeline would run it; resolves when psql
 * has finished (ON_ERROR_STOP, so a failed statement fails the run).
 */
export async function dumpInto(cleanup: Cleanup, source: BenchServer, sourceDb: string, dumpArgs: string[], target: BenchServer, targetDb: string): Promise<void> {
  await pipeInto(cleanup, { tool: "pg_dump", server: source, database: sourceDb, args: dumpArgs }, target, targetDb);
}

/** `<tool> <args> source | psql <psqlArgs> target`: dumpInto with any producer (e.g. psql -c "COPY … TO STDOUT"). */
export async function pipeInto(
  cleanup: Cleanup,
  producer: { tool: string; server: BenchServer; database: string; args: string[] },
  target: BenchServer,
  targetDb: string,
  psqlArgs: string[] = [],
): Promise<void> {
  const from = spawnTool(cleanup, producer.tool, producer.server, producer.database, producer.args);
  const psql = spawnTool(cleanup, "psql", target, targetDb, ["-q", "-X", "-v", "ON_ERROR_STOP=1", ...psqlArgs], "pipe");
  from.stdout!.pipe(psql.stdin!);
  // psql reads nothing from a failed producer's stdout; its own exit reports that too.
  await Promise.all([finished(from, producer.tool, false), finished(psql, "psql")]);
}
