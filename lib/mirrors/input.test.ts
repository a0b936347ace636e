import { describe, expect, test } from "vitest";
import { MAX_TABLES_PER_MIRROR, mirrorCreateSchema } from "./input";

const base = { name: "m", source: "a", target: "b", mode: "cdc" as const };

describe("mirror input bounds", () => {
  test("refuses more than MAX_TABLES_PER_MIRROR tables", () => {
    const tables = Array.from({ length: MAX_TABLES_PER_MIRROR + 1 }, (_, i) => ({ source: `public.t${i}` }));
    const result = mirrorCreateSchema.safeParse({ ...base, tables });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message).join()).toMatch(/At most 10,000 tables/);
  });

  test("refuses more excluded columns than a table can have", () => {
    const excludeColumns = Array.from({ length: 1601 }, (_, i) => `c${i}`);
    const result = mirrorCreateSchema.safeParse({ ...base, tables: [{ source: "public.t", excludeColumns }] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].message).toMatch(/1,600/);
  });

  test("accepts a list at the limits", () => {
    const tables = [{ source: "public.t", excludeColumns: Array.from({ length: 1600 }, (_, i) => `c${i}`) }];
    expect(mirrorCreateSchema.safeParse({ ...base, tables }).success).toBe(true);
  });
});
