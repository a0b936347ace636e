import { NextResponse, type NextRequest } from "next/server";
import { isAuthenticated } from "@/lib/web/auth/request";

/**
 * The one gate in front of every page and API route: nothing is reachable without signing in
 * except the sign-in page and the sign-in endpoint.
 */
export async function proxy(request: NextRequest) {
  const signedIn = await isAuthenticated({
    authorization: request.headers.get("authorization"),
    cookie: (name) => request.cookies.get(name)?.value,
  });
  if (signedIn) return NextResponse.next();
  if (request.nextUrl.pathname.startsWith("/api/")) {
    return NextResponse.json(
      { error: { code: "unauthorized", message: "Sign in first: send the pgferry password as `Authorization: Bearer <password>`." } },
      { status: 401, headers: { "www-authenticate": 'Bearer realm="pgferry"' } },
    );
  }
  const login = new URL("/login", request.url);
  login.searchParams.set("next", request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.redirect(login);
}

export const config = {
  matcher: ["/((?!login|api/auth/login|_next/static|_next/image|favicon.ico).*)"],
};
