import { describe, expect, it } from "vitest";
import { CopyOutFraming, type FeedResult } from "./copy-framing";

function message(code: string, body: Buffer | string): Buffer {
  const payload = typeof body === "string" ? Buffer.from(body) : body;
  const header = Buffer.alloc(5);
  header.write(code, 0, "latin1");
  header.writeUInt32BE(payload.length + 4, 1);
  return Buffer.concat([header, payload]);
}

/** Splits a buffer in `size`-byte chunks. */
function chunks(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/** True when `bytes` is a sequence of whole CopyData messages. */
function wholeCopyData(bytes: Buffer): boolean {
  let pos = 0;
  while (pos < bytes.length) {
    if (bytes[pos] !== 0x64 || pos + 5 > bytes.length) return false;
    pos += 1 + bytes.readUInt32BE(pos + 1);
  }
  return pos === bytes.length;
}

const rows = [Buffer.from("row one\n"), Buffer.alloc(0), Buffer.alloc(3000, 7), Buffer.from("x"), Buffer.alloc(20_000, 1)];
const data = rows.map((r) => message("d", r));
const afterCopy = Buffer.concat([message("C", "COPY 5\0"), message("Z", "I")]);

function feedAll(framing: CopyOutFraming, input: Buffer[]): { forwarded: Buffer[]; end: FeedResult["end"] } {
  const forwarded: Buffer[] = [];
  for (const chunk of input) {
    const result = framing.feed(chunk);
    forwarded.push(...result.messages);
    // What each call hands out is whole messages.
    expect(wholeCopyData(Buffer.concat(result.messages))).toBe(true);
    if (result.end) return { forwarded, end: result.end };
  }
  return { forwarded, end: undefined };
}

describe("CopyOutFraming", () => {
  const stream = Buffer.concat([
    message("H", Buffer.from([1, 0, 1, 0, 1])),
    data[0],
    message("N", "notice"),
    data[1],
    data[2],
    message("S", "TimeZone\0UTC\0"),
    data[3],
    data[4],
    message("c", ""),
    afterCopy,
  ]);

  it("hands out exactly the CopyData messages, whole, for every chunk size", () => {
    for (const size of [1, 2, 3, 4, 5, 6, 7, 11, 64, 1000, 4096, 65_536, stream.length]) {
      const framing = new CopyOutFraming();
      const { forwarded, end } = feedAll(framing, chunks(stream, size));
      expect(Buffer.concat(forwarded).equals(Buffer.concat(data)), `chunk size ${size}`).toBe(true);
      expect(end?.kind).toBe("done");
      expect(framing.messages).toBe(rows.length);
      expect(framing.payloadBytes).toBe(rows.reduce((n, r) => n + r.length, 0));
    }
  });

  it("forwards large chunks as slices, not message by message", () => {
    const { forwarded } = feedAll(new CopyOutFraming(), [stream]);
    // One slice before the notice, one between notice and ParameterStatus, one after.
    expect(forwarded).toHaveLength(3);
  });

  it("returns what follows CopyDone to the client", () => {
    for (const size of [1, 3, 5, 100, stream.length]) {
      const input = chunks(stream, size);
      const framing = new CopyOutFraming();
      let rest = Buffer.alloc(0);
      for (const [i, chunk] of input.entries()) {
        const { end } = framing.feed(chunk);
        if (end) {
          rest = Buffer.concat([end.rest, ...input.slice(i + 1)]);
          break;
        }
      }
      expect(rest.equals(afterCopy), `chunk size ${size}`).toBe(true);
    }
  });

  it("stops at an ErrorResponse and returns it whole, after the messages before it", () => {
    const error = message("E", "SERROR\0C22P02\0Mbad\0\0");
    const failing = Buffer.concat([message("H", Buffer.from([0, 0, 0])), data[0], data[2], error, message("Z", "E")]);
    for (const size of [1, 2, 4, 5, 9, 4096]) {
      const input = chunks(failing, size);
      const framing = new CopyOutFraming();
      const forwarded: Buffer[] = [];
      let rest = Buffer.alloc(0);
      for (const [i, chunk] of input.entries()) {
        const result = framing.feed(chunk);
        forwarded.push(...result.messages);
        if (result.end) {
          expect(result.end.kind).toBe("error");
          rest = Buffer.concat([result.end.rest, ...input.slice(i + 1)]);
          break;
        }
      }
      expect(Buffer.concat(forwarded).equals(Buffer.concat([data[0], data[2]])), `chunk size ${size}`).toBe(true);
      expect(rest.equals(Buffer.concat([error, message("Z", "E")])), `chunk size ${size}`).toBe(true);
    }
  });

  it("refuses bytes after the end of the copy", () => {
    const framing = new CopyOutFraming();
    framing.feed(Buffer.concat([data[0], message("c", "")]));
    expect(() => framing.feed(data[3])).toThrow(/after the end/);
  });
});
