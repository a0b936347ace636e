import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quoteIdent as qi, quoteQualified } from "@/lib/pg/quote";
import { createMirrorTestbed, type MirrorTestbed, waitForMirrorStatus } from "@/tests/support/pgferry";
import { SCALARS_DDL, TOAST_DDL, USER_TYPES_DDL } from "../initial-load/fixtures";
import { outcome, verifyAndWait } from "./helpers";

/** Odd names: case, spaces, quotes, dots, a reserved word, unicode. */
const SCHEMA = 'we"ird.schema';
const TABLE = "Mixed Case ü";
const COLUMNS = ["select", 'with "quotes"', "dot.ted"];

/**
 * The type tests' tables and odd identifiers, copied by an initial load: every one compares equal
 * (NaN, ±Infinity, arrays, enums, composites, TOAST, json, geometric types, a generated column,
 * a composite key of odd columns, a keyless table); and a value changed inside a TOASTed column is found.
 */
describe("verifying odd identifiers and types", () => {
  let bed: MirrorTestbed;
  const odd = quoteQualified(SCHEMA, TABLE);

  beforeAll(async () => {
    bed = await createMirrorTestbed(SCALARS_DDL + TOAST_DDL + USER_TYPES_DDL);
    await bed.source.query(`
      CREATE SCHEMA ${qi(SCHEMA)};
      CREATE TABLE ${odd} (${qi("order")} int, ${COLUMNS.map((c) => `${qi(c)} text`).join(", ")}, f float8, fa float8[],
        ${qi("Upper")} text GENERATED ALWAYS AS (upper(${qi(COLUMNS[0])})) STORED,
        PRIMARY KEY (${qi(COLUMNS[1])}, ${qi("order")}));
      INSERT INTO ${odd}
        SELECT g, 'v' || g, 'it''s "' || g || '"', 'a.b ' || g,
               CASE g % 4 WHEN 0 THEN 'NaN' WHEN 1 THEN 'Infinity' WHEN 2 THEN '-Infinity' ELSE g / 3.0 END,
               ARRAY['NaN', '-Infinity', g]::float8[]
          FROM generate_series(1, 3000) g;
      CREATE TABLE public.keyless (f float8, ts timestamptz, a text[]);
      INSERT INTO public.keyless SELECT 'NaN', 'infinity', '{"x y",NULL}' FROM generate_series(1, 5);
      INSERT INTO public.keyless SELECT g, '2024-01-01'::timestamptz + g * interval '1 s', ARRAY[g::text] FROM generate_series(1, 2000) g;
      ANALYZE;
    `);
    bed.startWorker();
    await bed.createMirror({
      name: "types",
      mode: "initial_load_only",
      tables: [
        { source: "public.scalars" },
        { source: "public.toasted" },
        { source: "public.usertypes" },
        { source: `"${SCHEMA.replaceAll('"', '""')}"."${TABLE}"` },
        { source: "public.keyless" },
      ],
    });
    await waitForMirrorStatus(bed.catalog.prisma, "types", "completed");
  });

  afterAll(() => bed?.close());

  it("compares every table equal when the copy is exact", { timeout: 420_000 }, async () => {
    const run = await verifyAndWait(bed.catalog.prisma, "types");
    expect(run.status, JSON.stringify(outcome(run), null, 1)).toBe("passed");
    expect(run.tables).toHaveLength(5);
    expect(run.tables.find((t) => t.source === "public.scalars")?.sourceRows).toBe(2000);
  });

  it("finds a change inside a TOASTed value and in a row keyed by odd columns", { timeout: 420_000 }, async () => {
    await bed.target.query(`
      UPDATE public.toasted SET big_text = big_text || 'x' WHERE id = 2;
      UPDATE ${odd} SET f = 0 WHERE ${qi("order")} = 8;
    `);
    const run = await verifyAndWait(bed.catalog.prisma, "types");
    const result = outcome(run);
    expect(run.status).toBe("failed");
    expect(result["public.toasted"]).toMatchObject({ status: "different", examples: [{ kind: "changed", key: { id: "2" } }] });
    const oddResult = Object.entries(result).find(([name]) => name.includes("Mixed Case"))![1];
    expect(oddResult).toMatchObject({ status: "different", differences: 1, examples: [{ kind: "changed", key: { 'with "quotes"': 'it\'s "8"', order: "8" } }] });
    expect(result["public.scalars"].status).toBe("equal");
  });
});
