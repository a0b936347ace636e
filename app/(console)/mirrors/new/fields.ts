/** An error as the API answers it: `{ error: { code, message, fields? } }`. */
export interface FormError {
  message: string;
  fields: Record<string, string>;
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
