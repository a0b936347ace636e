/**
 * Formats strings as a PostgreSQL text[] literal ({"a","b \"c\"",NULL}) for `$n::text[]`
 * parameters. Every element is quoted, so no value needs inspecting beyond backslashes and
 * double quotes; this is the hot path of the applier (one call per column per statement),
 * cheaper than node-postgres's generic array conversion.
 */
const NEEDS_ESCAPE = /["\\]/;
const ESCAPE = /["\\]/g;

export function textArrayLiteral(values: readonly (string | null)[]): string {
  let out = "{";
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (i > 0) out += ",";
    if (value === null) out += "NULL";
    else out += `"${NEEDS_ESCAPE.test(value) ? value.replace(ESCAPE, "\\$&") : value}"`;
  }
  return `${out}}`;
}
