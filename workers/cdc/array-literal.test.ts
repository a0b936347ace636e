import { describe, expect, it } from "vitest";
import { arrayLiteralElements } from "@/workers/cdc/array-literal";

describe("arrayLiteralElements", () => {
  it("reads plain, quoted, escaped and NULL elements", () => {
    expect(arrayLiteralElements("{}")).toEqual([]);
    expect(arrayLiteralElements("{a,b}")).toEqual(["a", "b"]);
    expect(arrayLiteralElements('{"a b","c,d","e\\"f","g\\\\h",NULL,"NULL"}')).toEqual(["a b", "c,d", 'e"f', "g\\h", "NULL"]);
  });

  it("flattens nested arrays and skips dimension decorations", () => {
    expect(arrayLiteralElements("{{a,b},{c,NULL}}")).toEqual(["a", "b", "c"]);
    expect(arrayLiteralElements("[0:1]={x,y}")).toEqual(["x", "y"]);
  });

  it("rejects unbalanced braces", () => {
    expect(() => arrayLiteralElements("{a,b")).toThrow(/malformed/);
  });
});
