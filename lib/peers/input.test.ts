import { describe, expect, test } from "vitest";
import type { z } from "zod";
import { fieldErrors } from "@/lib/errors/field-errors";
import {
  invalidPeerDetails,
  mergePeerUpdate,
  peerConnectionSchema,
  peerCreateSchema,
  peerUpdateSchema,
  toPeerConnection,
} from "@/lib/peers/input";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n";

const valid = {
  name: "prod_orders",
  host: "db.example.com",
  port: "5433",
  database: "orders",
  user: "ferry",
  password: "pw",
};

/** `valid` as a PeerConnection: the port coerced, the defaults applied. */
const validConnection = {
  host: "db.example.com",
  port: 5433,
  database: "orders",
  user: "ferry",
  password: "pw",
  tlsMode: "require",
  caCert: null,
  allowCleartextPassword: false,
};

function errorsFor(input: unknown, schema: z.ZodType = peerCreateSchema): Record<string, string> {
  const result = schema.safeParse(input);
  expect(result.success).toBe(false);
  return result.success ? {} : fieldErrors(result.error);
}

describe("peerCreateSchema", () => {
  test("parses form input, coercing the port and applying defaults", () => {
    const parsed = peerCreateSchema.parse({ ...valid, host: " db.example.com ", tlsMode: "" });
    expect(parsed).toEqual({ name: "prod_orders", ...validConnection });
    expect(peerCreateSchema.parse({ ...valid, port: undefined }).port).toBe(5432);
    expect(peerCreateSchema.parse({ ...valid, port: "" }).port).toBe(5432);
    expect(peerCreateSchema.parse({ ...valid, port: 6432 }).port).toBe(6432);
  });

  test("explains what a name may contain", () => {
    for (const name of ["Prod", "prod orders", "1prod", "prod-orders", "", "a".repeat(64)]) {
      expect(errorsFor({ ...valid, name }).name).toMatch(/lowercase letters, digits and underscores/);
    }
    expect(peerCreateSchema.safeParse({ ...valid, name: "_a1" }).success).toBe(true);
    expect(peerCreateSchema.safeParse({ ...valid, name: "a".repeat(63) }).success).toBe(true);
  });

  test("keeps ports within 1..65535", () => {
    expect(errorsFor({ ...valid, port: 0 }).port).toBe("Port must be between 1 and 65535.");
    expect(errorsFor({ ...valid, port: "70000" }).port).toBe("Port must be between 1 and 65535.");
    expect(errorsFor({ ...valid, port: "abc" }).port).toBe("Port must be a number between 1 and 65535.");
    expect(errorsFor({ ...valid, port: 54.5 }).port).toMatch(/whole number/);
  });

  test("requires host, database and user", () => {
    const fields = errorsFor({ ...valid, host: "  ", database: "", user: "" });
    expect(fields).toEqual({
      host: "Host is required.",
      database: "Database is required.",
      user: "User is required.",
    });
    expect(errorsFor({ name: "x" })).toMatchObject({ host: "Host is required.", database: "Database is required." });
  });

  test("requires a PEM CA certificate for verify-ca; verify-full may use the system's CAs", () => {
    expect(errorsFor({ ...valid, tlsMode: "verify-ca" }).caCert).toMatch(/verify-ca needs the CA certificate/);
    expect(errorsFor({ ...valid, tlsMode: "verify-ca", caCert: "  " }).caCert).toMatch(/verify-ca needs/);
    expect(errorsFor({ ...valid, tlsMode: "verify-full", caCert: "hello" }).caCert).toMatch(/PEM format/);
    expect(peerCreateSchema.parse({ ...valid, tlsMode: "verify-ca", caCert: PEM }).caCert).toBe(PEM);
    expect(peerCreateSchema.parse({ ...valid, tlsMode: "verify-full", caCert: PEM }).caCert).toBe(PEM);
    expect(peerCreateSchema.parse({ ...valid, tlsMode: "verify-full" }).caCert).toBeNull();
    expect(errorsFor({ ...valid, tlsMode: "sometimes" }).tlsMode).toMatch(/disable, prefer, require, verify-ca or verify-full/);
  });

  test("refuses clear-text passwords unless the peer allows them", () => {
    expect(peerCreateSchema.parse(valid).allowCleartextPassword).toBe(false);
    expect(peerCreateSchema.parse({ ...valid, allowCleartextPassword: true }).allowCleartextPassword).toBe(true);
    expect(peerCreateSchema.parse({ ...valid, allowCleartextPassword: "on" }).allowCleartextPassword).toBe(true);
    expect(errorsFor({ ...valid, allowCleartextPassword: "yes please" }).allowCleartextPassword).toMatch(/true or false/);
    expect(peerUpdateSchema.parse({ port: 1 }).allowCleartextPassword).toBeUndefined();
  });

  test("allows an empty password on create (servers that trust the client)", () => {
    expect(peerCreateSchema.parse({ ...valid, password: "" }).password).toBe("");
    expect(peerCreateSchema.parse({ ...valid, password: undefined }).password).toBe("");
  });
});

describe("peerUpdateSchema", () => {
  const stored = peerCreateSchema.parse({ ...valid, password: "stored-pw" });

  test("an empty password keeps the stored one", () => {
    const update = peerUpdateSchema.parse({ ...valid, password: "" });
    expect(update.password).toBeUndefined();
    expect(mergePeerUpdate(stored, update).password).toBe("stored-pw");
    expect(mergePeerUpdate(stored, peerUpdateSchema.parse({ password: "new-pw" })).password).toBe("new-pw");
  });

  test("a partial update changes only what it names", () => {
    const merged = mergePeerUpdate(stored, peerUpdateSchema.parse({ host: "other" }));
    expect(merged).toEqual({ ...stored, host: "other" });
  });

  test("an emptied CA certificate is removed; an absent one is kept", () => {
    const withCa = { ...stored, caCert: PEM };
    expect(mergePeerUpdate(withCa, peerUpdateSchema.parse({ caCert: "" })).caCert).toBeNull();
    expect(mergePeerUpdate(withCa, peerUpdateSchema.parse({ caCert: null })).caCert).toBeNull();
    expect(mergePeerUpdate(withCa, peerUpdateSchema.parse({ port: 1234 })).caCert).toBe(PEM);
  });

  test("checks the merged result: verify-ca needs a CA certificate", () => {
    const update = peerUpdateSchema.parse({ tlsMode: "verify-ca" });
    expect(() => mergePeerUpdate(stored, update)).toThrow(/verify-ca needs the CA certificate/);
    const withCa = mergePeerUpdate({ ...stored, caCert: PEM }, update);
    expect(withCa.tlsMode).toBe("verify-ca");
  });

  test("still validates the fields it is given", () => {
    expect(errorsFor({ port: 0 }, peerUpdateSchema).port).toBe("Port must be between 1 and 65535.");
    expect(errorsFor({ name: "Bad Name" }, peerUpdateSchema).name).toMatch(/lowercase/);
  });
});

test("peerConnectionSchema has no name and maps to a PeerConnection", () => {
  const parsed = peerConnectionSchema.parse({ ...valid, name: undefined, tlsMode: "require" });
  expect(toPeerConnection(parsed)).toEqual(validConnection);
});

test("invalidPeerDetails turns a ZodError into a 400 UserFacingError with a message per field", () => {
  const result = peerCreateSchema.safeParse({ ...valid, name: "Bad", port: 0 });
  if (result.success) throw new Error("expected failure");
  const error = invalidPeerDetails(result.error);
  expect(error).toMatchObject({ code: "peer_invalid", status: 400 });
  expect(Object.keys(error.fields ?? {}).sort()).toEqual(["name", "port"]);
  expect(error.message).toBe(error.fields?.name);
});

describe("database and user names", () => {
  test("are at most 63 bytes, counted in UTF-8, and free of control characters", () => {
    expect(errorsFor({ ...valid, database: "d".repeat(64) }).database).toMatch(/63 bytes/);
    expect(errorsFor({ ...valid, user: "é".repeat(32) }).user).toMatch(/63 bytes/);
    expect(errorsFor({ ...valid, user: "admin\u0000" }).user).toMatch(/control characters/);
    expect(errorsFor({ ...valid, database: "shop\nx" }).database).toMatch(/control characters/);
    expect(peerCreateSchema.safeParse({ ...valid, database: "Ünïcode db", user: "d".repeat(63) }).success).toBe(true);
  });
});
