/** A table name split into its schema and relation name, both unquoted. */
export interface QualifiedName {
  schema: string;
  name: string;
}

/** One selected source table and where it goes on the target. */
export interface TableMapping {
  source: QualifiedName;
  target: QualifiedName;
  /** Source columns that are not copied or replicated. */
  excludeColumns: string[];
  /** A partitioned source table is created on the target as one ordinary table. Default: false. */
  flatten?: boolean;
}

/**
 * Parses "schema.table" as the API and UI write it. Parts may be double-quoted the way
 * PostgreSQL quotes them, so names with dots, spaces or quotes stay expressible:
 * `"my.schema"."Odd ""name"""`. An unqualified name means schema "public".
 * Throws an Error with a user-facing message when the text is not a valid name.
 */
export function parseQualifiedName(text: string): QualifiedName {
  const parts: string[] = [];
  let i = 0;
  while (i <= text.length) {
    let part = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error(`unterminated quote in table name ${JSON.stringify(text)}`);
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ".") part += text[i++];
    }
    if (part === "") throw new Error(`empty part in table name ${JSON.stringify(text)}`);
    parts.push(part);
    if (i === text.length) break;
    if (text[i] !== ".") throw new Error(`unexpected character after quoted name in ${JSON.stringify(text)}`);
    i++;
  }
  if (parts.length === 1) return { schema: "public", name: parts[0] };
  if (parts.length === 2) return { schema: parts[0], name: parts[1] };
  throw new Error(`table name ${JSON.stringify(text)} has more than two parts; write it as schema.table`);
}

/** Formats a name so parseQualifiedName reads it back; quotes only parts that need it. */
export function formatQualifiedName({ schema, name }: QualifiedName): string {
  return `${formatPart(schema)}.${formatPart(name)}`;
}

function formatPart(part: string): string {
  return /^[^".]+$/.test(part) ? part : `"${part.replaceAll('"', '""')}"`;
}
