import { describe, expect, test } from "vitest";
import { parseQualifiedName, type TableMapping } from "@/lib/mirrors/table-mapping";
import { targetRefusal } from "./target-refusal";

const map = (source: string, target = source): TableMapping => ({ source: parseQualifiedName(source), target: parseQualifiedName(target), excludeColumns: [] });
const tables = (...problems: string[][]) => problems.map((p, i) => ({ source: { schema: "s", name: `t${i}` }, target: { schema: "s", name: `t${i}` }, problems: p }));

describe("targetRefusal", () => {
  test("nothing wrong: no refusal", () => {
    expect(targetRefusal([map("s.a")], [null], { general: [], tables: tables([]) })).toBeNull();
  });

  test("each table's reasons at that table, the message only names them", () => {
    const mapping = [map("s.a"), map("s.b", 'x."B.b"'), map("s.c")];
    const error = targetRefusal(mapping, [null, "other", null], { general: [], tables: tables(["already contains rows; truncate it"], ["already contains rows; truncate it"], []) });
    expect(error?.code).toBe("target_not_ready");
    expect(error?.fields).toEqual({
      "tables.0.target": "Target table s.a already contains rows; truncate it.",
      "tables.1.target": 'Mirror other already writes x."B.b" on this target peer. Target table x."B.b" already contains rows; truncate it.',
    });
    expect(error?.message).toBe('2 target tables are not ready for this mirror (s.a, x."B.b"); each reason is shown at its table.');
    expect(error?.message).not.toContain("contains rows");
  });

  test("another mirror is refused even without the target check (no initial load)", () => {
    const error = targetRefusal([map("s.a")], ["other"], null);
    expect(error?.fields).toEqual({ "tables.0.target": "Mirror other already writes s.a on this target peer." });
    expect(error?.message).toBe("Target table s.a is not ready for this mirror; the reason is shown at the table.");
  });

  test("problems of no single table (types) go to `tables` and the message", () => {
    const error = targetRefusal([map("s.a")], [null], { general: ['type s."mood" does not exist on the target'], tables: tables([]) });
    expect(error?.fields).toEqual({ tables: 'Type s."mood" does not exist on the target' });
    expect(error?.message).toBe('Type s."mood" does not exist on the target.');
  });
});
