import { describe, expect, it } from "vitest";
import { classifyPgError } from "@/lib/errors/classify";

/** node-postgres DatabaseError fields, as the classifier reads them. */
function pgError(code: string, message: string, extra: Record<string, string> = {}) {
  return Object.assign(new Error(message), { code, ...extra });
}

describe("classifyPgError", () => {
  it("retries connection failures, restarts, conflicts and resource shortages", () => {
    for (const code of ["08006", "08001", "57P01", "57P02", "57P03", "40001", "40P01", "53100", "53300", "55P03", "55006", "57014"]) {
      expect(classifyPgError(pgError(code, "x")).kind, code).toBe("transient");
    }
    expect(classifyPgError(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }))).toMatchObject({
      kind: "transient",
      code: "ECONNREFUSED",
    });
    expect(classifyPgError(new Error("Connection terminated unexpectedly")).kind).toBe("transient");
    expect(classifyPgError(pgError("53300", "too many clients")).fix).toMatch(/max_connections/);
  });

  it("names the constraint and the SQL to drop it on a unique violation", () => {
    const result = classifyPgError(
      pgError("23505", 'duplicate key value violates unique constraint "orders_ref_key"', {
        constraint: "orders_ref_key",
        table: "orders",
        schema: "shop",
        detail: "Key (ref)=(42) already exists.",
      }),
    );
    expect(result.kind).toBe("fatal");
    expect(result.message).toContain('"orders_ref_key"');
    expect(result.message).toContain("Key (ref)=(42)");
    expect(result.fix).toContain('ALTER TABLE "shop"."orders" DROP CONSTRAINT "orders_ref_key";');
    expect(result.fix).toMatch(/cutover/);
  });

  it("says a lost slot needs a resync", () => {
    for (const message of [
      'can no longer get changes from replication slot "s"',
      "This slot has been invalidated because it exceeded the maximum reserved size.",
    ]) {
      const result = classifyPgError(pgError("55000", message));
      expect(result).toMatchObject({ kind: "fatal", resyncNeeded: true });
      expect(result.fix).toMatch(/Resync/);
    }
    expect(classifyPgError(pgError("42704", 'replication slot "s" does not exist'))).toMatchObject({ kind: "fatal", resyncNeeded: true });
  });

  it("gives fixes for other target-side failures and never retries them", () => {
    expect(classifyPgError(pgError("23502", "null value", { column: "c", table: "t", schema: "public" })).fix).toContain(
      'ALTER TABLE "public"."t" ALTER COLUMN "c" DROP NOT NULL;',
    );
    expect(classifyPgError(pgError("23503", "fk", { constraint: "t_fk", table: "t", schema: "public" })).fix).toContain('DROP CONSTRAINT "t_fk"');
    expect(classifyPgError(pgError("22P02", 'invalid input value for enum mood: "meh"')).fix).toMatch(/ADD VALUE/);
    expect(classifyPgError(pgError("42P01", 'relation "x" does not exist')).kind).toBe("fatal");
    expect(classifyPgError(pgError("28P01", "password authentication failed")).fix).toMatch(/password/);
    expect(classifyPgError(pgError("25006", "read-only")).fix).toMatch(/standby/);
    expect(classifyPgError(new TypeError("bug"))).toMatchObject({ kind: "fatal", code: "unknown", message: "bug" });
    expect(classifyPgError("plain string")).toMatchObject({ kind: "fatal", message: "plain string" });
  });
});
