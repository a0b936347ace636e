import { describe, expect, it } from "vitest";
import { classifyError } from "@/lib/errors/classify";
import { FixableError } from "@/lib/errors/fixable-error";

/** node-postgres DatabaseError fields, as the classifier reads them. */
function pgError(code: string, message: string, extra: Record<string, string> = {}) {
  return Object.assign(new Error(message), { code, ...extra });
}

describe("classifyError", () => {
  it("retries connection failures, restarts, conflicts and resource shortages", () => {
    for (const code of ["08006", "08001", "57P01", "57P02", "57P03", "40001", "40P01", "53100", "53300", "55P03", "55006", "57014"]) {
      expect(classifyError(pgError(code, "x")).kind, code).toBe("retry");
    }
    expect(classifyError(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }))).toMatchObject({
      kind: "retry",
      code: "ECONNREFUSED",
    });
    expect(classifyError(new Error("Connection terminated unexpectedly")).kind).toBe("retry");
    expect(classifyError(pgError("53300", "too many clients")).fix).toMatch(/max_connections/);
  });

  it("names the constraint and the SQL to drop it on a unique violation", () => {
    const result = classifyError(
      pgError("23505", 'duplicate key value violates unique constraint "orders_ref_key"', {
        constraint: "orders_ref_key",
        table: "orders",
        schema: "shop",
        detail: "Key (ref)=(42) already exists.",
      }),
    );
    expect(result.kind).toBe("user");
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
      const result = classifyError(pgError("55000", message));
      expect(result).toMatchObject({ kind: "user", resyncNeeded: true });
      expect(result.fix).toMatch(/Resync/);
    }
    expect(classifyError(pgError("42704", 'replication slot "s" does not exist'))).toMatchObject({ kind: "user", resyncNeeded: true });
  });

  it("gives fixes for other target-side failures and never retries them; what it cannot explain is fatal", () => {
    expect(classifyError(pgError("23502", "null value", { column: "c", table: "t", schema: "public" })).fix).toContain(
      'ALTER TABLE "public"."t" ALTER COLUMN "c" DROP NOT NULL;',
    );
    expect(classifyError(pgError("23503", "fk", { constraint: "t_fk", table: "t", schema: "public" })).fix).toContain('DROP CONSTRAINT "t_fk"');
    expect(classifyError(pgError("22P02", 'invalid input value for enum mood: "meh"')).fix).toMatch(/ADD VALUE/);
    expect(classifyError(pgError("42P01", 'relation "x" does not exist')).kind).toBe("user");
    expect(classifyError(pgError("28P01", "password authentication failed")).fix).toMatch(/password/);
    expect(classifyError(pgError("25006", "read-only")).fix).toMatch(/standby/);
    expect(classifyError(new TypeError("bug"))).toMatchObject({ kind: "fatal", code: "unknown", message: "bug" });
    expect(classifyError("plain string")).toMatchObject({ kind: "fatal", message: "plain string" });
  });

  it("passes through what a check already classified, and retries the catalog's hiccups", () => {
    expect(classifyError(new FixableError("Slot s is gone.", "42704", "Resync the mirror.", true))).toEqual({
      kind: "user",
      code: "42704",
      message: "Slot s is gone.",
      fix: "Resync the mirror.",
      resyncNeeded: true,
    });
    class PrismaClientKnownRequestError extends Error {}
    expect(classifyError(new PrismaClientKnownRequestError("Invalid call\nServer has closed the connection."))).toEqual({
      kind: "retry",
      code: "catalog",
      message: "The catalog could not be read or written: Server has closed the connection.",
    });
  });
});
