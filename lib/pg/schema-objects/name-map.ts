import { quoteQualified } from "@/lib/pg/quote";

/** A relation's schema and name, unquoted. */
export interface RelationName {
  schema: string;
  name: string;
}

/**
 * Where the source's objects go on the target. Selected tables go where their mapping says; every
 * other object (a partition, sequence, index, view, function) stays in its schema, except that a
 * source schema whose selected tables all move to one target schema moves its other objects there too.
 * Pure.
 */
export class NameMap {
  private readonly tables = new Map<string, RelationName>();
  private readonly schemas = new Map<string, string>();

  constructor(mapping: { source: RelationName; target: RelationName }[]) {
    const targetsBySchema = new Map<string, Set<string>>();
    for (const m of mapping) {
      this.tables.set(key(m.source), m.target);
      targetsBySchema.set(m.source.schema, (targetsBySchema.get(m.source.schema) ?? new Set()).add(m.target.schema));
    }
    for (const [schema, targets] of targetsBySchema) if (targets.size === 1) this.schemas.set(schema, [...targets][0]);
  }

  /** The target of a selected table; null when the table is not selected. */
  table(source: RelationName): RelationName | null {
    return this.tables.get(key(source)) ?? null;
  }

  /** The target of any other object of schema `schema` named `name`. */
  object(source: RelationName): RelationName {
    return this.table(source) ?? { schema: this.schema(source.schema), name: source.name };
  }

  schema(sourceSchema: string): string {
    return this.schemas.get(sourceSchema) ?? sourceSchema;
  }

  /** Quoted target name of a source relation (selected table or other object). */
  quoted(source: RelationName): string {
    const target = this.object(source);
    return quoteQualified(target.schema, target.name);
  }

  /** True when some object keeps neither its schema nor its name: text of views and functions cannot follow. */
  moves(source: RelationName): boolean {
    const target = this.object(source);
    return target.schema !== source.schema || target.name !== source.name;
  }
}

function key(name: RelationName): string {
  return JSON.stringify([name.schema, name.name]);
}

/**
 * Replaces `sourceText` (a name as PostgreSQL printed it) in a definition by `targetText`, at one
 * position only: `prefix + sourceText` must occur exactly once. Returns null when it does not, so the
 * caller can skip the object instead of guessing.
 */
export function replaceAfter(definition: string, prefix: string, sourceText: string, targetText: string): string | null {
  const needle = prefix + sourceText;
  const at = definition.indexOf(needle);
  if (at < 0 || definition.indexOf(needle, at + 1) >= 0) return null;
  return definition.slice(0, at) + prefix + targetText + definition.slice(at + needle.length);
}
