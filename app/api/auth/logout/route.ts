import { NextResponse } from "next/server";
import { endSession, SESSION_COOKIE_PLAIN, SESSION_COOKIE_TLS, sessionToken } from "@/lib/web/auth/sessions";
import { apiRoute } from "@/lib/web/api/respond";
import { cookies } from "next/headers";

export const POST = apiRoute(async () => {
  const jar = await cookies();
  await endSession(sessionToken((name) => jar.get(name)?.value));
  const response = NextResponse.json({ ok: true });
  response.cookies.delete(SESSION_COOKIE_TLS);
  response.cookies.delete(SESSION_COOKIE_PLAIN);
  return response;
});
