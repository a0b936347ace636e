import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quoteIdent as qi, quoteLiteral, quoteQualified } from "@/lib/pg/quote";
import { dropPublication, dropSlot } from "@/lib/pg/replication";
import { leafOfPartitionKey, listDonePartitions } from "@/lib/mirrors/target-bookkeeping";
import { runLoadInProcess } from "@/workers/load/in-process-load";
import { expectSameRows, type LoadEnv, loadEnv, mapping, q } from "./helpers";

/** Names that break naive SQL building: case, spaces, quotes, apostrophes, backslashes, dots, reserved words, unicode, 63 bytes. */
const NAMES = ["Mixed Case", 'with "quotes"', "dot.ted", "select", "ünïcødé 表", "x".repeat(63), "ü".repeat(31) + "x", "it's a\\b"];

let env: LoadEnv;

beforeAll(async () => {
  env = await loadEnv("idents");
  for (const [i, schema] of NAMES.entries()) {
    const table = NAMES[(i + 1) % NAMES.length];
    const columns = NAMES.map((c) => `${qi(c)} text`).join(", ");
    const mood = quoteQualified(schema, `Mood ${i}`);
    const labels = ["it's", '"quoted"', "with space", "ünï"].map(quoteLiteral).join(", ");
    await env.source.query(`
      CREATE SCHEMA ${qi(schema)};
      CREATE TYPE ${mood} AS ENUM (${labels});
      CREATE TABLE ${quoteQualified(schema, table)} (${qi("order")} int, ${columns}, ${qi("Feeling")} ${mood}[],
        ${qi("Upper Case")} text GENERATED ALWAYS AS (upper(${qi(NAMES[0])})) STORED,
        PRIMARY KEY (${qi("order")}, ${qi(NAMES[1])}));
      INSERT INTO ${quoteQualified(schema, table)}
        SELECT g, ${NAMES.map((_, k) => `'v' || g || '${k}'`).join(", ")}, ARRAY['it''s', '"quoted"']::${mood}[]
          FROM generate_series(1, 3000) g;
      ANALYZE ${quoteQualified(schema, table)};
    `);
  }
});

afterAll(async () => {
  await dropSlot(env.source, "pgferry_idents");
  await dropPublication(env.source, "pgferry_idents");
  await env.close();
});

describe("initial load with odd identifiers", () => {
  it("copies every schema, table, column and enum label, renaming and excluding columns on the way", async () => {
    const mappings = NAMES.map((schema, i) => {
      const table = NAMES[(i + 1) % NAMES.length];
      // Every other table goes to a renamed target (another odd schema) without one odd column.
      return i % 2 === 0 ? mapping(q(schema, table)) : mapping(q(schema, table), q(`Target ${schema}`.slice(0, 63), `${table}`), [NAMES[3]]);
    });
    const result = await runLoadInProcess({
      source: env.sourcePeer,
      target: env.targetPeer,
      mapping: mappings,
      mode: "cdc",
      mirror: "idents",
      settings: { rowsPerPartition: 1000, parallelCopyWorkers: 2 },
    });
    for (const table of result.tables) expect(table.partitions).toBeGreaterThan(1);
    for (const m of mappings) expect(await expectSameRows(env, m)).toBe(3000);
    // The bookkeeping keys (written as literals) read back as the exact source names, backslash and apostrophe included.
    const leaves = (await listDonePartitions(env.target, "idents")).map((p) => JSON.stringify(leafOfPartitionKey(p.partitionKey)));
    expect(new Set(leaves)).toEqual(new Set(mappings.map((m) => JSON.stringify(m.source))));

    const published = await env.source.query("SELECT count(*)::int AS n FROM pg_publication_tables WHERE pubname = 'pgferry_idents'");
    expect(published.rows[0].n).toBe(NAMES.length);
    const labels = await env.target.query(
      `SELECT array_agg(enumlabel ORDER BY enumsortorder)::text[] AS l FROM pg_enum WHERE enumtypid = $1::regtype`,
      [quoteQualified(NAMES[4], "Mood 4")],
    );
    expect(labels.rows[0].l).toEqual(["it's", '"quoted"', "with space", "ünï"]);
  });
});
