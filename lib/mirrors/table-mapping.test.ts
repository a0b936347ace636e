import { describe, expect, it } from "vitest";
import { formatQualifiedName, parseQualifiedName } from "./table-mapping";

describe("qualified table names", () => {
  it("parses plain, quoted and unqualified names", () => {
    expect(parseQualifiedName("public.orders")).toEqual({ schema: "public", name: "orders" });
    expect(parseQualifiedName("orders")).toEqual({ schema: "public", name: "orders" });
    expect(parseQualifiedName('"my.schema"."Odd ""name"""')).toEqual({ schema: "my.schema", name: 'Odd "name"' });
    expect(parseQualifiedName("Sales Data.Ünïcode table")).toEqual({ schema: "Sales Data", name: "Ünïcode table" });
  });

  it("rejects malformed names with a message", () => {
    expect(() => parseQualifiedName("a.b.c")).toThrow(/more than two parts/);
    expect(() => parseQualifiedName('"open')).toThrow(/unterminated/);
    expect(() => parseQualifiedName("a.")).toThrow(/empty part/);
  });

  it("formats names so they parse back unchanged", () => {
    for (const name of [{ schema: "public", name: "t" }, { schema: "a.b", name: 'q"uote' }, { schema: "s", name: "with space" }]) {
      expect(parseQualifiedName(formatQualifiedName(name))).toEqual(name);
    }
  });
});
