import { NextResponse } from "next/server";
import { z } from "zod";
import { fieldErrors } from "@/lib/errors/field-errors";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import { createLogger } from "@/lib/log/logger";
import { authenticate } from "@/lib/web/auth/request";
import { clientAddress, crossSiteWriteReason } from "@/lib/web/auth/request-policy";

const log = createLogger("api");

/** The error body of every API response: `{ error: { code, message, fields? } }`. */
export function errorResponse(status: number, code: string, message: string, fields?: Record<string, string>) {
  return NextResponse.json({ error: { code, message, ...(fields ? { fields } : {}) } }, { status });
}

/**
 * Wraps a route handler: checks authentication again near the data (proxy.ts is the first gate;
 * a route is public only when it says so), maps a UserFacingError to its status, a zod error to 400
 * with per-field messages, and anything else to a generic 500 (logged with context, never shown).
 */
export function apiRoute<Context>(
  handler: (request: Request, context: Context) => Promise<Response | unknown>,
  options: { public?: boolean } = {},
) {
  return async (request: Request, context: Context): Promise<Response> => {
    try {
      if (!options.public) {
        const refused = await refusal(request);
        if (refused) return refused;
      }
      const result = await handler(request, context);
      return result instanceof Response ? result : NextResponse.json(result);
    } catch (error) {
      return toErrorResponse(error, request);
    }
  };
}

async function refusal(request: Request): Promise<Response | null> {
  const auth = await authenticate({
    authorization: request.headers.get("authorization"),
    cookie: (name) => cookieValue(request.headers.get("cookie"), name),
    client: clientAddress(request.headers),
  });
  if (auth.via === "throttled") return tooManyAttempts(auth.retryAfterSeconds);
  if (auth.via === "none") return errorResponse(401, "unauthorized", "Sign in first: send the pgferry password as `Authorization: Bearer <password>`.");
  const crossSite = auth.via === "session" ? crossSiteWriteReason(request.method, request.headers) : null;
  return crossSite ? errorResponse(403, "cross_site_request", `Refused: ${crossSite}.`) : null;
}

function cookieValue(header: string | null, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

export function toErrorResponse(error: unknown, request: Request): Response {
  if (error instanceof UserFacingError) return errorResponse(error.status, error.code, error.message, error.fields);
  if (error instanceof z.ZodError) {
    return errorResponse(400, "invalid_input", "Some fields are not valid.", fieldErrors(error));
  }
  log.error("request failed", { method: request.method, path: new URL(request.url).pathname, error });
  return errorResponse(500, "internal_error", "Something went wrong on the server; the details are in pgferry's log.");
}

/** A request body that may be empty (then `{}`); 400 when it is not JSON. */
export async function readOptionalJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new UserFacingError("The request body must be JSON.", "invalid_json");
  }
}

/** Reads a JSON body; a malformed body is the client's mistake, not a 500. */
export async function readJson(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw new UserFacingError("The request body must be JSON.", "invalid_json");
  }
}

/** 429 for a client over the wrong-password limit (lib/web/auth/throttle.ts). */
export function tooManyAttempts(retryAfterSeconds: number): Response {
  return NextResponse.json(
    { error: { code: "too_many_attempts", message: `Too many wrong passwords: try again in ${retryAfterSeconds} s.` } },
    { status: 429, headers: { "retry-after": String(retryAfterSeconds) } },
  );
}

/**
 * Reads a small JSON body without ever holding more than `maxBytes`: a declared or actual larger
 * body is refused with 413 as soon as that is known (the sign-in endpoint is open to anyone).
 */
export async function readSmallJson(request: Request, maxBytes: number): Promise<unknown> {
  const tooLarge = new UserFacingError(`The request body must be at most ${maxBytes} bytes.`, "body_too_large", undefined, 413);
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) throw tooLarge;
  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge;
    }
    chunks.push(value);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new UserFacingError("The request body must be JSON.", "invalid_json");
  }
}
