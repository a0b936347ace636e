import { describe, expect, it } from "vitest";
import { compareLsn, formatLsn, lsnDistance, maxLsn, parseLsn, readLsn, writeLsn } from "@/lib/pg/lsn";

describe("lsn", () => {
  it("parses and formats like PostgreSQL", () => {
    expect(parseLsn("16/B374D848")).toBe((0x16n << 32n) | 0xb374d848n);
    expect(formatLsn(parseLsn("16/B374D848"))).toBe("16/B374D848");
    expect(formatLsn(parseLsn("0/0"))).toBe("0/0");
    expect(formatLsn(parseLsn("ffffffff/ffffffff"))).toBe("FFFFFFFF/FFFFFFFF");
    expect(formatLsn(parseLsn("0/0000ABCD"))).toBe("0/ABCD");
  });

  it("rejects text that is not an LSN", () => {
    for (const bad of ["", "16", "16/", "/1", "G/1", "1/2/3", "123456789/0"]) {
      expect(() => parseLsn(bad)).toThrow(/not an LSN/);
    }
    expect(() => formatLsn(-1n)).toThrow(/out of range/);
  });

  it("compares across the 32-bit boundary where string comparison fails", () => {
    expect(compareLsn("9/FFFFFFFF", "A/0")).toBe(-1);
    expect(compareLsn("A/0", "9/FFFFFFFF")).toBe(1);
    expect(compareLsn("1/10", parseLsn("1/10"))).toBe(0);
    expect(maxLsn(parseLsn("1/0"), parseLsn("0/FFFFFFFF"))).toBe(parseLsn("1/0"));
    expect(lsnDistance(parseLsn("1/0"), parseLsn("0/FFFFFFFF"))).toBe(1n);
    expect(lsnDistance(parseLsn("0/1"), parseLsn("0/2"))).toBe(0n);
  });

  it("reads and writes the 8-byte wire form", () => {
    const buffer = Buffer.alloc(9);
    writeLsn(buffer, parseLsn("16/B374D848"), 1);
    expect(buffer.subarray(1).toString("hex")).toBe("00000016b374d848");
    expect(formatLsn(readLsn(buffer, 1))).toBe("16/B374D848");
  });
});
