/**
 * What the web app believes about a request's origin and transport. Pure functions of the headers,
 * so proxy.ts and the route handlers decide alike.
 */

/** Header lookup, as both `Headers` and Next's request headers offer it. */
export interface HeaderSource {
  get(name: string): string | null;
}

/**
 * Whether X-Forwarded-For / X-Forwarded-Proto may be believed: only when pgferry runs behind a
 * proxy that sets them (PGFERRY_TRUST_PROXY=1). Without one, a client can write them itself.
 */
export function trustProxy(): boolean {
  return process.env.PGFERRY_TRUST_PROXY === "1";
}

/**
 * The address failed sign-ins are counted against. Next.js does not give route code the socket's
 * address, so without a trusted proxy every client shares one bucket (the limits still stop a
 * guessing run; a signed-in browser session is never throttled).
 */
export function clientAddress(headers: HeaderSource, trusted = trustProxy()): string {
  if (!trusted) return "direct";
  const first = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return first || "direct";
}

/** Whether the browser reached pgferry over TLS (directly, or at a trusted proxy). */
export function arrivedOverTls(url: string, headers: HeaderSource, trusted = trustProxy()): boolean {
  if (trusted) {
    const proto = headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
    if (proto) return proto === "https";
  }
  return new URL(url).protocol === "https:";
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Why a cookie-authenticated request must be refused as possibly cross-site, or null when it may
 * proceed. A write must come from pgferry's own pages: its Origin names the host the browser
 * addressed (or, without Origin, `Sec-Fetch-Site: same-origin`), and its body is declared JSON —
 * a content type that a plain HTML form on another site cannot send without a CORS preflight.
 */
export function crossSiteWriteReason(method: string, headers: HeaderSource): string | null {
  if (SAFE_METHODS.has(method.toUpperCase())) return null;
  const origin = headers.get("origin");
  if (origin !== null) {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      return "the request's Origin is not a URL";
    }
    const host = headers.get("x-forwarded-host") && trustProxy() ? headers.get("x-forwarded-host") : headers.get("host");
    if (!host || originHost.toLowerCase() !== host.split(",")[0].trim().toLowerCase()) return "the request comes from another site";
  } else if (headers.get("sec-fetch-site") !== "same-origin") {
    return "the request does not say it comes from pgferry's own pages (no Origin header)";
  }
  const contentType = headers.get("content-type")?.split(";")[0].trim().toLowerCase();
  if (contentType !== "application/json") return "a change must be sent as Content-Type: application/json";
  return null;
}

/**
 * The path to continue to after signing in: only a path on this site. Refuses protocol-relative
 * and backslash forms (`//evil`, `/\evil`, `/%5Cevil`) that browsers treat as another host, and
 * control characters.
 */
export function safeNextPath(next: string | undefined | null, fallback = "/mirrors"): string {
  if (!next || !next.startsWith("/")) return fallback;
  let decoded: string;
  try {
    decoded = decodeURIComponent(next);
  } catch {
    return fallback;
  }
  if (/[\u0000-\u001f\u007f\\]/.test(decoded) || decoded.startsWith("//")) return fallback;
  return next;
}
