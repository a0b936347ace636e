import pg from "pg";
import { expect } from "vitest";
import type { QualifiedName, TableMapping } from "@/lib/mirrors/table-mapping";
import type { PeerConnection } from "@/lib/pg/connection";
import { describeTable } from "@/lib/pg/describe";
import { tableChecksum } from "@/tests/support/compare";
import { connect, createDatabase, peerConnection } from "@/tests/support/databases";

/** A fresh source database and a fresh target database, with a client and a peer for each. */
export interface LoadEnv {
  source: pg.Client;
  target: pg.Client;
  sourcePeer: PeerConnection;
  targetPeer: PeerConnection;
  close(): Promise<void>;
}

export async function loadEnv(prefix: string): Promise<LoadEnv> {
  const [sourceDb, targetDb] = await Promise.all([createDatabase("source", prefix), createDatabase("target", prefix)]);
  return envFor(peerConnection("source", sourceDb), peerConnection("target", targetDb));
}

export async function envFor(sourcePeer: PeerConnection, targetPeer: PeerConnection): Promise<LoadEnv> {
  const open = async (peer: PeerConnection) => {
    const client = new pg.Client({ host: peer.host, port: peer.port, database: peer.database, user: peer.user, password: peer.password });
    await client.connect();
    return client;
  };
  const [source, target] = await Promise.all([open(sourcePeer), open(targetPeer)]);
  return {
    source,
    target,
    sourcePeer,
    targetPeer,
    close: async () => {
      await Promise.all([source.end(), target.end()]);
    },
  };
}

export { connect };

/** Shorthand for a mapping; the target defaults to the same name. */
export function mapping(source: QualifiedName, target: QualifiedName = source, excludeColumns: string[] = []): TableMapping {
  return { source, target, excludeColumns };
}

export const q = (schema: string, name: string): QualifiedName => ({ schema, name });

/**
 * Asserts that the target table holds exactly the source table's rows (count and checksum over
 * every non-excluded column, generated columns included), and returns the row count.
 */
export async function expectSameRows(env: Pick<LoadEnv, "source" | "target">, m: TableMapping): Promise<number> {
  const table = await describeTable(env.source, m.source);
  const columns = table.columns.map((c) => c.name).filter((c) => !m.excludeColumns.includes(c));
  const [expected, actual] = await Promise.all([tableChecksum(env.source, m.source, columns), tableChecksum(env.target, m.target, columns)]);
  expect(actual, `${m.target.schema}.${m.target.name}`).toEqual(expected);
  return actual.count;
}
