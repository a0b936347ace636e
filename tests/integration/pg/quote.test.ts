import { describe, expect, it } from "vitest";
import { quoteIdent } from "@/lib/pg/quote";
import { connect, createDatabase } from "@/tests/support/databases";

describe("quoting", () => {
  it("round-trips odd identifiers through a real server", async () => {
    const db = await createDatabase("source");
    const client = await connect("source", db);
    try {
      const names = ['Mixed Case', 'with "quotes"', "select", "ünïcødé 表", "x".repeat(63)];
      for (const name of names) {
        await client.query(`CREATE TABLE ${quoteIdent(name)} (${quoteIdent(name)} int)`);
      }
      const { rows } = await client.query("SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY relname");
      expect(rows.map((r) => r.relname).sort()).toEqual([...names].sort());
    } finally {
      await client.end();
    }
  });
});
