import type { z } from "zod";

/**
 * Field -> first message of a zod error, keyed by the dotted path ("port", "tables.0.source"; "_"
 * for the input as a whole): the shape of UserFacingError.fields and of the API's error.fields,
 * so a form shows the same message whether the browser or the server found the mistake.
 */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) fields[issue.path.join(".") || "_"] ??= issue.message;
  return fields;
}
