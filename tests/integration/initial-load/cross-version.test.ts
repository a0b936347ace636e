import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PeerConnection } from "@/lib/pg/connection";
import { dropPublication, dropSlot } from "@/lib/pg/replication";
import { runLoadInProcess } from "@/workers/load/in-process-load";
import type { TestCluster } from "@/tests/support/clusters";
import { createDatabase, peerConnection } from "@/tests/support/databases";
import { startPg15 } from "@/tests/support/pg15";
import { SCALARS_DDL, USER_TYPES_DDL } from "./fixtures";
import { envFor, expectSameRows, type LoadEnv, mapping, q } from "./helpers";

/** PostgreSQL 15 -> 18: enums, enum arrays, composites and every built-in type, binary and text. */
let pg15: TestCluster;
let env: LoadEnv;

beforeAll(async () => {
  pg15 = await startPg15("cross-version");
  const admin = new pg.Client({ connectionString: pg15.url() });
  await admin.connect();
  await admin.query("CREATE DATABASE legacy");
  await admin.end();
  const sourcePeer: PeerConnection = { host: pg15.host, port: pg15.port, database: "legacy", user: pg15.user, password: pg15.password, tlsMode: "disable" };
  env = await envFor(sourcePeer, peerConnection("target", await createDatabase("target", "cross")));
  await env.source.query(SCALARS_DDL + USER_TYPES_DDL);
  expect((await env.source.query("SELECT current_setting('server_version_num')::int AS v")).rows[0].v).toBeLessThan(160000);
  expect((await env.target.query("SELECT current_setting('server_version_num')::int AS v")).rows[0].v).toBeGreaterThanOrEqual(180000);
}, 120_000);

afterAll(async () => {
  if (env) {
    await dropSlot(env.source, "pgferry_cross_binary");
    await dropPublication(env.source, "pgferry_cross_binary");
    await env.close();
  }
  await pg15?.stop();
});

describe("initial load from PostgreSQL 15 to 18", () => {
  for (const format of ["binary", "text"] as const) {
    it(`copies enums, enum arrays, composites and all built-in types in ${format}`, async () => {
      const mappings = ["scalars", "usertypes"].map((t) => mapping(q("public", t), q(format, t)));
      const result = await runLoadInProcess({
        source: env.sourcePeer,
        target: env.targetPeer,
        mapping: mappings,
        // CDC mode on the binary run also covers slot creation with PostgreSQL 15's syntax.
        mode: format === "binary" ? "cdc" : "initial_load_only",
        mirror: `cross_${format}`,
        format,
        settings: { rowsPerPartition: 700, parallelCopyWorkers: 2 },
      });
      expect(result.tables.map((t) => t.format)).toEqual([format, format]);
      expect(await expectSameRows(env, mappings[0])).toBe(2000);
      expect(await expectSameRows(env, mappings[1])).toBe(502);
    });
  }

  it("recreated the enum with all its labels and the composite with its attributes", async () => {
    const labels = await env.target.query("SELECT array_agg(enumlabel ORDER BY enumsortorder)::text[] AS l FROM pg_enum WHERE enumtypid = 'public.color'::regtype");
    expect(labels.rows[0].l).toEqual(["red", "green", "blue"]);
    const attributes = await env.target.query(
      "SELECT array_agg(attname || ' ' || format_type(atttypid, atttypmod) ORDER BY attnum)::text[] AS a FROM pg_attribute WHERE attrelid = 'public.tagged'::regclass",
    );
    expect(attributes.rows[0].a).toEqual(["label text", "colors color[]", "weight numeric(6,2)"]);
  });
});
