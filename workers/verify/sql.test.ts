import { describe, expect, it } from "vitest";
import { bucketRowsSql, keyAtOffsetSql, rangePredicate, rangeRowsSql, rangeSummarySql, rowHash } from "./sql";

const odd = { schema: 'my "schema"', name: "Odd.Table" };

describe("verification SQL", () => {
  it("quotes every identifier of the row hash", () => {
    expect(rowHash(["id", 'we"ird', "Upper Case"])).toBe('md5(ROW("id", "we""ird", "Upper Case")::text)');
  });

  it("builds a half-open key range with row comparisons and numbered parameters", () => {
    expect(rangePredicate(["a", "B"], { lo: ["1", "x"], hi: ["5", "y"] })).toEqual({
      text: '("a", "B") > ($1, $2) AND ("a", "B") <= ($3, $4)',
      values: ["1", "x", "5", "y"],
    });
    expect(rangePredicate(["id"], { lo: null, hi: ["9"] })).toEqual({ text: '("id") <= ($1)', values: ["9"] });
    expect(rangePredicate(["id"], { lo: null, hi: null })).toEqual({ text: "true", values: [] });
    expect(() => rangePredicate(["a", "b"], { lo: ["1"], hi: null })).toThrow(/2 values/);
  });

  it("reads a chunk's bound in key order from where the last one ended", () => {
    const sql = keyAtOffsetSql(odd, ["id"], { lo: ["10"], hi: null }, 9999);
    expect(sql.text).toBe('SELECT "id"::text FROM "my ""schema"""."Odd.Table" WHERE ("id") > ($1) ORDER BY "id" OFFSET 9999 LIMIT 1');
    expect(sql.values).toEqual(["10"]);
  });

  it("summarises and lists a range on the given table", () => {
    const summary = rangeSummarySql(odd, ["id", "v"], ["id"], { lo: null, hi: ["3"] });
    expect(summary.text).toContain('FROM "my ""schema"""."Odd.Table" WHERE ("id") <= ($1)');
    expect(summary.text).toContain("count(*)::text AS n");
    const rows = rangeRowsSql(odd, ["id", "v"], ["id"], { lo: ["3"], hi: null });
    expect(rows.text.startsWith('SELECT "id"::text, md5(ROW("id", "v")::text) FROM')).toBe(true);
  });

  it("passes bucket names as one array parameter", () => {
    expect(bucketRowsSql(odd, ["a"], 2, ["0a", "ff"]).values).toEqual([["0a", "ff"]]);
  });
});
