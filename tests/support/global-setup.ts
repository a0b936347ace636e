import type { TestProject } from "vitest/node";
import { startCluster, type TestCluster } from "./clusters";

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

export default async function setup(project: TestProject) {
  const [catalog, source, target] = await Promise.all([
    startCluster("catalog"),
    startCluster("source"),
    startCluster("target"),
  ]);
  const info = (c: TestCluster): ClusterInfo => ({ host: c.host, port: c.port, user: c.user, password: c.password });
  project.provide("clusters", { catalog: info(catalog), source: info(source), target: info(target) });
  return async () => {
    await Promise.all([catalog.stop(), source.stop(), target.stop()]);
  };
}
