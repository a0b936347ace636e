import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, createDatabase } from "@/tests/support/databases";
import { type CopyFormat, CopyRowCounter } from "./copy-row-counter";

let client: pg.Client;

beforeAll(async () => {
  client = await connect("source", await createDatabase("source", "counter"));
  // Values with newlines, NULLs, empty strings and a value longer than one chunk.
  await client.query(`
    CREATE TABLE t (id int, note text, data bytea);
    INSERT INTO t SELECT g, CASE WHEN g % 3 = 0 THEN NULL WHEN g % 3 = 1 THEN E'line\\nbreak' ELSE '' END,
                         decode(repeat('ab', g), 'hex') FROM generate_series(1, 500) g;
    INSERT INTO t VALUES (501, repeat('long', 2000), NULL), (502, NULL, NULL);
    CREATE TABLE nocols ();
    INSERT INTO nocols DEFAULT VALUES;
    INSERT INTO nocols DEFAULT VALUES;
  `);
});

afterAll(async () => {
  await client.end();
});

async function copyBytes(sql: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pipeline(client.query(copyTo(sql)), new Writable({ write(chunk, _e, cb) { chunks.push(chunk); cb(); } }));
  return Buffer.concat(chunks);
}

async function countIn(data: Buffer, format: CopyFormat, chunkSize: number) {
  const counter = new CopyRowCounter(format);
  const pieces: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunkSize) pieces.push(data.subarray(i, i + chunkSize));
  const out: Buffer[] = [];
  await pipeline(Readable.from(pieces), counter, new Writable({ write(chunk, _e, cb) { out.push(chunk); cb(); } }));
  expect(Buffer.concat(out).equals(data)).toBe(true);
  return { rows: counter.rows, bytes: counter.bytes };
}

describe("CopyRowCounter", () => {
  for (const format of ["binary", "text"] as const) {
    it(`counts ${format} COPY rows exactly, whatever the chunk boundaries`, async () => {
      const data = await copyBytes(`COPY t TO STDOUT (FORMAT ${format})`);
      for (const size of [1, 2, 3, 5, 7, 19, 64, 1000, 65536, data.length]) {
        expect(await countIn(data, format, size)).toEqual({ rows: 502, bytes: data.length });
      }
    });
  }

  it("counts rows without columns", async () => {
    const data = await copyBytes("COPY nocols TO STDOUT (FORMAT binary)");
    expect((await countIn(data, "binary", 3)).rows).toBe(2);
  });
});
