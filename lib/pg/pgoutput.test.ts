import { describe, expect, it } from "vitest";
import { decodePgoutput, PgoutputDecodeError } from "@/lib/pg/pgoutput";

// Decoding real pgoutput bytes from a server: tests/integration/pg/pgoutput.test.ts.
describe("pgoutput decoder", () => {
  it("rejects malformed input and streaming messages", () => {
    expect(() => decodePgoutput(Buffer.from("Z"))).toThrow(PgoutputDecodeError);
    expect(() => decodePgoutput(Buffer.from("S"))).toThrow(/decodeStreamControl/);
    // An insert whose text value claims more bytes than the message holds.
    const bad = Buffer.from([0x49, 0, 0, 0, 1, 0x4e, 0, 1, 0x74, 0, 0, 0, 9, 0x61]);
    expect(() => decodePgoutput(bad)).toThrow(/past the end/);
  });
});
