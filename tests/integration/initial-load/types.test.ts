import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeTables } from "@/lib/pg/describe";
import { exportSnapshot } from "@/lib/pg/snapshot";
import { copyPartition, isBinaryIncompatibility } from "@/workers/initial-load/copy-partition";
import { planPartitions } from "@/workers/initial-load/partitions";
import { runLocalInitialLoad } from "@/workers/initial-load/run-local";
import { buildTablePlans } from "@/workers/initial-load/table-plan";
import { expectSameRows, type LoadEnv, loadEnv, mapping, q } from "./helpers";

/**
 * Every built-in type family the product promises, with edge values (NaN, ±Infinity, infinity
 * dates, NULL in every column, multi-MB values stored in TOAST), copied in binary and in text.
 */
export const SCALARS_DDL = `
  CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy');
  CREATE DOMAIN public.percent AS numeric(5,2) CHECK (VALUE BETWEEN 0 AND 100);
  CREATE TABLE public.scalars (
    id int PRIMARY KEY,
    b bool, i2 smallint, i4 int, i8 bigint, n numeric(20,6), nn numeric,
    r4 real, r8 double precision,
    d date, ts timestamp, tstz timestamptz, t time, ttz timetz, iv interval,
    m money, bt bit(8), vb varbit(20), u uuid, ba bytea,
    ip inet, cr cidr, mac macaddr, js json, jb jsonb, x xml, tv tsvector, tq tsquery,
    pt point, ln line, ls lseg, bx box, pa path, pg polygon, ci circle,
    ir int4range, nr numrange, tr tstzrange, dr daterange, mr int4multirange,
    ia int[], ta text[], grid int[][], c char(5), vc varchar(30), tx text,
    mo public.mood, pc public.percent, lsn pg_lsn
  );
  INSERT INTO public.scalars VALUES
    (1, true, -32768, -2147483648, -9223372036854775808, 12345678901234.123456, 'NaN',
     'NaN', 'Infinity', 'infinity', '-infinity', 'infinity', '00:00:00', '23:59:59.999999+14', '-178000000 years',
     '-92233720368547758.08', B'10101010', B'1', '00000000-0000-0000-0000-000000000000', '\\x00ff00',
     '::1/128', '10.0.0.0/8', '08:00:2b:01:02:03', '{"b": [1, 2], "a": "x"}', '{"b": [1, 2], "a": "x", "n": 1.50}',
     '<a b="1">t</a>', 'a:1 fat:2 cat', 'fat & !rat',
     '(1.5,-2.5)', '{1,-1,0}', '[(0,0),(1,1)]', '(2,2),(0,0)', '[(0,0),(1,1),(2,0)]', '((0,0),(1,1),(1,0))', '<(0,0),1.5>',
     '[1,10)', '(-Infinity,0.5]', '[2024-01-01 00:00+00,infinity)', 'empty', '{[1,3), [5,8)}',
     '{1,NULL,3}', '{"a b","c,d","e\\"f",NULL,""}', '{{1,2},{3,4}}', 'ab', 'varchar ü', E'tab\\tnew\\nline\\\\back',
     'happy', 42.5, '16/B374D848'),
    (2, false, 32767, 2147483647, 9223372036854775807, -0.000001, 'Infinity',
     '-Infinity', '-0', '4713-01-01 BC', '294276-12-31 23:59:59.999999', '-infinity', '24:00:00', '00:00:00-15:59', '1 year 2 mons 3 days 04:05:06.789',
     '92233720368547758.07', B'00000000', B'', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '\\x',
     '192.168.1.1/24', '2001:db8::/32', 'ff:ff:ff:ff:ff:ff', '[]', '[]', '<!-- c -->', '', 'x',
     '(0,0)', '{0,1,0}', '[(1,1),(1,1)]', '(0,0),(0,0)', '((0,0))', '((0,0))', '<(1,1),0>',
     '(,)', '[1.1,1.1]', '(,)', '[2020-02-29,2020-03-01)', '{}',
     '{}', '{}', '{}', '     ', '', '',
     'sad', 0, '0/0'),
    (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
  INSERT INTO public.scalars (id, n, r8, tstz, iv, jb, ia, tx, tv)
    SELECT g, g * 1.5, g / 3.0, '2024-01-01'::timestamptz + g * interval '1 minute', g * interval '1 second',
           jsonb_build_object('g', g), ARRAY[g, -g], 'row ' || g, to_tsvector('simple', 'row number ' || g)
      FROM generate_series(4, 2000) g;
`;

/** Incompressible values of a few MB (random hex and random bytes), so they live out of line in TOAST. */
export const TOAST_DDL = `
  CREATE TABLE public.toasted (id int PRIMARY KEY, big_text text, big_bytes bytea, big_json jsonb);
  INSERT INTO public.toasted
    SELECT k,
           (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 100000)),
           (SELECT decode(string_agg(md5(random()::text), ''), 'hex') FROM generate_series(1, 125000)),
           (SELECT jsonb_agg(md5(random()::text)) FROM generate_series(1, 30000))
      FROM generate_series(1, 3) k;
  INSERT INTO public.toasted VALUES (4, NULL, NULL, NULL);
`;

/** Arrays of enums, composites (with an enum array inside) and domains over them. */
export const USER_TYPES_DDL = `
  CREATE TYPE public.color AS ENUM ('red', 'green', 'blue');
  CREATE TYPE public.tagged AS (label text, colors public.color[], weight numeric(6,2));
  CREATE DOMAIN public.palette AS public.color[] CHECK (cardinality(VALUE) > 0);
  CREATE TABLE public.usertypes (
    id int PRIMARY KEY, colors public.color[], item public.tagged, items public.tagged[], pal public.palette, one public.color
  );
  INSERT INTO public.usertypes
    SELECT g, ARRAY['red', 'blue']::public.color[], ROW('item ' || g, ARRAY['green']::public.color[], g / 4.0)::public.tagged,
           ARRAY[ROW('a', '{}', 1)::public.tagged, NULL], ARRAY['blue']::public.color[], 'green'
      FROM generate_series(1, 500) g;
  INSERT INTO public.usertypes VALUES (0, NULL, NULL, NULL, NULL, NULL), (-1, '{red,NULL}', ROW(NULL, NULL, NULL), '{}', '{red}', 'red');
`;

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
      const result = await runLocalInitialLoad({
        source: env.sourcePeer,
        target: env.targetPeer,
        mapping: mappings,
        mode: "initial_load_only",
        mirrorName: `types_${format}`,
        format,
        rowsPerPartition: 700,
        parallelism: 2,
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
