import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeTables } from "@/lib/pg/describe";
import { exportSnapshot } from "@/lib/pg/snapshot";
import { copyPartition, isBinaryIncompatibility } from "@/workers/load/partition-copy";
import { planPartitions } from "@/workers/load/partitions";
import { runLoadInProcess } from "@/workers/load/in-process-load";
import { buildTablePlans } from "@/lib/mirrors/table-plan";
import { SCALARS_DDL, TOAST_DDL, USER_TYPES_DDL } from "./fixtures";
import { expectSameRows, type LoadEnv, loadEnv, mapping, q } from "./helpers";

/**
 * Every built-in type family the product promises, with edge values (NaN, ±Infinity, infinity
 * dates, NULL in every column, multi-MB values stored in TOAST), copied in binary and in text.
 */
let env: LoadEnv;

beforeAll(async () => {
  env = await loadEnv("types");
  await env.source.query(SCALARS_DDL + TOAST_DDL + USER_TYPES_DDL);
  // Type OIDs are per server: shift the target's so that user types cannot match by accident.
  await env.target.query("CREATE TYPE public.unrelated_a AS ENUM ('x'); CREATE TYPE public.unrelated_b AS (x int)");
});

afterAll(async () => {
  await env.close();
});

const tables = ["scalars", "toasted", "usertypes"];

describe("initial load of every type", () => {
  for (const format of ["binary", "text"] as const) {
    it(`copies all types exactly in ${format} format`, async () => {
      const mappings = tables.map((t) => mapping(q("public", t), q(format, t)));
      const result = await runLoadInProcess({
        source: env.sourcePeer,
        target: env.targetPeer,
        mapping: mappings,
        mode: "initial_load_only",
        mirror: `types_${format}`,
        format,
        settings: { rowsPerPartition: 700, parallelCopyWorkers: 2 },
      });
      expect(result.tables.find((t) => t.source.name === "scalars")!.partitions).toBeGreaterThan(1);
      // User type OIDs differ between the servers (see beforeAll); binary still carries enum arrays
      // and composites, so no table needed the text fallback.
      expect(result.tables.map((t) => t.format)).toEqual([format, format, format]);
      expect(await expectSameRows(env, mappings[0])).toBe(2000);
      expect(await expectSameRows(env, mappings[1])).toBe(4);
      expect(await expectSameRows(env, mappings[2])).toBe(502);
    });
  }

  it("really stores the big values out of line (TOAST)", async () => {
    const { rows } = await env.target.query(
      `SELECT octet_length(big_text) AS len, pg_relation_size(reltoastrelid) AS toast
         FROM "binary".toasted, pg_class WHERE pg_class.oid = '"binary".toasted'::regclass AND id = 1`,
    );
    expect(rows[0].len).toBe(3_200_000);
    expect(Number(rows[0].toast)).toBeGreaterThan(3 * 3_000_000);
  });

  it("falls back from binary to text when the target rejects the binary form", async () => {
    // A target column whose binary input differs (int8 reads 8 bytes; the source sends int4's 4)
    // stands in for a type whose binary layout changed between versions: text '42' reads fine.
    await env.source.query("CREATE TABLE public.narrow (id int PRIMARY KEY, v int); INSERT INTO public.narrow SELECT g, -g FROM generate_series(1, 300) g");
    await env.target.query("CREATE SCHEMA fallback; CREATE TABLE fallback.narrow (id bigint PRIMARY KEY, v bigint)");
    const m = mapping(q("public", "narrow"), q("fallback", "narrow"));
    const [plan] = buildTablePlans(await describeTables(env.source, [m.source]), [m]);
    const snapshot = await exportSnapshot(env.sourcePeer);
    try {
      const [partition] = await planPartitions(env.source, plan);
      const base = { source: env.sourcePeer, target: env.targetPeer, snapshotName: snapshot.snapshotName, table: plan, partition };
      const strict = await copyPartition({ ...base, mirror: "strict", format: "binary", textFallback: false }).catch((e: unknown) => e);
      expect(isBinaryIncompatibility(strict)).toBe(true);
      const result = await copyPartition({ ...base, mirror: "fallback", format: "binary" });
      expect(result).toMatchObject({ skipped: false, format: "text", rows: 300 });
    } finally {
      await snapshot.close();
    }
    expect(await expectSameRows(env, m)).toBe(300);
  });
});
