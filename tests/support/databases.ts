import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import type { PeerConnection } from "@/lib/pg/connection";
import { quoteIdent } from "@/lib/pg/quote";
import type { ClusterInfo } from "./global-setup";
import { requireIntegrationTier } from "./tier";

export type ClusterName = "catalog" | "source" | "target";

export function clusterInfo(name: ClusterName): ClusterInfo {
  requireIntegrationTier(`the shared "${name}" server`);
  return inject("clusters")[name];
}

export function databaseUrl(cluster: ClusterInfo, database: string): string {
  return `postgresql://${cluster.user}:${encodeURIComponent(cluster.password)}@${cluster.host}:${cluster.port}/${encodeURIComponent(database)}`;
}

/** A connection description (as a peer would hold it) for a database on a shared test server. */
export function peerConnection(name: ClusterName, database: string): PeerConnection {
  const c = clusterInfo(name);
  return { host: c.host, port: c.port, database, user: c.user, password: c.password, tlsMode: "disable" };
}

/** Runs SQL as the superuser on the server's maintenance database. */
export async function adminQuery(name: ClusterName, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: databaseUrl(clusterInfo(name), "postgres") });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

/** Creates a fresh, uniquely named database on a shared test server and returns its name. */
export async function createDatabase(name: ClusterName, prefix = "t", template?: string): Promise<string> {
  const database = `${prefix}_${randomBytes(6).toString("hex")}`;
  const from = template ? ` TEMPLATE ${quoteIdent(template)}` : "";
  await adminQuery(name, `CREATE DATABASE ${quoteIdent(database)}${from}`);
  return database;
}

/** A pg client on a database of a shared test server; the caller ends it. */
export async function connect(name: ClusterName, database: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrl(clusterInfo(name), database) });
  await client.connect();
  return client;
}
