import { z } from "zod";

/** An error as the API answers it: `{ error: { code, message, fields? } }`. */
export interface FormError {
  message: string;
  fields: Record<string, string>;
}

/** Per-field messages from a zod error, keyed like the API's ("tables.0.source"); the first per field wins. */
export function zodFields(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) fields[issue.path.join(".") || "_"] ??= issue.message;
  return fields;
}

/**
 * Splits field errors into the ones about single tables (keyed by the table's picker key, via the
 * order in which tables were submitted) and the rest.
 */
export function tableErrors(fields: Record<string, string>, submittedKeys: readonly string[]): Map<string, string> {
  const byTable = new Map<string, string>();
  for (const [field, message] of Object.entries(fields)) {
    const match = /^tables\.(\d+)(\.|$)/.exec(field);
    const key = match ? submittedKeys[Number(match[1])] : undefined;
    if (key && !byTable.has(key)) byTable.set(key, message);
  }
  return byTable;
}
