import { NextResponse } from "next/server";
import { endSession, SESSION_COOKIE } from "@/lib/web/auth/sessions";
import { apiRoute } from "@/lib/web/api/respond";

export const POST = apiRoute(async (request) => {
  const token = /(?:^|;\s*)pgferry_session=([^;]+)/.exec(request.headers.get("cookie") ?? "")?.[1];
  await endSession(token);
  const response = NextResponse.json({ ok: true });
  response.cookies.delete(SESSION_COOKIE);
  return response;
});
