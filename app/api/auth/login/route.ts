import { NextResponse } from "next/server";
import { z } from "zod";
import { isSignInPassword } from "@/lib/web/auth/credentials";
import { createSession, SESSION_COOKIE } from "@/lib/web/auth/sessions";
import { apiRoute, errorResponse, readJson } from "@/lib/web/api/respond";

const signInSchema = z.object({ password: z.string().max(1024) });

/** A wrong password waits this long before answering, to make guessing slow. */
const FAILURE_DELAY_MS = 1_000;

export const POST = apiRoute(async (request) => {
  const { password } = signInSchema.parse(await readJson(request));
  if (!(await isSignInPassword(password))) {
    await new Promise((resolve) => setTimeout(resolve, FAILURE_DELAY_MS));
    return errorResponse(401, "wrong_password", "That password is not right. Check it and try again.");
  }
  const session = await createSession();
  const response = NextResponse.json({ ok: true });
  response.cookies.set(SESSION_COOKIE, session.token, {
    httpOnly: true,
    sameSite: "lax",
    secure: new URL(request.url).protocol === "https:",
    path: "/",
    expires: session.expiresAt,
  });
  return response;
});
