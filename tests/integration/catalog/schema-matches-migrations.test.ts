import { readFileSync } from "node:fs";
import { get_dmmf } from "@prisma/prisma-schema-wasm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateCatalog } from "@/lib/catalog/migrate";
import { clusterInfo, connect, createDatabase, databaseUrl } from "@/tests/support/databases";
import type pg from "pg";

/**
 * schema.prisma and prisma/migrations must describe the same database: Prisma's queries are
 * built from the former, the catalog is built from the latter. This compares every model's
 * table, columns, types, nullability and primary key with what the migrations produced.
 */
interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: string;
  type: string;
  isList: boolean;
  isRequired: boolean;
  isId: boolean;
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
}
interface DmmfModel {
  name: string;
  dbName?: string | null;
  fields: DmmfField[];
  primaryKey?: { fields: string[] } | null;
}

const dmmf = JSON.parse(
  get_dmmf(JSON.stringify({ prismaSchema: [["schema.prisma", readFileSync("prisma/schema.prisma", "utf8")]] })),
) as { datamodel: { models: DmmfModel[]; enums: { name: string; dbName?: string | null; values: { name: string; dbName?: string | null }[] }[] } };

/** What PostgreSQL reports (information_schema udt_name) for Prisma's scalar types and native types. */
function expectedUdt(field: DmmfField, enumDbNames: Map<string, string>): string {
  const enumName = enumDbNames.get(field.type);
  const base = enumName ?? nativeUdt(field) ?? SCALAR_UDT[field.type];
  if (!base) throw new Error(`no mapping for ${field.type}`);
  return field.isList ? `_${base}` : base;
}
const SCALAR_UDT: Record<string, string> = {
  String: "text",
  Int: "int4",
  BigInt: "int8",
  Float: "float8",
  Decimal: "numeric",
  Boolean: "bool",
  DateTime: "timestamp",
  Json: "jsonb",
  Bytes: "bytea",
};
const NATIVE_UDT: Record<string, string> = {
  Timestamptz: "timestamptz",
  Timestamp: "timestamp",
  Uuid: "uuid",
  Text: "text",
  VarChar: "varchar",
  BigInt: "int8",
  Integer: "int4",
  SmallInt: "int2",
  JsonB: "jsonb",
  Json: "json",
  DoublePrecision: "float8",
};
function nativeUdt(field: DmmfField): string | undefined {
  return field.nativeType ? NATIVE_UDT[field.nativeType[0]] : undefined;
}

describe("catalog schema", () => {
  let client: pg.Client;
  beforeAll(async () => {
    const database = await createDatabase("catalog", "schema");
    await migrateCatalog(databaseUrl(clusterInfo("catalog"), database));
    client = await connect("catalog", database);
  });
  afterAll(() => client?.end());

  it("applies migrations once and records them for Prisma", async () => {
    const { rows } = await client.query("SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name");
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);
    const url = databaseUrl(clusterInfo("catalog"), client.database as string);
    expect(await migrateCatalog(url)).toEqual([]);
  });

  it("has every model, column, type, nullability and primary key of schema.prisma", async () => {
    const enumDbNames = new Map(dmmf.datamodel.enums.map((e) => [e.name, e.dbName ?? e.name]));
    for (const model of dmmf.datamodel.models) {
      const table = model.dbName ?? model.name;
      const { rows: columns } = await client.query(
        "SELECT column_name, udt_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
        [table],
      );
      const actual = new Map(columns.map((c) => [c.column_name, c]));
      const scalarFields = model.fields.filter((f) => f.kind !== "object");
      const expectedColumns = scalarFields.map((f) => f.dbName ?? f.name).sort();
      expect([...actual.keys()].sort(), `columns of ${table}`).toEqual(expectedColumns);
      for (const field of scalarFields) {
        const column = actual.get(field.dbName ?? field.name);
        expect(column.udt_name, `type of ${table}.${field.name}`).toBe(expectedUdt(field, enumDbNames));
        // Prisma creates scalar lists as nullable arrays (`TEXT[]`), whatever the schema says.
        expect(column.is_nullable, `nullability of ${table}.${field.name}`).toBe(field.isRequired && !field.isList ? "NO" : "YES");
      }
      const { rows: pk } = await client.query(
        `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
         WHERE i.indrelid = to_regclass(quote_ident($1)) AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`,
        [table],
      );
      const idFields = model.primaryKey?.fields ?? scalarFields.filter((f) => f.isId).map((f) => f.name);
      const idColumns = idFields.map((name) => {
        const field = scalarFields.find((f) => f.name === name);
        return field?.dbName ?? name;
      });
      expect(pk.map((r) => r.attname), `primary key of ${table}`).toEqual(idColumns);
    }
  });

  it("has every enum of schema.prisma with the same labels", async () => {
    for (const e of dmmf.datamodel.enums) {
      const { rows } = await client.query(
        "SELECT e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = $1 ORDER BY e.enumsortorder",
        [e.dbName ?? e.name],
      );
      expect(rows.map((r) => r.enumlabel), `labels of enum ${e.name}`).toEqual(e.values.map((v) => v.dbName ?? v.name));
    }
  });
});
