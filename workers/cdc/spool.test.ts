import { existsSync, readdirSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { createSpoolFolder, TransactionSpool } from "./spool";

const INSERT = "I".charCodeAt(0);

/** A record body whose bytes say which change it is. */
function body(id: number, size = 100): Buffer {
  const out = Buffer.alloc(size, id % 251);
  out.writeUInt32BE(id, 0);
  return out;
}

/** Copies of the messages: each one's bytes are only valid until the next is read. */
function messages(spool: TransactionSpool): Buffer[] {
  const out: Buffer[] = [];
  for (const message of spool.messages()) out.push(Buffer.from(message));
  return out;
}

function ids(spool: TransactionSpool): number[] {
  return messages(spool).map((message) => {
    expect(message[0]).toBe(INSERT);
    return message.readUInt32BE(1);
  });
}

describe("TransactionSpool", () => {
  const folder = createSpoolFolder("spool-test");
  afterEach(() => {
    for (const name of readdirSync(folder.path)) expect(name).toMatch(/^xid-/);
  });

  it("gives back every change in order, across flushes and read chunks, huge ones included", () => {
    const spool = new TransactionSpool(folder.path, 7);
    const sizes = [10, 100, 5_000_000, 200, 9_000_000, 50];
    let id = 0;
    // ~150,000 small records (several 4 MB flushes and reads) with huge ones in between.
    for (let round = 0; round < 25_000; round++) for (const size of sizes) spool.append(7, INSERT, body(id++, size >= 1_000_000 ? (round < 2 ? size : 10) : size));
    const got = messages(spool);
    expect(got).toHaveLength(id);
    got.forEach((message, i) => {
      expect(message.readUInt32BE(1)).toBe(i);
    });
    expect(got.filter((m) => m.length > 1_000_000).map((m) => m.length - 1)).toEqual([5_000_000, 9_000_000, 5_000_000, 9_000_000]);
    spool.discard();
  });

  it("drops a rolled-back subtransaction with everything after its first change", () => {
    const spool = new TransactionSpool(folder.path, 10);
    spool.append(10, INSERT, body(1));
    spool.append(11, INSERT, body(2)); // subtransaction 11 (released later)
    spool.append(10, INSERT, body(3));
    spool.append(12, INSERT, body(4)); // subtransaction 12, rolled back with its child 13
    spool.append(13, INSERT, body(5));
    spool.abortSubtransaction(12);
    spool.append(14, INSERT, body(6)); // a new subtransaction after the rollback
    spool.abortSubtransaction(99); // one that changed nothing
    expect(ids(spool)).toEqual([1, 2, 3, 6]);
    // Also when the rolled-back changes were already written to the file.
    for (let i = 0; i < 60_000; i++) spool.append(20, INSERT, body(100 + i));
    spool.append(10, INSERT, body(7));
    spool.abortSubtransaction(20);
    expect(ids(spool)).toEqual([1, 2, 3, 6]);
    spool.discard();
  });

  it("deletes its file when discarded, and the folder goes with remove()", () => {
    const spool = new TransactionSpool(folder.path, 30);
    spool.append(30, INSERT, body(1));
    spool.discard();
    spool.discard();
    expect(readdirSync(folder.path)).not.toContain("xid-30");
    expect(() => spool.append(30, INSERT, body(2))).toThrow(/discarded/);
    const other = createSpoolFolder("spool-test-remove");
    new TransactionSpool(other.path, 1).append(1, INSERT, body(1));
    other.remove();
    expect(existsSync(other.path)).toBe(false);
  });
});
