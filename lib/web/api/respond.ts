import { NextResponse } from "next/server";
import { z } from "zod";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import { createLogger } from "@/lib/log/logger";

const log = createLogger("api");

/** The error body of every API response: `{ error: { code, message, fields? } }`. */
export function errorResponse(status: number, code: string, message: string, fields?: Record<string, string>) {
  return NextResponse.json({ error: { code, message, ...(fields ? { fields } : {}) } }, { status });
}

/**
 * Wraps a route handler: maps a UserFacingError to its status, a zod error to 400 with
 * per-field messages, and anything else to a generic 500 (logged with context, never shown).
 */
export function apiRoute<Context>(handler: (request: Request, context: Context) => Promise<Response | unknown>) {
  return async (request: Request, context: Context): Promise<Response> => {
    try {
      const result = await handler(request, context);
      return result instanceof Response ? result : NextResponse.json(result);
    } catch (error) {
      return toErrorResponse(error, request);
    }
  };
}

export function toErrorResponse(error: unknown, request: Request): Response {
  if (error instanceof UserFacingError) return errorResponse(error.status, error.code, error.message, error.fields);
  if (error instanceof z.ZodError) {
    return errorResponse(400, "invalid_input", "Some fields are not valid.", zodFieldMessages(error));
  }
  log.error("request failed", { method: request.method, path: new URL(request.url).pathname, error });
  return errorResponse(500, "internal_error", "Something went wrong on the server; the details are in pgferry's log.");
}

/** `{ "port": "Port must be between 1 and 65535" }` from a zod error; the first message per field wins. */
export function zodFieldMessages(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join(".") || "_";
    fields[key] ??= issue.message;
  }
  return fields;
}

/** Reads a JSON body; a malformed body is the client's mistake, not a 500. */
export async function readJson(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw new UserFacingError("The request body must be JSON.", "invalid_json");
  }
}
