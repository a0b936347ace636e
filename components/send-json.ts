/**
 * Every change the console sends to its own API goes through here: the server refuses a
 * cookie-authenticated write that is not declared JSON (proxy.ts, cross-site request protection),
 * so the content type is set even when there is no body.
 */
export function sendJson(url: string, method: "POST" | "PUT" | "PATCH" | "DELETE", body?: unknown): Promise<Response> {
  return fetch(url, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}
