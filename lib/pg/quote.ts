/**
 * SQL quoting. Every identifier or literal that reaches SQL text goes through here;
 * values go through query parameters wherever PostgreSQL allows them.
 */

/** Quotes an identifier: `My "Table"` -> `"My ""Table"""`. */
export function quoteIdent(name: string): string {
  if (name.includes("\0")) throw new Error("identifier contains a NUL character");
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes `schema.table` from its two parts. */
export function quoteQualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** Quotes a string literal, for the few places (DDL, replication commands) that take no parameters. */
export function quoteLiteral(value: string): string {
  if (value.includes("\0")) throw new Error("literal contains a NUL character");
  return `'${value.replaceAll("'", "''")}'`;
}
