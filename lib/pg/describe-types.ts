import type { Queryable } from "./describe-session";

/**
 * User-defined types a set of columns depends on, described so that the target can recreate them.
 * All type texts are schema-qualified (see withCatalogSearchPath); callers must run these
 * functions inside withCatalogSearchPath.
 */

interface UserTypeBase {
  oid: number;
  schema: string;
  name: string;
}

export interface EnumType extends UserTypeBase {
  kind: "enum";
  /** Every label, in the enum's sort order. */
  labels: string[];
}

export interface DomainType extends UserTypeBase {
  kind: "domain";
  /** Base type text, e.g. `integer` or `character varying(20)` or `public.mood`. */
  baseType: string;
  baseTypeOid: number;
  notNull: boolean;
  defaultExpression: string | null;
  /** CHECK constraints: name and definition as pg_get_constraintdef prints it, e.g. `CHECK ((VALUE > 0))`. */
  checks: { name: string; definition: string }[];
}

export interface CompositeType extends UserTypeBase {
  kind: "composite";
  attributes: { name: string; type: string }[];
}

export interface RangeType extends UserTypeBase {
  kind: "range";
  subtype: string;
  /** PostgreSQL 14+ creates a multirange type with every range type; null before 14. */
  multirangeName: string | null;
}

/** A type installed by an extension: the target needs the same extension, pgferry does not create it. */
export interface ExtensionType extends UserTypeBase {
  kind: "extension";
  extension: string;
}

/** A type pgferry cannot recreate (a table's row type, a C base type); it must already exist on the target. */
export interface UnsupportedType extends UserTypeBase {
  kind: "unsupported";
  reason: string;
}

export type UserType = EnumType | DomainType | CompositeType | RangeType | ExtensionType | UnsupportedType;

/** What a column's type is, as far as recreating it goes. */
export interface ColumnTypeInfo {
  /** True for an array type (its element decides `userType`). */
  isArray: boolean;
  /** The user-defined type the column uses directly or as the array element; null for built-in types. */
  userType: { kind: UserType["kind"]; schema: string; name: string; oid: number } | null;
}

interface TypeRow {
  oid: number;
  schema: string;
  name: string;
  typtype: string;
  typcategory: string;
  typelem: number;
  typbasetype: number;
  base_type: string | null;
  typnotnull: boolean;
  default_expr: string | null;
  typrelid: number;
  relkind: string | null;
  extname: string | null;
}

/** A node of the type graph: either a creatable user type, an array/multirange wrapper, or a built-in. */
type Node =
  | { kind: "builtin"; row: TypeRow }
  | { kind: "array"; row: TypeRow; element: number }
  | { kind: "multirange"; row: TypeRow; range: number }
  | { kind: "user"; row: TypeRow; type: UserType; deps: number[] };

const BUILTIN_SCHEMAS = new Set(["pg_catalog", "information_schema"]);

/**
 * Walks the type graph from the given type OIDs (arrays -> element, domain -> base type,
 * composite -> attribute types, range -> subtype, multirange -> range) and returns the user types
 * found, ordered so that every type comes after the types it depends on, plus a classifier for
 * column types.
 */
export async function describeUserTypes(
  client: Queryable,
  rootOids: number[],
): Promise<{ types: UserType[]; classify(oid: number): ColumnTypeInfo }> {
  const nodes = new Map<number, Node>();
  let pending = [...new Set(rootOids)];
  while (pending.length > 0) {
    const rows = await loadTypeRows(client, pending);
    const next = new Set<number>();
    const fresh: Node[] = [];
    for (const row of rows) {
      const node = await toNode(client, row);
      nodes.set(row.oid, node);
      fresh.push(node);
    }
    for (const node of fresh) {
      for (const dep of dependenciesOf(node)) if (!nodes.has(dep)) next.add(dep);
    }
    pending = [...next];
  }

  const ordered: UserType[] = [];
  const visited = new Set<number>();
  const visit = (oid: number) => {
    if (visited.has(oid)) return;
    visited.add(oid);
    const node = nodes.get(oid);
    if (!node) return;
    for (const dep of dependenciesOf(node)) visit(dep);
    if (node.kind === "user") ordered.push(node.type);
  };
  for (const oid of rootOids) visit(oid);

  const classify = (oid: number): ColumnTypeInfo => {
    let node = nodes.get(oid);
    let isArray = false;
    if (node?.kind === "array") {
      isArray = true;
      node = nodes.get(node.element);
    }
    if (node?.kind === "multirange") node = nodes.get(node.range);
    if (!node || node.kind !== "user") return { isArray, userType: null };
    const { kind, schema, name, oid: typeOid } = node.type;
    return { isArray, userType: { kind, schema, name, oid: typeOid } };
  };
  return { types: ordered, classify };
}

function dependenciesOf(node: Node): number[] {
  if (node.kind === "array") return [node.element];
  if (node.kind === "multirange") return [node.range];
  if (node.kind === "user") return node.deps;
  return [];
}

async function loadTypeRows(client: Queryable, oids: number[]): Promise<TypeRow[]> {
  const { rows } = await client.query<TypeRow>(
    `SELECT t.oid::int AS oid, n.nspname AS schema, t.typname AS name, t.typtype::text AS typtype,
            t.typcategory::text AS typcategory, t.typelem::int AS typelem, t.typbasetype::int AS typbasetype,
            CASE WHEN t.typbasetype <> 0 THEN format_type(t.typbasetype, t.typtypmod) END AS base_type,
            t.typnotnull, pg_get_expr(t.typdefaultbin, 0) AS default_expr,
            t.typrelid::int AS typrelid, c.relkind::text AS relkind,
            (SELECT e.extname FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
              WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e'
                AND d.refclassid = 'pg_extension'::regclass LIMIT 1) AS extname
       FROM pg_type t
       JOIN pg_namespace n ON n.oid = t.typnamespace
       LEFT JOIN pg_class c ON c.oid = t.typrelid
      WHERE t.oid = ANY($1::oid[])`,
    [oids],
  );
  return rows;
}

async function toNode(client: Queryable, row: TypeRow): Promise<Node> {
  // Arrays live in the schema of their element (e.g. public._mood), so check them before built-ins.
  if (row.typcategory === "A" && row.typelem !== 0) return { kind: "array", row, element: row.typelem };
  if (BUILTIN_SCHEMAS.has(row.schema)) return { kind: "builtin", row };
  const base = { oid: row.oid, schema: row.schema, name: row.name };
  if (row.extname) {
    return { kind: "user", row, deps: [], type: { ...base, kind: "extension", extension: row.extname } };
  }
  switch (row.typtype) {
    case "e":
      return { kind: "user", row, deps: [], type: { ...base, kind: "enum", labels: await enumLabels(client, row.oid) } };
    case "d":
      return {
        kind: "user",
        row,
        deps: [row.typbasetype],
        type: {
          ...base,
          kind: "domain",
          baseType: row.base_type ?? "",
          baseTypeOid: row.typbasetype,
          notNull: row.typnotnull,
          defaultExpression: row.default_expr,
          checks: await domainChecks(client, row.oid),
        },
      };
    case "c": {
      if (row.relkind !== "c") {
        const reason = "it is the row type of a table; pgferry only recreates standalone composite types";
        return { kind: "user", row, deps: [], type: { ...base, kind: "unsupported", reason } };
      }
      const attributes = await compositeAttributes(client, row.typrelid);
      return {
        kind: "user",
        row,
        deps: attributes.map((a) => a.oid),
        type: { ...base, kind: "composite", attributes: attributes.map(({ name, type }) => ({ name, type })) },
      };
    }
    case "r": {
      const range = await rangeInfo(client, "rngtypid", row.oid);
      return {
        kind: "user",
        row,
        deps: [range.subtypeOid],
        type: { ...base, kind: "range", subtype: range.subtype, multirangeName: range.multirangeName },
      };
    }
    case "m": {
      const range = await rangeInfo(client, "rngmultitypid", row.oid);
      return { kind: "multirange", row, range: range.rangeOid };
    }
    default: {
      const reason = "it is a base or pseudo type defined outside an extension; create it on the target first";
      return { kind: "user", row, deps: [], type: { ...base, kind: "unsupported", reason } };
    }
  }
}

async function enumLabels(client: Queryable, oid: number): Promise<string[]> {
  const { rows } = await client.query<{ enumlabel: string }>(
    "SELECT enumlabel FROM pg_enum WHERE enumtypid = $1 ORDER BY enumsortorder",
    [oid],
  );
  return rows.map((r) => r.enumlabel);
}

async function domainChecks(client: Queryable, oid: number) {
  const { rows } = await client.query<{ name: string; definition: string }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS definition
       FROM pg_constraint WHERE contypid = $1 AND contype = 'c' ORDER BY conname`,
    [oid],
  );
  return rows;
}

async function compositeAttributes(client: Queryable, relid: number) {
  const { rows } = await client.query<{ name: string; type: string; oid: number }>(
    `SELECT attname AS name, format_type(atttypid, atttypmod) AS type, atttypid::int AS oid
       FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [relid],
  );
  return rows;
}

/**
 * pg_range gained rngmultitypid in PostgreSQL 14; reading the row as jsonb keeps one query
 * working on every supported version.
 */
async function rangeInfo(client: Queryable, column: "rngtypid" | "rngmultitypid", oid: number) {
  const { rows } = await client.query<{ r: Record<string, unknown>; subtype: string; multirange: string | null }>(
    `SELECT to_jsonb(r) AS r, format_type(r.rngsubtype, NULL) AS subtype,
            (SELECT typname FROM pg_type WHERE oid = (to_jsonb(r) ->> 'rngmultitypid')::oid) AS multirange
       FROM pg_range r WHERE (to_jsonb(r) ->> $1)::oid = $2`,
    [column, oid],
  );
  if (rows.length === 0) throw new Error(`range type with OID ${oid} not found in pg_range`);
  const row = rows[0];
  return {
    rangeOid: Number(row.r.rngtypid),
    subtypeOid: Number(row.r.rngsubtype),
    subtype: row.subtype,
    multirangeName: row.multirange,
  };
}
