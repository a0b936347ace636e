import { describe, expect, it } from "vitest";
import { quoteIdent, quoteLiteral, quoteQualified } from "./quote";

describe("quoting", () => {
  it("doubles quotes inside identifiers and literals", () => {
    expect(quoteIdent('My "Table"')).toBe('"My ""Table"""');
    expect(quoteQualified("s p", "t")).toBe('"s p"."t"');
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(() => quoteIdent("a\0b")).toThrow(/NUL/);
  });
});
