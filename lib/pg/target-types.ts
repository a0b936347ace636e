import { formatQualifiedName } from "@/lib/mirrors/table-mapping";
import type { Queryable } from "@/lib/pg/describe-session";
import type { CompositeType, DomainType, EnumType, RangeType, UserType } from "@/lib/pg/describe-types";
import { quoteIdent, quoteLiteral, quoteQualified } from "@/lib/pg/quote";

/**
 * Recreating the source's user-defined types on the target. Runs inside the caller's DDL
 * transaction (search_path = pg_catalog, so type texts in definitions resolve exactly).
 * `types` must be in dependency order (describeUserTypes returns them so).
 */

interface ExistingType {
  typtype: string;
  labels: string[] | null;
  attributes: { name: string; type: string }[] | null;
}

/**
 * Problems that stop the load before anything is created: a type pgferry cannot create is missing
 * on the target, or a same-named type there has another kind or other attributes.
 */
export async function findTypeProblems(target: Queryable, types: UserType[]): Promise<string[]> {
  const problems: string[] = [];
  for (const type of types) {
    const existing = await existingType(target, type);
    const label = `type ${formatQualifiedName(type)}`;
    if (!existing) {
      if (type.kind === "extension") {
        problems.push(`${label} comes from extension ${type.extension}, which is not installed on the target; run CREATE EXTENSION ${quoteIdent(type.extension)} there`);
      } else if (type.kind === "unsupported") {
        problems.push(`${label} does not exist on the target and pgferry cannot create it: ${type.reason}`);
      }
      continue;
    }
    const expected = { enum: "e", domain: "d", composite: "c", range: "r" } as Record<string, string>;
    if (expected[type.kind] && existing.typtype !== expected[type.kind]) {
      problems.push(`${label} exists on the target but is not a ${type.kind} type`);
    } else if (type.kind === "composite" && !sameAttributes(type, existing.attributes ?? [])) {
      problems.push(
        `${label} exists on the target with attributes (${describeAttributes(existing.attributes ?? [])}) but the source has (${describeAttributes(type.attributes)})`,
      );
    }
  }
  return problems;
}

/**
 * Creates the missing types; adds enum labels the target lacks (in source order).
 * Idempotent. Returns human-readable warnings for anything recreated only partially.
 */
export async function ensureTargetTypes(target: Queryable, types: UserType[]): Promise<string[]> {
  const warnings: string[] = [];
  for (const type of types) {
    const existing = await existingType(target, type);
    switch (type.kind) {
      case "enum":
        if (existing) await addMissingLabels(target, type, existing.labels ?? []);
        else await target.query(`CREATE TYPE ${quoteQualified(type.schema, type.name)} AS ENUM (${type.labels.map(quoteLiteral).join(", ")})`);
        break;
      case "domain":
        if (!existing) await createDomain(target, type, warnings);
        break;
      case "composite":
        if (!existing) await target.query(createCompositeSql(type));
        break;
      case "range":
        if (!existing) await target.query(createRangeSql(type));
        break;
      default:
        // extension and unsupported types must already exist (findTypeProblems says so).
        break;
    }
  }
  return warnings;
}

async function existingType(target: Queryable, type: UserType): Promise<ExistingType | null> {
  const { rows } = await target.query<{ oid: number; typtype: string; typrelid: number }>(
    `SELECT t.oid::int AS oid, t.typtype::text AS typtype, t.typrelid::int AS typrelid
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = $1 AND t.typname = $2`,
    [type.schema, type.name],
  );
  if (rows.length === 0) return null;
  const row = rows[0];
  let labels: string[] | null = null;
  let attributes: { name: string; type: string }[] | null = null;
  if (row.typtype === "e") {
    const res = await target.query<{ l: string }>("SELECT enumlabel AS l FROM pg_enum WHERE enumtypid = $1 ORDER BY enumsortorder", [row.oid]);
    labels = res.rows.map((r) => r.l);
  }
  if (row.typtype === "c") {
    const res = await target.query<{ name: string; type: string }>(
      `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
        WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
      [row.typrelid],
    );
    attributes = res.rows;
  }
  return { typtype: row.typtype, labels, attributes };
}

/**
 * Adds each source label the target lacks right after its predecessor in the source, so the
 * target keeps the source's sort order for them. A fresh ALTER TYPE … ADD VALUE may run inside
 * a transaction (PostgreSQL 12+); the label is usable once that transaction commits.
 */
async function addMissingLabels(target: Queryable, type: EnumType, existing: string[]) {
  const name = quoteQualified(type.schema, type.name);
  for (let i = 0; i < type.labels.length; i++) {
    const label = type.labels[i];
    if (existing.includes(label)) continue;
    let position = "";
    if (i > 0) position = ` AFTER ${quoteLiteral(type.labels[i - 1])}`;
    else if (existing.length > 0) position = ` BEFORE ${quoteLiteral(existing[0])}`;
    await target.query(`ALTER TYPE ${name} ADD VALUE IF NOT EXISTS ${quoteLiteral(label)}${position}`);
  }
}

/**
 * A domain's CHECK or DEFAULT can call functions that do not exist on the target; the domain is
 * then created without them (data still loads, the target just checks less) and a warning says so.
 */
async function createDomain(target: Queryable, type: DomainType, warnings: string[]) {
  await target.query("SAVEPOINT pgferry_domain");
  try {
    await target.query(createDomainSql(type, true));
    await target.query("RELEASE SAVEPOINT pgferry_domain");
  } catch (error) {
    await target.query("ROLLBACK TO SAVEPOINT pgferry_domain");
    await target.query(createDomainSql(type, false));
    await target.query("RELEASE SAVEPOINT pgferry_domain");
    warnings.push(
      `domain ${formatQualifiedName(type)} was created without its DEFAULT/CHECK constraints: ${(error as Error).message}`,
    );
  }
}

export function createDomainSql(type: DomainType, withConstraints: boolean): string {
  let sql = `CREATE DOMAIN ${quoteQualified(type.schema, type.name)} AS ${type.baseType}`;
  if (withConstraints && type.defaultExpression) sql += ` DEFAULT ${type.defaultExpression}`;
  if (type.notNull) sql += " NOT NULL";
  if (withConstraints) {
    for (const check of type.checks) sql += ` CONSTRAINT ${quoteIdent(check.name)} ${check.definition}`;
  }
  return sql;
}

export function createCompositeSql(type: CompositeType): string {
  const attributes = type.attributes.map((a) => `${quoteIdent(a.name)} ${a.type}`).join(", ");
  return `CREATE TYPE ${quoteQualified(type.schema, type.name)} AS (${attributes})`;
}

export function createRangeSql(type: RangeType): string {
  const multirange = type.multirangeName ? `, MULTIRANGE_TYPE_NAME = ${quoteQualified(type.schema, type.multirangeName)}` : "";
  return `CREATE TYPE ${quoteQualified(type.schema, type.name)} AS RANGE (SUBTYPE = ${type.subtype}${multirange})`;
}

function sameAttributes(type: CompositeType, existing: { name: string; type: string }[]): boolean {
  return (
    existing.length === type.attributes.length &&
    existing.every((a, i) => a.name === type.attributes[i].name && a.type === type.attributes[i].type)
  );
}

function describeAttributes(attributes: { name: string; type: string }[]): string {
  return attributes.map((a) => `${quoteIdent(a.name)} ${a.type}`).join(", ");
}
