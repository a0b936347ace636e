import { NextResponse, type NextRequest } from "next/server";
import { errorResponse, tooManyAttempts } from "@/lib/web/api/respond";
import { isPublicPath } from "@/lib/web/auth/public-paths";
import { authenticate } from "@/lib/web/auth/request";
import { clientAddress, crossSiteWriteReason } from "@/lib/web/auth/request-policy";

/**
 * The one gate in front of every page and API route: nothing is reachable without signing in
 * except what `config.matcher` leaves out (the sign-in page and endpoint, the health check, static
 * files). Route handlers check again near the data (apiRoute), so a matcher mistake is not a hole.
 */
export async function proxy(request: NextRequest) {
  if (isPublicPath(request.nextUrl.pathname)) return NextResponse.next();
  const auth = await authenticate({
    authorization: request.headers.get("authorization"),
    cookie: (name) => request.cookies.get(name)?.value,
    client: clientAddress(request.headers),
  });
  const isApi = request.nextUrl.pathname.startsWith("/api/") || request.nextUrl.pathname === "/metrics";
  if (auth.via === "throttled") return tooManyAttempts(auth.retryAfterSeconds);
  if (auth.via === "session") {
    const refused = crossSiteWriteReason(request.method, request.headers);
    if (refused) return errorResponse(403, "cross_site_request", `Refused: ${refused}.`);
  }
  if (auth.via !== "none") return NextResponse.next();
  if (isApi) {
    const response = errorResponse(401, "unauthorized", "Sign in first: send the pgferry password as `Authorization: Bearer <password>`.");
    response.headers.set("www-authenticate", 'Bearer realm="pgferry"');
    return response;
  }
  const login = new URL("/login", request.url);
  login.searchParams.set("next", request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.redirect(login);
}

export const config = {
  // Anchored: only these exact paths (and static assets) skip the gate; `/loginx` does not.
  matcher: ["/((?!login$|api/auth/login$|api/health$|_next/static/|_next/image/|favicon\\.ico$).*)"],
};
