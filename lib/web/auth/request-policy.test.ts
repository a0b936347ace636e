import { afterEach, describe, expect, it } from "vitest";
import { arrivedOverTls, clientAddress, crossSiteWriteReason, safeNextPath } from "./request-policy";

const headers = (values: Record<string, string>) => new Headers(values);

afterEach(() => {
  delete process.env.PGFERRY_TRUST_PROXY;
});

describe("cross-site writes", () => {
  const sameSite = { host: "pgferry.example:3000", origin: "http://pgferry.example:3000", "content-type": "application/json" };

  it("allows reads whatever their origin", () => {
    expect(crossSiteWriteReason("GET", headers({ host: "a", origin: "http://evil" }))).toBeNull();
  });

  it("allows a JSON write from pgferry's own origin", () => {
    expect(crossSiteWriteReason("POST", headers(sameSite))).toBeNull();
    expect(crossSiteWriteReason("DELETE", headers({ ...sameSite, "content-type": "application/json; charset=utf-8" }))).toBeNull();
  });

  it("refuses another origin, including another port of the same host", () => {
    expect(crossSiteWriteReason("POST", headers({ ...sameSite, origin: "http://pgferry.example:8080" }))).toMatch(/another site/);
    expect(crossSiteWriteReason("POST", headers({ ...sameSite, origin: "null" }))).not.toBeNull();
  });

  it("refuses a write without Origin unless the browser says same-origin", () => {
    const { origin: _origin, ...noOrigin } = sameSite;
    expect(crossSiteWriteReason("POST", headers(noOrigin))).toMatch(/no Origin/);
    expect(crossSiteWriteReason("POST", headers({ ...noOrigin, "sec-fetch-site": "same-origin" }))).toBeNull();
    expect(crossSiteWriteReason("POST", headers({ ...noOrigin, "sec-fetch-site": "same-site" }))).not.toBeNull();
  });

  it("refuses a write that is not declared JSON (what a plain HTML form sends)", () => {
    expect(crossSiteWriteReason("POST", headers({ ...sameSite, "content-type": "text/plain" }))).toMatch(/application\/json/);
    expect(crossSiteWriteReason("POST", headers({ host: sameSite.host, origin: sameSite.origin }))).toMatch(/application\/json/);
  });
});

describe("proxy headers", () => {
  it("ignores X-Forwarded-* unless PGFERRY_TRUST_PROXY=1", () => {
    const forwarded = headers({ "x-forwarded-for": "203.0.113.9, 10.0.0.1", "x-forwarded-proto": "https" });
    expect(clientAddress(forwarded)).toBe("direct");
    expect(arrivedOverTls("http://pgferry/", forwarded)).toBe(false);
    process.env.PGFERRY_TRUST_PROXY = "1";
    expect(clientAddress(forwarded)).toBe("203.0.113.9");
    expect(arrivedOverTls("http://pgferry/", forwarded)).toBe(true);
  });
});

describe("the path to continue to after signing in", () => {
  it.each(["/mirrors/a?tab=cdc", "/peers"])("keeps %s", (path) => {
    expect(safeNextPath(path)).toBe(path);
  });
  it.each(["//evil.com", "/\\evil.com", "/%5Cevil.com", "/%2F%2Fevil.com", "https://evil.com", "/a%0d%0aSet-Cookie:x", "/a\u0007", undefined, "mirrors"])(
    "refuses %s",
    (path) => {
      expect(safeNextPath(path)).toBe("/mirrors");
    },
  );
});
