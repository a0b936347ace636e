import { describe, expect, it } from "vitest";
import { textArrayLiteral } from "@/workers/cdc/text-array";
import { arrayLiteralElements } from "@/workers/cdc/array-literal";

describe("textArrayLiteral", () => {
  it("quotes every element and escapes quotes and backslashes", () => {
    expect(textArrayLiteral([])).toBe("{}");
    expect(textArrayLiteral(["a", null, "", 'say "hi"', "back\\slash", "NULL", "{,}"])).toBe(
      '{"a",NULL,"","say \\"hi\\"","back\\\\slash","NULL","{,}"}',
    );
  });

  it("round-trips through the array literal reader", () => {
    const values = ["x", 'q"uote', "b\\s", " spaced ", "comma,brace}"];
    expect(arrayLiteralElements(textArrayLiteral(values))).toEqual(values);
  });
});
